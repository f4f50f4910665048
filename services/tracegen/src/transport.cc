#include "tracegen/transport.h"

#include <simdjson.h>
#include <zlib.h>

#include <charconv>
#include <fstream>
#include <sstream>

#include "tracecore/wire/proto_reader.h"

namespace ariadne::tracegen {

using tracecore::Status;

Status ReadTextFile(const std::string& path, std::string_view flag, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument(std::string(flag) + ": cannot read '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  out = text.str();
  return Status::Ok();
}

Status MakeTransport(const TransportOptions& options, LoadCounters& counters,
                     std::unique_ptr<Transport>& out) {
  switch (InfoOf(options.protocol).transport) {
    case TransportKind::kGrpc: {
      std::string roots;
      std::string cert;
      std::string key;
      if (!options.tls.ca_file.empty()) {
        ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.ca_file, "--tls.ca", roots));
      }
      if (!options.tls.cert_file.empty()) {
        ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.cert_file, "--tls.cert", cert));
      }
      if (!options.tls.key_file.empty()) {
        ARIADNE_RETURN_IF_ERROR(ReadTextFile(options.tls.key_file, "--tls.key", key));
      }
      out = MakeGrpcTransport(options, roots, cert, key, counters);
      return Status::Ok();
    }
    case TransportKind::kHttp: return MakeHttpTransport(options, counters, out);
    case TransportKind::kUdp: return MakeUdpTransport(options, counters, out);
  }
  return Status::Internal("tracegen: unknown transport");
}

uint64_t OtlpRejectedSpans(std::string_view body, bool json) {
  if (body.empty()) return 0;
  if (!json) {
    // ExportTraceServiceResponse{partial_success = 1 {rejected_spans = 1, error_message = 2}}
    tracecore::wire::ProtoReader response(body);
    uint64_t rejected = 0;
    while (response.Next()) {
      if (response.field() != 1 ||
          response.wire_type() != tracecore::wire::ProtoWireType::kLengthDelimited) {
        response.Skip();
        continue;
      }
      tracecore::wire::ProtoReader partial = response.ReadMessage();
      while (partial.Next()) {
        if (partial.field() == 1 &&
            partial.wire_type() == tracecore::wire::ProtoWireType::kVarint) {
          rejected = partial.ReadVarint();
        } else {
          partial.Skip();
        }
      }
    }
    return response.ok() ? rejected : 0;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS) return 0;
  simdjson::dom::element value;
  if (root["partialSuccess"]["rejectedSpans"].get(value) != simdjson::SUCCESS &&
      root["partial_success"]["rejected_spans"].get(value) != simdjson::SUCCESS) {
    return 0;
  }
  // 64-bit integers are decimal strings in OTLP/JSON; numbers are accepted too.
  uint64_t rejected = 0;
  if (value.get_uint64().get(rejected) == simdjson::SUCCESS) return rejected;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    std::from_chars(text.data(), text.data() + text.size(), rejected);
  }
  return rejected;
}

std::string Gzip(std::string_view body) {
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  deflateInit2(&stream, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&stream, static_cast<uLong>(body.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  stream.avail_in = static_cast<uInt>(body.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

Status ParseEndpoint(std::string_view endpoint, uint16_t default_port, std::string& host,
                     uint16_t& port) {
  std::string_view host_part = endpoint;
  std::string_view port_part;
  if (!endpoint.empty() && endpoint.front() == '[') {
    const size_t close = endpoint.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("--endpoint: '" + std::string(endpoint) +
                                     "' opens '[' without ']'; use [::1]:4317");
    }
    host_part = endpoint.substr(1, close - 1);
    if (close + 1 < endpoint.size()) {
      if (endpoint[close + 1] != ':') {
        return Status::InvalidArgument("--endpoint: expected ':' after ']' in '" +
                                       std::string(endpoint) + "'");
      }
      port_part = endpoint.substr(close + 2);
    }
  } else if (const size_t colon = endpoint.rfind(':'); colon != std::string_view::npos) {
    if (endpoint.find(':') != colon) {
      return Status::InvalidArgument("--endpoint: '" + std::string(endpoint) +
                                     "' looks like a bare IPv6 address; use [addr]:port");
    }
    host_part = endpoint.substr(0, colon);
    port_part = endpoint.substr(colon + 1);
  }
  host = host_part.empty() ? "127.0.0.1" : std::string(host_part);
  port = default_port;
  if (!port_part.empty()) {
    unsigned value = 0;
    auto [end, error] =
        std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
    if (error != std::errc() || end != port_part.data() + port_part.size() || value == 0 ||
        value > 65535) {
      return Status::InvalidArgument("--endpoint: port '" + std::string(port_part) +
                                     "' is not a number between 1 and 65535");
    }
    port = static_cast<uint16_t>(value);
  }
  return Status::Ok();
}

}  // namespace ariadne::tracegen
