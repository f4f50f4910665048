// The gRPC query API (services/query/src/grpc_query.cc) over loopback with the generated client
// stubs: every RPC of jaeger.api_v2.QueryService and jaeger.api_v3.QueryService, not found, bad
// ids and requests, garbage bytes, a 100,000-span trace streamed in bounded messages, raw and
// adjusted traces, the span and time budget, storage failures, archive, metrics, health and
// reflection.
#include "grpc_query.h"

#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>

#include <catch2/catch.hpp>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "jaeger/api_v2/query.grpc.pb.h"
#include "jaeger/api_v3/query_service.grpc.pb.h"
#include "query_test_support.h"
#include "tracecore/wire/proto_reader.h"

namespace ariadne::testing {
namespace {

namespace v2 = jaeger::api_v2;
namespace v3 = jaeger::api_v3;
using opentelemetry::proto::trace::v1::TracesData;
using tracecore::SpanKind;

constexpr auto kCallTimeout = std::chrono::seconds(30);
constexpr size_t kClientReceiveLimit = 4 << 20;  // gRPC's default

// Fails every read, as a backend whose disk is gone.
class BrokenStore final : public storage::SpanReader, public storage::DependencyReader {
 public:
  tracecore::Status GetTrace(const tracecore::TraceId&, uint32_t, const storage::SpanChunkConsumer&,
                             bool&) override {
    return Failure();
  }
  tracecore::Status FindTraceIds(const storage::TraceQuery&,
                                 std::vector<tracecore::TraceId>&) override {
    return Failure();
  }
  tracecore::Status GetServices(std::vector<std::string>&) override { return Failure(); }
  tracecore::Status GetOperations(const std::string&, std::optional<tracecore::SpanKind>,
                                  std::vector<storage::Operation>&) override {
    return Failure();
  }
  tracecore::Status GetDependencies(uint64_t, uint64_t,
                                    std::vector<storage::DependencyLink>&) override {
    return Failure();
  }

 private:
  static tracecore::Status Failure() { return tracecore::Status::Internal("the disk is gone"); }
};

query::GrpcQueryOptions LoopbackGrpcOptions() {
  query::GrpcQueryOptions options;
  options.host_port = "127.0.0.1:0";
  options.threads = 2;
  return options;
}

struct Setup {
  query::QueryServiceOptions service;
  query::GrpcQueryOptions grpc = LoopbackGrpcOptions();
  bool archive = false;
  storage::SpanReader* reader = nullptr;              // default: the fixture's store
  storage::DependencyReader* dependencies = nullptr;  // default: the fixture's store
};

Setup WithMaxSpans(uint32_t spans) {
  Setup setup;
  setup.service.max_response_spans = spans;
  return setup;
}

// A QueryService over a MemoryStore (and optionally an archive MemoryStore) served by a
// GrpcQueryServer on a loopback port, with stubs of both services.
struct RunningGrpcQuery {
  explicit RunningGrpcQuery(const Setup& setup = {})
      : registry(std::make_shared<prometheus::Registry>()), metrics(registry) {
    if (setup.archive) archive.emplace(query::ArchiveStorage{archive_store, archive_store});
    service = std::make_unique<query::QueryService>(
        setup.reader != nullptr ? *setup.reader : store,
        setup.dependencies != nullptr ? *setup.dependencies : store, metrics, setup.service,
        archive ? &*archive : nullptr);
    const tracecore::Status started =
        query::GrpcQueryServer::Start(setup.grpc, *service, &metrics, server);
    INFO(started.message());
    REQUIRE(started.ok());
    channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server->port()),
                                  grpc::InsecureChannelCredentials());
    api_v2 = v2::QueryService::NewStub(channel);
    api_v3 = v3::QueryService::NewStub(channel);
  }

  storage::MemoryStore store;
  storage::MemoryStore archive_store;
  std::optional<query::ArchiveStorage> archive;
  std::shared_ptr<prometheus::Registry> registry;
  query::QueryMetrics metrics;
  std::unique_ptr<query::QueryService> service;
  std::unique_ptr<query::GrpcQueryServer> server;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v2::QueryService::Stub> api_v2;
  std::unique_ptr<v3::QueryService::Stub> api_v3;
};

void Deadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + kCallTimeout);
}

// Every message of a server stream and how it ended.
template <typename Message>
struct Streamed {
  grpc::Status status;
  std::vector<Message> messages;
};

// Reads the stream that `start(context)` opens to its end.
template <typename Message, typename Start>
Streamed<Message> ReadAll(Start start) {
  grpc::ClientContext context;
  Deadline(context);
  Streamed<Message> out;
  auto reader = start(&context);
  Message message;
  while (reader->Read(&message)) out.messages.push_back(message);
  out.status = reader->Finish();
  return out;
}

Streamed<v2::SpansResponseChunk> V2GetTrace(RunningGrpcQuery& query,
                                            const v2::GetTraceRequest& request) {
  return ReadAll<v2::SpansResponseChunk>(
      [&](grpc::ClientContext* context) { return query.api_v2->GetTrace(context, request); });
}

Streamed<v2::SpansResponseChunk> V2FindTraces(RunningGrpcQuery& query,
                                              const v2::FindTracesRequest& request) {
  return ReadAll<v2::SpansResponseChunk>(
      [&](grpc::ClientContext* context) { return query.api_v2->FindTraces(context, request); });
}

Streamed<TracesData> V3GetTrace(RunningGrpcQuery& query, const v3::GetTraceRequest& request) {
  return ReadAll<TracesData>(
      [&](grpc::ClientContext* context) { return query.api_v3->GetTrace(context, request); });
}

Streamed<TracesData> V3FindTraces(RunningGrpcQuery& query, const v3::FindTracesRequest& request) {
  return ReadAll<TracesData>(
      [&](grpc::ClientContext* context) { return query.api_v3->FindTraces(context, request); });
}

// The 16 bytes of trace id {0, low}.
std::string TraceIdBytes(uint64_t low) {
  char bytes[16];
  tracecore::TraceId{0, low}.ToBytes(bytes);
  return {bytes, 16};
}

v2::GetTraceRequest V2TraceRequest(uint64_t low, bool raw = false) {
  v2::GetTraceRequest request;
  request.set_trace_id(TraceIdBytes(low));
  request.set_raw_traces(raw);
  return request;
}

v3::GetTraceRequest V3TraceRequest(const std::string& id, bool raw = false) {
  v3::GetTraceRequest request;
  request.set_trace_id(id);
  request.set_raw_traces(raw);
  return request;
}

void SetTime(google::protobuf::Timestamp& out, uint64_t unix_nanos) {
  out.set_seconds(static_cast<int64_t>(unix_nanos / 1'000'000'000));
  out.set_nanos(static_cast<int32_t>(unix_nanos % 1'000'000'000));
}

// The window kT0 +- 1 minute.
template <typename Params>
void SetWindow(Params& params) {
  SetTime(*params.mutable_start_time_min(), kT0 - 60'000 * kMs);
  SetTime(*params.mutable_start_time_max(), kT0 + 60'000 * kMs);
}

// The spans of a stream of SpansResponseChunk, in order.
std::vector<v2::Span> V2Spans(const Streamed<v2::SpansResponseChunk>& streamed) {
  std::vector<v2::Span> spans;
  for (const auto& chunk : streamed.messages) {
    for (const auto& span : chunk.spans()) spans.push_back(span);
  }
  return spans;
}

// The last 8 bytes of a Jaeger id (the low half) as a number.
uint64_t Low(const std::string& id_bytes) {
  REQUIRE(id_bytes.size() >= 8);
  return tracecore::LoadBigEndian64(id_bytes.data() + id_bytes.size() - 8);
}

// A span of a TracesData stream with its service.
struct OtlpSpan {
  std::string service;
  opentelemetry::proto::trace::v1::Span span;
};

std::vector<OtlpSpan> V3Spans(const Streamed<TracesData>& streamed) {
  std::vector<OtlpSpan> spans;
  for (const TracesData& data : streamed.messages) {
    for (const auto& resource_spans : data.resource_spans()) {
      std::string service;
      for (const auto& attribute : resource_spans.resource().attributes()) {
        if (attribute.key() == "service.name") service = attribute.value().string_value();
      }
      for (const auto& scope_spans : resource_spans.scope_spans()) {
        for (const auto& span : scope_spans.spans()) spans.push_back({service, span});
      }
    }
  }
  return spans;
}

// The "@jaeger@warnings" strings of an OTLP span.
std::vector<std::string> OtlpWarnings(const opentelemetry::proto::trace::v1::Span& span) {
  std::vector<std::string> out;
  for (const auto& attribute : span.attributes()) {
    if (attribute.key() != "@jaeger@warnings") continue;
    for (const auto& value : attribute.value().array_value().values()) {
      out.push_back(value.string_value());
    }
  }
  return out;
}

void CheckStatus(const grpc::Status& status, grpc::StatusCode code, const std::string& message) {
  INFO(status.error_message());
  CHECK(status.error_code() == code);
  CHECK(status.error_message() == message);
}

void CheckStatusContains(const grpc::Status& status, grpc::StatusCode code,
                         const std::string& part) {
  INFO(status.error_message());
  CHECK(status.error_code() == code);
  CHECK_THAT(status.error_message(), Catch::Contains(part));
}

// Two traces: 1 is frontend "GET /" (server) calling backend "query" (client, db.system=redis);
// 2 is a lone frontend span "other", the newest.
void StoreTwoTraces(storage::SpanWriter& store) {
  Store(store, {{.trace = 1, .id = 1, .name = "GET /", .kind = SpanKind::kServer},
                {.trace = 1,
                 .id = 2,
                 .parent = 1,
                 .service = "backend",
                 .name = "query",
                 .kind = SpanKind::kClient,
                 .start = kT0 + 1 * kMs,
                 .duration = 2 * kMs,
                 .tags = {{"db.system", "redis"}}},
                {.trace = 2, .id = 7, .name = "other", .start = kT0 + 5 * kMs}});
}

// A parent and a child from another host that starts before it: the adjusted trace carries a
// clock-skew warning on the child, and the duplicate copy of the child is shown once.
std::vector<TestSpan> SkewedTrace() {
  const TestSpan child = {.id = 2,
                          .parent = 1,
                          .service = "backend",
                          .start = kT0 - 5 * kMs,
                          .duration = 2 * kMs,
                          .process = {{"ip", "10.0.0.2"}}};
  return {{.id = 1, .process = {{"ip", "10.0.0.1"}}}, child, child};
}

// A generic call driven one step at a time on its own completion queue: for the health Watch
// stream and the reflection stream, whose messages the test encodes by hand.
class GenericCall {
 public:
  GenericCall(const std::shared_ptr<grpc::Channel>& channel, const std::string& method)
      : stub_(channel) {
    Deadline(context_);
    call_ = stub_.PrepareCall(&context_, method, &queue_);
    call_->StartCall(Tag());
    REQUIRE(Await());
  }
  ~GenericCall() {
    queue_.Shutdown();
    void* tag = nullptr;
    bool ok = false;
    while (queue_.Next(&tag, &ok)) {
    }
  }
  GenericCall(const GenericCall&) = delete;
  GenericCall& operator=(const GenericCall&) = delete;

  void Send(const std::string& bytes) {
    grpc::Slice slice(bytes);
    grpc::ByteBuffer buffer(&slice, 1);
    call_->Write(buffer, Tag());
    REQUIRE(Await());
    call_->WritesDone(Tag());
    REQUIRE(Await());
  }
  // The next message; nullopt at the end of the stream.
  std::optional<std::string> Receive() {
    grpc::ByteBuffer buffer;
    call_->Read(&buffer, Tag());
    if (!Await()) return std::nullopt;
    std::vector<grpc::Slice> slices;
    REQUIRE(buffer.Dump(&slices).ok());
    std::string out;
    for (const grpc::Slice& slice : slices) {
      out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
    }
    return out;
  }
  grpc::Status Finish() {
    grpc::Status status;
    call_->Finish(&status, Tag());
    REQUIRE(Await());
    return status;
  }
  void Cancel() { context_.TryCancel(); }

 private:
  void* Tag() { return reinterpret_cast<void*>(++tag_); }
  // Waits for the operation just started; its ok bit.
  bool Await() {
    void* tag = nullptr;
    bool ok = false;
    REQUIRE(queue_.AsyncNext(&tag, &ok, std::chrono::system_clock::now() + kCallTimeout) ==
            grpc::CompletionQueue::GOT_EVENT);
    REQUIRE(tag == reinterpret_cast<void*>(tag_));
    return ok;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::CompletionQueue queue_;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call_;
  intptr_t tag_ = 0;
};

// Sends `bytes` as the one request of `method` and returns how the call ended (a streaming
// method's messages are not expected: the requests sent here are refused).
grpc::Status CallRaw(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
                     const std::string& bytes, std::string* response = nullptr) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  Deadline(context);
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  std::mutex mutex;
  std::condition_variable done;
  bool finished = false;
  grpc::Status status;
  stub.UnaryCall(&context, method, grpc::StubOptions(), &request, &reply, [&](grpc::Status s) {
    std::lock_guard lock(mutex);
    status = std::move(s);
    finished = true;
    done.notify_all();
  });
  std::unique_lock lock(mutex);
  done.wait(lock, [&] { return finished; });
  if (response != nullptr && status.ok()) {
    std::vector<grpc::Slice> slices;
    REQUIRE(reply.Dump(&slices).ok());
    for (const grpc::Slice& piece : slices) {
      response->append(reinterpret_cast<const char*>(piece.begin()), piece.size());
    }
  }
  return status;
}

// grpc.health.v1.HealthCheckRequest{service}.
std::string HealthRequest(const std::string& service) {
  return std::string(1, '\x0a') + static_cast<char>(service.size()) + service;
}
const std::string kServing = "\x08\x01";     // HealthCheckResponse{status: SERVING}
const std::string kNotServing = "\x08\x02";  // HealthCheckResponse{status: NOT_SERVING}

const std::vector<std::string> kMethods = {
    "/jaeger.api_v2.QueryService/GetTrace",        "/jaeger.api_v2.QueryService/ArchiveTrace",
    "/jaeger.api_v2.QueryService/FindTraces",      "/jaeger.api_v2.QueryService/GetServices",
    "/jaeger.api_v2.QueryService/GetOperations",   "/jaeger.api_v2.QueryService/GetDependencies",
    "/jaeger.api_v3.QueryService/GetTrace",        "/jaeger.api_v3.QueryService/FindTraces",
    "/jaeger.api_v3.QueryService/GetServices",     "/jaeger.api_v3.QueryService/GetOperations",
    "/jaeger.api_v3.QueryService/GetDependencies", "/jaeger.api_v3.QueryService/FindTraceSummaries",
};

TEST_CASE("api_v2 GetTrace: the trace's spans with their processes, NOT_FOUND, bad ids") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);

  const auto found = V2GetTrace(query, V2TraceRequest(1));
  REQUIRE(found.status.ok());
  REQUIRE(found.messages.size() == 1);
  const std::vector<v2::Span> spans = V2Spans(found);
  REQUIRE(spans.size() == 2);
  std::map<uint64_t, const v2::Span*> by_id;
  for (const v2::Span& span : spans) by_id[Low(span.span_id())] = &span;
  REQUIRE(by_id.size() == 2);
  CHECK(by_id.at(1)->operation_name() == "GET /");
  CHECK(by_id.at(1)->process().service_name() == "frontend");
  CHECK(by_id.at(2)->operation_name() == "query");
  CHECK(by_id.at(2)->process().service_name() == "backend");
  CHECK(by_id.at(2)->trace_id() == TraceIdBytes(1));
  CHECK(by_id.at(2)->references_size() == 1);

  CheckStatus(V2GetTrace(query, V2TraceRequest(99)).status, grpc::StatusCode::NOT_FOUND,
              "trace not found");
  v2::GetTraceRequest short_id;
  short_id.set_trace_id("abc");
  CheckStatus(V2GetTrace(query, short_id).status, grpc::StatusCode::INVALID_ARGUMENT,
              "trace_id must be 16 bytes (the 128-bit id, high 64 bits first, big-endian); got 3");
  CheckStatus(V2GetTrace(query, v2::GetTraceRequest()).status, grpc::StatusCode::INVALID_ARGUMENT,
              "trace_id must be 16 bytes (the 128-bit id, high 64 bits first, big-endian); got 0");
  v2::GetTraceRequest zero;
  zero.set_trace_id(std::string(16, '\0'));
  CheckStatus(V2GetTrace(query, zero).status, grpc::StatusCode::INVALID_ARGUMENT,
              "trace_id is all zeros, which names no trace");
}

TEST_CASE("api_v2 GetTrace: adjusted with warnings unless raw_traces") {
  RunningGrpcQuery query;
  Store(query.store, SkewedTrace());

  const std::vector<v2::Span> adjusted = V2Spans(V2GetTrace(query, V2TraceRequest(1)));
  REQUIRE(adjusted.size() == 2);  // the duplicate child is shown once
  for (const v2::Span& span : adjusted) {
    INFO(Low(span.span_id()));
    if (Low(span.span_id()) == 1) {
      CHECK(span.warnings_size() == 0);
    } else {
      REQUIRE(span.warnings_size() == 1);
      CHECK_THAT(
          span.warnings(0),
          Catch::StartsWith("clock skew adjustment disabled; not applying calculated delta"));
      // The span is whole around its warnings.
      CHECK(span.process().service_name() == "backend");
    }
  }
  const std::vector<v2::Span> raw = V2Spans(V2GetTrace(query, V2TraceRequest(1, true)));
  REQUIRE(raw.size() == 3);
  for (const v2::Span& span : raw) CHECK(span.warnings_size() == 0);
}

TEST_CASE("api_v2 FindTraces: whole traces of the matching ids, an empty stream when none") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);

  v2::FindTracesRequest request;
  request.mutable_query()->set_service_name("frontend");
  SetWindow(*request.mutable_query());
  const auto both = V2FindTraces(query, request);
  REQUIRE(both.status.ok());
  std::multiset<uint64_t> traces;
  for (const v2::Span& span : V2Spans(both)) traces.insert(Low(span.trace_id()));
  CHECK(traces == std::multiset<uint64_t>{1, 1, 2});

  SECTION("operation, tags and durations narrow the search") {
    v2::FindTracesRequest narrowed = request;
    narrowed.mutable_query()->set_operation_name("other");
    auto spans = V2Spans(V2FindTraces(query, narrowed));
    REQUIRE(spans.size() == 1);
    CHECK(Low(spans[0].trace_id()) == 2);

    narrowed = request;
    narrowed.mutable_query()->set_service_name("backend");
    (*narrowed.mutable_query()->mutable_tags())["db.system"] = "redis";
    spans = V2Spans(V2FindTraces(query, narrowed));
    CHECK(spans.size() == 2);  // the whole of trace 1

    (*narrowed.mutable_query()->mutable_tags())["db.system"] = "mysql";
    const auto none = V2FindTraces(query, narrowed);
    CHECK(none.status.ok());
    CHECK(none.messages.empty());

    narrowed = request;
    narrowed.mutable_query()->mutable_duration_min()->set_nanos(static_cast<int32_t>(5 * kMs));
    spans = V2Spans(V2FindTraces(query, narrowed));
    CHECK(spans.size() == 3);  // GET / and other last 10 ms
    narrowed.mutable_query()->mutable_duration_min()->set_seconds(1);
    CHECK(V2Spans(V2FindTraces(query, narrowed)).empty());
  }
  SECTION("search_depth limits the traces, newest first") {
    v2::FindTracesRequest limited = request;
    limited.mutable_query()->set_search_depth(1);
    const auto spans = V2Spans(V2FindTraces(query, limited));
    REQUIRE(spans.size() == 1);
    CHECK(Low(spans[0].trace_id()) == 2);
  }
  SECTION("without a window the search covers --query.lookback back from now") {
    v2::FindTracesRequest unbounded;
    unbounded.mutable_query()->set_service_name("frontend");
    const auto recent = V2FindTraces(query, unbounded);
    CHECK(recent.status.ok());
    CHECK(recent.messages.empty());  // kT0 is more than 48 h ago
  }
}

TEST_CASE("api_v2 FindTraces: bad queries are INVALID_ARGUMENT naming the field") {
  RunningGrpcQuery query(WithMaxSpans(1000));
  const auto check = [&](const v2::FindTracesRequest& request, const std::string& message) {
    CheckStatus(V2FindTraces(query, request).status, grpc::StatusCode::INVALID_ARGUMENT, message);
  };
  check(v2::FindTracesRequest(), "missing query: set FindTracesRequest.query");
  v2::FindTracesRequest request;
  SetWindow(*request.mutable_query());
  check(request, "query.service_name is required: the service whose traces to find");
  request.mutable_query()->set_service_name("frontend");

  v2::FindTracesRequest bad = request;
  bad.mutable_query()->set_search_depth(-1);
  check(bad, "query.search_depth -1 is negative: ask for 1 or more traces (0: the default, 100)");
  bad.mutable_query()->set_search_depth(1001);
  check(bad,
        "query.search_depth 1001 is more than 1000, the most spans (and so traces) one response "
        "holds (--query.max-trace-size)");
  bad = request;
  bad.mutable_query()->mutable_duration_min()->set_seconds(2);
  bad.mutable_query()->mutable_duration_max()->set_seconds(1);
  check(bad, "query.duration_max must not be less than query.duration_min");
  bad = request;
  bad.mutable_query()->mutable_duration_min()->set_seconds(-1);
  check(bad,
        "query.duration_min is not a duration of zero or more (seconds >= 0, nanos 0 to "
        "999999999)");
  bad = request;
  SetTime(*bad.mutable_query()->mutable_start_time_min(), kT0 + 1);
  SetTime(*bad.mutable_query()->mutable_start_time_max(), kT0);
  check(bad, "query.start_time_min must not be after query.start_time_max");
  bad = request;
  bad.mutable_query()->mutable_start_time_max()->set_nanos(1'000'000'000);
  check(bad,
        "query.start_time_max is not a time at or after 1970-01-01T00:00:00Z (seconds >= 0, "
        "nanos 0 to 999999999)");
  bad = request;
  (*bad.mutable_query()->mutable_tags())[""] = "x";
  check(bad, "query.tags has an empty key; every entry needs a name");
}

TEST_CASE("api_v2 GetServices, GetOperations and GetDependencies") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);

  {
    grpc::ClientContext context;
    Deadline(context);
    v2::GetServicesResponse response;
    REQUIRE(query.api_v2->GetServices(&context, v2::GetServicesRequest(), &response).ok());
    CHECK(std::vector<std::string>(response.services().begin(), response.services().end()) ==
          std::vector<std::string>{"backend", "frontend"});
  }
  const auto operations = [&](const std::string& service, const std::string& kind,
                              v2::GetOperationsResponse& response) {
    grpc::ClientContext context;
    Deadline(context);
    v2::GetOperationsRequest request;
    request.set_service(service);
    request.set_span_kind(kind);
    return query.api_v2->GetOperations(&context, request, &response);
  };
  {
    v2::GetOperationsResponse response;
    REQUIRE(operations("frontend", "", response).ok());
    std::vector<std::pair<std::string, std::string>> listed;
    for (const auto& operation : response.operations()) {
      listed.emplace_back(operation.name(), operation.span_kind());
    }
    CHECK(listed ==
          std::vector<std::pair<std::string, std::string>>{{"GET /", "server"}, {"other", ""}});
    CHECK(std::vector<std::string>(response.operationnames().begin(),
                                   response.operationnames().end()) ==
          std::vector<std::string>{"GET /", "other"});
  }
  {
    v2::GetOperationsResponse response;
    REQUIRE(operations("frontend", "server", response).ok());
    REQUIRE(response.operations_size() == 1);
    CHECK(response.operations(0).name() == "GET /");
  }
  {
    v2::GetOperationsResponse response;
    CheckStatus(operations("frontend", "sideways", response), grpc::StatusCode::INVALID_ARGUMENT,
                "span_kind \"sideways\" is not a span kind; use server, client, producer, "
                "consumer, internal or unspecified, or leave it empty for every kind");
  }
  const auto dependencies = [&](std::optional<uint64_t> start, std::optional<uint64_t> end,
                                v2::GetDependenciesResponse& response) {
    grpc::ClientContext context;
    Deadline(context);
    v2::GetDependenciesRequest request;
    if (start) SetTime(*request.mutable_start_time(), *start);
    if (end) SetTime(*request.mutable_end_time(), *end);
    return query.api_v2->GetDependencies(&context, request, &response);
  };
  {
    v2::GetDependenciesResponse response;
    REQUIRE(dependencies(kT0 - 60'000 * kMs, kT0 + 60'000 * kMs, response).ok());
    REQUIRE(response.dependencies_size() == 1);
    CHECK(response.dependencies(0).parent() == "frontend");
    CHECK(response.dependencies(0).child() == "backend");
    CHECK(response.dependencies(0).call_count() == 1);
  }
  {
    v2::GetDependenciesResponse response;
    REQUIRE(dependencies(kT0 - 60'000 * kMs, kT0 - 30'000 * kMs, response).ok());
    CHECK(response.dependencies_size() == 0);
    CheckStatus(dependencies(kT0, std::nullopt, response), grpc::StatusCode::INVALID_ARGUMENT,
                "start_time and end_time are required: the window whose calls to count");
    CheckStatus(dependencies(kT0, kT0, response), grpc::StatusCode::INVALID_ARGUMENT,
                "end_time must be after start_time");
  }
}

TEST_CASE("api_v2 ArchiveTrace: UNIMPLEMENTED without an archive") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);
  grpc::ClientContext context;
  Deadline(context);
  v2::ArchiveTraceRequest request;
  request.set_trace_id(TraceIdBytes(1));
  v2::ArchiveTraceResponse response;
  CheckStatusContains(query.api_v2->ArchiveTrace(&context, request, &response),
                      grpc::StatusCode::UNIMPLEMENTED, "--query.archive");
}

TEST_CASE("api_v2 ArchiveTrace: copies the trace into the archive, where GetTrace finds it") {
  Setup setup;
  setup.archive = true;
  RunningGrpcQuery query(setup);
  StoreTwoTraces(query.store);
  const auto archive = [&](const std::string& id) {
    grpc::ClientContext context;
    Deadline(context);
    v2::ArchiveTraceRequest request;
    request.set_trace_id(id);
    v2::ArchiveTraceResponse response;
    return query.api_v2->ArchiveTrace(&context, request, &response);
  };
  REQUIRE(archive(TraceIdBytes(1)).ok());
  size_t archived = 0;
  bool found = false;
  REQUIRE(query.archive_store
              .GetTrace(
                  {0, 1}, 100,
                  [&](const tracecore::SpanBatch& chunk) {
                    archived += chunk.spans().size();
                    return tracecore::Status();
                  },
                  found)
              .ok());
  CHECK(found);
  CHECK(archived == 2);

  CheckStatus(archive(TraceIdBytes(99)), grpc::StatusCode::NOT_FOUND, "trace not found");
  CheckStatus(archive("short"), grpc::StatusCode::INVALID_ARGUMENT,
              "trace_id must be 16 bytes (the 128-bit id, high 64 bits first, big-endian); got 5");
  const std::string metrics = runtime::SerializeMetrics(*query.registry);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"archive_trace\",result=\"ok\"}") ==
        1);
  CHECK(Sample(metrics,
               "jaeger_query_requests_total{operation=\"archive_trace\",result=\"err\"}") == 2);
}

TEST_CASE("api_v3 GetTrace: the trace as TracesData, NOT_FOUND, bad ids") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);

  for (const std::string id : {"1", "00000000000000000000000000000001"}) {
    INFO(id);
    const auto found = V3GetTrace(query, V3TraceRequest(id));
    REQUIRE(found.status.ok());
    const std::vector<OtlpSpan> spans = V3Spans(found);
    REQUIRE(spans.size() == 2);
    std::map<std::string, std::string> services;  // name -> service
    for (const OtlpSpan& span : spans) services[span.span.name()] = span.service;
    CHECK(services ==
          std::map<std::string, std::string>{{"GET /", "frontend"}, {"query", "backend"}});
    for (const OtlpSpan& span : spans) CHECK(span.span.trace_id() == TraceIdBytes(1));
  }
  CheckStatus(V3GetTrace(query, V3TraceRequest("99")).status, grpc::StatusCode::NOT_FOUND,
              "No traces found");
  CheckStatus(V3GetTrace(query, V3TraceRequest("xyz")).status, grpc::StatusCode::INVALID_ARGUMENT,
              "malformed trace_id: invalid trace id \"xyz\": expected 1 to 32 hex characters");
  CheckStatus(V3GetTrace(query, V3TraceRequest("")).status, grpc::StatusCode::INVALID_ARGUMENT,
              "malformed trace_id: invalid trace id \"\": expected 1 to 32 hex characters");
}

TEST_CASE("api_v3 GetTrace: adjusted with @jaeger@warnings unless raw_traces") {
  RunningGrpcQuery query;
  Store(query.store, SkewedTrace());

  const std::vector<OtlpSpan> adjusted = V3Spans(V3GetTrace(query, V3TraceRequest("1")));
  REQUIRE(adjusted.size() == 2);
  for (const OtlpSpan& span : adjusted) {
    const std::vector<std::string> warnings = OtlpWarnings(span.span);
    if (span.service == "frontend") {
      CHECK(warnings.empty());
    } else {
      REQUIRE(warnings.size() == 1);
      CHECK_THAT(warnings[0], Catch::StartsWith(
                                  "clock skew adjustment disabled; not applying calculated delta"));
    }
  }
  const std::vector<OtlpSpan> raw = V3Spans(V3GetTrace(query, V3TraceRequest("1", true)));
  REQUIRE(raw.size() == 3);
  for (const OtlpSpan& span : raw) CHECK(OtlpWarnings(span.span).empty());
}

TEST_CASE("api_v3 FindTraces: traces in the window, NOT_FOUND when none, required fields") {
  RunningGrpcQuery query(WithMaxSpans(1000));
  StoreTwoTraces(query.store);

  v3::FindTracesRequest request;
  request.mutable_query()->set_service_name("frontend");
  SetWindow(*request.mutable_query());
  const auto both = V3FindTraces(query, request);
  REQUIRE(both.status.ok());
  std::multiset<uint64_t> traces;
  for (const OtlpSpan& span : V3Spans(both)) traces.insert(Low(span.span.trace_id()));
  CHECK(traces == std::multiset<uint64_t>{1, 1, 2});

  v3::FindTracesRequest narrowed = request;
  narrowed.mutable_query()->set_service_name("backend");
  (*narrowed.mutable_query()->mutable_attributes())["db.system"] = "redis";
  CHECK(V3Spans(V3FindTraces(query, narrowed)).size() == 2);
  (*narrowed.mutable_query()->mutable_attributes())["db.system"] = "mysql";
  CheckStatus(V3FindTraces(query, narrowed).status, grpc::StatusCode::NOT_FOUND, "No traces found");
  narrowed = request;
  narrowed.mutable_query()->set_search_depth(1);
  const auto newest = V3Spans(V3FindTraces(query, narrowed));
  REQUIRE(newest.size() == 1);
  CHECK(newest[0].span.name() == "other");
  // start_time_max is exclusive.
  narrowed = request;
  SetTime(*narrowed.mutable_query()->mutable_start_time_max(), kT0 + 5 * kMs);
  const auto before_other = V3Spans(V3FindTraces(query, narrowed));
  CHECK(before_other.size() == 2);

  const auto check = [&](const v3::FindTracesRequest& bad, const std::string& message) {
    CheckStatus(V3FindTraces(query, bad).status, grpc::StatusCode::INVALID_ARGUMENT, message);
  };
  check(v3::FindTracesRequest(), "missing query: set FindTracesRequest.query");
  v3::FindTracesRequest bad = request;
  bad.mutable_query()->clear_start_time_max();
  check(bad,
        "query.start_time_min and query.start_time_max are required: the window in which a "
        "matching span starts");
  bad = request;
  SetTime(*bad.mutable_query()->mutable_start_time_max(), kT0 - 60'000 * kMs);
  check(bad, "query.start_time_min must be before query.start_time_max");
  bad = request;
  bad.mutable_query()->clear_service_name();
  check(bad, "query.service_name is required: the service whose traces to find");
  bad = request;
  bad.mutable_query()->set_search_depth(5000);
  check(bad,
        "query.search_depth 5000 is more than 1000, the most spans (and so traces) one response "
        "holds (--query.max-trace-size)");
}

TEST_CASE("api_v3 FindTraceSummaries: one summary per trace") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);
  Store(query.store, {{.trace = 3,
                       .id = 9,
                       .parent = 8,  // not stored: an orphan
                       .service = "backend",
                       .name = "late",
                       .start = kT0 + 9 * kMs,
                       .tags = {{"error", "true"}}}});
  v3::FindTraceSummariesRequest request;
  request.mutable_query()->set_service_name("frontend");
  SetWindow(*request.mutable_query());
  const auto streamed = ReadAll<v3::FindTraceSummariesResponse>([&](grpc::ClientContext* context) {
    return query.api_v3->FindTraceSummaries(context, request);
  });
  REQUIRE(streamed.status.ok());
  std::map<std::string, v3::TraceSummary> summaries;
  for (const auto& response : streamed.messages) {
    for (const auto& summary : response.summaries()) summaries[summary.trace_id()] = summary;
  }
  REQUIRE(summaries.size() == 2);
  const v3::TraceSummary& first = summaries.at("00000000000000000000000000000001");
  CHECK(first.root_service_name() == "frontend");
  CHECK(first.root_operation_name() == "GET /");
  CHECK(first.span_count() == 2);
  CHECK(first.error_span_count() == 0);
  CHECK(first.orphan_span_count() == 0);
  CHECK(first.min_start_time_unix_nano() == kT0);
  CHECK(first.max_end_time_unix_nano() == kT0 + 10 * kMs);
  REQUIRE(first.services_size() == 2);
  CHECK(first.services(0).name() == "backend");
  CHECK(first.services(1).name() == "frontend");

  request.mutable_query()->set_service_name("backend");
  request.mutable_query()->set_operation_name("late");
  const auto late = ReadAll<v3::FindTraceSummariesResponse>([&](grpc::ClientContext* context) {
    return query.api_v3->FindTraceSummaries(context, request);
  });
  REQUIRE(late.status.ok());
  REQUIRE(late.messages.size() == 1);
  REQUIRE(late.messages[0].summaries_size() == 1);
  const v3::TraceSummary& orphan = late.messages[0].summaries(0);
  CHECK(orphan.orphan_span_count() == 1);
  CHECK(orphan.error_span_count() == 1);
  CHECK(orphan.root_service_name().empty());

  request.clear_query();
  const auto bad = ReadAll<v3::FindTraceSummariesResponse>([&](grpc::ClientContext* context) {
    return query.api_v3->FindTraceSummaries(context, request);
  });
  CheckStatus(bad.status, grpc::StatusCode::INVALID_ARGUMENT,
              "missing query: set FindTraceSummariesRequest.query");
}

TEST_CASE("api_v3 GetServices, GetOperations and GetDependencies") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);
  {
    grpc::ClientContext context;
    Deadline(context);
    v3::GetServicesResponse response;
    REQUIRE(query.api_v3->GetServices(&context, v3::GetServicesRequest(), &response).ok());
    CHECK(std::vector<std::string>(response.services().begin(), response.services().end()) ==
          std::vector<std::string>{"backend", "frontend"});
  }
  const auto operations = [&](const std::string& service, const std::string& kind,
                              v3::GetOperationsResponse& response) {
    grpc::ClientContext context;
    Deadline(context);
    v3::GetOperationsRequest request;
    request.set_service(service);
    request.set_span_kind(kind);
    return query.api_v3->GetOperations(&context, request, &response);
  };
  {
    v3::GetOperationsResponse response;
    REQUIRE(operations("frontend", "", response).ok());
    std::vector<std::pair<std::string, std::string>> listed;
    for (const auto& operation : response.operations()) {
      listed.emplace_back(operation.name(), operation.span_kind());
    }
    // Jaeger v2 reports an operation without a kind as internal.
    CHECK(listed == std::vector<std::pair<std::string, std::string>>{{"GET /", "server"},
                                                                     {"other", "internal"}});
    CheckStatus(operations("", "", response), grpc::StatusCode::INVALID_ARGUMENT,
                "service is required: the service whose operations to list");
    CheckStatusContains(operations("frontend", "SERVER", response),
                        grpc::StatusCode::INVALID_ARGUMENT,
                        "span_kind \"SERVER\" is not a span kind");
  }
  {
    grpc::ClientContext context;
    Deadline(context);
    v3::GetDependenciesRequest request;
    SetTime(*request.mutable_start_time(), kT0 - 60'000 * kMs);
    SetTime(*request.mutable_end_time(), kT0 + 60'000 * kMs);
    v3::DependenciesResponse response;
    REQUIRE(query.api_v3->GetDependencies(&context, request, &response).ok());
    REQUIRE(response.dependencies_size() == 1);
    CHECK(response.dependencies(0).parent() == "frontend");
    CHECK(response.dependencies(0).child() == "backend");
    CHECK(response.dependencies(0).call_count() == 1);
  }
  {
    grpc::ClientContext context;
    Deadline(context);
    v3::DependenciesResponse response;
    CheckStatus(query.api_v3->GetDependencies(&context, v3::GetDependenciesRequest(), &response),
                grpc::StatusCode::INVALID_ARGUMENT,
                "start_time and end_time are required: the window whose calls to count");
  }
}

TEST_CASE("A 100,000-span trace streams in many messages under the client's 4 MiB limit") {
  RunningGrpcQuery query;
  constexpr uint64_t kSpans = 100'000;
  std::vector<TestSpan> spans;
  spans.reserve(kSpans);
  for (uint64_t id = 1; id <= kSpans; ++id) {
    spans.push_back({.id = id,
                     .parent = id == 1 ? uint64_t{0} : uint64_t{1},
                     .name = "op-" + std::to_string(id % 100),
                     .start = kT0 + id * kUs,
                     .duration = id == 1 ? 1000 * kMs : kUs,  // the children fit in the root
                     .tags = {{"http.url", "https://example.com/items/" + std::to_string(id)}}});
  }
  Store(query.store, spans);

  for (const bool raw : {false, true}) {
    INFO("raw " << raw);
    const auto v2_stream = V2GetTrace(query, V2TraceRequest(1, raw));
    REQUIRE(v2_stream.status.ok());
    CHECK(v2_stream.messages.size() > 1);
    std::set<uint64_t> v2_ids;
    size_t v2_spans = 0;
    for (const auto& chunk : v2_stream.messages) {
      CHECK(chunk.ByteSizeLong() < kClientReceiveLimit);
      for (const auto& span : chunk.spans()) v2_ids.insert(Low(span.span_id()));
      v2_spans += static_cast<size_t>(chunk.spans_size());
    }
    CHECK(v2_ids.size() == kSpans);
    CHECK(v2_spans == kSpans);

    const auto v3_stream = V3GetTrace(query, V3TraceRequest("1", raw));
    REQUIRE(v3_stream.status.ok());
    CHECK(v3_stream.messages.size() > 1);
    for (const TracesData& data : v3_stream.messages) {
      CHECK(data.ByteSizeLong() < kClientReceiveLimit);
    }
    const std::vector<OtlpSpan> v3_spans = V3Spans(v3_stream);
    std::set<std::string> v3_ids;
    for (const OtlpSpan& span : v3_spans) v3_ids.insert(span.span.span_id());
    CHECK(v3_ids.size() == kSpans);
    CHECK(v3_spans.size() == kSpans);
  }
}

TEST_CASE("Messages stay under max_message_bytes, and a span bigger than that goes alone") {
  Setup setup;
  setup.grpc.max_message_bytes = 4096;
  RunningGrpcQuery query(setup);
  std::vector<TestSpan> spans;
  for (uint64_t id = 1; id <= 100; ++id) {
    spans.push_back({.id = id, .start = kT0 + id * kUs, .tags = {{"n", std::to_string(id)}}});
  }
  spans.push_back(
      {.id = 101, .start = kT0 + 101 * kUs, .tags = {{"big", std::string(10000, 'x')}}});
  Store(query.store, spans);

  const auto v2_stream = V2GetTrace(query, V2TraceRequest(1));
  REQUIRE(v2_stream.status.ok());
  size_t v2_spans = 0;
  for (const auto& chunk : v2_stream.messages) {
    v2_spans += static_cast<size_t>(chunk.spans_size());
    if (chunk.ByteSizeLong() > 4096) CHECK(chunk.spans_size() == 1);
  }
  CHECK(v2_spans == 101);
  CHECK(v2_stream.messages.size() > 2);

  const auto v3_stream = V3GetTrace(query, V3TraceRequest("1"));
  REQUIRE(v3_stream.status.ok());
  for (const TracesData& data : v3_stream.messages) {
    if (data.ByteSizeLong() > 4096) {
      REQUIRE(data.resource_spans_size() == 1);
      CHECK(data.resource_spans(0).scope_spans(0).spans_size() == 1);
    }
  }
  CHECK(V3Spans(v3_stream).size() == 101);
  CHECK(v3_stream.messages.size() > 2);
}

TEST_CASE("The span bound truncates a trace with a warning and bounds search_depth") {
  RunningGrpcQuery query(WithMaxSpans(3));
  std::vector<TestSpan> spans;
  for (uint64_t id = 1; id <= 5; ++id) spans.push_back({.id = id, .start = kT0 + id * kMs});
  Store(query.store, spans);
  const std::string warning =
      "this trace has more than 3 spans; only 3 are shown (--query.max-trace-size bounds the "
      "spans of one response)";

  const std::vector<v2::Span> v2_spans = V2Spans(V2GetTrace(query, V2TraceRequest(1)));
  REQUIRE(v2_spans.size() == 3);
  REQUIRE(v2_spans[0].warnings_size() == 1);
  CHECK(v2_spans[0].warnings(0) == warning);

  const std::vector<OtlpSpan> v3_spans = V3Spans(V3GetTrace(query, V3TraceRequest("1", true)));
  REQUIRE(v3_spans.size() == 3);
  CHECK(OtlpWarnings(v3_spans[0].span) == std::vector<std::string>{warning});
}

TEST_CASE("A search stops loading traces at --query.max-trace-size spans in all") {
  RunningGrpcQuery query(WithMaxSpans(4));
  for (uint64_t trace = 1; trace <= 3; ++trace) {
    Store(
        query.store,
        {{.trace = trace, .id = 1, .start = kT0 + trace * kMs},
         {.trace = trace, .id = 2, .parent = 1, .start = kT0 + trace * kMs + 1, .duration = kMs}});
  }
  v2::FindTracesRequest request;
  request.mutable_query()->set_service_name("frontend");
  SetWindow(*request.mutable_query());
  const std::vector<v2::Span> spans = V2Spans(V2FindTraces(query, request));
  REQUIRE(spans.size() == 4);
  std::vector<std::string> warnings;
  for (const v2::Span& span : spans) {
    for (const std::string& warning : span.warnings()) warnings.push_back(warning);
  }
  CHECK(warnings == std::vector<std::string>{
                        "the response holds 4 spans, the most one response may "
                        "(--query.max-trace-size); 1 more traces were not loaded: narrow the "
                        "search or lower query.search_depth"});
}

TEST_CASE("A read past --query.timeout is stopped: RESOURCE_EXHAUSTED naming the flag") {
  Setup setup;
  setup.service.timeout = std::chrono::nanoseconds(1);
  RunningGrpcQuery query(setup);
  StoreTwoTraces(query.store);
  const std::string message =
      "the request read storage for longer than --query.timeout (1ns) and was stopped: narrow the "
      "search (a shorter time range, a lower limit) or raise --query.timeout";
  CheckStatus(V2GetTrace(query, V2TraceRequest(1)).status, grpc::StatusCode::RESOURCE_EXHAUSTED,
              message);
  CheckStatus(V3GetTrace(query, V3TraceRequest("1")).status, grpc::StatusCode::RESOURCE_EXHAUSTED,
              message);
}

TEST_CASE("Storage failures are INTERNAL with storage's message and counted as errors") {
  BrokenStore broken;
  Setup setup;
  setup.reader = &broken;
  setup.dependencies = &broken;
  RunningGrpcQuery query(setup);
  v2::FindTracesRequest v2_search;
  v2_search.mutable_query()->set_service_name("a");
  v3::FindTracesRequest v3_search;
  v3_search.mutable_query()->set_service_name("a");
  SetWindow(*v3_search.mutable_query());
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"/jaeger.api_v2.QueryService/GetTrace", V2TraceRequest(1).SerializeAsString()},
      {"/jaeger.api_v2.QueryService/FindTraces", v2_search.SerializeAsString()},
      {"/jaeger.api_v2.QueryService/GetServices", ""},
      {"/jaeger.api_v2.QueryService/GetOperations", ""},
      {"/jaeger.api_v3.QueryService/GetTrace", V3TraceRequest("1").SerializeAsString()},
      {"/jaeger.api_v3.QueryService/FindTraces", v3_search.SerializeAsString()},
      {"/jaeger.api_v3.QueryService/FindTraceSummaries", v3_search.SerializeAsString()},
      {"/jaeger.api_v3.QueryService/GetServices", ""},
  };
  for (const auto& [method, request] : calls) {
    INFO(method);
    CheckStatus(CallRaw(query.channel, method, request), grpc::StatusCode::INTERNAL,
                "the disk is gone");
  }
  const std::string metrics = runtime::SerializeMetrics(*query.registry);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"get_trace\",result=\"err\"}") ==
        2);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"find_traces\",result=\"err\"}") ==
        3);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"get_services\",result=\"err\"}") ==
        2);
}

TEST_CASE("Calls are counted in jaeger_query_requests_total by operation and result") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);
  REQUIRE(V2GetTrace(query, V2TraceRequest(1)).status.ok());
  REQUIRE(V3GetTrace(query, V3TraceRequest("1")).status.ok());
  CHECK(V3GetTrace(query, V3TraceRequest("2a")).status.error_code() == grpc::StatusCode::NOT_FOUND);
  grpc::ClientContext context;
  Deadline(context);
  v2::GetServicesResponse services;
  REQUIRE(query.api_v2->GetServices(&context, v2::GetServicesRequest(), &services).ok());
  const std::string metrics = runtime::SerializeMetrics(*query.registry);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"get_trace\",result=\"ok\"}") == 2);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"get_trace\",result=\"err\"}") ==
        1);
  CHECK(Sample(metrics, "jaeger_query_requests_total{operation=\"get_services\",result=\"ok\"}") ==
        1);
}

TEST_CASE("Garbage request bytes are INVALID_ARGUMENT on every method, never a crash") {
  RunningGrpcQuery query;
  StoreTwoTraces(query.store);
  const std::vector<std::string> garbage = {
      std::string("\x0a\xff\xff\xff\xff\x0f", 6),  // a length past the end
      std::string("\x00\x01\x02", 3),              // field number 0
      std::string(11, '\xff'),                     // a varint that never ends
  };
  for (const std::string& method : kMethods) {
    for (const std::string& bytes : garbage) {
      INFO(method);
      const grpc::Status status = CallRaw(query.channel, method, bytes);
      CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
      CHECK_THAT(status.error_message(), Catch::StartsWith("malformed jaeger.api_v"));
    }
  }
  // Random bytes: whatever they parse as, the answer is a status, and the server keeps serving.
  std::mt19937 random(20251127);
  for (int round = 0; round < 30; ++round) {
    for (const std::string& method : kMethods) {
      std::string bytes(random() % 64, '\0');
      for (char& c : bytes) c = static_cast<char>(random());
      const grpc::Status status = CallRaw(query.channel, method, bytes);
      INFO(method << ": " << status.error_message());
      CHECK((status.ok() || status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ||
             status.error_code() == grpc::StatusCode::NOT_FOUND ||
             status.error_code() == grpc::StatusCode::UNIMPLEMENTED));
    }
  }
  CHECK(V2GetTrace(query, V2TraceRequest(1)).status.ok());
}

TEST_CASE("Reflection lists both query services, health and reflection") {
  RunningGrpcQuery query;
  GenericCall call(query.channel, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo");
  call.Send(std::string("\x3a\x01*", 3));  // ServerReflectionRequest{list_services: "*"}
  const std::optional<std::string> response = call.Receive();
  REQUIRE(response);
  std::set<std::string> services;
  tracecore::wire::ProtoReader reader(*response);
  while (reader.Next()) {
    if (reader.field() != 6) {  // list_services_response
      reader.Skip();
      continue;
    }
    tracecore::wire::ProtoReader list = reader.ReadMessage();
    while (list.Next()) {
      tracecore::wire::ProtoReader service = list.ReadMessage();
      while (service.Next()) {
        if (service.field() == 1) {
          services.insert(std::string(service.ReadBytes()));
        } else {
          service.Skip();
        }
      }
    }
  }
  REQUIRE(reader.ok());
  CHECK(services.count("jaeger.api_v2.QueryService") == 1);
  CHECK(services.count("jaeger.api_v3.QueryService") == 1);
  CHECK(services.count("grpc.health.v1.Health") == 1);
  CHECK(services.count("grpc.reflection.v1alpha.ServerReflection") == 1);
  CHECK_FALSE(call.Receive());
  CHECK(call.Finish().ok());
}

TEST_CASE("Health: SERVING while serving, NOT_SERVING once Shutdown begins, and Shutdown ends") {
  RunningGrpcQuery query;
  for (const std::string service :
       {"", "jaeger.api_v2.QueryService", "jaeger.api_v3.QueryService"}) {
    INFO(service);
    std::string response;
    REQUIRE(
        CallRaw(query.channel, "/grpc.health.v1.Health/Check", HealthRequest(service), &response)
            .ok());
    CHECK(response == kServing);
  }
  CheckStatus(CallRaw(query.channel, "/grpc.health.v1.Health/Check", HealthRequest("nope")),
              grpc::StatusCode::NOT_FOUND, "service name unknown");

  GenericCall watch(query.channel, "/grpc.health.v1.Health/Watch");
  watch.Send(HealthRequest("jaeger.api_v3.QueryService"));
  CHECK(watch.Receive() == kServing);
  std::thread shutdown([&] { query.server->Shutdown(); });
  CHECK(watch.Receive() == kNotServing);
  // The open Watch call is one in flight: Shutdown waits for it to end.
  watch.Cancel();
  CHECK(watch.Finish().error_code() == grpc::StatusCode::CANCELLED);
  shutdown.join();
  query.server->Shutdown();  // idempotent

  // No longer listening.
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  v2::GetServicesResponse services;
  CHECK_FALSE(query.api_v2->GetServices(&context, v2::GetServicesRequest(), &services).ok());
}

TEST_CASE("Start names the flag when the address cannot be bound") {
  RunningGrpcQuery first;
  storage::MemoryStore store;
  query::QueryMetrics metrics(std::make_shared<prometheus::Registry>());
  query::QueryService service(store, store, metrics, {});
  query::GrpcQueryOptions options = LoopbackGrpcOptions();
  options.host_port = "127.0.0.1:" + std::to_string(first.server->port());
  std::unique_ptr<query::GrpcQueryServer> second;
  const tracecore::Status started =
      query::GrpcQueryServer::Start(options, service, nullptr, second);
  CHECK(started.code() == tracecore::StatusCode::kInvalidArgument);
  CHECK_THAT(started.message(),
             Catch::StartsWith("--query.grpc-server.host-port: cannot listen on"));

  options.host_port = "127.0.0.1:0";
  options.tls.enabled = true;
  options.tls.cert_file = "/nonexistent/cert.pem";
  options.tls.key_file = "/nonexistent/key.pem";
  const tracecore::Status tls = query::GrpcQueryServer::Start(options, service, nullptr, second);
  CHECK(tls.code() == tracecore::StatusCode::kInvalidArgument);
  CHECK_THAT(tls.message(), Catch::StartsWith("--query.grpc.tls.cert"));
}

}  // namespace
}  // namespace ariadne::testing
