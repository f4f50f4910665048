// Private to the HTTP listener and client: OpenSSL contexts built from TlsOptions.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string_view>

#include "runtime/tls.h"
#include "tracecore/status.h"

namespace ariadne::runtime::http_internal {

// A server context: certificate chain and key, TLS >= min_version, and client verification
// against client_ca_file when it is set. Checks the options first (ValidateTlsOptions); messages
// name `flag_prefix`.
tracecore::Status MakeServerSslContext(const TlsOptions& options, std::string_view flag_prefix,
                                       std::unique_ptr<boost::asio::ssl::context>& out);

// A client context: verifies the server against client_ca_file (or the system's trust store) and
// presents cert_file/key_file when both are set.
tracecore::Status MakeClientSslContext(const TlsOptions& options, std::string_view flag_prefix,
                                       std::unique_ptr<boost::asio::ssl::context>& out);

}  // namespace ariadne::runtime::http_internal
