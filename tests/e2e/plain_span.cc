#include "plain_span.h"

#include <charconv>
#include <map>
#include <set>

namespace ariadne::e2e {
namespace {

std::string TypeName(tracecore::ValueType type) {
  switch (type) {
    case tracecore::ValueType::kEmpty: return "empty";
    case tracecore::ValueType::kString: return "string";
    case tracecore::ValueType::kBool: return "bool";
    case tracecore::ValueType::kInt: return "int";
    case tracecore::ValueType::kDouble: return "double";
    case tracecore::ValueType::kBytes: return "bytes";
    case tracecore::ValueType::kArray: return "array";
    case tracecore::ValueType::kMap: return "map";
  }
  return "unknown";
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

// The text of a scalar (strings as they are); arrays and maps are handled by FromModel.
std::string ScalarText(const tracecore::AnyValue& value) {
  switch (value.type()) {
    case tracecore::ValueType::kString: return std::string(value.string_value());
    case tracecore::ValueType::kBool: return value.bool_value() ? "true" : "false";
    case tracecore::ValueType::kInt: return std::to_string(value.int_value());
    case tracecore::ValueType::kDouble: return DoubleText(value.double_value());
    case tracecore::ValueType::kBytes: return Hex(value.bytes_value());
    default: return "";
  }
}

PlainAttributes AttributesFromModel(const tracecore::Attributes& attributes) {
  PlainAttributes out;
  out.reserve(attributes.size());
  for (const tracecore::Attribute& attribute : attributes) {
    out.emplace_back(std::string(attribute.key), FromModel(attribute.value));
  }
  return out;
}

std::string Quoted(const std::string& text) {
  return "\"" + text + "\"";
}

// Collects the differences found while comparing one span, each prefixed with the span's name.
class DiffList {
 public:
  explicit DiffList(std::string prefix) : prefix_(std::move(prefix)) {}

  void Add(const std::string& what) { diffs_.push_back(prefix_ + what); }
  // "<prefix><where> <key>: <what>"
  void AddAt(const std::string& where, const std::string& key, const std::string& what) {
    std::string line = prefix_;
    line.append(where).append(" ").append(key).append(": ").append(what);
    diffs_.push_back(std::move(line));
  }
  template <typename T>
  void Field(const std::string& field, const T& expected, const T& actual) {
    if (expected == actual) return;
    Add(field + ": expected " + Text(expected) + ", got " + Text(actual));
  }
  void Time(const std::string& field, uint64_t expected, uint64_t actual, uint64_t tolerance) {
    const uint64_t distance = expected > actual ? expected - actual : actual - expected;
    if (distance <= tolerance) return;
    Add(field + ": expected " + std::to_string(expected) + " ns (within " +
        std::to_string(tolerance) + " ns), got " + std::to_string(actual) + " ns");
  }
  void Attributes(const std::string& where, const PlainAttributes& expected,
                  const PlainAttributes& actual);
  std::vector<std::string> Take() { return std::move(diffs_); }

 private:
  static std::string Text(const std::string& value) { return Quoted(value); }
  template <typename T>
  static std::string Text(const T& value) {
    return std::to_string(value);
  }

  std::string prefix_;
  std::vector<std::string> diffs_;
};

void DiffList::Attributes(const std::string& where, const PlainAttributes& expected,
                          const PlainAttributes& actual) {
  std::map<std::string, const PlainValue*> stored;
  for (const auto& [key, value] : actual) {
    if (!stored.emplace(key, &value).second) AddAt(where, key, "stored more than once");
  }
  std::set<std::string> wanted;
  for (const auto& [key, value] : expected) {
    wanted.insert(key);
    const auto found = stored.find(key);
    if (found == stored.end()) {
      AddAt(where, key, "expected " + value.Describe() + ", but it is missing");
    } else if (!(*found->second == value)) {
      AddAt(where, key, "expected " + value.Describe() + ", got " + found->second->Describe());
    }
  }
  for (const auto& [key, value] : actual) {
    if (wanted.count(key) == 0) AddAt(where, key, "not expected, got " + value.Describe());
  }
}

}  // namespace

PlainValue PlainValue::Scalar(std::string type, std::string text) {
  return {std::move(type), {std::move(text)}};
}

std::string PlainValue::Describe() const {
  const bool quoted = type == "string" || type == "string[]";
  auto item = [&](const std::string& text) { return quoted ? Quoted(text) : text; };
  if (!type.ends_with("[]")) return type + " " + (items.empty() ? "" : item(items.front()));
  std::string out = type + " [";
  for (size_t i = 0; i < items.size(); ++i) out += (i == 0 ? "" : ", ") + item(items[i]);
  return out + "]";
}

std::string DoubleText(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

PlainValue FromModel(const tracecore::AnyValue& value) {
  if (value.type() == tracecore::ValueType::kMap) {
    PlainValue out{"map", {}};
    for (size_t i = 0; i < value.size(); ++i) {
      const tracecore::Attribute& entry = value.map_begin()[i];
      out.items.push_back(std::string(entry.key) + "=" + FromModel(entry.value).Describe());
    }
    return out;
  }
  if (value.type() != tracecore::ValueType::kArray) {
    return PlainValue::Scalar(TypeName(value.type()), ScalarText(value));
  }
  std::set<tracecore::ValueType> element_types;
  for (size_t i = 0; i < value.size(); ++i) element_types.insert(value.array_begin()[i].type());
  const bool mixed = element_types.size() > 1;
  PlainValue out{element_types.empty() ? "[]"
                 : mixed               ? "mixed[]"
                                       : TypeName(*element_types.begin()) + "[]",
                 {}};
  for (size_t i = 0; i < value.size(); ++i) {
    const tracecore::AnyValue& element = value.array_begin()[i];
    const bool nested = element.type() == tracecore::ValueType::kArray ||
                        element.type() == tracecore::ValueType::kMap;
    std::string text = nested ? FromModel(element).Describe() : ScalarText(element);
    out.items.push_back(mixed ? TypeName(element.type()) + ":" + text : text);
  }
  return out;
}

PlainSpan FromModel(const tracecore::SpanBatch& batch, const tracecore::Span& span) {
  PlainSpan out;
  out.trace_id = span.trace_id.ToHex();
  out.span_id = span.span_id.ToHex();
  out.parent_span_id = span.parent_span_id.empty() ? "" : span.parent_span_id.ToHex();
  out.trace_state = std::string(span.trace_state);
  out.name = std::string(span.name);
  out.kind = static_cast<int>(span.kind);
  out.flags = span.flags;
  out.start_time_unix_nano = span.start_time_unix_nano;
  out.end_time_unix_nano = span.end_time_unix_nano;
  out.attributes = AttributesFromModel(span.attributes);
  for (const tracecore::Event& event : span.events) {
    out.events.push_back(
        {std::string(event.name), event.time_unix_nano, AttributesFromModel(event.attributes)});
  }
  for (const tracecore::Link& link : span.links) {
    out.links.push_back({link.trace_id.ToHex(), link.span_id.ToHex(), std::string(link.trace_state),
                         link.flags, AttributesFromModel(link.attributes)});
  }
  out.status_code = static_cast<int>(span.status.code);
  out.status_message = std::string(span.status.message);
  out.dropped_attributes_count = span.dropped_attributes_count;
  out.dropped_events_count = span.dropped_events_count;
  out.dropped_links_count = span.dropped_links_count;
  out.resource = AttributesFromModel(batch.resource_of(span).attributes);
  out.scope_name = std::string(batch.scope_of(span).name);
  out.scope_version = std::string(batch.scope_of(span).version);
  return out;
}

std::vector<std::string> CompareSpans(const PlainSpan& expected, const PlainSpan& actual,
                                      const TimeTolerance& tolerance) {
  DiffList diffs("span '" + expected.name + "' " + expected.span_id + ": ");
  diffs.Field("trace id", expected.trace_id, actual.trace_id);
  diffs.Field("span id", expected.span_id, actual.span_id);
  diffs.Field("parent span id", expected.parent_span_id, actual.parent_span_id);
  diffs.Field("trace state", expected.trace_state, actual.trace_state);
  diffs.Field("name", expected.name, actual.name);
  diffs.Field("kind", expected.kind, actual.kind);
  diffs.Field("flags", expected.flags, actual.flags);
  diffs.Time("start time", expected.start_time_unix_nano, actual.start_time_unix_nano,
             tolerance.start_ns);
  diffs.Time("end time", expected.end_time_unix_nano, actual.end_time_unix_nano, tolerance.end_ns);
  diffs.Attributes("attribute", expected.attributes, actual.attributes);

  diffs.Field("event count", expected.events.size(), actual.events.size());
  for (size_t i = 0; i < std::min(expected.events.size(), actual.events.size()); ++i) {
    const std::string where = "event[" + std::to_string(i) + "]";
    const PlainEvent& want = expected.events[i];
    const PlainEvent& got = actual.events[i];
    diffs.Field(where + " name", want.name, got.name);
    diffs.Time(where + " time", want.time_unix_nano, got.time_unix_nano, tolerance.event_ns);
    diffs.Attributes(where + " attribute", want.attributes, got.attributes);
  }

  diffs.Field("link count", expected.links.size(), actual.links.size());
  for (size_t i = 0; i < std::min(expected.links.size(), actual.links.size()); ++i) {
    const std::string where = "link[" + std::to_string(i) + "]";
    const PlainLink& want = expected.links[i];
    const PlainLink& got = actual.links[i];
    diffs.Field(where + " trace id", want.trace_id, got.trace_id);
    diffs.Field(where + " span id", want.span_id, got.span_id);
    diffs.Field(where + " trace state", want.trace_state, got.trace_state);
    diffs.Field(where + " flags", want.flags, got.flags);
    diffs.Attributes(where + " attribute", want.attributes, got.attributes);
  }

  diffs.Field("status code", expected.status_code, actual.status_code);
  diffs.Field("status message", expected.status_message, actual.status_message);
  diffs.Field("dropped attributes", expected.dropped_attributes_count,
              actual.dropped_attributes_count);
  diffs.Field("dropped events", expected.dropped_events_count, actual.dropped_events_count);
  diffs.Field("dropped links", expected.dropped_links_count, actual.dropped_links_count);
  diffs.Attributes("resource attribute", expected.resource, actual.resource);
  diffs.Field("scope name", expected.scope_name, actual.scope_name);
  diffs.Field("scope version", expected.scope_version, actual.scope_version);
  return diffs.Take();
}

}  // namespace ariadne::e2e
