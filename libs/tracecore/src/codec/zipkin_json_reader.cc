#include "zipkin_json_reader.h"

#include <cmath>
#include <utility>

#include "tracecore/codec/zipkin.h"

namespace ariadne::tracecore::zipkin {
namespace {

using simdjson::ondemand::json_type;

// One parser per thread: it keeps its buffers between requests.
simdjson::ondemand::parser& ThreadParser() {
  thread_local simdjson::ondemand::parser parser;
  return parser;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ReadHex4(const char* text, uint32_t& out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    int digit = HexDigit(text[i]);
    if (digit < 0) return false;
    out = (out << 4) | static_cast<uint32_t>(digit);
  }
  return true;
}

void AppendUtf8(uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Unescapes the JSON string body `raw` (between the quotes). False on a bad escape or a lone
// surrogate.
bool Unescape(std::string_view raw, std::string& out) {
  out.clear();
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i == raw.size()) return false;
    switch (raw[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        uint32_t unit;
        if (raw.size() - i - 1 < 4 || !ReadHex4(raw.data() + i + 1, unit)) return false;
        i += 4;
        if (unit >= 0xDC00 && unit <= 0xDFFF) return false;
        if (unit >= 0xD800 && unit <= 0xDBFF) {
          uint32_t low;
          if (raw.size() - i - 1 < 6 || raw[i + 1] != '\\' || raw[i + 2] != 'u' ||
              !ReadHex4(raw.data() + i + 3, low) || low < 0xDC00 || low > 0xDFFF) {
            return false;
          }
          i += 6;
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        }
        AppendUtf8(unit, out);
        break;
      }
      default: return false;
    }
  }
  return true;
}

bool IsNull(ZipkinJsonReader::Value& value) {
  json_type type;
  return !value.type().get(type) && type == json_type::null;
}

}  // namespace

ZipkinJsonReader::ZipkinJsonReader(std::string_view format, std::string_view bytes,
                                   SpanBatch& batch)
    : format_(format), bytes_(bytes), batch_(batch), padded_(bytes.data(), bytes.size()) {}

Status ZipkinJsonReader::Start(simdjson::ondemand::array& spans) {
  simdjson::ondemand::parser& parser = ThreadParser();
  if (parser.max_depth() != kMaxJsonDepth || parser.capacity() < bytes_.size()) {
    if (auto error = parser.allocate(bytes_.size(), kMaxJsonDepth); error) {
      return Status::ResourceExhausted(std::string(format_) + ": " +
                                       simdjson::error_message(error));
    }
  }
  if (auto error = parser.iterate(padded_).get(document_); error) {
    return Status::InvalidArgument(std::string(format_) + ": " + simdjson::error_message(error));
  }
  if (auto error = document_.get_array().get(spans); error) {
    return Status::InvalidArgument(std::string(format_) + ": expected a JSON array of spans (" +
                                   simdjson::error_message(error) + ")");
  }
  return Status::Ok();
}

Status ZipkinJsonReader::End() {
  // In bounds after the root array means something follows it.
  const char* location;
  if (!document_.current_location().get(location)) {
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

const char* ZipkinJsonReader::StringAt(const char* raw, std::string_view& out) {
  // simdjson has checked the document's structure, so the closing quote is there.
  const char* end = raw;
  bool escaped = false;
  while (*end != '"') {
    if (*end == '\\') {
      escaped = true;
      ++end;
    }
    ++end;
  }
  size_t offset = static_cast<size_t>(raw - padded_.data());
  size_t length = static_cast<size_t>(end - raw);
  if (!escaped) {
    out = bytes_.substr(offset, length);
    return nullptr;
  }
  if (!Unescape(std::string_view(raw, length), unescaped_)) return "invalid escape sequence";
  out = batch_.Copy(unescaped_);
  return nullptr;
}

const char* ZipkinJsonReader::ReadString(Value& value, std::string_view& out) {
  out = {};
  if (IsNull(value)) return nullptr;
  simdjson::ondemand::raw_json_string raw;
  if (value.get_raw_json_string().get(raw)) return "expected a string";
  return StringAt(raw.raw(), out);
}

const char* ZipkinJsonReader::ReadKey(simdjson::ondemand::field& field, std::string_view& out) {
  return StringAt(field.key().raw(), out);
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
