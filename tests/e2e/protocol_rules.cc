#include "protocol_rules.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace ariadne::e2e {
namespace {

constexpr int kKindUnspecified = 0;
constexpr int kKindInternal = 1;
constexpr int kStatusUnset = 0;
constexpr int kStatusError = 2;
constexpr uint64_t kMicrosecond = 1000;

// The number an "int" or "double" item stands for.
double NumberOf(const std::string& text) {
  double number = 0;
  std::from_chars(text.data(), text.data() + text.size(), number);
  return number;
}

PlainValue StringValue(std::string text) {
  return PlainValue::Scalar("string", std::move(text));
}

// ---- OTLP -----------------------------------------------------------------------------------

// README, OTLP: "Span.flags: JS sends 0. Python sends 0x100 (HAS_IS_REMOTE, not remote) on spans
// and links, and no sampled bit." The model keeps OTLP's flags as they are.
uint32_t OtlpFlags(Client client) {
  return client == Client::kPython ? 0x100 : 0;
}

// README, OTLP: "everything in the manifest arrives exactly": ids, names, kinds, nanosecond
// times, typed attributes, events, links with attributes, status, resource and scope.
Expectation ExpectOtlp(Client client, const PlainSpan& sent) {
  Expectation expected{sent, {}};
  expected.span.flags = OtlpFlags(client);
  for (PlainLink& link : expected.span.links) link.flags = OtlpFlags(client);
  return expected;
}

// ---- Zipkin (the OTel JS exporter, v2 JSON) --------------------------------------------------

// README, Zipkin: `timestamp` is fractional µs quantized to about 0.25 µs, `duration` is
// Math.round of the float µs, annotations are Math.round(µs): "compare within ±1 µs". The end is
// start + duration, so the start's error and the duration's rounding add up: ±2 µs for the end.
TimeTolerance ZipkinTolerance() {
  return {kMicrosecond, 2 * kMicrosecond, kMicrosecond};
}

// docs/translation.md, Zipkin v2 in: tags that name resource attributes (service.*, host.*, ...)
// become resource attributes, "as the OTel collector's receiver does"; all other tags stay span
// attributes.
bool IsZipkinResourceKey(const std::string& key) {
  static const char* const kPrefixes[] = {"service.",    "host.",      "process.",  "telemetry.",
                                          "os.",         "container.", "k8s.",      "cloud.",
                                          "deployment.", "device.",    "aws.ecs.",  "aws.eks.",
                                          "aws.log.",    "heroku.",    "webengine."};
  static const char* const kFaasKeys[] = {"faas.name", "faas.id", "faas.version", "faas.instance",
                                          "faas.max_memory"};
  for (const char* prefix : kPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  for (const char* faas_key : kFaasKeys) {
    if (key == faas_key) return true;
  }
  return false;
}

// README, Zipkin: "`kind` is SERVER/CLIENT/PRODUCER/CONSUMER, and absent for INTERNAL";
// docs/translation.md: an absent kind (without a span.kind tag) is UNSPECIFIED.
int ZipkinKind(int sent_kind) {
  return sent_kind == kKindInternal ? kKindUnspecified : sent_kind;
}

// README, Zipkin: tags are "JS String() of every value" (ints, doubles and bools become text,
// arrays are comma-joined), and "every resource attribute is added as a tag too".
// docs/translation.md: tags arrive as string attributes, and those with resource keys move to the
// resource. So the span keeps its own attributes plus the resource attributes without a resource
// key, all as strings.
PlainAttributes ZipkinSpanAttributes(const PlainSpan& sent) {
  PlainAttributes out;
  for (const auto& [key, value] : sent.attributes)
    out.emplace_back(key, StringValue(JsString(value)));
  for (const auto& [key, value] : sent.resource) {
    if (!IsZipkinResourceKey(key)) out.emplace_back(key, StringValue(JsString(value)));
  }
  return out;
}

// README, Zipkin: `localEndpoint.serviceName` is the resource's service.name and every resource
// attribute is a tag; docs/translation.md: the tags with resource keys become the resource, as
// strings like every Zipkin tag.
PlainAttributes ZipkinResource(const PlainSpan& sent) {
  PlainAttributes out;
  for (const auto& [key, value] : sent.resource) {
    if (IsZipkinResourceKey(key)) out.emplace_back(key, StringValue(JsString(value)));
  }
  return out;
}

// README, Zipkin: `otel.status_code` is "OK"/"ERROR" (absent when UNSET) and `error` holds the
// status message (only when ERROR with a message); docs/translation.md: both tags become the
// status (the `error` value is the message) and leave the attributes.
void ZipkinStatus(const PlainSpan& sent, PlainSpan& expected) {
  expected.status_code = sent.status_code;
  expected.status_message = sent.status_code == kStatusError ? sent.status_message : "";
}

Expectation ExpectZipkin(const PlainSpan& sent) {
  Expectation expected{sent, ZipkinTolerance()};
  PlainSpan& span = expected.span;
  span.kind = ZipkinKind(sent.kind);
  // docs/translation.md: "every span gets the sampled bit 1" (the JS exporter sends no debug).
  span.flags = 1;
  span.attributes = ZipkinSpanAttributes(sent);
  span.resource = ZipkinResource(sent);
  ZipkinStatus(sent, span);
  // README: "Event attributes are lost" (annotations carry only the name).
  for (PlainEvent& event : span.events) event.attributes.clear();
  // README: "Links are dropped entirely."
  span.links.clear();
  // README: "The scope is not sent." No w3c.tracestate tag is sent either.
  span.scope_name.clear();
  span.scope_version.clear();
  span.trace_state.clear();
  return expected;
}

// ---- Jaeger Thrift over HTTP (the OTel JS exporter via jaeger-client) -----------------------

// README, Jaeger: startTime, duration and log timestamps are µs truncated from a float: "compare
// within ±1 µs"; the end is startTime + duration, so two truncations add up: ±2 µs for the end.
TimeTolerance JaegerTolerance() {
  return {kMicrosecond, 2 * kMicrosecond, kMicrosecond};
}

// README, Jaeger tags: strings become STRING, bools BOOL, "every number (ints too) DOUBLE", arrays
// STRING comma-joined like Zipkin. docs/translation.md: Thrift DOUBLE is a model double. The
// number itself must arrive unchanged (every value here is exact in a double).
PlainValue JaegerTagValue(const PlainValue& value) {
  if (value.type == "string" || value.type == "bool") return value;
  if (value.type == "int" || value.type == "double") {
    return PlainValue::Scalar("double", DoubleText(NumberOf(value.items.front())));
  }
  return StringValue(JsString(value));
}

PlainAttributes JaegerTagValues(const PlainAttributes& attributes) {
  PlainAttributes out;
  for (const auto& [key, value] : attributes) out.emplace_back(key, JaegerTagValue(value));
  return out;
}

// README, Jaeger: INTERNAL sends no `span.kind` tag; docs/translation.md: without the tag the
// kind stays UNSPECIFIED.
int JaegerKind(int sent_kind) {
  return sent_kind == kKindInternal ? kKindUnspecified : sent_kind;
}

// README, Jaeger tags: the span attributes (1.), then "every resource attribute" (5.); the
// status, error, span.kind and otel.library.* tags (2.-4., 6.) become model fields
// (docs/translation.md: they "leave the attributes"). docs/translation.md: resource attributes
// sent as span tags stay span attributes.
PlainAttributes JaegerSpanAttributes(const PlainSpan& sent) {
  PlainAttributes out = JaegerTagValues(sent.attributes);
  for (auto& attribute : JaegerTagValues(sent.resource)) out.push_back(std::move(attribute));
  return out;
}

// README, Jaeger: "process.serviceName is the first span's service.name. process.tags is empty."
// docs/translation.md: the process becomes the resource, service.name first. Every span of one
// client run has the same resource, so the first span's service.name is this span's.
PlainAttributes JaegerResource(const PlainSpan& sent) {
  for (const auto& [key, value] : sent.resource) {
    if (key == "service.name") return {{key, StringValue(JsString(value))}};
  }
  return {{"service.name", StringValue("")}};
}

// README, Jaeger: links become FOLLOWS_FROM references, "link attributes are lost";
// docs/translation.md: such a reference becomes a link whose only attribute is
// opentracing.ref_type = follows_from. References carry no trace state and no flags.
std::vector<PlainLink> JaegerLinks(const std::vector<PlainLink>& sent) {
  std::vector<PlainLink> out;
  out.reserve(sent.size());
  for (const PlainLink& link : sent) {
    out.push_back({link.trace_id,
                   link.span_id,
                   "",
                   0,
                   {{"opentracing.ref_type", StringValue("follows_from")}}});
  }
  return out;
}

// README, Jaeger: `otel.status_code` OK/ERROR (absent when UNSET), `otel.status_description` the
// message when set, `error` = true for ERROR; docs/translation.md: they become the status.
void JaegerStatus(const PlainSpan& sent, PlainSpan& expected) {
  expected.status_code = sent.status_code;
  expected.status_message = sent.status_code == kStatusUnset ? "" : sent.status_message;
}

Expectation ExpectJaeger(const PlainSpan& sent) {
  Expectation expected{sent, JaegerTolerance()};
  PlainSpan& span = expected.span;
  span.kind = JaegerKind(sent.kind);
  // README: "flags is 1"; docs/translation.md: Thrift flags are the low byte of the model's.
  span.flags = 1;
  span.attributes = JaegerSpanAttributes(sent);
  span.resource = JaegerResource(sent);
  JaegerStatus(sent, span);
  // README: events become logs whose fields are `event` = name then the attributes (same typing);
  // docs/translation.md: the `event` field is the event name.
  for (PlainEvent& event : span.events) event.attributes = JaegerTagValues(event.attributes);
  span.links = JaegerLinks(sent.links);
  // README: the scope travels as otel.library.name / otel.library.version (kept). No
  // w3c.tracestate tag is sent.
  span.trace_state.clear();
  return expected;
}

// ---- Jaeger Thrift from the OTel Python exporter (opentelemetry-exporter-jaeger-thrift 1.21.0) --
// The sources are the exporter's code (translate/__init__.py and __init__.py of the wheel),
// summarized in README, "Python's Jaeger exporter", and docs/translation.md.

// translate/__init__.py `_nsec_to_usec_round`: `(nsec + 500) // 10**3` (Python's floor division).
int64_t PythonRoundedMicros(int64_t nanos) {
  const int64_t shifted = nanos + 500;
  return shifted >= 0 ? shifted / 1000 : -((-shifted + 999) / 1000);
}

// translate/__init__.py: startTime = rounded µs of the start, duration = rounded µs of (end −
// start), log timestamp = rounded µs of the event time. docs/translation.md: start = startTime ×
// 1000, end = (startTime + duration) × 1000, log timestamp × 1000. Exact, so no tolerance.
void PythonJaegerTimes(PlainSpan& span) {
  const auto start = static_cast<int64_t>(span.start_time_unix_nano);
  const auto end = static_cast<int64_t>(span.end_time_unix_nano);
  const int64_t start_us = PythonRoundedMicros(start);
  const int64_t duration_us = PythonRoundedMicros(end - start);
  span.start_time_unix_nano = static_cast<uint64_t>(start_us * 1000);
  span.end_time_unix_nano = static_cast<uint64_t>((start_us + duration_us) * 1000);
  for (PlainEvent& event : span.events) {
    const int64_t time_us = PythonRoundedMicros(static_cast<int64_t>(event.time_unix_nano));
    event.time_unix_nano = static_cast<uint64_t>(time_us * 1000);
  }
}

// translate/__init__.py `_translate_attribute`: bool → BOOL, str → STRING, int → LONG, float →
// DOUBLE, and a tuple (the SDK stores every array as one) → STRING `str(value)`.
// docs/translation.md: BOOL/STRING/LONG/DOUBLE become bool/string/int/double. So scalars arrive
// exactly as typed (2^63−1 too), arrays as Python's text "('alpha', 'beta', 'gamma')".
PlainValue PythonJaegerTagValue(const PlainValue& value) {
  return value.type.ends_with("[]") ? StringValue(PythonStr(value)) : value;
}

PlainAttributes PythonJaegerTagValues(const PlainAttributes& attributes) {
  PlainAttributes out;
  for (const auto& [key, value] : attributes) out.emplace_back(key, PythonJaegerTagValue(value));
  return out;
}

// translate/__init__.py `_extract_tags`: `otel.dropped_attributes_count`, `_events_count` and
// `_links_count` are LONG tags, sent only when non-zero. docs/translation.md: they are no special
// tags, so they stay span attributes, and the model's dropped counts stay 0 ("What Jaeger formats
// cannot carry": dropped counts).
void AppendPythonDroppedCounts(const PlainSpan& sent, PlainAttributes& out) {
  const std::pair<const char*, uint32_t> counts[] = {
      {"otel.dropped_attributes_count", sent.dropped_attributes_count},
      {"otel.dropped_events_count", sent.dropped_events_count},
      {"otel.dropped_links_count", sent.dropped_links_count}};
  for (const auto& [key, count] : counts) {
    if (count != 0) out.emplace_back(key, PlainValue::Scalar("int", std::to_string(count)));
  }
}

// translate/__init__.py `_extract_tags`: the span attributes, then every resource attribute (same
// typing), then otel.status_code / otel.status_description, span.kind, otel.library.name/version,
// otel.scope.name/version, error, and the dropped counts. docs/translation.md: the status, error,
// span.kind and otel.library.* / otel.scope.* tags become model fields and leave the attributes;
// the rest, resource attributes included, stay span attributes.
PlainAttributes PythonJaegerSpanAttributes(const PlainSpan& sent) {
  PlainAttributes out = PythonJaegerTagValues(sent.attributes);
  for (auto& attribute : PythonJaegerTagValues(sent.resource)) out.push_back(std::move(attribute));
  AppendPythonDroppedCounts(sent, out);
  return out;
}

// translate/__init__.py `_extract_logs`: a log's fields are the event's attributes (same typing),
// then `message` = the event name; there is no `event` field. docs/translation.md: "the `event`
// field is the name", so the event arrives without a name and `message` is one of its attributes.
void PythonJaegerEvent(PlainEvent& event) {
  PlainAttributes fields = PythonJaegerTagValues(event.attributes);
  fields.emplace_back("message", StringValue(event.name));
  event.attributes = std::move(fields);
  event.name.clear();
}

// translate/__init__.py: Span.flags = int(trace_flags), which SDK 1.39.1 (the exporter's venv)
// sets to sampled, 0x01 (README, "Python's Jaeger exporter"). docs/translation.md: Thrift flags are
// the low byte of the model's flags.
constexpr uint32_t kPythonJaegerFlags = 0x01;

Expectation ExpectPythonJaeger(const PlainSpan& sent) {
  Expectation expected{sent, {}};
  PlainSpan& span = expected.span;
  PythonJaegerTimes(span);
  // translate/__init__.py: `span.kind` is sent for every kind, INTERNAL as "internal";
  // docs/translation.md: server/client/producer/consumer/internal become Span::kind. So the kind
  // arrives as sent (no change here).
  span.flags = kPythonJaegerFlags;
  span.attributes = PythonJaegerSpanAttributes(sent);
  span.dropped_attributes_count = 0;
  span.dropped_events_count = 0;
  span.dropped_links_count = 0;
  // __init__.py `export`: Process(serviceName = the first span's service.name), no process tags,
  // the same Process the JS exporter sends, so JaegerResource's rule applies.
  span.resource = JaegerResource(sent);
  // translate/__init__.py: otel.status_code OK/ERROR (none when UNSET), otel.status_description
  // when the status has a description, error = true for ERROR: the JS exporter's tags, so
  // JaegerStatus's rule applies.
  JaegerStatus(sent, span);
  for (PlainEvent& event : span.events) PythonJaegerEvent(event);
  // translate/__init__.py `_extract_refs`: links become FOLLOWS_FROM references (trace id and span
  // id only); parentSpanId is the parent and no CHILD_OF reference is sent: JaegerLinks applies.
  span.links = JaegerLinks(sent.links);
  // translate/__init__.py: otel.library.* and otel.scope.* both carry the scope (kept, no change
  // here). No w3c.tracestate tag is sent.
  span.trace_state.clear();
  return expected;
}

// Python's repr() of a str: single quotes unless the text has a single quote and no double quote;
// the quote and backslash escaped, \t \n \r by name, other ASCII control characters as \xNN.
// Bytes ≥ 0x80 are copied (repr() keeps printable non-ASCII characters as they are).
std::string PythonStringRepr(const std::string& text) {
  const bool single = text.find('\'') != std::string::npos;
  const bool double_quote = text.find('"') != std::string::npos;
  const char quote = single && !double_quote ? '"' : '\'';
  std::string out(1, quote);
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\x%02x", byte);
      out += escaped;
    } else {
      out += c;
    }
  }
  out += quote;
  return out;
}

// repr() of one tuple element of manifest type `type` with PlainValue text `text`.
std::string PythonElementRepr(const std::string& type, const std::string& text) {
  if (type == "string") return PythonStringRepr(text);
  if (type == "double") return PythonFloatRepr(NumberOf(text));
  if (type == "bool") return text == "true" ? "True" : "False";
  return text;  // int: decimal, as Python writes it
}

// The shortest round-trip decimal digits of `value` (finite, > 0) and the exponent n with
// value = 0.digits × 10^n.
int ShortestDigits(double value, std::string& digits) {
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const size_t e = scientific.find('e');
  digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  return std::atoi(scientific.c_str() + e + 1) + 1;
}

// CPython's float repr ('r' mode with Py_DTSF_ADD_DOT_0, Python/pystrtod.c) of the shortest
// digits `digits` with decimal exponent `n`: exponent form when n <= -4 or n > 16.
std::string PythonLayout(const std::string& digits, int n) {
  const int k = static_cast<int>(digits.size());
  if (-4 < n && n <= 16) {
    if (n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
    if (n < k) return digits.substr(0, n) + "." + digits.substr(n);
    return digits + std::string(static_cast<size_t>(n - k), '0') + ".0";
  }
  const int exponent = n - 1;
  std::string out = digits.substr(0, 1);
  if (k > 1) out += "." + digits.substr(1);
  const std::string magnitude = std::to_string(std::abs(exponent));
  return out + "e" + (exponent < 0 ? "-" : "+") + (magnitude.size() < 2 ? "0" : "") + magnitude;
}

// Number::toString's layout of the shortest digits `digits` with decimal exponent `n` (the value
// is 0.digits × 10^n), ECMA-262 §6.1.6.1.20.
std::string JsLayout(const std::string& digits, int n) {
  const int k = static_cast<int>(digits.size());
  if (k <= n && n <= 21) return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21) return digits.substr(0, n) + "." + digits.substr(n);
  if (-6 < n && n <= 0) return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  const int exponent = n - 1;
  std::string out = digits.substr(0, 1);
  if (k > 1) out += "." + digits.substr(1);
  return out + "e" + (exponent < 0 ? "-" : "+") + std::to_string(std::abs(exponent));
}

}  // namespace

std::string ProtocolName(Protocol protocol) {
  switch (protocol) {
    case Protocol::kOtlpGrpc: return "otlp-grpc";
    case Protocol::kOtlpHttpProto: return "otlp-http-proto";
    case Protocol::kOtlpHttpJson: return "otlp-http-json";
    case Protocol::kZipkin: return "zipkin";
    case Protocol::kJaegerHttp: return "jaeger-http";
    case Protocol::kJaegerAgentCompact: return "jaeger-agent-compact";
    case Protocol::kJaegerAgentBinary: return "jaeger-agent-binary";
  }
  return "";
}

std::string ClientName(Client client) {
  return client == Client::kNode ? "node" : "python";
}

Expectation ExpectedStoredSpan(Client client, Protocol protocol, const PlainSpan& sent) {
  switch (protocol) {
    case Protocol::kOtlpGrpc:
    case Protocol::kOtlpHttpProto:
    case Protocol::kOtlpHttpJson: return ExpectOtlp(client, sent);
    case Protocol::kZipkin: return ExpectZipkin(sent);
    // README: the JS exporter's UDPSender and HTTPSender send the same Batch (one transform, one
    // setProcess); docs/translation.md: an emitBatch datagram's Batch decodes like an HTTP one.
    case Protocol::kJaegerHttp:
    case Protocol::kJaegerAgentCompact:
    case Protocol::kJaegerAgentBinary:
      return client == Client::kPython ? ExpectPythonJaeger(sent) : ExpectJaeger(sent);
  }
  return {sent, {}};
}

std::string JsNumberText(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";  // both +0 and -0
  if (value < 0) return "-" + JsNumberText(-value);
  if (std::isinf(value)) return "Infinity";
  // ECMA-262 also asks for the shortest round-trip digits.
  std::string digits;
  const int n = ShortestDigits(value, digits);
  return JsLayout(digits, n);
}

std::string PythonFloatRepr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::signbit(value)) return "-" + PythonFloatRepr(-value);
  if (std::isinf(value)) return "inf";
  if (value == 0) return "0.0";
  std::string digits;
  const int n = ShortestDigits(value, digits);
  return PythonLayout(digits, n);
}

std::string PythonStr(const PlainValue& value) {
  if (!value.type.ends_with("[]")) {
    const std::string& text = value.items.empty() ? std::string() : value.items.front();
    return value.type == "string" ? text : PythonElementRepr(value.type, text);
  }
  const std::string element_type = value.type.substr(0, value.type.size() - 2);
  std::string out = "(";
  for (size_t i = 0; i < value.items.size(); ++i) {
    if (i > 0) out += ", ";
    out += PythonElementRepr(element_type, value.items[i]);
  }
  if (value.items.size() == 1) out += ",";
  return out + ")";
}

std::string JsString(const PlainValue& value) {
  const bool numbers = value.type.starts_with("int") || value.type.starts_with("double");
  std::string out;
  for (size_t i = 0; i < value.items.size(); ++i) {
    if (i > 0) out += ",";
    out += numbers ? JsNumberText(NumberOf(value.items[i])) : value.items[i];
  }
  return out;
}

}  // namespace ariadne::e2e
