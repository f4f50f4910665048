#include "host_port.h"

#include <charconv>

namespace ariadne::runtime::http_internal {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using tracecore::Status;

Status BadAddress(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad address \"" + std::string(text) + "\": " + std::string(why) +
                                 "; use host:port, [ipv6]:port or :port");
}

}  // namespace

Status ParseHostPort(std::string_view text, HostPort& out) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return BadAddress(text, "an IPv6 address in brackets must be followed by :port");
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return BadAddress(text, "no port");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return BadAddress(text, "put an IPv6 address in brackets");
    }
  }
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535) {
    return BadAddress(text, "the port must be a number from 0 to 65535");
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(value);
  return {};
}

Status ResolveListenAddress(net::io_context& io, const HostPort& address,
                            std::vector<tcp::endpoint>& out) {
  out.clear();
  if (address.host.empty()) {
    out.emplace_back(tcp::v6(), address.port);
    out.emplace_back(tcp::v4(), address.port);
    return {};
  }
  boost::system::error_code ec;
  const net::ip::address literal = net::ip::make_address(address.host, ec);
  if (!ec) {
    out.emplace_back(literal, address.port);
    return {};
  }
  tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(address.host, std::to_string(address.port), tcp::resolver::passive, ec);
  if (ec || results.empty()) {
    return Status::InvalidArgument("cannot resolve host \"" + address.host +
                                   "\": " + (ec ? ec.message() : "no addresses") +
                                   "; use an IP address, a resolvable name, or :port");
  }
  for (const auto& entry : results) out.push_back(entry.endpoint());
  return {};
}

std::string ListenErrorAdvice(const boost::system::error_code& ec, uint16_t port) {
  if (ec == net::error::address_in_use) {
    return "; another process already listens on port " + std::to_string(port) +
           ": stop it or choose another port";
  }
  if (ec == net::error::access_denied) {
    return "; ports below 1024 need privileges (CAP_NET_BIND_SERVICE): choose a port from 1024 up";
  }
  if (ec == boost::system::errc::address_not_available) {
    return "; the address does not belong to this host: use one of its addresses, or :port for "
           "all interfaces";
  }
  return "";
}

}  // namespace ariadne::runtime::http_internal
