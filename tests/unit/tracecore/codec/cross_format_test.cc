// Cross-format test: the fixture trace, captured from a real client in each wire format, becomes
// the same Jaeger UI JSON whatever format it arrived in, except for what a format cannot carry.
// Each such difference is listed below, fact by fact, and in docs/translation.md.
#include <simdjson.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "test_support.h"
#include "tracecore/codec/jaeger_thrift.h"
#include "tracecore/codec/jaeger_ui_json.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/codec/zipkin.h"

namespace ariadne::tracecore {
namespace {

using ariadne::testing::ReadWireFixture;
using Facts = std::set<std::string>;

std::string Scalar(simdjson::dom::element value) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return "\"" + std::string(value.get_string().value()) + "\"";
    case simdjson::dom::element_type::INT64: return std::to_string(value.get_int64().value());
    case simdjson::dom::element_type::UINT64: return std::to_string(value.get_uint64().value());
    case simdjson::dom::element_type::DOUBLE: {
      std::ostringstream text;
      text << value.get_double().value();
      return text.str();
    }
    case simdjson::dom::element_type::BOOL: return value.get_bool().value() ? "true" : "false";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
    default: return simdjson::to_string(value);
  }
}

void AddKeyValues(const std::string& prefix, simdjson::dom::array key_values, Facts& facts) {
  for (simdjson::dom::element kv : key_values) {
    std::string key(kv["key"].get_string().value());
    std::string value = Scalar(kv["value"].value());
    // The fixtures were captured in separate runs of one program: stack frames below the first
    // line differ between captures, so only the first line is a fact of the trace.
    if (key == "exception.stacktrace") value = value.substr(0, value.find('\n'));
    facts.insert(prefix + key + " = " + std::string(kv["type"].get_string().value()) + " " + value);
  }
}

// Every fact the Jaeger UI would show about the trace, as sorted "span <id> <what> = <value>"
// lines.
Facts UiFacts(const SpanBatch& batch) {
  std::vector<const Span*> spans;
  for (const Span& span : batch.spans()) spans.push_back(&span);
  std::string json;
  jaeger_ui::AppendTrace(batch, spans, json);
  simdjson::dom::parser parser;
  simdjson::dom::element trace = parser.parse(json).value();

  Facts facts;
  facts.insert("traceID " + std::string(trace["traceID"].get_string().value()));
  std::map<std::string, std::string> service_of;
  simdjson::dom::object processes = trace["processes"].get_object().value();
  for (auto [process_id, process] : processes) {
    std::string id(process_id);
    service_of[id] = std::string(process["serviceName"].get_string().value());
    AddKeyValues("process " + service_of[id] + " tag ", process["tags"].get_array().value(), facts);
  }
  simdjson::dom::array all_spans = trace["spans"].get_array().value();
  for (simdjson::dom::element span : all_spans) {
    std::string prefix = "span " + std::string(span["spanID"].get_string().value()) + " ";
    facts.insert(prefix +
                 "operationName = " + std::string(span["operationName"].get_string().value()));
    facts.insert(prefix + "startTime = " + Scalar(span["startTime"].value()));
    facts.insert(prefix + "duration = " + Scalar(span["duration"].value()));
    facts.insert(prefix +
                 "service = " + service_of[std::string(span["processID"].get_string().value())]);
    int64_t flags = 0;
    if (span["flags"].get_int64().get(flags) == simdjson::SUCCESS) {
      facts.insert(prefix + "flags = " + std::to_string(flags));
    }
    simdjson::dom::array references = span["references"].get_array().value();
    for (simdjson::dom::element ref : references) {
      facts.insert(prefix + "ref " + std::string(ref["refType"].get_string().value()) + " " +
                   std::string(ref["traceID"].get_string().value()) + "/" +
                   std::string(ref["spanID"].get_string().value()));
    }
    AddKeyValues(prefix + "tag ", span["tags"].get_array().value(), facts);
    simdjson::dom::array logs = span["logs"].get_array().value();
    for (simdjson::dom::element log : logs) {
      AddKeyValues(prefix + "log @" + Scalar(log["timestamp"].value()) + " ",
                   log["fields"].get_array().value(), facts);
    }
  }
  return facts;
}

template <typename Decode>
Facts FixtureFacts(const std::string& fixture, Decode decode) {
  std::string bytes = ReadWireFixture(fixture);
  SpanBatch batch;
  Status status = decode(batch.Retain(bytes), batch);
  INFO(fixture << ": " << status.message());
  REQUIRE(status.ok());
  return UiFacts(batch);
}

Facts Minus(const Facts& a, const Facts& b) {
  Facts out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

Facts Reference() {
  return FixtureFacts("otlp-grpc-export-request.bin", otlp::DecodeExportRequest);
}

TEST_CASE("cross-format: every OTLP fixture gives the same UI JSON") {
  Facts reference = Reference();
  CHECK(reference.size() > 40);
  CHECK(FixtureFacts("otlp-http-export-request.bin", otlp::DecodeExportRequest) == reference);
  CHECK(FixtureFacts("otlp-http-export-request.json", otlp::DecodeExportRequestJson) == reference);
}

// The OpenTelemetry JS Jaeger exporter (jaeger-client inside) cannot carry: int attributes (it
// sends every number as a Thrift DOUBLE), arrays (it joins them with ","), and it puts the resource
// attributes into every span's tags instead of the process tags.
TEST_CASE("cross-format: Jaeger Thrift differs from OTLP only where the format cannot carry it") {
  const Facts only_in_otlp = {
      R"(process frontend tag host.name = string "node-1")",
      R"(process frontend tag service.version = string "1.2.3")",
      R"(span c0ffee0000000001 tag big.int = int64 9007199254740991)",
      R"(span c0ffee0000000001 tag http.status_code = int64 200)",
      R"(span c0ffee0000000001 tag tags.array = string "["a","b"]")",
      R"(span c0ffee0000000002 log @1764240000007000 retry = int64 2)",
  };
  Facts only_in_thrift = {
      R"(span c0ffee0000000001 tag big.int = float64 9007199254740991)",
      R"(span c0ffee0000000001 tag http.status_code = float64 200)",
      R"(span c0ffee0000000001 tag tags.array = string "a,b")",
      R"(span c0ffee0000000002 log @1764240000007000 retry = float64 2)",
  };
  for (const char* span :
       {"c0ffee0000000001", "c0ffee0000000002", "c0ffee0000000003", "c0ffee0000000004"}) {
    for (const char* tag : {R"(host.name = string "node-1")", R"(service.name = string "frontend")",
                            R"(service.version = string "1.2.3")"}) {
      only_in_thrift.insert(std::string("span ") + span + " tag " + tag);
    }
  }
  Facts reference = Reference();
  Facts http = FixtureFacts(
      "jaeger-thrift-binary-http-batch.bin", [](std::string_view bytes, SpanBatch& batch) {
        return jaeger_thrift::DecodeBatch(bytes, jaeger_thrift::Protocol::kBinary, batch);
      });
  CHECK(Minus(reference, http) == only_in_otlp);
  CHECK(Minus(http, reference) == only_in_thrift);
  // The agent's UDP datagram carries the same batch inside an emitBatch call.
  Facts udp = FixtureFacts("jaeger-thrift-binary-udp-emitBatch.bin",
                           [](std::string_view bytes, SpanBatch& batch) {
                             return jaeger_thrift::DecodeAgentMessage(
                                 bytes, jaeger_thrift::Protocol::kBinary, batch, nullptr);
                           });
  CHECK(udp == http);
}

// Zipkin v2 cannot carry: typed values (every tag is a string; arrays joined with ","), event
// attributes (annotations are a timestamp and a value), links, and the instrumentation scope.
TEST_CASE("cross-format: Zipkin v2 JSON differs from OTLP only where the format cannot carry it") {
  Facts only_in_otlp = {
      R"(span c0ffee0000000001 tag big.int = int64 9007199254740991)",
      R"(span c0ffee0000000001 tag http.status_code = int64 200)",
      R"(span c0ffee0000000001 tag ratio.double = float64 0.25)",
      R"(span c0ffee0000000001 tag sampled.bool = bool true)",
      R"(span c0ffee0000000001 tag tags.array = string "["a","b"]")",
      R"(span c0ffee0000000002 log @1764240000007000 cache.key = string "customer:123")",
      R"(span c0ffee0000000002 log @1764240000007000 retry = int64 2)",
      R"(span c0ffee0000000003 log @1764240000020000 exception.message = string "connection reset")",
      R"(span c0ffee0000000003 log @1764240000020000 exception.stacktrace = string "IOError: connection reset)",
      R"(span c0ffee0000000003 log @1764240000020000 exception.type = string "IOError")",
      R"(span c0ffee0000000004 ref FOLLOWS_FROM ffeeddccbbaa99887766554433221100/abcdef0123456789)",
  };
  for (const char* span :
       {"c0ffee0000000001", "c0ffee0000000002", "c0ffee0000000003", "c0ffee0000000004"}) {
    only_in_otlp.insert(std::string("span ") + span + R"( tag otel.scope.name = string "capture")");
    only_in_otlp.insert(std::string("span ") + span +
                        R"( tag otel.scope.version = string "1.0.0")");
  }
  const Facts only_in_zipkin = {
      R"(span c0ffee0000000001 tag big.int = string "9007199254740991")",
      R"(span c0ffee0000000001 tag http.status_code = string "200")",
      R"(span c0ffee0000000001 tag ratio.double = string "0.25")",
      R"(span c0ffee0000000001 tag sampled.bool = string "true")",
      R"(span c0ffee0000000001 tag tags.array = string "a,b")",
  };
  Facts reference = Reference();
  Facts zipkin = FixtureFacts("zipkin-v2-spans.json", zipkin::DecodeV2Json);
  CHECK(Minus(reference, zipkin) == only_in_otlp);
  CHECK(Minus(zipkin, reference) == only_in_zipkin);
}

}  // namespace
}  // namespace ariadne::tracecore
