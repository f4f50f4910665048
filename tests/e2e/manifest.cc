#include "manifest.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace ariadne::e2e {
namespace {

using tracecore::Status;
using Json = rapidjson::Value;

Status Error(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

Status ReadString(const Json& object, const char* key, const std::string& where, std::string& out) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsString()) {
    return Error(where + "." + key, "expected a string");
  }
  out.assign(member->value.GetString(), member->value.GetStringLength());
  return {};
}

// Nanosecond times are decimal strings (they exceed a double's exact range).
Status ReadNanos(const Json& object, const char* key, const std::string& where, uint64_t& out) {
  std::string text;
  ARIADNE_RETURN_IF_ERROR(ReadString(object, key, where, text));
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    return Error(where + "." + key, "expected decimal nanoseconds, got \"" + text + "\"");
  }
  return {};
}

Status ReadInt(const Json& object, const char* key, const std::string& where, int& out) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsInt()) {
    return Error(where + "." + key, "expected an integer");
  }
  out = member->value.GetInt();
  return {};
}

// One scalar of the manifest's `type` ("string", "int", "double", "bool") as PlainValue text.
Status ScalarText(const Json& value, const std::string& type, const std::string& where,
                  std::string& out) {
  if (type == "string" && value.IsString()) {
    out.assign(value.GetString(), value.GetStringLength());
  } else if (type == "int" && value.IsInt64()) {
    out = std::to_string(value.GetInt64());
  } else if (type == "double" && value.IsNumber()) {
    out = DoubleText(value.GetDouble());
  } else if (type == "bool" && value.IsBool()) {
    out = value.GetBool() ? "true" : "false";
  } else {
    return Error(where, "the value does not match its type \"" + type + "\"");
  }
  return {};
}

Status ReadValue(const Json& typed, const std::string& where, PlainValue& out) {
  if (!typed.IsObject()) return Error(where, "expected {\"type\": ..., \"value\": ...}");
  ARIADNE_RETURN_IF_ERROR(ReadString(typed, "type", where, out.type));
  const auto value = typed.FindMember("value");
  if (value == typed.MemberEnd()) return Error(where + ".value", "missing");
  if (!out.type.ends_with("[]")) {
    out.items.emplace_back();
    return ScalarText(value->value, out.type, where + ".value", out.items.back());
  }
  if (!value->value.IsArray()) return Error(where + ".value", "expected an array");
  const std::string element_type = out.type.substr(0, out.type.size() - 2);
  for (rapidjson::SizeType i = 0; i < value->value.Size(); ++i) {
    out.items.emplace_back();
    ARIADNE_RETURN_IF_ERROR(ScalarText(value->value[i], element_type,
                                       where + ".value[" + std::to_string(i) + "]",
                                       out.items.back()));
  }
  return {};
}

Status ReadAttributes(const Json& object, const char* key, const std::string& where,
                      PlainAttributes& out) {
  const auto member = object.FindMember(key);
  if (member == object.MemberEnd() || !member->value.IsObject()) {
    return Error(where + "." + key, "expected an object");
  }
  for (const auto& attribute : member->value.GetObject()) {
    const std::string name(attribute.name.GetString(), attribute.name.GetStringLength());
    PlainValue value;
    std::string at = where;
    at.append(".").append(key).append(".").append(name);
    ARIADNE_RETURN_IF_ERROR(ReadValue(attribute.value, at, value));
    out.emplace_back(name, std::move(value));
  }
  return {};
}

const Json* FindArray(const Json& object, const char* key) {
  const auto member = object.FindMember(key);
  return member == object.MemberEnd() || !member->value.IsArray() ? nullptr : &member->value;
}

Status ReadEvents(const Json& span, const std::string& where, std::vector<PlainEvent>& out) {
  const Json* events = FindArray(span, "events");
  if (events == nullptr) return Error(where + ".events", "expected an array");
  for (rapidjson::SizeType i = 0; i < events->Size(); ++i) {
    const std::string at = where + ".events[" + std::to_string(i) + "]";
    PlainEvent& event = out.emplace_back();
    ARIADNE_RETURN_IF_ERROR(ReadString((*events)[i], "name", at, event.name));
    ARIADNE_RETURN_IF_ERROR(ReadNanos((*events)[i], "timeUnixNano", at, event.time_unix_nano));
    ARIADNE_RETURN_IF_ERROR(ReadAttributes((*events)[i], "attributes", at, event.attributes));
  }
  return {};
}

Status ReadLinks(const Json& span, const std::string& where, std::vector<PlainLink>& out) {
  const Json* links = FindArray(span, "links");
  if (links == nullptr) return Error(where + ".links", "expected an array");
  for (rapidjson::SizeType i = 0; i < links->Size(); ++i) {
    const std::string at = where + ".links[" + std::to_string(i) + "]";
    PlainLink& link = out.emplace_back();
    ARIADNE_RETURN_IF_ERROR(ReadString((*links)[i], "traceId", at, link.trace_id));
    ARIADNE_RETURN_IF_ERROR(ReadString((*links)[i], "spanId", at, link.span_id));
    ARIADNE_RETURN_IF_ERROR(ReadString((*links)[i], "traceState", at, link.trace_state));
    ARIADNE_RETURN_IF_ERROR(ReadAttributes((*links)[i], "attributes", at, link.attributes));
  }
  return {};
}

Status ReadSpan(const Json& span, const std::string& where, PlainSpan& out) {
  if (!span.IsObject()) return Error(where, "expected an object");
  ARIADNE_RETURN_IF_ERROR(ReadString(span, "traceId", where, out.trace_id));
  ARIADNE_RETURN_IF_ERROR(ReadString(span, "spanId", where, out.span_id));
  ARIADNE_RETURN_IF_ERROR(ReadString(span, "parentSpanId", where, out.parent_span_id));
  ARIADNE_RETURN_IF_ERROR(ReadString(span, "traceState", where, out.trace_state));
  ARIADNE_RETURN_IF_ERROR(ReadString(span, "name", where, out.name));
  ARIADNE_RETURN_IF_ERROR(ReadInt(span, "kind", where, out.kind));
  ARIADNE_RETURN_IF_ERROR(ReadNanos(span, "startTimeUnixNano", where, out.start_time_unix_nano));
  ARIADNE_RETURN_IF_ERROR(ReadNanos(span, "endTimeUnixNano", where, out.end_time_unix_nano));
  ARIADNE_RETURN_IF_ERROR(ReadAttributes(span, "attributes", where, out.attributes));
  ARIADNE_RETURN_IF_ERROR(ReadEvents(span, where, out.events));
  ARIADNE_RETURN_IF_ERROR(ReadLinks(span, where, out.links));
  const auto status = span.FindMember("status");
  if (status == span.MemberEnd() || !status->value.IsObject()) {
    return Error(where + ".status", "expected an object");
  }
  ARIADNE_RETURN_IF_ERROR(ReadInt(status->value, "code", where + ".status", out.status_code));
  ARIADNE_RETURN_IF_ERROR(
      ReadString(status->value, "message", where + ".status", out.status_message));
  ARIADNE_RETURN_IF_ERROR(ReadAttributes(span, "resource", where, out.resource));
  const auto scope = span.FindMember("scope");
  if (scope == span.MemberEnd() || !scope->value.IsObject()) {
    return Error(where + ".scope", "expected an object");
  }
  ARIADNE_RETURN_IF_ERROR(ReadString(scope->value, "name", where + ".scope", out.scope_name));
  ARIADNE_RETURN_IF_ERROR(ReadString(scope->value, "version", where + ".scope", out.scope_version));
  return {};
}

}  // namespace

Status ReadManifest(const std::string& path, Manifest& out) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return Status::InvalidArgument("cannot open the manifest " + path);
  std::stringstream text;
  text << file.rdbuf();
  rapidjson::Document document;
  // Full precision: doubles must read back as exactly the number the client wrote.
  document.Parse<rapidjson::kParseFullPrecisionFlag>(text.str().c_str());
  if (document.HasParseError()) {
    return Status::InvalidArgument(
        path + ": not JSON: " + rapidjson::GetParseError_En(document.GetParseError()) +
        " at offset " + std::to_string(document.GetErrorOffset()));
  }
  if (!document.IsObject()) return Error(path, "expected a JSON object");
  ARIADNE_RETURN_IF_ERROR(ReadString(document, "client", path, out.client));
  ARIADNE_RETURN_IF_ERROR(ReadString(document, "sdkVersion", path, out.sdk_version));
  ARIADNE_RETURN_IF_ERROR(ReadString(document, "protocol", path, out.protocol));
  ARIADNE_RETURN_IF_ERROR(ReadString(document, "endpoint", path, out.endpoint));
  const Json* spans = FindArray(document, "spans");
  if (spans == nullptr) return Error(path + ".spans", "expected an array");
  for (rapidjson::SizeType i = 0; i < spans->Size(); ++i) {
    ARIADNE_RETURN_IF_ERROR(ReadSpan((*spans)[i], path + ": spans[" + std::to_string(i) + "]",
                                     out.spans.emplace_back()));
  }
  return {};
}

}  // namespace ariadne::e2e
