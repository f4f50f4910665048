// The JSON of the query HTTP API beyond what tracecore's jaeger_ui codec writes: the `data` of
// services, operations and dependencies, traces with their warnings, error bodies, and Go's
// indented form for prettyPrint (reference §4).
//
// Strings are written as tracecore's JSON writer writes them (invalid UTF-8 repaired with
// U+FFFD; '"', '\\' and control characters escaped). Pure functions.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "loaded_trace.h"
#include "runtime/fork_join.h"
#include "storage/span_reader.h"
#include "tracecore/codec/jaeger_ui_json.h"

namespace ariadne::query {

// One JSON string: `text` quoted and escaped (invalid UTF-8 repaired with U+FFFD).
void AppendJsonString(std::string_view text, std::string& out);
// ["a","b"]
void AppendStringArray(const std::vector<std::string>& items, std::string& out);
// [{"name":"op","spanKind":"server"}]; an unspecified kind is "".
void AppendOperations(const std::vector<storage::Operation>& operations, std::string& out);
// [{"parent":"a","child":"b","callCount":3}]
void AppendDependencies(const std::vector<storage::DependencyLink>& links, std::string& out);

// Adds `trace` to `envelope`: trace.spans in order, tags sorted by key once the adjusters ran,
// and the warnings of the trace and of each span ("warnings":null when there are none). A large
// trace is written in two halves at once through `split`.
void AddLoadedTrace(const LoadedTrace& trace, tracecore::jaeger_ui::TracesEnvelope& envelope,
                    runtime::ForkJoin& split);

// The body of an error answer, as Jaeger's http.Error writes it: the envelope with one error
// {"code":status,"msg":message} and data null, then a newline.
std::string ErrorBody(unsigned status, std::string_view message);

// `compact` JSON re-written as Go's json.MarshalIndent(v, "", "    ") writes it: one member or
// element per line, 4 spaces per level, "key": value, empty objects and arrays as {} and [].
void IndentJson(std::string_view compact, std::string& out);

}  // namespace ariadne::query
