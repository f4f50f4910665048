// Transport helpers: endpoints, OTLP partial-success answers, gzip; and MakeTransport's errors.
#include "tracegen/transport.h"

#include <zlib.h>

#include <catch2/catch.hpp>
#include <string>

namespace ariadne::tracegen {
namespace {

std::string Gunzip(const std::string& compressed) {
  z_stream stream{};
  inflateInit2(&stream, 15 + 16);
  std::string out(1 << 20, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  stream.avail_in = static_cast<uInt>(compressed.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = inflate(&stream, Z_FINISH);
  out.resize(result == Z_STREAM_END ? stream.total_out : 0);
  inflateEnd(&stream);
  return out;
}

TEST_CASE("endpoints: host:port, [v6]:port, :port, host alone, and mistakes") {
  std::string host;
  uint16_t port = 0;
  REQUIRE(ParseEndpoint("collector:14250", 4317, host, port).ok());
  CHECK(host == "collector");
  CHECK(port == 14250);
  REQUIRE(ParseEndpoint("[::1]:4318", 4317, host, port).ok());
  CHECK(host == "::1");
  CHECK(port == 4318);
  REQUIRE(ParseEndpoint(":9411", 4317, host, port).ok());
  CHECK(host == "127.0.0.1");
  CHECK(port == 9411);
  REQUIRE(ParseEndpoint("", 6831, host, port).ok());
  CHECK(host == "127.0.0.1");
  CHECK(port == 6831);
  REQUIRE(ParseEndpoint("otel", 4317, host, port).ok());
  CHECK(port == 4317);
  CHECK(ParseEndpoint("host:http", 1, host, port).message().find("port 'http'") !=
        std::string::npos);
  CHECK(ParseEndpoint("host:70000", 1, host, port).message().find("65535") != std::string::npos);
  CHECK(ParseEndpoint("::1", 1, host, port).message().find("[addr]:port") != std::string::npos);
}

TEST_CASE("OTLP partial success: rejected_spans from protobuf and JSON answers") {
  // ExportTraceServiceResponse{partial_success{rejected_spans: 7, error_message: "queue full"}}
  std::string partial;
  partial += '\x08';
  partial += '\x07';
  partial += '\x12';
  partial += '\x0a';
  partial += "queue full";
  std::string response;
  response += '\x0a';
  response += static_cast<char>(partial.size());
  response += partial;
  CHECK(OtlpRejectedSpans(response, false) == 7);
  CHECK(OtlpRejectedSpans("", false) == 0);
  CHECK(OtlpRejectedSpans("\xff\xff", false) == 0);  // unparsable: nothing more to count
  CHECK(OtlpRejectedSpans(R"({"partialSuccess":{"rejectedSpans":"12","errorMessage":"x"}})",
                          true) == 12);
  CHECK(OtlpRejectedSpans(R"({"partialSuccess":{"rejectedSpans":5}})", true) == 5);
  CHECK(OtlpRejectedSpans("{}", true) == 0);
  CHECK(OtlpRejectedSpans("not json", true) == 0);
}

TEST_CASE("gzip output inflates back to the body") {
  std::string body;
  for (int i = 0; i < 1000; ++i) body += "span " + std::to_string(i) + " ";
  const std::string compressed = Gzip(body);
  CHECK(compressed.size() < body.size());
  CHECK(Gunzip(compressed) == body);
}

TEST_CASE("unreadable TLS files are refused before any traffic, naming the flag") {
  LoadCounters counters;
  std::unique_ptr<Transport> transport;
  TransportOptions options;
  options.port = 4317;
  options.tls.enabled = true;
  options.tls.ca_file = "/nonexistent/ca.pem";
  for (Protocol protocol : {Protocol::kOtlpGrpc, Protocol::kOtlpHttp}) {
    options.protocol = protocol;
    const tracecore::Status status = MakeTransport(options, counters, transport);
    CHECK(status.message().find("--tls.ca") != std::string::npos);
  }
}

}  // namespace
}  // namespace ariadne::tracegen
