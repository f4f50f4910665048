// Fuzz target: the query parameters of the HTTP APIs (Jaeger's /api and api_v3). The input is
// split at '&' into name=value pairs, decoded already, as runtime::ParseQuery hands them over;
// every parser of the query service then reads them, and the whole input also goes to the
// single-value parsers (RFC 3339 times, Go booleans, span kinds, trace ids).
#include <string_view>

#include "api_v3_parameters.h"
#include "fuzz_target.h"
#include "query_parameters.h"

namespace {

using ariadne::query::QueryParams;

QueryParams SplitPairs(std::string_view input) {
  QueryParams params;
  while (!input.empty()) {
    const size_t end = input.find('&');
    std::string_view pair = input.substr(0, end);
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      params.emplace_back(std::string(pair), std::string());
    } else {
      params.emplace_back(std::string(pair.substr(0, equals)),
                          std::string(pair.substr(equals + 1)));
    }
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return params;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace ariadne::query;
  const std::string_view input = ariadne::fuzz::AsView(data, size);
  const QueryParams params = SplitPairs(input);
  const TimeWindow window{.now = 1'764'000'000'000'000'000ULL,
                          .lookback = std::chrono::hours(1),
                          .max_lookback = std::chrono::hours(72)};

  SearchRequest search;
  (void)ParseSearch(params, window, /*max_limit=*/1500, search);
  DependenciesRequest dependencies;
  (void)ParseDependencies(params, window, dependencies);
  (void)IsRaw(params);
  (void)IsPrettyPrint(params);

  V3GetTraceRequest get_trace;
  (void)ParseV3GetTrace(FormValue(params, "id"), params, get_trace);
  V3SearchRequest v3_search;
  (void)ParseV3Search(params, window, /*max_depth=*/1500, v3_search);
  V3OperationsRequest operations;
  (void)ParseV3Operations(params, operations);
  V3DependenciesRequest v3_dependencies;
  (void)ParseV3Dependencies(params, window, v3_dependencies);

  uint64_t time = 0;
  (void)ParseRfc3339Nano(input, time);
  bool flag = false;
  (void)ParseGoBool(input, flag);
  std::optional<ariadne::tracecore::SpanKind> kind;
  (void)ParseSpanKind(input, kind);
  ariadne::tracecore::TraceId trace_id;
  (void)ParseTraceId(input, trace_id);
  return 0;
}
