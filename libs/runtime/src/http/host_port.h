// Private to the HTTP server: listen addresses ("host:port", "[v6]:port", ":port").
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/status.h"

namespace ariadne::runtime::http_internal {

struct HostPort {
  std::string host;  // empty: all interfaces
  uint16_t port = 0;
};

// Splits "host:port", "[v6]:port" or ":port"; the message says what form is expected.
tracecore::Status ParseHostPort(std::string_view text, HostPort& out);

// The endpoints to try, in order: for an empty host the IPv6 wildcard (dual-stack) then the IPv4
// one; for an IP literal that address; for a name what the resolver answers.
tracecore::Status ResolveListenAddress(boost::asio::io_context& io, const HostPort& address,
                                       std::vector<boost::asio::ip::tcp::endpoint>& out);

// "; <what to do>" for a bind/listen error, or "" when there is no advice.
std::string ListenErrorAdvice(const boost::system::error_code& ec, uint16_t port);

}  // namespace ariadne::runtime::http_internal
