// LoadCounters and the reports: classification, partial success, the progress line and the JSON
// line bench scripts parse.
#include "tracegen/load_report.h"

#include <simdjson.h>

#include <catch2/catch.hpp>
#include <string>

namespace ariadne::tracegen {
namespace {

TEST_CASE("statuses are sorted into accepted, rejected (backpressure) and failed") {
  CHECK(ClassifyHttpStatus(200) == Outcome::kAccepted);
  CHECK(ClassifyHttpStatus(202) == Outcome::kAccepted);
  CHECK(ClassifyHttpStatus(429) == Outcome::kRejected);
  CHECK(ClassifyHttpStatus(503) == Outcome::kRejected);
  CHECK(ClassifyHttpStatus(400) == Outcome::kFailed);
  CHECK(ClassifyHttpStatus(500) == Outcome::kFailed);
  CHECK(ClassifyGrpcStatus(0) == Outcome::kAccepted);
  CHECK(ClassifyGrpcStatus(8) == Outcome::kRejected);
  CHECK(ClassifyGrpcStatus(14) == Outcome::kFailed);
  CHECK(GrpcCodeName(8) == "RESOURCE_EXHAUSTED");
  CHECK(GrpcCodeName(16) == "UNAUTHENTICATED");
  CHECK(GrpcCodeName(99) == "UNKNOWN_99");
}

TEST_CASE("counters add up requests, spans and errors by status") {
  LoadCounters counters;
  for (int i = 0; i < 4; ++i) counters.AddSent(100);
  counters.AddTraces(40);
  counters.Record(Outcome::kAccepted, 100, "202");
  counters.Record(Outcome::kAccepted, 100, "202", 30);  // partial success: 30 refused
  counters.Record(Outcome::kRejected, 100, "429");
  counters.Record(Outcome::kFailed, 100, "UNAVAILABLE");
  const LoadSnapshot totals = counters.Snapshot();
  CHECK(totals.requests == 4);
  CHECK(totals.traces == 40);
  CHECK(totals.spans_sent == 400);
  CHECK(totals.spans_accepted == 170);
  CHECK(totals.spans_rejected == 130);
  CHECK(totals.spans_failed == 100);
  CHECK(totals.errors_by_status ==
        std::map<std::string, uint64_t>{{"429", 1}, {"UNAVAILABLE", 1}, {"partial_success", 1}});
}

TEST_CASE("a partial success never counts more rejected spans than the request had") {
  LoadCounters counters;
  counters.Record(Outcome::kAccepted, 10, "OK", 1000);
  CHECK(counters.Snapshot().spans_rejected == 10);
  CHECK(counters.Snapshot().spans_accepted == 0);
}

TEST_CASE("the progress line gives per-second rates") {
  LoadSnapshot before;
  before.spans_sent = 1000;
  before.spans_accepted = 900;
  LoadSnapshot after;
  after.spans_sent = 3000;
  after.spans_accepted = 2500;
  after.spans_rejected = 400;
  after.spans_failed = 100;
  CHECK(FormatProgressLine(3, before, after, 2.0) ==
        "t=3s sent=1000/s accepted=800/s rejected=200/s failed=50/s");
}

TEST_CASE("the final JSON line has every field bench scripts read") {
  FinalReport report;
  report.protocol = "otlp-grpc";
  report.endpoint = "127.0.0.1:4317";
  report.seconds = 2;
  report.cpu_seconds = 0.5;
  report.workers = 2;
  report.target_rate = 1000;
  report.totals.spans_sent = 1000;
  report.totals.spans_accepted = 900;
  report.totals.spans_rejected = 100;
  report.totals.requests = 10;
  report.totals.errors_by_status = {{"RESOURCE_EXHAUSTED", 1}};
  const std::string json = FormatFinalJson(report);
  CHECK(json.find('\n') == std::string::npos);
  simdjson::dom::parser parser;
  simdjson::dom::element root = parser.parse(json).value();
  CHECK(root["protocol"].get_string().value() == "otlp-grpc");
  CHECK(root["seconds"].get_double().value() == 2.0);
  CHECK(root["spans_sent"].get_uint64().value() == 1000);
  CHECK(root["spans_accepted"].get_uint64().value() == 900);
  CHECK(root["spans_rejected"].get_uint64().value() == 100);
  CHECK(root["requests"].get_uint64().value() == 10);
  CHECK(root["errors_by_status"]["RESOURCE_EXHAUSTED"].get_uint64().value() == 1);
  CHECK(root["spans_per_second"].get_double().value() == 450.0);
  CHECK(root["cpu_seconds"].get_double().value() == 0.5);
  CHECK(root["cpu_us_per_span"].get_double().value() == 500.0);
  CHECK(ExitCodeFor(report) == 0);
  report.totals.spans_accepted = 0;
  CHECK(ExitCodeFor(report) == 1);
}

}  // namespace
}  // namespace ariadne::tracegen
