#include "api_v3.h"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api_v3_parameters.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/span_copier.h"
#include "ui_json.h"

namespace ariadne::query {
namespace {

using runtime::HttpRequest;
using runtime::HttpResponse;
using tracecore::Status;

constexpr std::string_view kNoTraces = "No traces found";
// Jaeger v2's span attribute for warnings (jptrace.WarningsAttribute): an array of strings.
constexpr std::string_view kWarningsAttribute = "@jaeger@warnings";
// What EncodeExportRequestJson writes around the ResourceSpans of a batch.
constexpr std::string_view kRequestPrefix = R"({"resourceSpans":[)";
constexpr std::string_view kRequestSuffix = "]}";

// `json` with '<', '>' and '&' escaped, as Go's json.Marshal writes them. None of them occurs in
// an escape sequence, so replacing them in written JSON is safe.
std::string EscapeHtml(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (const char c : json) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// The gateway's error answer: http.Error with the JSON of GRPCGatewayError.
void WriteError(unsigned status, std::string_view message, HttpResponse& response) {
  std::string json = R"({"error":{"httpCode":)" + std::to_string(status) + R"(,"message":)";
  AppendJsonString(message, json);
  json += "}}";
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.body = EscapeHtml(json) + "\n";
}

void WriteError(const Status& status, HttpResponse& response) {
  WriteError(HttpStatusFor(status), status.message(), response);
}

void WriteJson(std::string json, HttpResponse& response) {
  response.status = 200;
  response.content_type = "application/json";
  response.body = std::move(json);
}

// Copies the shown spans of `trace` into `out` with their warnings as kWarningsAttribute. Unless
// `raw`, spans are grouped by resource and scope (in the order they are shown within a group), so
// that each resource is written once; raw keeps storage's order.
void CopyShownSpans(const LoadedTrace& trace, bool raw, tracecore::SpanBatch& out) {
  std::vector<const tracecore::Span*> spans(trace.spans.begin(), trace.spans.end());
  if (!raw) {
    std::stable_sort(spans.begin(), spans.end(), [](const auto* a, const auto* b) {
      return std::pair(a->resource_index, a->scope_index) <
             std::pair(b->resource_index, b->scope_index);
    });
  }
  tracecore::SpanCopier copier(out);
  for (const tracecore::Span* span : spans) {
    tracecore::Span& copy = copier.Copy(trace.batch, *span);
    const std::vector<std::string>& warnings = trace.WarningsOf(*span);
    if (warnings.empty()) continue;
    auto* values = out.AllocateArray<tracecore::AnyValue>(warnings.size());
    for (size_t i = 0; i < warnings.size(); ++i) {
      values[i] = tracecore::AnyValue::String(out.Copy(warnings[i]));
    }
    copy.attributes.push_back(
        {out.Copy(kWarningsAttribute), tracecore::AnyValue::Array(values, warnings.size())});
  }
}

// Appends the ResourceSpans of `trace` to the array being written in `out` (a comma first unless
// the array is still empty).
Status AppendResourceSpans(const LoadedTrace& trace, bool raw, std::string& out) {
  tracecore::SpanBatch batch;
  CopyShownSpans(trace, raw, batch);
  std::string json;
  tracecore::otlp::EncodeExportRequestJson(batch, json);
  const std::string_view text = json;
  if (!text.starts_with(kRequestPrefix) || !text.ends_with(kRequestSuffix)) {
    return Status::Internal("the OTLP JSON encoder wrote an unexpected shape");
  }
  const std::string_view inner = text.substr(
      kRequestPrefix.size(), text.size() - kRequestPrefix.size() - kRequestSuffix.size());
  if (inner.empty()) return {};
  if (out.back() != '[') out.push_back(',');
  out += inner;
  return {};
}

// The per-trace summary of reference §3.5 (TraceSummary), from the shown spans.
struct ServiceSummary {
  uint64_t span_count = 0;
  uint64_t error_span_count = 0;
};

bool IsError(const tracecore::Span& span) {
  if (span.status.code == tracecore::SpanStatusCode::kError) return true;
  const tracecore::Attribute* error = tracecore::FindAttribute(span.attributes, "error");
  if (error == nullptr) return false;
  return (error->value.type() == tracecore::ValueType::kBool && error->value.bool_value()) ||
         (error->value.type() == tracecore::ValueType::kString &&
          error->value.string_value() == "true");
}

void AppendField(std::string_view key, uint64_t value, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(value);
}

void AppendSummary(const LoadedTrace& trace, std::string& out) {
  std::vector<tracecore::SpanId> ids;
  ids.reserve(trace.spans.size());
  for (const tracecore::Span* span : trace.spans) ids.push_back(span->span_id);
  std::sort(ids.begin(), ids.end(), [](auto a, auto b) { return a.value < b.value; });
  const auto known = [&](tracecore::SpanId id) {
    return std::binary_search(ids.begin(), ids.end(), id,
                              [](auto a, auto b) { return a.value < b.value; });
  };
  const tracecore::Span* root = nullptr;
  uint64_t min_start = 0;
  uint64_t max_end = 0;
  uint64_t errors = 0;
  uint64_t orphans = 0;
  std::map<std::string_view, ServiceSummary> services;
  for (const tracecore::Span* span : trace.spans) {
    const bool error = IsError(*span);
    ServiceSummary& service = services[trace.batch.resource_of(*span).ServiceName()];
    ++service.span_count;
    service.error_span_count += error ? 1 : 0;
    errors += error ? 1 : 0;
    if (min_start == 0 || span->start_time_unix_nano < min_start) {
      min_start = span->start_time_unix_nano;
    }
    max_end = std::max(max_end, span->end_time_unix_nano);
    if (span->parent_span_id.empty()) {
      // The earliest span without a parent, when a trace has several.
      if (root == nullptr || span->start_time_unix_nano < root->start_time_unix_nano) root = span;
    } else if (!known(span->parent_span_id)) {
      ++orphans;
    }
  }
  out += R"({"traceId":")";
  out += trace.spans.empty() ? std::string(32, '0') : trace.spans.front()->trace_id.ToHex();
  out += R"(","rootServiceName":)";
  AppendJsonString(root != nullptr ? trace.batch.resource_of(*root).ServiceName() : "", out);
  out += R"(,"rootOperationName":)";
  AppendJsonString(root != nullptr ? root->name : "", out);
  // 64-bit integers as decimal strings, as in OTLP JSON; omitted when zero.
  if (min_start != 0) out += R"(,"minStartTimeUnixNano":")" + std::to_string(min_start) + "\"";
  if (max_end != 0) out += R"(,"maxEndTimeUnixNano":")" + std::to_string(max_end) + "\"";
  AppendField("spanCount", trace.spans.size(), out);
  AppendField("errorSpanCount", errors, out);
  AppendField("orphanSpanCount", orphans, out);
  out += R"(,"services":[)";
  bool first = true;
  for (const auto& [name, summary] : services) {
    if (!first) out.push_back(',');
    first = false;
    out += R"({"name":)";
    AppendJsonString(name, out);
    AppendField("spanCount", summary.span_count, out);
    AppendField("errorSpanCount", summary.error_span_count, out);
    out.push_back('}');
  }
  out += "]}";
}

class ApiV3 {
 public:
  ApiV3(ApiOptions options, QueryService& service)
      : options_(std::move(options)), service_(service) {}

  void Services(const HttpRequest& request, HttpResponse& response);
  void Operations(const HttpRequest& request, HttpResponse& response);
  void Trace(const HttpRequest& request, HttpResponse& response);
  void Search(const HttpRequest& request, HttpResponse& response);
  void Summaries(const HttpRequest& request, HttpResponse& response);
  void Dependencies(const HttpRequest& request, HttpResponse& response);

  std::string Path(std::string_view route) const { return options_.base_path + std::string(route); }

 private:
  TimeWindow Window() const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return {.now = static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()),
            .lookback = options_.lookback,
            .max_lookback = options_.max_lookback};
  }
  // Parses the search and finds its trace ids; false (with `response` written) on an error.
  bool Find(const HttpRequest& request, HttpResponse& response, bool& raw,
            std::vector<tracecore::TraceId>& ids);

  const ApiOptions options_;
  QueryService& service_;
};

void ApiV3::Services(const HttpRequest& /*request*/, HttpResponse& response) {
  std::vector<std::string> services;
  if (Status status = service_.GetServices(services); !status.ok()) {
    return WriteError(status, response);
  }
  std::string json = R"({"services":)";
  AppendStringArray(services, json);
  json.push_back('}');
  WriteJson(std::move(json), response);
}

void ApiV3::Operations(const HttpRequest& request, HttpResponse& response) {
  V3OperationsRequest query;
  if (Status status = ParseV3Operations(runtime::ParseQuery(request.query), query); !status.ok()) {
    return WriteError(status, response);
  }
  std::vector<storage::Operation> operations;
  if (Status status = service_.GetOperations(query.service, query.span_kind, operations);
      !status.ok()) {
    return WriteError(status, response);
  }
  // Jaeger v2 reports an operation without a kind as "internal"; it is listed once when the
  // service also reported it as internal.
  std::vector<std::pair<std::string_view, std::string_view>> listed;
  for (const storage::Operation& operation : operations) {
    std::string_view kind = tracecore::SpanKindLowerName(operation.span_kind);
    if (kind.empty()) kind = tracecore::SpanKindLowerName(tracecore::SpanKind::kInternal);
    listed.emplace_back(operation.name, kind);
  }
  std::sort(listed.begin(), listed.end());
  listed.erase(std::unique(listed.begin(), listed.end()), listed.end());
  std::string json = R"({"operations":[)";
  for (size_t i = 0; i < listed.size(); ++i) {
    if (i > 0) json.push_back(',');
    json += R"({"name":)";
    AppendJsonString(listed[i].first, json);
    json += R"(,"spanKind":)";
    AppendJsonString(listed[i].second, json);
    json.push_back('}');
  }
  json += "]}";
  WriteJson(std::move(json), response);
}

void ApiV3::Trace(const HttpRequest& request, HttpResponse& response) {
  const std::string_view id_text = request.path.substr(Path("/api/v3/traces/").size());
  if (id_text.find('/') != std::string_view::npos) {
    return WriteError(404, "no route for GET " + std::string(request.path), response);
  }
  V3GetTraceRequest query;
  if (Status status = ParseV3GetTrace(id_text, runtime::ParseQuery(request.query), query);
      !status.ok()) {
    return WriteError(status, response);
  }
  ReadBudget budget = service_.NewBudget();
  LoadedTrace trace;
  bool found = false;
  if (Status status = service_.GetTrace(query.trace_id, query.raw, budget, trace, found);
      !status.ok()) {
    return WriteError(status, response);
  }
  if (!found) return WriteError(404, kNoTraces, response);
  std::string json = std::string(R"({"result":)") + std::string(kRequestPrefix);
  if (Status status = AppendResourceSpans(trace, query.raw, json); !status.ok()) {
    return WriteError(status, response);
  }
  json += kRequestSuffix;
  json.push_back('}');
  WriteJson(std::move(json), response);
}

bool ApiV3::Find(const HttpRequest& request, HttpResponse& response, bool& raw,
                 std::vector<tracecore::TraceId>& ids) {
  V3SearchRequest search;
  if (Status status =
          ParseV3Search(runtime::ParseQuery(request.query), Window(), options_.max_limit, search);
      !status.ok()) {
    WriteError(status, response);
    return false;
  }
  raw = search.raw;
  if (Status status = service_.FindTraceIds(search.query, ids); !status.ok()) {
    WriteError(status, response);
    return false;
  }
  return true;
}

void ApiV3::Search(const HttpRequest& request, HttpResponse& response) {
  bool raw = false;
  std::vector<tracecore::TraceId> ids;
  if (!Find(request, response, raw, ids)) return;
  std::string json = std::string(R"({"result":)") + std::string(kRequestPrefix);
  ReadBudget budget = service_.NewBudget();
  size_t returned = 0;
  for (size_t i = 0; i < ids.size() && budget.spans_left > 0; ++i) {
    LoadedTrace trace;
    bool found = false;
    if (Status status = service_.GetTrace(ids[i], raw, budget, trace, found); !status.ok()) {
      return WriteError(status, response);
    }
    if (!found) continue;
    if (budget.spans_left == 0 && i + 1 < ids.size() && !trace.spans.empty()) {
      trace.AddWarning(*trace.spans.front(),
                       "the response holds " +
                           std::to_string(service_.options().max_response_spans) +
                           " spans, the most one response may (--query.max-trace-size); " +
                           std::to_string(ids.size() - i - 1) +
                           " more traces were not loaded: narrow the search or lower "
                           "query.searchDepth");
    }
    if (Status status = AppendResourceSpans(trace, raw, json); !status.ok()) {
      return WriteError(status, response);
    }
    ++returned;
  }
  if (returned == 0) return WriteError(404, kNoTraces, response);
  json += kRequestSuffix;
  json.push_back('}');
  WriteJson(std::move(json), response);
}

void ApiV3::Summaries(const HttpRequest& request, HttpResponse& response) {
  bool raw = false;
  std::vector<tracecore::TraceId> ids;
  if (!Find(request, response, raw, ids)) return;
  std::string json = R"({"summaries":[)";
  // One trace is held at a time, so each may load up to the span bound; the time bound is the
  // request's.
  ReadBudget budget = service_.NewBudget();
  bool first = true;
  for (const tracecore::TraceId& id : ids) {
    budget.spans_left = service_.options().max_response_spans;
    LoadedTrace trace;
    bool found = false;
    if (Status status = service_.GetTrace(id, raw, budget, trace, found); !status.ok()) {
      return WriteError(status, response);
    }
    if (!found) continue;
    if (!first) json.push_back(',');
    first = false;
    AppendSummary(trace, json);
  }
  json += "]}";
  WriteJson(std::move(json), response);
}

void ApiV3::Dependencies(const HttpRequest& request, HttpResponse& response) {
  V3DependenciesRequest query;
  if (Status status = ParseV3Dependencies(runtime::ParseQuery(request.query), Window(), query);
      !status.ok()) {
    return WriteError(status, response);
  }
  std::vector<storage::DependencyLink> links;
  if (Status status = service_.GetDependencies(query.end_time, query.lookback, links);
      !status.ok()) {
    return WriteError(status, response);
  }
  std::map<std::pair<std::string, std::string>, uint64_t> calls;
  for (const storage::DependencyLink& link : links) {
    calls[{link.parent, link.child}] += link.call_count;
  }
  std::string json = R"({"dependencies":[)";
  bool first = true;
  for (const auto& [pair, count] : calls) {
    if (!first) json.push_back(',');
    first = false;
    json += R"({"parent":)";
    AppendJsonString(pair.first, json);
    json += R"(,"child":)";
    AppendJsonString(pair.second, json);
    // uint64 in proto3 JSON: a decimal string.
    json += R"(,"callCount":")" + std::to_string(count) + "\"}";
  }
  json += "]}";
  WriteJson(std::move(json), response);
}

}  // namespace

void AddApiV3Routes(const ApiOptions& options, QueryService& service, runtime::HttpRouter& router,
                    RouteOperations& operations) {
  auto api = std::make_shared<ApiV3>(options, service);
  static constexpr ApiRoute<ApiV3> kRoutes[] = {
      {"/api/v3/services", false, Operation::kGetServices, &ApiV3::Services},
      {"/api/v3/operations", false, Operation::kGetOperations, &ApiV3::Operations},
      {"/api/v3/traces", false, Operation::kFindTraces, &ApiV3::Search},
      {"/api/v3/traces/", true, Operation::kGetTrace, &ApiV3::Trace},
      {"/api/v3/trace-summaries", false, Operation::kFindTraces, &ApiV3::Summaries},
      {"/api/v3/dependencies", false, Operation::kGetDependencies, &ApiV3::Dependencies},
  };
  AddApiObjectRoutes(api, kRoutes, router, operations);
}

}  // namespace ariadne::query
