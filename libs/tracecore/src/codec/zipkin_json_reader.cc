#include "zipkin_json_reader.h"

#include <cmath>
#include <utility>

#include "tracecore/codec/zipkin.h"

namespace ariadne::tracecore::zipkin {
namespace {

using json::IsNull;
using simdjson::ondemand::json_type;

// One parser and padded buffer per thread, kept between requests.
json::ParseState& ThreadParseState() {
  thread_local json::ParseState state;
  return state;
}

// The message for a failed string read.
const char* StringError(simdjson::error_code error) {
  if (error == simdjson::INCORRECT_TYPE) return "expected a string";
  if (error == simdjson::STRING_ERROR) return "invalid escape sequence";
  return simdjson::error_message(error);
}

}  // namespace

ZipkinJsonReader::ZipkinJsonReader(std::string_view format, std::string_view bytes,
                                   SpanBatch& batch)
    : format_(format), input_(bytes, ThreadParseState(), batch, kMaxJsonDepth) {}

Status ZipkinJsonReader::Start(simdjson::ondemand::array& spans) {
  if (auto error = input_.Iterate(document_); error) {
    std::string message = std::string(format_) + ": " + simdjson::error_message(error);
    if (error == simdjson::MEMALLOC) return Status::ResourceExhausted(std::move(message));
    return Status::InvalidArgument(std::move(message));
  }
  if (auto error = document_.get_array().get(spans); error) {
    return Status::InvalidArgument(std::string(format_) + ": expected a JSON array of spans (" +
                                   simdjson::error_message(error) + ")");
  }
  return Status::Ok();
}

Status ZipkinJsonReader::End() {
  if (json::HasContentAfterRoot(document_)) {
    return Status::InvalidArgument(std::string(format_) + ": unexpected content after the array");
  }
  return Status::Ok();
}

Status ZipkinJsonReader::Error(std::string_view field, std::string_view what) const {
  std::string message(format_);
  message += ": span[" + std::to_string(span_index_) + "]";
  if (!field.empty()) {
    message += '.';
    message += field;
  }
  message += ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

Status ZipkinJsonReader::Error(std::string_view field, simdjson::error_code error) const {
  return Error(field, simdjson::error_message(error));
}

const char* ZipkinJsonReader::ReadString(Value& value, std::string_view& out) {
  out = {};
  if (IsNull(value)) return nullptr;
  if (auto error = input_.ReadString(value, out); error) return StringError(error);
  return nullptr;
}

const char* ZipkinJsonReader::ReadKey(simdjson::ondemand::field& field, std::string_view& out) {
  if (auto error = input_.ReadKey(field, out); error) return StringError(error);
  return nullptr;
}

const char* ZipkinJsonReader::SkipNested(Value& value, size_t depth) {
  json_type type;
  if (value.type().get(type)) return "invalid value";
  if (type != json_type::array && type != json_type::object) return nullptr;  // skipped for us
  if (depth >= kMaxJsonDepth) return "nested too deeply";
  if (type == json_type::array) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array)) return "invalid array";
    for (auto element_result : array) {
      Value element;
      if (std::move(element_result).get(element)) return "invalid array";
      if (const char* error = SkipNested(element, depth + 1)) return error;
    }
    return nullptr;
  }
  simdjson::ondemand::object object;
  if (value.get_object().get(object)) return "invalid object";
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (std::move(member_result).get(member)) return "invalid object";
    if (const char* error = SkipNested(member.value(), depth + 1)) return error;
  }
  return nullptr;
}

Status ZipkinJsonReader::SkipUnknown(Value& value, std::string_view field) {
  if (const char* error = SkipNested(value, 0)) return Error(field, error);
  return Status::Ok();
}

const char* ZipkinJsonReader::ReadTraceId(Value& value, TraceId& out) {
  std::string_view text;
  if (const char* error = ReadString(value, text)) return error;
  out = {};
  if (text.empty()) return nullptr;
  auto id = TraceId::FromHex(text);
  if (!id) return "expected 1 to 32 hex chars";
  out = *id;
  return nullptr;
}

const char* ZipkinJsonReader::ReadSpanId(Value& value, SpanId& out) {
  std::string_view text;
  if (const char* error = ReadString(value, text)) return error;
  out = {};
  if (text.empty()) return nullptr;
  auto id = SpanId::FromHex(text);
  if (!id) return "expected 1 to 16 hex chars";
  out = *id;
  return nullptr;
}

const char* ZipkinJsonReader::ReadUint64(Value& value, uint64_t& out) {
  out = 0;
  json_type type;
  if (value.type().get(type)) return "invalid value";
  if (type == json_type::null) return nullptr;
  if (type != json_type::number) return "expected a number";
  // Failed getters do not consume the number, so the next form can be tried.
  if (!value.get_uint64().get(out)) return nullptr;
  int64_t negative;
  if (!value.get_int64().get(negative)) return "expected a non-negative number";
  double real;
  if (value.get_double().get(real)) return "invalid number";
  if (!std::isfinite(real) || real < 0 || real >= 18446744073709551616.0) {
    return "number out of range";
  }
  out = static_cast<uint64_t>(real);
  return nullptr;
}

const char* ZipkinJsonReader::ReadBool(Value& value, bool& out) {
  out = false;
  if (IsNull(value)) return nullptr;
  if (value.get_bool().get(out)) return "expected true or false";
  return nullptr;
}

Status ZipkinJsonReader::ReadEndpoint(Value& value, std::string_view field, ZipkinEndpoint& out) {
  out = {};
  if (IsNull(value)) return Status::Ok();
  simdjson::ondemand::object object;
  if (auto error = value.get_object().get(object); error) return Error(field, "expected an object");
  for (auto member_result : object) {
    simdjson::ondemand::field member;
    if (auto error = std::move(member_result).get(member); error) return Error(field, error);
    simdjson::ondemand::raw_json_string key = member.key();
    Value& member_value = member.value();
    const char* what = nullptr;
    std::string_view name;
    if (key == "serviceName") {
      name = "serviceName";
      what = ReadString(member_value, out.service_name);
    } else if (key == "ipv4" || key == "ipv6") {
      name = key == "ipv4" ? "ipv4" : "ipv6";
      std::string_view text;
      what = ReadString(member_value, text);
      ZipkinEndpoint parsed;
      if (what == nullptr && !text.empty()) {
        bool want_v6 = name == "ipv6";
        if (!ParseIp(text, parsed) || parsed.has_ipv6 != want_v6) {
          what = want_v6 ? "expected an IPv6 address" : "expected an IPv4 address";
        } else if (want_v6) {
          out.ipv6 = parsed.ipv6;
          out.has_ipv6 = true;
        } else {
          out.ipv4 = parsed.ipv4;
        }
      }
    } else if (key == "port") {
      name = "port";
      uint64_t port;
      what = ReadUint64(member_value, port);
      if (what == nullptr && port > 65535) what = "expected a port number (0 to 65535)";
      if (what == nullptr) out.port = static_cast<uint16_t>(port);
    } else {
      ARIADNE_RETURN_IF_ERROR(SkipUnknown(member_value, field));
    }
    if (what != nullptr) return Error(std::string(field) + "." + std::string(name), what);
  }
  return Status::Ok();
}

}  // namespace ariadne::tracecore::zipkin
