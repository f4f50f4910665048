#include "protocol_rules.h"

#include <charconv>
#include <cmath>
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
    case Protocol::kJaegerHttp: return ExpectJaeger(sent);
  }
  return {sent, {}};
}

std::string JsNumberText(double value) {
  if (std::isnan(value)) return "NaN";
  if (value == 0) return "0";  // both +0 and -0
  if (value < 0) return "-" + JsNumberText(-value);
  if (std::isinf(value)) return "Infinity";
  // The shortest round-trip digits, as "d.ddde±x" (ECMA-262 also asks for the shortest).
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof(buffer), value, std::chars_format::scientific);
  const std::string scientific(buffer, result.ptr);
  const size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  return JsLayout(digits, exponent + 1);
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
