// Protocols: every protocol's encoded requests decode back, with tracecore's decoders, to the
// spans generated, as far as the format carries them (Jaeger: microseconds, arrays as JSON text;
// Zipkin: microseconds, values as text, no links, event names only).
#include "tracegen/protocol.h"

#include <catch2/catch.hpp>
#include <map>
#include <string>

#include "tracegen/trace_generator.h"

namespace ariadne::tracegen {
namespace {

using tracecore::AnyValue;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::ValueType;

constexpr uint64_t kNow = 1764240000000000000ULL;

using SpanKey = std::pair<tracecore::TraceId, uint64_t>;

std::map<SpanKey, const Span*> Index(const SpanBatch& batch) {
  std::map<SpanKey, const Span*> spans;
  for (const Span& span : batch.spans()) spans[{span.trace_id, span.span_id.value}] = &span;
  return spans;
}

bool IsScalar(const AnyValue& value) {
  return value.type() != ValueType::kArray && value.type() != ValueType::kMap;
}

enum class Fidelity { kFull, kJaeger, kZipkin };

Fidelity FidelityOf(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpGrpc:
    case Protocol::kOtlpHttp:
    case Protocol::kOtlpHttpJson: return Fidelity::kFull;
    case Protocol::kZipkinJson:
    case Protocol::kZipkinProto: return Fidelity::kZipkin;
    default: return Fidelity::kJaeger;
  }
}

// Checks that `decoded` holds every span of `original` with what `fidelity` carries.
// Times: nanoseconds in OTLP and Jaeger's protobuf (Timestamp, Duration); microseconds in Thrift
// and Zipkin.
uint64_t TimeUnitOf(Protocol protocol) {
  const Fidelity fidelity = FidelityOf(protocol);
  return fidelity == Fidelity::kFull || protocol == Protocol::kJaegerGrpc ? 1 : 1000;
}

void CheckSameSpans(const SpanBatch& original, const SpanBatch& decoded, Protocol protocol) {
  const Fidelity fidelity = FidelityOf(protocol);
  const auto decoded_spans = Index(decoded);
  REQUIRE(decoded_spans.size() == original.spans().size());
  const uint64_t unit = TimeUnitOf(protocol);
  for (const Span& want : original.spans()) {
    auto found = decoded_spans.find({want.trace_id, want.span_id.value});
    REQUIRE(found != decoded_spans.end());
    const Span& got = *found->second;
    INFO("span " << want.span_id.ToHex() << " " << want.name);
    CHECK(got.parent_span_id == want.parent_span_id);
    CHECK(got.name == want.name);
    CHECK(got.kind == want.kind);
    CHECK(got.start_time_unix_nano == want.start_time_unix_nano / unit * unit);
    // Jaeger and Zipkin carry a start and a duration (Thrift, Zipkin: in whole microseconds).
    CHECK(got.end_time_unix_nano - got.start_time_unix_nano ==
          (want.end_time_unix_nano - want.start_time_unix_nano) / unit * unit);
    CHECK(got.status.code == want.status.code);
    CHECK(decoded.resource_of(got).ServiceName() == original.resource_of(want).ServiceName());
    for (const auto& attribute : original.resource_of(want).attributes) {
      INFO("resource attribute " << attribute.key);
      const auto* match =
          tracecore::FindAttribute(decoded.resource_of(got).attributes, attribute.key);
      REQUIRE(match != nullptr);
      if (fidelity != Fidelity::kZipkin) CHECK(match->value == attribute.value);
    }
    for (const auto& attribute : want.attributes) {
      INFO("attribute " << attribute.key);
      const auto* match = tracecore::FindAttribute(got.attributes, attribute.key);
      REQUIRE(match != nullptr);
      if (fidelity == Fidelity::kFull ||
          (fidelity == Fidelity::kJaeger && IsScalar(attribute.value))) {
        CHECK(match->value == attribute.value);
      } else if (attribute.value.type() == ValueType::kString) {
        CHECK(match->value == attribute.value);
      }
    }
    if (fidelity == Fidelity::kFull) {
      CHECK(got.attributes.size() == want.attributes.size());
      CHECK(got.flags == want.flags);
      CHECK(got.status.message == want.status.message);
      CHECK(decoded.scope_of(got).name == original.scope_of(want).name);
      CHECK(decoded.scope_of(got).version == original.scope_of(want).version);
    }
    REQUIRE(got.events.size() == want.events.size());
    for (size_t i = 0; i < want.events.size(); ++i) {
      CHECK(got.events[i].name == want.events[i].name);
      CHECK(got.events[i].time_unix_nano / unit == want.events[i].time_unix_nano / unit);
      if (fidelity != Fidelity::kZipkin) {
        CHECK(got.events[i].attributes.size() == want.events[i].attributes.size());
      }
    }
    if (fidelity != Fidelity::kZipkin) {
      REQUIRE(got.links.size() == want.links.size());
      for (size_t i = 0; i < want.links.size(); ++i) {
        CHECK(got.links[i].trace_id == want.links[i].trace_id);
        CHECK(got.links[i].span_id == want.links[i].span_id);
      }
    }
  }
}

TEST_CASE("every protocol's requests decode back to the generated spans") {
  const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.seed = 5;
  options.error_rate = 0.1;
  options.link_rate = 0.2;
  for (const ProtocolInfo& info : AllProtocols()) {
    DYNAMIC_SECTION(info.name) {
      TraceGenerator generator(graph, options);
      SpanBatch batch;
      generator.Generate(40, kNow, batch);
      std::vector<EncodedRequest> requests;
      EncodeRequests(info.protocol, batch, requests);
      REQUIRE(!requests.empty());
      if (info.one_resource_per_request && info.transport != TransportKind::kUdp) {
        CHECK(requests.size() == batch.resources().size());
      }
      if (!info.one_resource_per_request) CHECK(requests.size() == 1);
      SpanBatch decoded;
      size_t spans = 0;
      for (const EncodedRequest& request : requests) {
        const size_t before = decoded.spans().size();
        const tracecore::Status status = DecodeRequest(info.protocol, request.body, decoded);
        INFO(status.message());
        REQUIRE(status.ok());
        CHECK(decoded.spans().size() - before == request.spans);
        spans += request.spans;
        if (info.transport == TransportKind::kUdp) CHECK(request.body.size() <= kMaxUdpDatagram);
      }
      CHECK(spans == batch.spans().size());
      CheckSameSpans(batch, decoded, info.protocol);
    }
  }
}

TEST_CASE("UDP requests are split into datagrams that fit the agent's packet size") {
  const ServiceGraph graph = DefaultServiceGraph();
  GeneratorOptions options;
  options.attributes_per_span = 40;
  TraceGenerator generator(graph, options);
  SpanBatch batch;
  generator.Generate(150, kNow, batch);
  for (Protocol protocol : {Protocol::kJaegerCompactUdp, Protocol::kJaegerBinaryUdp}) {
    std::vector<EncodedRequest> datagrams;
    EncodeRequests(protocol, batch, datagrams);
    CHECK(datagrams.size() > batch.resources().size());  // more than one per service
    size_t spans = 0;
    for (const EncodedRequest& datagram : datagrams) {
      CHECK(datagram.body.size() + kUdpDatagramSlack <= kMaxUdpDatagram);
      spans += datagram.spans;
    }
    CHECK(spans == batch.spans().size());
  }
}

TEST_CASE("protocol names parse, and an unknown one lists the valid names") {
  Protocol protocol = Protocol::kOtlpGrpc;
  REQUIRE(ParseProtocol("jaeger-thrift-http", protocol).ok());
  CHECK(protocol == Protocol::kJaegerThriftHttp);
  CHECK(InfoOf(protocol).path == "/api/traces");
  CHECK(InfoOf(protocol).content_type == "application/x-thrift");
  const tracecore::Status status = ParseProtocol("carrier-pigeon", protocol);
  CHECK(status.message().find("otlp-grpc, otlp-http") != std::string::npos);
  for (const ProtocolInfo& info : AllProtocols()) {
    CHECK(&InfoOf(info.protocol) == &info);
  }
}

}  // namespace
}  // namespace ariadne::tracegen
