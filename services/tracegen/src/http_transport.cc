// The HTTP transport: runtime::HttpClient (one keep-alive connection per worker, plain or TLS),
// one request at a time.
#include <thread>

#include "runtime/http_client.h"
#include "tracegen/transport.h"

namespace ariadne::tracegen {
namespace {

namespace http = boost::beast::http;
using tracecore::Status;

// After a failed connect the worker waits this long before the next attempt, so that a receiver
// that is down is not hammered by a tight loop.
constexpr auto kReconnectPause = std::chrono::milliseconds(100);

// The errors_by_status key of a failed request, from runtime::HttpClient's message.
std::string_view ErrorKey(const Status& status) {
  const std::string& message = status.message();
  if (message.find("timed out") != std::string::npos) return "timeout";
  if (message.find("cannot connect") != std::string::npos ||
      message.find("cannot resolve") != std::string::npos) {
    return "connect";
  }
  if (message.find("TLS") != std::string::npos || message.find("tls") != std::string::npos) {
    return "tls";
  }
  return "io";
}

runtime::TlsOptions ClientTls(const TlsOptions& tls) {
  runtime::TlsOptions options;
  options.enabled = tls.enabled;
  options.cert_file = tls.cert_file;
  options.key_file = tls.key_file;
  options.client_ca_file = tls.ca_file;
  return options;
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(const TransportOptions& options, LoadCounters& counters)
      : counters_(counters),
        client_(options.host, options.port, ClientTls(options.tls)),
        path_(options.path.empty() ? std::string(InfoOf(options.protocol).path) : options.path),
        json_(InfoOf(options.protocol).content_type == "application/json"),
        otlp_(options.protocol == Protocol::kOtlpHttp ||
              options.protocol == Protocol::kOtlpHttpJson),
        gzip_(options.gzip),
        timeout_(std::chrono::duration_cast<std::chrono::milliseconds>(options.timeout)) {
    headers_.emplace_back("Content-Type", std::string(InfoOf(options.protocol).content_type));
    if (gzip_) headers_.emplace_back("Content-Encoding", "gzip");
    client_.set_max_response_bytes(1 << 20);
  }

  void Send(std::string body, uint32_t spans) override {
    counters_.AddSent(spans);
    if (gzip_) body = Gzip(body);
    runtime::HttpClientResponse response;
    const Status status =
        client_.Request(http::verb::post, path_, headers_, body, response, timeout_);
    if (!status.ok()) {
      const std::string_view key = ErrorKey(status);
      counters_.AddFailed(spans, key);
      if (key == "connect" || key == "tls") std::this_thread::sleep_for(kReconnectPause);
      return;
    }
    const int code = static_cast<int>(response.status);
    const uint64_t rejected =
        otlp_ && code / 100 == 2 ? OtlpRejectedSpans(response.body, json_) : 0;
    counters_.Record(ClassifyHttpStatus(code), spans, std::to_string(code), rejected);
  }

  void Drain() override {}

 private:
  LoadCounters& counters_;
  runtime::HttpClient client_;
  const std::string path_;
  const bool json_;
  const bool otlp_;
  const bool gzip_;
  const std::chrono::milliseconds timeout_;
  std::vector<std::pair<std::string, std::string>> headers_;
};

}  // namespace

Status MakeHttpTransport(const TransportOptions& options, LoadCounters& counters,
                         std::unique_ptr<Transport>& out) {
  // TLS files are read at every connect by the client: check them once, here, with our flags.
  std::string ignored;
  if (!options.tls.ca_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.ca_file, "--tls.ca", ignored));
  }
  if (!options.tls.cert_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.cert_file, "--tls.cert", ignored));
  }
  if (!options.tls.key_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.key_file, "--tls.key", ignored));
  }
  out = std::make_unique<HttpTransport>(options, counters);
  return Status::Ok();
}

}  // namespace ariadne::tracegen
