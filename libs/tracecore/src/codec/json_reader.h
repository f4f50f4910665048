// Reading JSON for the codecs with simdjson On Demand (error-code API, no exceptions): parsing
// into a per-thread buffer, strings that outlive the parse, and the Status-path helpers that
// build messages such as "resourceSpans[0].scopeSpans[1].spans[2].traceId: expected ...".
// Internal to libtracecore.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::json {

namespace sj = simdjson::ondemand;

// ----------------------------------------------------------------------------------------------
// Parsing.

// A parser and a padded copy of the input. Each codec keeps one per thread, so that a decode
// allocates only when its input is larger than any before it on that thread.
struct ParseState {
  sj::parser parser;
  std::string padded;
};

// One parse of the caller's bytes `json`. Strings read through it outlive the parse: a string
// without escapes is a view into `json` (the padded copy simdjson parses has the same offsets,
// and simdjson has checked that the whole input is UTF-8); an escaped one is unescaped by simdjson
// and copied into the batch arena.
class JsonInput {
 public:
  // `max_depth` bounds the nesting simdjson accepts; when the input is larger than
  // `keep_padded_bytes`, the padded copy is released when the JsonInput is destroyed.
  JsonInput(std::string_view json, ParseState& state, SpanBatch& batch,
            size_t max_depth = simdjson::DEFAULT_MAX_DEPTH, size_t keep_padded_bytes = 1 << 20);
  ~JsonInput();
  JsonInput(const JsonInput&) = delete;
  JsonInput& operator=(const JsonInput&) = delete;

  // Copies the input into the padded buffer and starts iterating it. MEMALLOC when the parser
  // cannot get its buffers.
  simdjson::error_code Iterate(sj::document& document);

  // A string value (INCORRECT_TYPE for any other JSON type; STRING_ERROR for a bad escape).
  simdjson::error_code ReadString(sj::value& value, std::string_view& out);
  // The key of `field`; consumes it (call before reading the field's value).
  simdjson::error_code ReadKey(sj::field& field, std::string_view& out);

 private:
  // `text` as a view that outlives the parse: into the caller's bytes when it lies in the padded
  // copy (same offsets), else (simdjson's unescaped text) copied into the batch arena.
  std::string_view Durable(std::string_view text);

  std::string_view json_;
  ParseState& state_;
  SpanBatch& batch_;
  size_t max_depth_;
  size_t keep_padded_bytes_;
};

// True when something other than whitespace follows the document's root value (call after the
// root has been read).
bool HasContentAfterRoot(sj::document& document);

// ----------------------------------------------------------------------------------------------
// The Status path. A leaf error's message starts with ": "; each enclosing field or array element
// prefixes its name (AtField, AtIndex), and the decoder finally prefixes the format's name.

Status Invalid(std::string_view what);
// "wrong JSON type" for INCORRECT_TYPE, else "invalid JSON: <simdjson's message>".
Status JsonError(simdjson::error_code error);
// Invalid(expected) for INCORRECT_TYPE, else JsonError(error).
Status TypeError(simdjson::error_code error, std::string_view expected);
// Keeps the status code (InvalidArgument or ResourceExhausted).
Status AtFieldError(const Status& status, std::string_view name);
Status AtIndexError(const Status& status, std::string_view name, size_t index);
inline Status AtField(Status status, std::string_view name) {
  return status.ok() ? std::move(status) : AtFieldError(status, name);
}
inline Status AtIndex(Status status, std::string_view name, size_t index) {
  return status.ok() ? std::move(status) : AtIndexError(status, name, index);
}
// The final message: "<format>: <path>: <what>" (or "<format>: <what>"); OK stays OK.
Status InFormat(std::string_view format, const Status& status);

Status TypeOf(sj::value& value, sj::json_type& type);
// True for null; the value is left unconsumed, and the enclosing iteration skips it.
bool IsNull(sj::value& value);

// A string whose view lives only until the next parse (ids, numbers, enum names).
Status ReadTransientString(sj::value& value, std::string_view& out);
// The key of `field`, as a view that lives only until the next parse. Read in place (keys rarely
// have escapes); only an escaped key is unescaped by simdjson.
simdjson::error_code ReadTransientKey(sj::field& field, std::string_view& out);
// A string that outlives the parse (see JsonInput).
Status ReadString(JsonInput& input, sj::value& value, std::string_view& out);

// Calls on_field(key, value) for each member whose value is not null (proto3 JSON and Go's
// encoder both write null for "absent"). `key` is transient.
template <typename OnField>
Status ForEachField(sj::object& object, OnField&& on_field) {
  for (auto field_result : object) {
    sj::field field;
    if (auto error = std::move(field_result).get(field)) return JsonError(error);
    std::string_view key;
    if (auto error = ReadTransientKey(field, key)) return JsonError(error);
    sj::value value = field.value();
    if (IsNull(value)) continue;
    ARIADNE_RETURN_IF_ERROR(on_field(key, value));
  }
  return {};
}

template <typename OnField>
Status ForEachField(sj::value& value, OnField&& on_field) {
  sj::object object;
  if (auto error = value.get_object().get(object)) return TypeError(error, "expected an object");
  return ForEachField(object, on_field);
}

// Marks "no pre-count wanted" for ForEachElement.
struct NoCount {
  void operator()(size_t) const {}
};

// Calls on_count(number of elements) first unless OnCount is NoCount (counting is a second pass
// over the array's structure, worth it to size arena arrays exactly), then on_element(i, value).
// Errors are reported as "<name>[i]..." or "<name>: expected an array".
template <typename OnCount, typename OnElement>
Status ForEachElement(sj::value& value, std::string_view name, OnCount&& on_count,
                      OnElement&& on_element) {
  sj::array array;
  if (auto error = value.get_array().get(array)) {
    return AtField(TypeError(error, "expected an array"), name);
  }
  if constexpr (!std::is_same_v<std::decay_t<OnCount>, NoCount>) {
    size_t count = 0;
    if (auto error = array.count_elements().get(count)) return AtField(JsonError(error), name);
    on_count(count);
  }
  size_t index = 0;
  for (auto element_result : array) {
    sj::value element;
    if (auto error = element_result.get(element)) return AtIndex(JsonError(error), name, index);
    ARIADNE_RETURN_IF_ERROR(AtIndex(on_element(index, element), name, index));
    ++index;
  }
  return {};
}

}  // namespace ariadne::tracecore::json
