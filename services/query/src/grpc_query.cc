#include "grpc_query.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "jaeger/api_v2/query.grpc.pb.h"
#include "jaeger/api_v3/query_service.grpc.pb.h"
#include "loaded_trace.h"
#include "query_parameters.h"
#include "runtime/log.h"
#include "tracecore/codec/jaeger_proto.h"
#include "tracecore/codec/otlp_proto.h"
#include "tracecore/wire/proto_reader.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::query {
namespace {

namespace v2 = jaeger::api_v2;
namespace v3 = jaeger::api_v3;
using tracecore::Status;
using tracecore::TraceId;

constexpr const char* kServiceNames[] = {"jaeger.api_v2.QueryService",
                                         "jaeger.api_v3.QueryService"};
// A search without search_depth returns this many traces (the HTTP APIs' default limit).
constexpr uint32_t kDefaultSearchDepth = 100;
constexpr uint64_t kNanosPerSecond = 1'000'000'000;
// Jaeger v2's span attribute for warnings (jptrace.WarningsAttribute): an array of strings.
constexpr std::string_view kWarningsAttribute = "@jaeger@warnings";
constexpr uint32_t kChunkSpansField = 1;     // jaeger.api_v2.SpansResponseChunk.spans
constexpr uint32_t kSpanWarningsField = 12;  // jaeger.api_v2.Span.warnings
// The first TracesData message of a trace holds this many spans; later ones are sized from the
// bytes per span seen so far, up to kMaxSpansPerMessage.
constexpr size_t kFirstSpansPerMessage = 256;
constexpr size_t kMaxSpansPerMessage = 10'000;
constexpr auto kShutdownGrace = std::chrono::seconds(5);

// Runs posted work on a fixed set of threads, oldest first. Post and Stop are thread-safe.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // After Stop the work runs on the caller's thread, so that no call is left unanswered.
  void Post(std::function<void()> work) {
    {
      std::lock_guard lock(mutex_);
      if (!stopping_) {
        queue_.push_back(std::move(work));
        ready_.notify_one();
        return;
      }
    }
    work();
  }

  // Runs what is queued, then joins the threads. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    for (std::thread& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> work;
      {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
        if (queue_.empty()) return;
        work = std::move(queue_.front());
        queue_.pop_front();
      }
      work();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// What every call reads; outlives the calls (GrpcQueryServer::Shutdown waits for them).
struct Env {
  QueryService& service;
  QueryMetrics* metrics;
  WorkerPool& pool;
  const GrpcQueryOptions options;
};

// --- conversions ----------------------------------------------------------------------------

// Copies the (possibly sliced) request into one string.
std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  out.reserve(buffer.Length());
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

grpc::ByteBuffer ToByteBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// The gRPC status of a failed read, as the HTTP API maps it (HttpStatusFor): 400 ->
// INVALID_ARGUMENT, 503 -> RESOURCE_EXHAUSTED (--query.timeout) or UNAVAILABLE, 501 ->
// UNIMPLEMENTED, 500 -> INTERNAL.
grpc::Status ToGrpc(const Status& status) {
  switch (status.code()) {
    case tracecore::StatusCode::kOk: return grpc::Status::OK;
    case tracecore::StatusCode::kInvalidArgument:
      return {grpc::StatusCode::INVALID_ARGUMENT, status.message()};
    case tracecore::StatusCode::kResourceExhausted:
      return {grpc::StatusCode::RESOURCE_EXHAUSTED, status.message()};
    case tracecore::StatusCode::kUnavailable:
      return {grpc::StatusCode::UNAVAILABLE, status.message()};
    case tracecore::StatusCode::kUnimplemented:
      return {grpc::StatusCode::UNIMPLEMENTED, status.message()};
    default: return {grpc::StatusCode::INTERNAL, status.message()};
  }
}

// Counts one answered call of `operation` (none: not counted).
void Record(const Env& env, std::optional<Operation> operation, const grpc::Status& status,
            std::chrono::steady_clock::time_point start) {
  if (env.metrics == nullptr || !operation) return;
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  // QueryMetrics counts by HTTP status class: any failure is "err".
  env.metrics->Request(*operation, status.ok() ? 200 : 500, elapsed.count());
}

template <typename Message>
Status Parse(const std::string& bytes, Message& out) {
  if (!out.ParseFromString(bytes)) {
    return Status::InvalidArgument("malformed " + out.GetTypeName() +
                                   ": the request bytes are not that protobuf message");
  }
  return {};
}

std::string Quoted(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

// Unix ns of `time`; `field` names it in errors.
Status ToUnixNanos(const google::protobuf::Timestamp& time, std::string_view field, uint64_t& out) {
  if (time.seconds() < 0 || time.nanos() < 0 || time.nanos() >= static_cast<int>(kNanosPerSecond)) {
    return Status::InvalidArgument(std::string(field) +
                                   " is not a time at or after 1970-01-01T00:00:00Z (seconds >= 0, "
                                   "nanos 0 to 999999999)");
  }
  const auto seconds = static_cast<uint64_t>(time.seconds());
  const auto nanos = static_cast<uint64_t>(time.nanos());
  if (seconds > (std::numeric_limits<uint64_t>::max() - nanos) / kNanosPerSecond) {
    return Status::InvalidArgument(std::string(field) + " is too far in the future");
  }
  out = seconds * kNanosPerSecond + nanos;
  return {};
}

Status ToNanos(const google::protobuf::Duration& duration, std::string_view field, uint64_t& out) {
  if (duration.seconds() < 0 || duration.nanos() < 0 ||
      duration.nanos() >= static_cast<int>(kNanosPerSecond)) {
    return Status::InvalidArgument(std::string(field) +
                                   " is not a duration of zero or more (seconds >= 0, nanos 0 to "
                                   "999999999)");
  }
  const auto seconds = static_cast<uint64_t>(duration.seconds());
  const auto nanos = static_cast<uint64_t>(duration.nanos());
  if (seconds > (std::numeric_limits<uint64_t>::max() - nanos) / kNanosPerSecond) {
    return Status::InvalidArgument(std::string(field) + " is too long");
  }
  out = seconds * kNanosPerSecond + nanos;
  return {};
}

// api_v2's trace id: 16 bytes, high half first, not all zero.
Status ParseTraceIdBytes(std::string_view bytes, TraceId& out) {
  if (bytes.size() != 16) {
    return Status::InvalidArgument(
        "trace_id must be 16 bytes (the 128-bit id, high 64 bits first, big-endian); got " +
        std::to_string(bytes.size()));
  }
  out = *TraceId::FromBytes(bytes);
  if (out.empty()) return Status::InvalidArgument("trace_id is all zeros, which names no trace");
  return {};
}

// api_v3's trace id: 1 to 32 hex characters.
Status ParseTraceIdHex(std::string_view text, TraceId& out) {
  const Status parsed = ParseTraceId(text, out);
  return parsed.ok() ? parsed : Status::InvalidArgument("malformed trace_id: " + parsed.message());
}

// span_kind: "" (every kind), unspecified, internal, server, client, producer, consumer.
Status ParseKind(std::string_view text, std::optional<tracecore::SpanKind>& out) {
  using tracecore::SpanKind;
  out.reset();
  if (text.empty()) return {};
  for (const SpanKind kind : {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                              SpanKind::kProducer, SpanKind::kConsumer}) {
    if (text == tracecore::SpanKindLowerName(kind)) out = kind;
  }
  if (text == "unspecified") out = SpanKind::kUnspecified;
  if (!out) {
    return Status::InvalidArgument("span_kind " + Quoted(text) +
                                   " is not a span kind; use server, client, producer, consumer, "
                                   "internal or unspecified, or leave it empty for every kind");
  }
  return {};
}

// --- request parameters ---------------------------------------------------------------------

uint64_t NowNanos() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The earliest time --query.max-lookback lets a request read; 0 without a bound.
uint64_t Earliest(const GrpcQueryOptions& options, uint64_t now) {
  const auto max_lookback = static_cast<uint64_t>(options.max_lookback.count());
  if (max_lookback == 0) return 0;
  return now > max_lookback ? now - max_lookback : 0;
}

struct Search {
  storage::TraceQuery query;
  bool raw = false;
};

// What the TraceQueryParameters of api_v2 and api_v3 share: service, operation, tags
// (`tags_field`), durations, search depth, raw.
template <typename Params, typename Tags>
Status ParseSearchCommon(const Params& params, const Tags& tags, std::string_view tags_field,
                         uint32_t max_depth, Search& out) {
  storage::TraceQuery& query = out.query;
  if (params.service_name().empty()) {
    return Status::InvalidArgument(
        "query.service_name is required: the service whose traces to find");
  }
  query.service = params.service_name();
  query.operation = params.operation_name();
  query.tags.clear();
  for (const auto& [key, value] : tags) {
    if (key.empty()) {
      return Status::InvalidArgument("query." + std::string(tags_field) +
                                     " has an empty key; every entry needs a name");
    }
    query.tags.emplace_back(key, value);
  }
  std::sort(query.tags.begin(), query.tags.end());
  if (params.has_duration_min()) {
    ARIADNE_RETURN_IF_ERROR(
        ToNanos(params.duration_min(), "query.duration_min", query.duration_min));
  }
  if (params.has_duration_max()) {
    ARIADNE_RETURN_IF_ERROR(
        ToNanos(params.duration_max(), "query.duration_max", query.duration_max));
  }
  if (query.duration_max != 0 && query.duration_max < query.duration_min) {
    return Status::InvalidArgument("query.duration_max must not be less than query.duration_min");
  }
  const int32_t depth = params.search_depth();
  if (depth < 0) {
    return Status::InvalidArgument("query.search_depth " + std::to_string(depth) +
                                   " is negative: ask for 1 or more traces (0: the default, " +
                                   std::to_string(kDefaultSearchDepth) + ")");
  }
  if (static_cast<uint32_t>(depth) > max_depth) {
    return Status::InvalidArgument("query.search_depth " + std::to_string(depth) +
                                   " is more than " + std::to_string(max_depth) +
                                   ", the most spans (and so traces) one response holds "
                                   "(--query.max-trace-size)");
  }
  query.limit = depth == 0 ? kDefaultSearchDepth : static_cast<uint32_t>(depth);
  out.raw = params.raw_traces();
  return {};
}

// api_v2: start_time_min defaults to now - --query.lookback, start_time_max to now (both
// inclusive), as the HTTP API's start and end.
Status ParseV2Search(const std::string& bytes, const GrpcQueryOptions& options, uint32_t max_depth,
                     Search& out) {
  v2::FindTracesRequest request;
  ARIADNE_RETURN_IF_ERROR(Parse(bytes, request));
  if (!request.has_query()) {
    return Status::InvalidArgument("missing query: set FindTracesRequest.query");
  }
  const v2::TraceQueryParameters& params = request.query();
  ARIADNE_RETURN_IF_ERROR(ParseSearchCommon(params, params.tags(), "tags", max_depth, out));
  storage::TraceQuery& query = out.query;
  const uint64_t now = NowNanos();
  const auto lookback = static_cast<uint64_t>(options.lookback.count());
  query.start_time_min = now > lookback ? now - lookback : 0;
  query.start_time_max = now;
  if (params.has_start_time_min()) {
    ARIADNE_RETURN_IF_ERROR(
        ToUnixNanos(params.start_time_min(), "query.start_time_min", query.start_time_min));
  }
  if (params.has_start_time_max()) {
    ARIADNE_RETURN_IF_ERROR(
        ToUnixNanos(params.start_time_max(), "query.start_time_max", query.start_time_max));
  }
  if (query.start_time_min > query.start_time_max) {
    return Status::InvalidArgument("query.start_time_min must not be after query.start_time_max");
  }
  query.start_time_min =
      std::min(std::max(query.start_time_min, Earliest(options, now)), query.start_time_max);
  return {};
}

// api_v3 (FindTracesRequest or FindTraceSummariesRequest, which share their layout):
// start_time_min (inclusive) and start_time_max (exclusive) are required, as in Jaeger.
template <typename Request>
Status ParseV3Search(const std::string& bytes, const GrpcQueryOptions& options, uint32_t max_depth,
                     Search& out) {
  Request request;
  ARIADNE_RETURN_IF_ERROR(Parse(bytes, request));
  if (!request.has_query()) {
    return Status::InvalidArgument("missing query: set " + request.GetDescriptor()->name() +
                                   ".query");
  }
  const v3::TraceQueryParameters& params = request.query();
  ARIADNE_RETURN_IF_ERROR(
      ParseSearchCommon(params, params.attributes(), "attributes", max_depth, out));
  if (!params.has_start_time_min() || !params.has_start_time_max()) {
    return Status::InvalidArgument(
        "query.start_time_min and query.start_time_max are required: the window in which a "
        "matching span starts");
  }
  uint64_t start_min = 0;
  uint64_t start_max = 0;
  ARIADNE_RETURN_IF_ERROR(ToUnixNanos(params.start_time_min(), "query.start_time_min", start_min));
  ARIADNE_RETURN_IF_ERROR(ToUnixNanos(params.start_time_max(), "query.start_time_max", start_max));
  if (start_min >= start_max) {
    return Status::InvalidArgument("query.start_time_min must be before query.start_time_max");
  }
  // The bound is exclusive here and inclusive in storage.
  out.query.start_time_max = start_max - 1;
  out.query.start_time_min =
      std::min(std::max(start_min, Earliest(options, NowNanos())), out.query.start_time_max);
  return {};
}

// GetDependenciesRequest of either version: both times required, end after start; the start
// moves up to now - --query.max-lookback.
template <typename Request>
Status ParseDependencies(const std::string& bytes, const GrpcQueryOptions& options,
                         uint64_t& end_time, uint64_t& lookback) {
  Request request;
  ARIADNE_RETURN_IF_ERROR(Parse(bytes, request));
  if (!request.has_start_time() || !request.has_end_time()) {
    return Status::InvalidArgument(
        "start_time and end_time are required: the window whose calls to count");
  }
  uint64_t start_time = 0;
  ARIADNE_RETURN_IF_ERROR(ToUnixNanos(request.start_time(), "start_time", start_time));
  ARIADNE_RETURN_IF_ERROR(ToUnixNanos(request.end_time(), "end_time", end_time));
  if (end_time <= start_time) {
    return Status::InvalidArgument("end_time must be after start_time");
  }
  start_time = std::min(std::max(start_time, Earliest(options, NowNanos())), end_time);
  lookback = end_time - start_time;
  return {};
}

// --- trace encoding -------------------------------------------------------------------------

// Appends SpansResponseChunk{spans: [span]} with the span's warnings (Span.warnings).
void AppendJaegerSpan(const LoadedTrace& trace, const tracecore::Span& span, std::string& out) {
  const tracecore::Span* const one[] = {&span};
  const std::vector<std::string>& warnings = trace.WarningsOf(span);
  if (warnings.empty()) {
    tracecore::jaeger_proto::EncodeSpansResponseChunk(trace.batch, one, out);
    return;
  }
  std::string chunk;
  tracecore::jaeger_proto::EncodeSpansResponseChunk(trace.batch, one, chunk);
  tracecore::wire::ProtoReader reader(chunk);
  std::string_view span_bytes;
  while (reader.Next()) {
    if (reader.field() == kChunkSpansField) {
      span_bytes = reader.ReadBytes();
    } else {
      reader.Skip();
    }
  }
  tracecore::wire::ProtoWriter writer(out);
  const size_t mark = writer.BeginMessage(kChunkSpansField);
  out.append(span_bytes);
  for (const std::string& warning : warnings) writer.WriteBytesField(kSpanWarningsField, warning);
  writer.EndMessage(mark);
}

// Gives every shown span with warnings the attribute kWarningsAttribute (api_v3's form).
void AddWarningAttributes(LoadedTrace& trace) {
  for (tracecore::Span* span : trace.spans) {
    const std::vector<std::string>& warnings = trace.WarningsOf(*span);
    if (warnings.empty()) continue;
    auto* values = trace.batch.AllocateArray<tracecore::AnyValue>(warnings.size());
    for (size_t i = 0; i < warnings.size(); ++i) {
      values[i] = tracecore::AnyValue::String(trace.batch.Copy(warnings[i]));
    }
    span->attributes.push_back({trace.batch.Copy(kWarningsAttribute),
                                tracecore::AnyValue::Array(values, warnings.size())});
  }
}

bool IsError(const tracecore::Span& span) {
  if (span.status.code == tracecore::SpanStatusCode::kError) return true;
  const tracecore::Attribute* error = tracecore::FindAttribute(span.attributes, "error");
  if (error == nullptr) return false;
  return (error->value.type() == tracecore::ValueType::kBool && error->value.bool_value()) ||
         (error->value.type() == tracecore::ValueType::kString &&
          error->value.string_value() == "true");
}

// The TraceSummary of the shown spans of `trace` (reference §3.5), as GET
// /api/v3/trace-summaries computes it.
void Summarize(const LoadedTrace& trace, v3::TraceSummary& out) {
  std::vector<uint64_t> ids;
  ids.reserve(trace.spans.size());
  for (const tracecore::Span* span : trace.spans) ids.push_back(span->span_id.value);
  std::sort(ids.begin(), ids.end());
  const tracecore::Span* root = nullptr;
  uint64_t min_start = 0;
  uint64_t max_end = 0;
  int32_t errors = 0;
  int32_t orphans = 0;
  std::map<std::string_view, std::pair<int32_t, int32_t>> services;  // name -> (spans, errors)
  for (const tracecore::Span* span : trace.spans) {
    const bool error = IsError(*span);
    auto& service = services[trace.batch.resource_of(*span).ServiceName()];
    ++service.first;
    service.second += error ? 1 : 0;
    errors += error ? 1 : 0;
    if (min_start == 0 || span->start_time_unix_nano < min_start) {
      min_start = span->start_time_unix_nano;
    }
    max_end = std::max(max_end, span->end_time_unix_nano);
    if (span->parent_span_id.empty()) {
      // The earliest span without a parent, when a trace has several.
      if (root == nullptr || span->start_time_unix_nano < root->start_time_unix_nano) root = span;
    } else if (!std::binary_search(ids.begin(), ids.end(), span->parent_span_id.value)) {
      ++orphans;
    }
  }
  out.set_trace_id(trace.spans.front()->trace_id.ToHex());
  if (root != nullptr) {
    out.set_root_service_name(std::string(trace.batch.resource_of(*root).ServiceName()));
    out.set_root_operation_name(std::string(root->name));
  }
  out.set_min_start_time_unix_nano(min_start);
  out.set_max_end_time_unix_nano(max_end);
  out.set_span_count(static_cast<int32_t>(trace.spans.size()));
  out.set_error_span_count(errors);
  out.set_orphan_span_count(orphans);
  for (const auto& [name, counts] : services) {
    v3::ServiceSummary* service = out.add_services();
    service->set_name(std::string(name));
    service->set_span_count(counts.first);
    service->set_error_span_count(counts.second);
  }
}

// --- streamed answers -----------------------------------------------------------------------

// Produces the messages of one streamed answer, one per Next() call, on a worker thread.
class MessageSource {
 public:
  virtual ~MessageSource() = default;
  // Writes the next message into `out` (empty on entry), or sets `done` when there is none left.
  // A status that is not OK ends the stream with it.
  virtual grpc::Status Next(std::string& out, bool& done) = 0;
};

// Parses a streamed call's request and finds the traces it returns (searching storage when it
// is a search): sets `ids` and `raw`.
using TraceResolver = std::function<Status(std::vector<TraceId>& ids, bool& raw)>;

enum class TraceFormat { kJaegerV2, kOtlpV3 };

// Streams the traces of a GetTrace or FindTraces call, one trace loaded at a time, each in
// messages of about options.max_message_bytes.
class TraceSource final : public MessageSource {
 public:
  // `not_found`: the answer when no trace is found (OK: an empty stream).
  TraceSource(Env& env, TraceFormat format, TraceResolver resolve, grpc::Status not_found)
      : env_(env),
        format_(format),
        resolve_(std::move(resolve)),
        not_found_(std::move(not_found)),
        budget_(env.service.NewBudget()) {}

  grpc::Status Next(std::string& out, bool& done) override {
    if (resolve_) {
      const Status resolved = resolve_(ids_, raw_);
      resolve_ = nullptr;
      if (!resolved.ok()) return ToGrpc(resolved);
    }
    while (trace_ == nullptr || position_ == shown_.size()) {
      if (next_id_ == ids_.size() || budget_.spans_left == 0) {
        if (traces_sent_ == 0 && !not_found_.ok()) return not_found_;
        done = true;
        return grpc::Status::OK;
      }
      if (Status loaded = LoadNext(); !loaded.ok()) return ToGrpc(loaded);
    }
    if (format_ == TraceFormat::kJaegerV2) {
      WriteJaegerChunk(out);
    } else {
      WriteOtlpChunk(out);
    }
    return grpc::Status::OK;
  }

 private:
  Status LoadNext() {
    trace_ = std::make_unique<LoadedTrace>();
    shown_.clear();
    position_ = 0;
    bool found = false;
    ARIADNE_RETURN_IF_ERROR(env_.service.GetTrace(ids_[next_id_++], raw_, budget_, *trace_, found));
    if (!found || trace_->spans.empty()) {
      trace_.reset();
      return {};
    }
    if (budget_.spans_left == 0 && next_id_ < ids_.size()) {
      trace_->AddWarning(*trace_->spans.front(),
                         "the response holds " +
                             std::to_string(env_.service.options().max_response_spans) +
                             " spans, the most one response may (--query.max-trace-size); " +
                             std::to_string(ids_.size() - next_id_) +
                             " more traces were not loaded: narrow the search or lower "
                             "query.search_depth");
    }
    if (format_ == TraceFormat::kOtlpV3) AddWarningAttributes(*trace_);
    shown_.assign(trace_->spans.begin(), trace_->spans.end());
    if (format_ == TraceFormat::kOtlpV3 && !raw_) {
      // Grouped by resource and scope, so that each resource is written once per message; raw
      // keeps storage's order.
      std::stable_sort(shown_.begin(), shown_.end(), [](const auto* a, const auto* b) {
        return std::pair(a->resource_index, a->scope_index) <
               std::pair(b->resource_index, b->scope_index);
      });
    }
    ++traces_sent_;
    return {};
  }

  // Spans one by one (each embeds its process), until the next would pass the bound.
  void WriteJaegerChunk(std::string& out) {
    std::string one;
    while (position_ < shown_.size()) {
      one.clear();
      AppendJaegerSpan(*trace_, *shown_[position_], one);
      if (!out.empty() && out.size() + one.size() > env_.options.max_message_bytes) break;
      out += one;
      ++position_;
    }
  }

  // A run of spans whose TracesData fits the bound, halving the run until it does.
  void WriteOtlpChunk(std::string& out) {
    size_t count = std::min(spans_per_message_, shown_.size() - position_);
    const std::span<const tracecore::Span* const> all(shown_);
    while (true) {
      out.clear();
      tracecore::otlp::EncodeExportRequest(trace_->batch, all.subspan(position_, count), out);
      if (out.size() <= env_.options.max_message_bytes || count == 1) break;
      count /= 2;
    }
    position_ += count;
    // The next message aims at three quarters of the bound.
    const size_t per_span = std::max<size_t>(1, out.size() / count);
    spans_per_message_ = std::clamp<size_t>(env_.options.max_message_bytes * 3 / 4 / per_span, 1,
                                            kMaxSpansPerMessage);
  }

  Env& env_;
  const TraceFormat format_;
  TraceResolver resolve_;  // null once run
  const grpc::Status not_found_;
  ReadBudget budget_;
  std::vector<TraceId> ids_;
  bool raw_ = false;
  size_t next_id_ = 0;
  size_t traces_sent_ = 0;
  std::unique_ptr<LoadedTrace> trace_;  // the trace being written
  std::vector<const tracecore::Span*> shown_;
  size_t position_ = 0;  // into shown_
  size_t spans_per_message_ = kFirstSpansPerMessage;
};

// Streams FindTraceSummariesResponse messages of about options.max_message_bytes. Each trace may
// load up to --query.max-trace-size spans (one is held at a time); --query.timeout bounds the
// request.
class SummarySource final : public MessageSource {
 public:
  SummarySource(Env& env, std::string request) : env_(env), request_(std::move(request)) {}

  grpc::Status Next(std::string& out, bool& done) override {
    if (!searched_) {
      searched_ = true;
      budget_ = env_.service.NewBudget();
      Search search;
      if (Status parsed = ParseV3Search<v3::FindTraceSummariesRequest>(
              request_, env_.options, env_.service.options().max_response_spans, search);
          !parsed.ok()) {
        return ToGrpc(parsed);
      }
      raw_ = search.raw;
      if (Status found = env_.service.FindTraceIds(search.query, ids_); !found.ok()) {
        return ToGrpc(found);
      }
    }
    v3::FindTraceSummariesResponse response;
    size_t bytes = 0;
    while (next_id_ < ids_.size() && bytes < env_.options.max_message_bytes) {
      budget_.spans_left = env_.service.options().max_response_spans;
      LoadedTrace trace;
      bool found = false;
      if (Status loaded = env_.service.GetTrace(ids_[next_id_++], raw_, budget_, trace, found);
          !loaded.ok()) {
        return ToGrpc(loaded);
      }
      if (!found || trace.spans.empty()) continue;
      v3::TraceSummary* summary = response.add_summaries();
      Summarize(trace, *summary);
      bytes += summary->ByteSizeLong() + 8;  // with its tag and length
    }
    if (response.summaries_size() == 0) {
      done = true;
      return grpc::Status::OK;
    }
    response.SerializeToString(&out);
    return grpc::Status::OK;
  }

 private:
  Env& env_;
  const std::string request_;
  bool searched_ = false;
  ReadBudget budget_;
  std::vector<TraceId> ids_;
  bool raw_ = false;
  size_t next_id_ = 0;
};

// One server-streaming call: asks its source for each message on a worker thread and writes it;
// one write in flight at a time. Deletes itself when the call is done.
class StreamReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  StreamReactor(Env& env, grpc::CallbackServerContext* context, std::optional<Operation> operation,
                std::unique_ptr<MessageSource> source)
      : env_(env),
        context_(context),
        operation_(operation),
        source_(std::move(source)),
        start_(std::chrono::steady_clock::now()) {
    env_.pool.Post([this] { Produce(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      End({grpc::StatusCode::CANCELLED, "the stream was cancelled or the client went away"});
      return;
    }
    env_.pool.Post([this] { Produce(); });
  }

  void OnDone() override { delete this; }

 private:
  void Produce() {
    if (context_->IsCancelled()) {
      End({grpc::StatusCode::CANCELLED, "the call was cancelled"});
      return;
    }
    std::string message;
    bool done = false;
    const grpc::Status status = source_->Next(message, done);
    if (!status.ok() || done) {
      End(status);
      return;
    }
    message_ = ToByteBuffer(message);
    StartWrite(&message_);
  }

  void End(const grpc::Status& status) {
    Record(env_, operation_, status, start_);
    Finish(status);
  }

  Env& env_;
  grpc::CallbackServerContext* const context_;
  const std::optional<Operation> operation_;
  std::unique_ptr<MessageSource> source_;
  const std::chrono::steady_clock::time_point start_;
  grpc::ByteBuffer message_;  // the message being written
};

// --- unary answers --------------------------------------------------------------------------

// Writes the serialized response of a unary call for its serialized request.
using UnaryAnswer =
    std::function<grpc::Status(Env& env, const std::string& request, std::string& response)>;

// Answers a unary call on a worker thread.
grpc::ServerUnaryReactor* AnswerUnary(Env& env, grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
                                      std::optional<Operation> operation, UnaryAnswer answer) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  env.pool.Post([&env, reactor, response, operation, answer = std::move(answer),
                 bytes = Flatten(*request), start = std::chrono::steady_clock::now()] {
    std::string body;
    const grpc::Status status = answer(env, bytes, body);
    if (status.ok()) *response = ToByteBuffer(body);
    Record(env, operation, status, start);
    reactor->Finish(status);
  });
  return reactor;
}

template <typename Request, typename Response>
grpc::Status AnswerServices(Env& env, const std::string& bytes, std::string& out) {
  Request request;
  if (Status parsed = Parse(bytes, request); !parsed.ok()) return ToGrpc(parsed);
  std::vector<std::string> services;
  if (Status read = env.service.GetServices(services); !read.ok()) return ToGrpc(read);
  Response response;
  for (std::string& service : services) response.add_services(std::move(service));
  response.SerializeToString(&out);
  return grpc::Status::OK;
}

// Jaeger v1: every (name, kind) as storage has it, kind "" when unspecified, and the names once
// in operationNames.
grpc::Status V2Operations(Env& env, const std::string& bytes, std::string& out) {
  v2::GetOperationsRequest request;
  if (Status parsed = Parse(bytes, request); !parsed.ok()) return ToGrpc(parsed);
  std::optional<tracecore::SpanKind> kind;
  if (Status parsed = ParseKind(request.span_kind(), kind); !parsed.ok()) return ToGrpc(parsed);
  std::vector<storage::Operation> operations;
  if (Status read = env.service.GetOperations(request.service(), kind, operations); !read.ok()) {
    return ToGrpc(read);
  }
  v2::GetOperationsResponse response;
  std::set<std::string_view> names;
  for (const storage::Operation& operation : operations) {
    v2::Operation* added = response.add_operations();
    added->set_name(operation.name);
    added->set_span_kind(std::string(tracecore::SpanKindLowerName(operation.span_kind)));
    names.insert(operation.name);
  }
  for (const std::string_view name : names) response.add_operationnames(std::string(name));
  response.SerializeToString(&out);
  return grpc::Status::OK;
}

// Jaeger v2 (as GET /api/v3/operations): service required; an operation without a kind is
// reported as "internal", each (name, kind) once.
grpc::Status V3Operations(Env& env, const std::string& bytes, std::string& out) {
  v3::GetOperationsRequest request;
  if (Status parsed = Parse(bytes, request); !parsed.ok()) return ToGrpc(parsed);
  if (request.service().empty()) {
    return {grpc::StatusCode::INVALID_ARGUMENT,
            "service is required: the service whose operations to list"};
  }
  std::optional<tracecore::SpanKind> kind;
  if (Status parsed = ParseKind(request.span_kind(), kind); !parsed.ok()) return ToGrpc(parsed);
  std::vector<storage::Operation> operations;
  if (Status read = env.service.GetOperations(request.service(), kind, operations); !read.ok()) {
    return ToGrpc(read);
  }
  std::set<std::pair<std::string_view, std::string_view>> listed;
  for (const storage::Operation& operation : operations) {
    std::string_view name = tracecore::SpanKindLowerName(operation.span_kind);
    if (name.empty()) name = tracecore::SpanKindLowerName(tracecore::SpanKind::kInternal);
    listed.emplace(operation.name, name);
  }
  v3::GetOperationsResponse response;
  for (const auto& [name, span_kind] : listed) {
    v3::Operation* added = response.add_operations();
    added->set_name(std::string(name));
    added->set_span_kind(std::string(span_kind));
  }
  response.SerializeToString(&out);
  return grpc::Status::OK;
}

template <typename Request, typename Response>
grpc::Status AnswerDependencies(Env& env, const std::string& bytes, std::string& out) {
  uint64_t end_time = 0;
  uint64_t lookback = 0;
  if (Status parsed = ParseDependencies<Request>(bytes, env.options, end_time, lookback);
      !parsed.ok()) {
    return ToGrpc(parsed);
  }
  std::vector<storage::DependencyLink> links;
  if (Status read = env.service.GetDependencies(end_time, lookback, links); !read.ok()) {
    return ToGrpc(read);
  }
  Response response;
  for (storage::DependencyLink& link : links) {
    auto* added = response.add_dependencies();
    added->set_parent(std::move(link.parent));
    added->set_child(std::move(link.child));
    added->set_call_count(link.call_count);
  }
  response.SerializeToString(&out);
  return grpc::Status::OK;
}

grpc::Status V2Archive(Env& env, const std::string& bytes, std::string& out) {
  v2::ArchiveTraceRequest request;
  if (Status parsed = Parse(bytes, request); !parsed.ok()) return ToGrpc(parsed);
  TraceId id;
  if (Status parsed = ParseTraceIdBytes(request.trace_id(), id); !parsed.ok()) {
    return ToGrpc(parsed);
  }
  bool found = false;
  if (Status archived = env.service.ArchiveTrace(id, found); !archived.ok()) {
    return ToGrpc(archived);
  }
  if (!found) return {grpc::StatusCode::NOT_FOUND, "trace not found"};
  out.clear();  // ArchiveTraceResponse{}
  return grpc::Status::OK;
}

// --- services -------------------------------------------------------------------------------

using V2Base = v2::QueryService::WithRawCallbackMethod_GetTrace<
    v2::QueryService::WithRawCallbackMethod_ArchiveTrace<
        v2::QueryService::WithRawCallbackMethod_FindTraces<
            v2::QueryService::WithRawCallbackMethod_GetServices<
                v2::QueryService::WithRawCallbackMethod_GetOperations<
                    v2::QueryService::WithRawCallbackMethod_GetDependencies<
                        v2::QueryService::Service>>>>>>;

class V2QueryService final : public V2Base {
 public:
  explicit V2QueryService(Env& env) : env_(env) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetTrace(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request) override {
    TraceResolver resolve = [bytes = Flatten(*request)](std::vector<TraceId>& ids, bool& raw) {
      v2::GetTraceRequest parsed;
      ARIADNE_RETURN_IF_ERROR(Parse(bytes, parsed));
      TraceId id;
      ARIADNE_RETURN_IF_ERROR(ParseTraceIdBytes(parsed.trace_id(), id));
      ids.push_back(id);
      raw = parsed.raw_traces();
      return Status();
    };
    return new StreamReactor(env_, context, Operation::kGetTrace,
                             std::make_unique<TraceSource>(
                                 env_, TraceFormat::kJaegerV2, std::move(resolve),
                                 grpc::Status(grpc::StatusCode::NOT_FOUND, "trace not found")));
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraces(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override {
    TraceResolver resolve = [this, bytes = Flatten(*request)](std::vector<TraceId>& ids,
                                                              bool& raw) {
      Search search;
      ARIADNE_RETURN_IF_ERROR(
          ParseV2Search(bytes, env_.options, env_.service.options().max_response_spans, search));
      raw = search.raw;
      return env_.service.FindTraceIds(search.query, ids);
    };
    // Jaeger answers a search that finds nothing with an empty stream.
    return new StreamReactor(env_, context, Operation::kFindTraces,
                             std::make_unique<TraceSource>(env_, TraceFormat::kJaegerV2,
                                                           std::move(resolve), grpc::Status::OK));
  }

  grpc::ServerUnaryReactor* ArchiveTrace(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kArchiveTrace, V2Archive);
  }

  grpc::ServerUnaryReactor* GetServices(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetServices,
                       AnswerServices<v2::GetServicesRequest, v2::GetServicesResponse>);
  }

  grpc::ServerUnaryReactor* GetOperations(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetOperations, V2Operations);
  }

  grpc::ServerUnaryReactor* GetDependencies(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetDependencies,
                       AnswerDependencies<v2::GetDependenciesRequest, v2::GetDependenciesResponse>);
  }

 private:
  Env& env_;
};

using V3Base = v3::QueryService::WithRawCallbackMethod_GetTrace<
    v3::QueryService::WithRawCallbackMethod_FindTraces<
        v3::QueryService::WithRawCallbackMethod_GetServices<
            v3::QueryService::WithRawCallbackMethod_GetOperations<
                v3::QueryService::WithRawCallbackMethod_GetDependencies<
                    v3::QueryService::WithRawCallbackMethod_FindTraceSummaries<
                        v3::QueryService::Service>>>>>>;

class V3QueryService final : public V3Base {
 public:
  explicit V3QueryService(Env& env) : env_(env) {}

  grpc::ServerWriteReactor<grpc::ByteBuffer>* GetTrace(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request) override {
    TraceResolver resolve = [bytes = Flatten(*request)](std::vector<TraceId>& ids, bool& raw) {
      v3::GetTraceRequest parsed;
      ARIADNE_RETURN_IF_ERROR(Parse(bytes, parsed));
      TraceId id;
      ARIADNE_RETURN_IF_ERROR(ParseTraceIdHex(parsed.trace_id(), id));
      ids.push_back(id);
      raw = parsed.raw_traces();
      return Status();
    };
    return new StreamReactor(
        env_, context, Operation::kGetTrace,
        std::make_unique<TraceSource>(env_, TraceFormat::kOtlpV3, std::move(resolve), NoTraces()));
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraces(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request) override {
    TraceResolver resolve = [this, bytes = Flatten(*request)](std::vector<TraceId>& ids,
                                                              bool& raw) {
      Search search;
      ARIADNE_RETURN_IF_ERROR(ParseV3Search<v3::FindTracesRequest>(
          bytes, env_.options, env_.service.options().max_response_spans, search));
      raw = search.raw;
      return env_.service.FindTraceIds(search.query, ids);
    };
    return new StreamReactor(
        env_, context, Operation::kFindTraces,
        std::make_unique<TraceSource>(env_, TraceFormat::kOtlpV3, std::move(resolve), NoTraces()));
  }

  grpc::ServerWriteReactor<grpc::ByteBuffer>* FindTraceSummaries(
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) override {
    return new StreamReactor(env_, context, Operation::kFindTraces,
                             std::make_unique<SummarySource>(env_, Flatten(*request)));
  }

  grpc::ServerUnaryReactor* GetServices(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetServices,
                       AnswerServices<v3::GetServicesRequest, v3::GetServicesResponse>);
  }

  grpc::ServerUnaryReactor* GetOperations(grpc::CallbackServerContext* context,
                                          const grpc::ByteBuffer* request,
                                          grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetOperations, V3Operations);
  }

  grpc::ServerUnaryReactor* GetDependencies(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override {
    return AnswerUnary(env_, context, request, response, Operation::kGetDependencies,
                       AnswerDependencies<v3::GetDependenciesRequest, v3::DependenciesResponse>);
  }

 private:
  // Jaeger v2's answer when GetTrace or FindTraces finds nothing.
  static grpc::Status NoTraces() { return {grpc::StatusCode::NOT_FOUND, "No traces found"}; }

  Env& env_;
};

// --- server ---------------------------------------------------------------------------------

Status ReadFile(const std::string& path, const std::string& flag, std::string& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::InvalidArgument(flag + ": cannot read " + path);
  std::ostringstream content;
  content << file.rdbuf();
  out = content.str();
  return {};
}

Status MakeCredentials(const GrpcQueryOptions& options,
                       std::shared_ptr<grpc::ServerCredentials>& out) {
  ARIADNE_RETURN_IF_ERROR(runtime::ValidateTlsOptions(options.tls, options.tls_flag));
  if (!options.tls.enabled) {
    out = grpc::InsecureServerCredentials();
    return {};
  }
  const std::string& prefix = options.tls_flag;
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ARIADNE_RETURN_IF_ERROR(ReadFile(options.tls.cert_file, prefix + ".cert", pair.cert_chain));
  ARIADNE_RETURN_IF_ERROR(ReadFile(options.tls.key_file, prefix + ".key", pair.private_key));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls.client_ca_file.empty()) {
    ARIADNE_RETURN_IF_ERROR(
        ReadFile(options.tls.client_ca_file, prefix + ".client-ca", ssl.pem_root_certs));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  out = grpc::SslServerCredentials(ssl);
  return {};
}

// ":16685" -> "0.0.0.0:16685"; gRPC needs a host.
std::string GrpcAddress(const std::string& host_port) {
  return !host_port.empty() && host_port.front() == ':' ? "0.0.0.0" + host_port : host_port;
}

}  // namespace

class GrpcQueryServer::Impl {
 public:
  Impl(const GrpcQueryOptions& options, QueryService& service, QueryMetrics* metrics)
      : pool(options.threads),
        env{.service = service, .metrics = metrics, .pool = pool, .options = options},
        v2_service(env),
        v3_service(env) {}

  WorkerPool pool;
  Env env;
  V2QueryService v2_service;
  V3QueryService v3_service;
};

tracecore::Status GrpcQueryServer::Start(const GrpcQueryOptions& options, QueryService& service,
                                         QueryMetrics* metrics,
                                         std::unique_ptr<GrpcQueryServer>& out) {
  std::shared_ptr<grpc::ServerCredentials> credentials;
  ARIADNE_RETURN_IF_ERROR(MakeCredentials(options, credentials));

  static const bool kPluginsInstalled = [] {
    grpc::EnableDefaultHealthCheckService(true);
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    return true;
  }();
  (void)kPluginsInstalled;

  auto server = std::unique_ptr<GrpcQueryServer>(new GrpcQueryServer());
  server->impl_ = std::make_unique<Impl>(options, service, metrics);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(GrpcAddress(options.host_port), credentials, &server->port_);
  // Without this gRPC binds with SO_REUSEPORT, and a second server on a port in use would start
  // and share the port instead of failing.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.RegisterService(&server->impl_->v2_service);
  builder.RegisterService(&server->impl_->v3_service);
  server->server_ = builder.BuildAndStart();
  if (!server->server_ || server->port_ == 0) {
    return tracecore::Status::InvalidArgument(options.host_port_flag + ": cannot listen on \"" +
                                              options.host_port +
                                              "\" for the gRPC query API (address in use, or not "
                                              "host:port / :port)");
  }
  if (grpc::HealthCheckServiceInterface* health = server->server_->GetHealthCheckService()) {
    health->SetServingStatus(true);
    for (const char* name : kServiceNames) health->SetServingStatus(name, true);
  }
  runtime::Logger("query")->info("query-grpc listening on {} (gRPC, port {})", options.host_port,
                                 server->port_);
  out = std::move(server);
  return {};
}

GrpcQueryServer::~GrpcQueryServer() {
  Shutdown();
}

void GrpcQueryServer::Shutdown() {
  if (!server_) return;
  if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService()) {
    health->SetServingStatus(false);
  }
  server_->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server_.reset();
  impl_->pool.Stop();
}

}  // namespace ariadne::query
