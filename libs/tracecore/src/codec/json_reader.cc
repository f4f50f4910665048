#include "json_reader.h"

#include <cstring>

namespace ariadne::tracecore::json {
namespace {

// Scans the raw text of a string from `raw` (just after its opening quote) to its closing quote.
// simdjson has checked the document's structure, so the closing quote is there.
bool HasEscape(const char* raw, size_t& length) {
  const char* end = raw;
  bool escaped = false;
  while (*end != '"') {
    if (*end == '\\') {
      escaped = true;
      ++end;
    }
    ++end;
  }
  length = static_cast<size_t>(end - raw);
  return escaped;
}

Status Rebuild(const Status& status, std::string message) {
  if (status.code() == StatusCode::kResourceExhausted) {
    return Status::ResourceExhausted(std::move(message));
  }
  return Status::InvalidArgument(std::move(message));
}

}  // namespace

JsonInput::JsonInput(std::string_view json, ParseState& state, SpanBatch& batch, size_t max_depth,
                     size_t keep_padded_bytes)
    : json_(json),
      state_(state),
      batch_(batch),
      max_depth_(max_depth),
      keep_padded_bytes_(keep_padded_bytes) {}

JsonInput::~JsonInput() {
  if (state_.padded.capacity() > keep_padded_bytes_) std::string().swap(state_.padded);
}

simdjson::error_code JsonInput::Iterate(sj::document& document) {
  sj::parser& parser = state_.parser;
  if (parser.max_depth() != max_depth_ || parser.capacity() < json_.size()) {
    if (auto error = parser.allocate(json_.size(), max_depth_)) return error;
  }
  state_.padded.resize(json_.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(state_.padded.data(), json_.data(), json_.size());
  return parser.iterate(state_.padded.data(), json_.size(), state_.padded.size()).get(document);
}

template <typename Unescape>
simdjson::error_code JsonInput::Durable(const char* raw, Unescape&& unescape,
                                        std::string_view& out) {
  size_t length = 0;
  if (!HasEscape(raw, length)) {
    out = json_.substr(static_cast<size_t>(raw - state_.padded.data()), length);
    return simdjson::SUCCESS;
  }
  std::string_view unescaped;
  if (auto error = unescape().get(unescaped)) return error;
  out = batch_.Copy(unescaped);
  return simdjson::SUCCESS;
}

simdjson::error_code JsonInput::ReadString(sj::value& value, std::string_view& out) {
  sj::json_type type;
  if (auto error = value.type().get(type)) return error;
  if (type != sj::json_type::string) return simdjson::INCORRECT_TYPE;
  std::string_view token = value.raw_json_token();  // "text" plus any whitespace after it
  return Durable(
      token.data() + 1, [&] { return value.get_string(); }, out);
}

simdjson::error_code JsonInput::ReadKey(sj::field& field, std::string_view& out) {
  return Durable(
      field.key().raw(), [&] { return field.unescaped_key(); }, out);
}

bool HasContentAfterRoot(sj::document& document) {
  // current_location() is in bounds only when something follows the root value.
  return !document.current_location().error();
}

Status Invalid(std::string_view what) {
  std::string message = ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Status JsonError(simdjson::error_code error) {
  if (error == simdjson::INCORRECT_TYPE) return Invalid("wrong JSON type");
  std::string message = "invalid JSON: ";
  message += simdjson::error_message(error);
  return Invalid(message);
}

Status TypeError(simdjson::error_code error, std::string_view expected) {
  return error == simdjson::INCORRECT_TYPE ? Invalid(expected) : JsonError(error);
}

Status AtField(Status status, std::string_view name) {
  if (status.ok()) return status;
  std::string message(name);
  const std::string& inner = status.message();
  if (!inner.empty() && inner[0] != ':' && inner[0] != '[') message.push_back('.');
  message += inner;
  return Rebuild(status, std::move(message));
}

Status AtIndex(Status status, std::string_view name, size_t index) {
  if (status.ok()) return status;
  std::string segment(name);
  segment.push_back('[');
  segment += std::to_string(index);
  segment.push_back(']');
  return AtField(std::move(status), segment);
}

Status InFormat(std::string_view format, const Status& status) {
  if (status.ok()) return status;
  std::string message(format);
  if (status.message().rfind(": ", 0) != 0) message += ": ";
  message += status.message();
  return Rebuild(status, std::move(message));
}

Status TypeOf(sj::value& value, sj::json_type& type) {
  if (auto error = value.type().get(type)) return JsonError(error);
  return {};
}

bool IsNull(sj::value& value) {
  sj::json_type type;
  return !value.type().get(type) && type == sj::json_type::null;
}

Status ReadTransientString(sj::value& value, std::string_view& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type != sj::json_type::string) return Invalid("expected a string");
  if (auto error = value.get_string().get(out)) return JsonError(error);
  return {};
}

Status ReadString(JsonInput& input, sj::value& value, std::string_view& out) {
  sj::json_type type;
  ARIADNE_RETURN_IF_ERROR(TypeOf(value, type));
  if (type != sj::json_type::string) return Invalid("expected a string");
  if (auto error = input.ReadString(value, out)) return JsonError(error);
  return {};
}

}  // namespace ariadne::tracecore::json
