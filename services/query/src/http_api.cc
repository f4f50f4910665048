#include "http_api.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "query_parameters.h"
#include "tracecore/codec/jaeger_ui_json.h"
#include "tracecore/codec/otlp_json.h"
#include "tracecore/span_copier.h"
#include "ui_json.h"

namespace ariadne::query {
namespace {

using runtime::HttpRequest;
using runtime::HttpResponse;
using tracecore::Status;

constexpr std::string_view kTraceNotFound = "trace not found";

void WriteError(unsigned status, std::string_view message, HttpResponse& response) {
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.body = ErrorBody(status, message);
}

void WriteError(const Status& status, HttpResponse& response) {
  WriteError(HttpStatusFor(status), status.message(), response);
}

void WriteJson(std::string json, bool pretty, HttpResponse& response) {
  response.status = 200;
  response.content_type = "application/json";
  if (pretty) {
    IndentJson(json, response.body);
  } else {
    response.body = std::move(json);
  }
}

// Answers 200 with the JSON `render(std::string& out)` appends: straight into the response body
// (whose buffer the server keeps between requests), or for prettyPrint into a scratch string
// that is then indented into it. A render that fails answers its error instead.
template <typename Render>
void RenderJson(bool pretty, HttpResponse& response, Render&& render) {
  std::string compact;
  response.body.clear();
  if (Status status = render(pretty ? compact : response.body); !status.ok()) {
    return WriteError(status, response);
  }
  response.status = 200;
  response.content_type = "application/json";
  if (pretty) IndentJson(compact, response.body);
}

// The envelope around rendered `data` with no errors.
std::string Envelope(std::string_view data, int64_t total) {
  std::string out;
  tracecore::jaeger_ui::AppendEnvelope(data, total, {}, out);
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url.QueryUnescape, except that an invalid escape stays as it is: "%2F" -> "/", "+" -> " ".
std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// An envelope error with the text it points at owned here.
struct OwnedError {
  std::string message;
  std::string trace_id;
};

// Renders the traces a search, multi-get or transform returns into `out` as they are loaded; a
// large trace in two halves at once through `split`.
class TracesResult {
 public:
  TracesResult(std::string& out, runtime::ForkJoin& split)
      : out_(out), envelope_(out), split_(split) {}

  int64_t total() const { return total_; }
  void Add(const LoadedTrace& trace) {
    // Room for the whole trace up front: growing a multi-megabyte body by doubling copies it
    // several times over (about 1.6 KB of JSON per span of a realistic trace).
    constexpr size_t kBytesPerSpan = 2048;
    constexpr size_t kMaxReserve = 64 << 20;
    out_.reserve(out_.size() + std::min(trace.spans.size() * kBytesPerSpan, kMaxReserve));
    AddLoadedTrace(trace, envelope_, split_);
    ++total_;
  }
  void AddError(std::string message, std::string trace_id) {
    errors_.push_back({std::move(message), std::move(trace_id)});
  }
  void Finish() {
    std::vector<tracecore::jaeger_ui::Error> views;
    for (const OwnedError& error : errors_) {
      views.push_back({.code = 0, .message = error.message, .trace_id = error.trace_id});
    }
    envelope_.Finish(views);
  }

 private:
  std::string& out_;
  tracecore::jaeger_ui::TracesEnvelope envelope_;
  runtime::ForkJoin& split_;
  int64_t total_ = 0;
  std::vector<OwnedError> errors_;
};

class Api {
 public:
  Api(ApiOptions options, QueryService& service)
      : options_(std::move(options)), service_(service) {}

  void Services(const HttpRequest& request, HttpResponse& response);
  void ServiceOperations(const HttpRequest& request, HttpResponse& response);
  void Operations(const HttpRequest& request, HttpResponse& response);
  void Search(const HttpRequest& request, HttpResponse& response);
  void Trace(const HttpRequest& request, HttpResponse& response);
  void Dependencies(const HttpRequest& request, HttpResponse& response);
  void Archive(const HttpRequest& request, HttpResponse& response);
  void Transform(const HttpRequest& request, HttpResponse& response);

  std::string Path(std::string_view route) const { return options_.base_path + std::string(route); }

 private:
  TimeWindow Window() const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return {.now = static_cast<uint64_t>(
                std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()),
            .lookback = options_.lookback,
            .max_lookback = options_.max_lookback};
  }
  // Loads `ids` into `result`; ids storage does not hold are reported when `report_missing`.
  Status LoadTraces(const std::vector<tracecore::TraceId>& ids, bool raw, bool report_missing,
                    TracesResult& result);

  const ApiOptions options_;
  QueryService& service_;
};

void Api::Services(const HttpRequest& request, HttpResponse& response) {
  std::vector<std::string> services;
  if (Status status = service_.GetServices(services); !status.ok()) {
    return WriteError(status, response);
  }
  std::string data;
  AppendStringArray(services, data);
  WriteJson(Envelope(data, static_cast<int64_t>(services.size())),
            IsPrettyPrint(runtime::ParseQuery(request.query)), response);
}

void Api::ServiceOperations(const HttpRequest& request, HttpResponse& response) {
  constexpr std::string_view kSuffix = "/operations";
  std::string_view rest = request.path.substr(Path("/api/services/").size());
  if (!rest.ends_with(kSuffix) || rest.size() == kSuffix.size() ||
      rest.substr(0, rest.size() - kSuffix.size()).find('/') != std::string_view::npos) {
    return WriteError(404, "no route for GET " + std::string(request.path), response);
  }
  const std::string service = Unescape(rest.substr(0, rest.size() - kSuffix.size()));
  std::vector<storage::Operation> operations;
  if (Status status = service_.GetOperations(service, std::nullopt, operations); !status.ok()) {
    return WriteError(status, response);
  }
  std::set<std::string> unique;
  for (const storage::Operation& operation : operations) unique.insert(operation.name);
  const std::vector<std::string> names(unique.begin(), unique.end());
  std::string data;
  AppendStringArray(names, data);
  WriteJson(Envelope(data, static_cast<int64_t>(names.size())),
            IsPrettyPrint(runtime::ParseQuery(request.query)), response);
}

void Api::Operations(const HttpRequest& request, HttpResponse& response) {
  const QueryParams params = runtime::ParseQuery(request.query);
  const std::string service(FormValue(params, "service"));
  if (service.empty()) return WriteError(400, "parameter 'service' is required", response);
  std::optional<tracecore::SpanKind> kind;
  if (Status status = ParseSpanKind(FormValue(params, "spanKind"), kind); !status.ok()) {
    return WriteError(status, response);
  }
  std::vector<storage::Operation> operations;
  if (Status status = service_.GetOperations(service, kind, operations); !status.ok()) {
    return WriteError(status, response);
  }
  std::string data;
  AppendOperations(operations, data);
  WriteJson(Envelope(data, static_cast<int64_t>(operations.size())), IsPrettyPrint(params),
            response);
}

Status Api::LoadTraces(const std::vector<tracecore::TraceId>& ids, bool raw, bool report_missing,
                       TracesResult& result) {
  ReadBudget budget = service_.NewBudget();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (budget.spans_left == 0) {
      result.AddError("the response holds " +
                          std::to_string(service_.options().max_response_spans) +
                          " spans, the most one response may (--query.max-trace-size); " +
                          std::to_string(ids.size() - i) +
                          " more traces were not loaded: narrow the search or lower the limit",
                      "");
      break;
    }
    LoadedTrace trace;
    bool found = false;
    ARIADNE_RETURN_IF_ERROR(service_.GetTrace(ids[i], raw, budget, trace, found));
    if (!found) {
      if (report_missing) result.AddError(std::string(kTraceNotFound), ids[i].ToJaegerHex());
      continue;
    }
    result.Add(trace);
  }
  return {};
}

void Api::Search(const HttpRequest& request, HttpResponse& response) {
  const QueryParams params = runtime::ParseQuery(request.query);
  SearchRequest search;
  if (Status status = ParseSearch(params, Window(), options_.max_limit, search); !status.ok()) {
    return WriteError(status, response);
  }
  const bool multi_get = !search.trace_ids.empty();
  std::vector<tracecore::TraceId> ids = std::move(search.trace_ids);
  if (!multi_get) {
    if (Status status = service_.FindTraceIds(search.query, ids); !status.ok()) {
      return WriteError(status, response);
    }
  }
  RenderJson(IsPrettyPrint(params), response, [&](std::string& out) -> Status {
    TracesResult result(out, service_.fork_join());
    ARIADNE_RETURN_IF_ERROR(LoadTraces(ids, IsRaw(params), multi_get, result));
    result.Finish();
    return {};
  });
}

void Api::Trace(const HttpRequest& request, HttpResponse& response) {
  const QueryParams params = runtime::ParseQuery(request.query);
  tracecore::TraceId id;
  const std::string_view id_text = request.path.substr(Path("/api/traces/").size());
  if (Status status = ParseTraceId(id_text, id); !status.ok()) {
    return WriteError(status, response);
  }
  ReadBudget budget = service_.NewBudget();
  LoadedTrace trace;
  bool found = false;
  if (Status status = service_.GetTrace(id, IsRaw(params), budget, trace, found); !status.ok()) {
    return WriteError(status, response);
  }
  if (!found) return WriteError(404, kTraceNotFound, response);
  RenderJson(IsPrettyPrint(params), response, [&](std::string& out) -> Status {
    TracesResult result(out, service_.fork_join());
    result.Add(trace);
    result.Finish();
    return {};
  });
}

void Api::Dependencies(const HttpRequest& request, HttpResponse& response) {
  const QueryParams params = runtime::ParseQuery(request.query);
  DependenciesRequest query;
  if (Status status = ParseDependencies(params, Window(), query); !status.ok()) {
    return WriteError(status, response);
  }
  std::vector<storage::DependencyLink> links;
  if (Status status = service_.GetDependencies(query.end_time, query.lookback, links);
      !status.ok()) {
    return WriteError(status, response);
  }
  // Summed per (parent, child), only links touching `service` when one is given.
  std::map<std::pair<std::string, std::string>, uint64_t> calls;
  for (const storage::DependencyLink& link : links) {
    if (query.service.empty() || link.parent == query.service || link.child == query.service) {
      calls[{link.parent, link.child}] += link.call_count;
    }
  }
  std::vector<storage::DependencyLink> summed;
  summed.reserve(calls.size());
  for (const auto& [pair, count] : calls) summed.push_back({pair.first, pair.second, count});
  std::string data;
  AppendDependencies(summed, data);
  // Jaeger leaves "total" at 0 here.
  WriteJson(Envelope(data, 0), IsPrettyPrint(params), response);
}

void Api::Archive(const HttpRequest& request, HttpResponse& response) {
  tracecore::TraceId id;
  const std::string_view id_text = request.path.substr(Path("/api/archive/").size());
  if (Status status = ParseTraceId(id_text, id); !status.ok()) {
    return WriteError(status, response);
  }
  bool found = false;
  if (Status status = service_.ArchiveTrace(id, found); !status.ok()) {
    return WriteError(status, response);
  }
  if (!found) return WriteError(404, kTraceNotFound, response);
  // Jaeger answers an archived trace with an empty list of errors rather than null.
  std::string out;
  tracecore::jaeger_ui::AppendEnvelope("[]", 0, {}, out);
  constexpr std::string_view kNullErrors = "\"errors\":null";
  if (const size_t at = out.rfind(kNullErrors); at != std::string::npos) {
    out.replace(at, kNullErrors.size(), "\"errors\":[]");
  }
  WriteJson(std::move(out), IsPrettyPrint(runtime::ParseQuery(request.query)), response);
}

// Splits `batch` into one trace per trace id, in the order their first spans appear.
std::vector<LoadedTrace> SplitTraces(const tracecore::SpanBatch& batch) {
  std::vector<LoadedTrace> traces;
  // Keyed by (high, low): TraceId's defaulted <=> trips clang-tidy in std::map.
  using Key = std::pair<uint64_t, uint64_t>;
  const auto key = [](const tracecore::Span& span) {
    return Key(span.trace_id.high, span.trace_id.low);
  };
  std::map<Key, size_t> index;
  for (const tracecore::Span& span : batch.spans()) {
    auto [at, added] = index.emplace(key(span), traces.size());
    if (added) traces.emplace_back();
  }
  std::vector<std::unique_ptr<tracecore::SpanCopier>> copiers;
  copiers.reserve(traces.size());
  for (LoadedTrace& trace : traces) {
    copiers.push_back(std::make_unique<tracecore::SpanCopier>(trace.batch));
  }
  for (const tracecore::Span& span : batch.spans()) {
    copiers[index.at(key(span))]->Copy(batch, span);
  }
  for (LoadedTrace& trace : traces) {
    for (tracecore::Span& span : trace.batch.spans()) trace.spans.push_back(&span);
  }
  return traces;
}

void Api::Transform(const HttpRequest& request, HttpResponse& response) {
  tracecore::SpanBatch batch;
  if (Status status = tracecore::otlp::DecodeExportRequestJson(request.body, batch); !status.ok()) {
    return WriteError(400,
                      "the body is not OTLP JSON (an ExportTraceServiceRequest or TracesData, "
                      "as the OpenTelemetry exporters and Jaeger's api_v3 write it): " +
                          status.message(),
                      response);
  }
  if (batch.spans().size() > service_.options().max_response_spans) {
    return WriteError(413,
                      "the body holds " + std::to_string(batch.spans().size()) +
                          " spans, more than one response may (--query.max-trace-size=" +
                          std::to_string(service_.options().max_response_spans) + ")",
                      response);
  }
  const std::vector<LoadedTrace> traces = SplitTraces(batch);
  RenderJson(IsPrettyPrint(runtime::ParseQuery(request.query)), response,
             [&](std::string& out) -> Status {
               TracesResult result(out, service_.fork_join());
               for (const LoadedTrace& trace : traces) result.Add(trace);
               result.Finish();
               return {};
             });
}

}  // namespace

unsigned HttpStatusFor(const Status& status) {
  switch (status.code()) {
    case tracecore::StatusCode::kInvalidArgument: return 400;
    case tracecore::StatusCode::kResourceExhausted:
    case tracecore::StatusCode::kUnavailable: return 503;
    case tracecore::StatusCode::kUnimplemented: return 501;
    default: return 500;
  }
}

void AddApiRoutes(const ApiOptions& options, QueryService& service, runtime::HttpRouter& router,
                  RouteOperations& operations) {
  auto api = std::make_shared<Api>(options, service);
  using boost::beast::http::verb;
  static constexpr ApiRoute<Api> kRoutes[] = {
      {"/api/services", false, Operation::kGetServices, &Api::Services},
      {"/api/services/", true, Operation::kGetOperations, &Api::ServiceOperations},
      {"/api/operations", false, Operation::kGetOperations, &Api::Operations},
      {"/api/traces", false, Operation::kFindTraces, &Api::Search},
      {"/api/traces/", true, Operation::kGetTrace, &Api::Trace},
      {"/api/dependencies", false, Operation::kGetDependencies, &Api::Dependencies},
      {"/api/archive/", true, Operation::kArchiveTrace, &Api::Archive, verb::post},
      {"/api/transform", false, Operation::kTransform, &Api::Transform, verb::post},
  };
  AddApiObjectRoutes(api, kRoutes, router, operations);
}

}  // namespace ariadne::query
