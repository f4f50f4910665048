#include "json_reader.h"

#include <cstdint>
#include <cstring>

namespace ariadne::tracecore::json {
namespace {

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

std::string_view JsonInput::Durable(std::string_view text) {
  const auto begin = reinterpret_cast<uintptr_t>(state_.padded.data());
  const auto start = reinterpret_cast<uintptr_t>(text.data());
  if (start >= begin && start + text.size() <= begin + json_.size()) {
    return json_.substr(start - begin, text.size());
  }
  return batch_.Copy(text);
}

simdjson::error_code JsonInput::ReadString(sj::value& value, std::string_view& out) {
  // The token runs from the opening quote to the next structural character: the closing quote
  // plus any whitespace after it. Stage 1 has checked that the string is closed.
  std::string_view token = value.raw_json_token();
  if (token.empty() || token[0] != '"') return simdjson::INCORRECT_TYPE;
  while (token.size() > 1 && token.back() != '"') token.remove_suffix(1);
  if (token.size() < 2) return simdjson::STRING_ERROR;
  std::string_view text = token.substr(1, token.size() - 2);
  if (std::memchr(text.data(), '\\', text.size()) != nullptr) {
    if (auto error = value.get_string().get(text)) return error;  // unescaped by simdjson
  }
  out = Durable(text);
  return simdjson::SUCCESS;
}

simdjson::error_code JsonInput::ReadKey(sj::field& field, std::string_view& out) {
  std::string_view key;
  if (auto error = ReadTransientKey(field, key)) return error;
  out = Durable(key);
  return simdjson::SUCCESS;
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

Status AtFieldError(const Status& status, std::string_view name) {
  std::string message(name);
  const std::string& inner = status.message();
  if (!inner.empty() && inner[0] != ':' && inner[0] != '[') message.push_back('.');
  message += inner;
  return Rebuild(status, std::move(message));
}

Status AtIndexError(const Status& status, std::string_view name, size_t index) {
  std::string segment(name);
  segment.push_back('[');
  segment += std::to_string(index);
  segment.push_back(']');
  return AtFieldError(status, segment);
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
  if (auto error = value.get_string().get(out)) return TypeError(error, "expected a string");
  return {};
}

simdjson::error_code ReadTransientKey(sj::field& field, std::string_view& out) {
  const char* raw = field.key().raw();  // just after the opening quote
  const char* end = raw;
  while (*end != '"' && *end != '\\') ++end;  // the closing quote is there (stage 1 checked)
  if (*end == '"') {
    out = std::string_view(raw, static_cast<size_t>(end - raw));
    return simdjson::SUCCESS;
  }
  return field.unescaped_key().get(out);
}

Status ReadString(JsonInput& input, sj::value& value, std::string_view& out) {
  if (auto error = input.ReadString(value, out)) return TypeError(error, "expected a string");
  return {};
}

}  // namespace ariadne::tracecore::json
