// TLS options of a listener or client, as Jaeger's `<prefix>.tls.*` flags spell them:
//   <prefix>.enabled, <prefix>.cert, <prefix>.key, <prefix>.client-ca, <prefix>.min-version.
// The HTTP server and client use them through Asio's OpenSSL streams; the gRPC listeners read the
// same files. Files are PEM; they are read once, when the server or client starts.
#pragma once

#include <string>
#include <string_view>

#include "tracecore/status.h"

namespace ariadne::runtime {

struct TlsOptions {
  bool enabled = false;
  // PEM. A server needs both; a client sends them for mutual TLS when both are set.
  std::string cert_file, key_file;
  // Server: non-empty requires every client to present a certificate signed by one of these CAs
  // (mutual TLS). Client: the CAs that verify the server (empty: the system's trust store).
  std::string client_ca_file;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

// Checks the options of a TLS server: the files exist and hold what they should (a certificate, a
// private key matching it, CA certificates), and min_version is known. `flag_prefix` names the
// flags in messages, e.g. with "--collector.http.tls":
//   "--collector.http.tls.cert: cannot read /x: No such file or directory".
// Disabled options are valid unless files are named anyway (then the message says to enable TLS).
tracecore::Status ValidateTlsOptions(const TlsOptions& options, std::string_view flag_prefix);

// The same checks for a TLS client: cert and key are optional (both or neither).
tracecore::Status ValidateTlsClientOptions(const TlsOptions& options, std::string_view flag_prefix);

}  // namespace ariadne::runtime
