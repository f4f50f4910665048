// Zipkin v2 <-> model. The rules are listed in tracecore/translate/zipkin_translation.h.
#include "tracecore/translate/zipkin_translation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>

#include "tracecore/text.h"
#include "tracecore/translate/jaeger_translation.h"

namespace ariadne::tracecore::zipkin {
namespace {

constexpr std::string_view kServiceName = "service.name";
constexpr std::string_view kPeerService = "peer.service";
constexpr std::string_view kPeerIp = "net.peer.ip";
constexpr std::string_view kPeerPort = "net.peer.port";
constexpr std::string_view kHostIp = "net.host.ip";
constexpr std::string_view kHostPort = "net.host.port";
constexpr std::string_view kShared = "zipkin.shared";
constexpr std::string_view kSpanKind = "span.kind";
constexpr std::string_view kStatusCode = "otel.status_code";
constexpr std::string_view kStatusDescription = "otel.status_description";
constexpr std::string_view kError = "error";
constexpr std::string_view kScopeName = "otel.scope.name";
constexpr std::string_view kScopeVersion = "otel.scope.version";
constexpr std::string_view kLibraryName = "otel.library.name";
constexpr std::string_view kLibraryVersion = "otel.library.version";
constexpr std::string_view kTraceState = "w3c.tracestate";

// The largest Zipkin time (µs) whose nanosecond form fits in uint64.
constexpr uint64_t kMaxMicros = UINT64_MAX / 1000;

// Trace flags given to every decoded span: Zipkin reports sampled spans only.
constexpr uint32_t kSampledFlag = 1;
constexpr uint32_t kDebugFlag = 2;

// What a Zipkin tag means to the model; kPlain tags stay span attributes.
enum class TagRole {
  kPlain,
  kResource,
  kServiceNameTag,
  kSpanKindTag,
  kStatusCodeTag,
  kStatusDescriptionTag,
  kErrorTag,
  kScopeNameTag,
  kScopeVersionTag,
  kLibraryNameTag,
  kLibraryVersionTag,
  kTraceStateTag,
};

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && text.compare(0, prefix.size(), prefix) == 0;
}

// Resource attributes of the OpenTelemetry semantic conventions that exporters flatten into
// Zipkin tags (the OTel collector's receiver moves the same keys back into the resource).
bool IsResourceKey(std::string_view key) {
  static constexpr std::string_view kPrefixes[] = {
      "service.",   "host.",    "process.",     "telemetry.",    "os.",
      "container.", "k8s.",     "cloud.",       "device.",       "deployment.",
      "aws.ecs.",   "aws.eks.", "aws.log.",     "heroku.",       "webengine.",
      "faas.name",  "faas.id",  "faas.version", "faas.instance", "faas.max_memory"};
  if (key.empty()) return false;
  for (std::string_view prefix : kPrefixes) {
    // The first-character test keeps a plain tag from paying a comparison per prefix.
    if (prefix[0] == key[0] && StartsWith(key, prefix)) return true;
  }
  return false;
}

TagRole ClassifyTag(std::string_view key) {
  switch (key.size()) {
    case 5:
      if (key == kError) return TagRole::kErrorTag;
      break;
    case 9:
      if (key == kSpanKind) return TagRole::kSpanKindTag;
      break;
    case 12:
      if (key == kServiceName) return TagRole::kServiceNameTag;
      break;
    case 14:
      if (key == kTraceState) return TagRole::kTraceStateTag;
      break;
    case 15:
      if (key == kScopeName) return TagRole::kScopeNameTag;
      break;
    case 16:
      if (key == kStatusCode) return TagRole::kStatusCodeTag;
      break;
    case 17:
      if (key == kLibraryName) return TagRole::kLibraryNameTag;
      break;
    case 18:
      if (key == kScopeVersion) return TagRole::kScopeVersionTag;
      break;
    case 20:
      if (key == kLibraryVersion) return TagRole::kLibraryVersionTag;
      break;
    case 23:
      if (key == kStatusDescription) return TagRole::kStatusDescriptionTag;
      break;
    default: break;
  }
  return IsResourceKey(key) ? TagRole::kResource : TagRole::kPlain;
}

bool ParseStatusCode(std::string_view text, SpanStatusCode& code) {
  if (text == "OK" || text == "STATUS_CODE_OK") {
    code = SpanStatusCode::kOk;
  } else if (text == "ERROR" || text == "STATUS_CODE_ERROR") {
    code = SpanStatusCode::kError;
  } else if (text == "UNSET" || text == "STATUS_CODE_UNSET") {
    code = SpanStatusCode::kUnset;
  } else {
    return false;
  }
  return true;
}

bool ParseSpanKindName(std::string_view text, SpanKind& kind) {
  static constexpr SpanKind kKinds[] = {SpanKind::kInternal, SpanKind::kServer, SpanKind::kClient,
                                        SpanKind::kProducer, SpanKind::kConsumer};
  for (SpanKind candidate : kKinds) {
    if (text == SpanKindLowerName(candidate)) {
      kind = candidate;
      return true;
    }
  }
  return false;
}

uint64_t Mix(uint64_t value) {
  value ^= value >> 33;
  value *= 0xff51afd7ed558ccdULL;
  value ^= value >> 33;
  return value;
}

uint64_t HashAttribute(const Attribute& attribute) {
  uint64_t hash = std::hash<std::string_view>()(attribute.key);
  if (attribute.value.type() == ValueType::kString) {
    hash ^= Mix(std::hash<std::string_view>()(attribute.value.string_value()));
  } else {
    hash ^= static_cast<uint64_t>(attribute.value.type());
  }
  return Mix(hash);
}

// Attribute lists are equal as sets (Zipkin tags have no order).
bool SameAttributes(const Attributes& left, const std::vector<Attribute>& right) {
  if (left.size() != right.size()) return false;
  for (const Attribute& attribute : right) {
    const Attribute* found = FindAttribute(left, attribute.key);
    if (found == nullptr || !(found->value == attribute.value)) return false;
  }
  return true;
}

bool IsFalse(const AnyValue& value) {
  return (value.type() == ValueType::kBool && !value.bool_value()) ||
         (value.type() == ValueType::kString && value.string_value() == "false");
}

bool IsTrue(const AnyValue& value) {
  return (value.type() == ValueType::kBool && value.bool_value()) ||
         (value.type() == ValueType::kString && value.string_value() == "true");
}

// The span's status from its status tags: otel.status_code sets the code, `error` forces ERROR
// and carries the message, otel.status_description sets the message.
struct StatusTags {
  const Attribute* code = nullptr;
  const Attribute* description = nullptr;
  const Attribute* error = nullptr;

  SpanStatus Resolve() const {
    SpanStatus status;
    if (code != nullptr) ParseStatusCode(code->value.string_value(), status.code);
    std::string_view error_message;
    if (error != nullptr) {
      status.code = SpanStatusCode::kError;
      if (error->value.type() == ValueType::kString && !IsTrue(error->value)) {
        error_message = error->value.string_value();
      }
    }
    if (description != nullptr) {
      status.message = description->value.string_value();
    } else if (status.code == SpanStatusCode::kError) {
      status.message = error_message;
    }
    return status;
  }
};

void AddEndpointIp(SpanBatch& batch, const ZipkinEndpoint& endpoint, std::string_view key,
                   std::vector<Attribute>& attributes) {
  // Like the OTel collector, an IPv6 address wins over an IPv4 one when both are present.
  char text[INET6_ADDRSTRLEN];
  if (endpoint.has_ipv6) {
    if (inet_ntop(AF_INET6, endpoint.ipv6.data(), text, sizeof(text)) == nullptr) return;
  } else if (endpoint.ipv4 != 0) {
    uint32_t ip = endpoint.ipv4;
    std::snprintf(text, sizeof(text), "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF,
                  ip & 0xFF);
  } else {
    return;
  }
  attributes.push_back({key, AnyValue::String(batch.Copy(text))});
}

bool HasKey(const std::vector<Attribute>& attributes, std::string_view key) {
  for (const Attribute& attribute : attributes) {
    if (attribute.key == key) return true;
  }
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Addresses

std::string FormatIpv4(uint32_t ipv4) {
  std::string text;
  for (int shift = 24; shift >= 0; shift -= 8) {
    if (shift != 24) text.push_back('.');
    text += std::to_string((ipv4 >> shift) & 0xFF);
  }
  return text;
}

std::string FormatIpv6(const std::array<uint8_t, 16>& ipv6) {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, ipv6.data(), text, sizeof(text)) == nullptr) return {};
  return text;
}

bool ParseIp(std::string_view text, ZipkinEndpoint& endpoint) {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  if (text.find(':') != std::string_view::npos) {
    if (inet_pton(AF_INET6, buffer, endpoint.ipv6.data()) != 1) return false;
    endpoint.has_ipv6 = true;
    return true;
  }
  unsigned char bytes[4];
  if (inet_pton(AF_INET, buffer, bytes) != 1) return false;
  endpoint.ipv4 = (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) |
                  (uint32_t{bytes[2]} << 8) | uint32_t{bytes[3]};
  return true;
}

void ZipkinSpan::Clear() {
  trace_id = {};
  id = {};
  parent_id = {};
  name = {};
  kind = SpanKind::kUnspecified;
  timestamp_us = 0;
  duration_us = 0;
  debug = false;
  shared = false;
  local_endpoint = {};
  remote_endpoint = {};
  annotations.clear();
  tags.clear();
}

// ---------------------------------------------------------------------------------------------
// Zipkin -> model

ModelBuilder::ModelBuilder(SpanBatch& batch) : batch_(batch), first_span_(batch.spans().size()) {}

Status ModelBuilder::Append(const ZipkinSpan& zipkin_span) {
  if (zipkin_span.timestamp_us > kMaxMicros ||
      zipkin_span.duration_us > kMaxMicros - zipkin_span.timestamp_us) {
    return Status::InvalidArgument("timestamp or duration out of range");
  }
  for (const ZipkinAnnotation& annotation : zipkin_span.annotations) {
    if (annotation.timestamp_us > kMaxMicros) {
      return Status::InvalidArgument("annotation timestamp out of range");
    }
  }

  // Sort the tags by role; tag_consumed_[i] says whether tag i went into a model field.
  resource_attributes_.clear();
  tag_consumed_.assign(zipkin_span.tags.size(), 0);
  std::string_view service_name = zipkin_span.local_endpoint.service_name;
  std::string_view service_name_tag;
  std::string_view scope_name, scope_version, library_name, library_version;
  std::string_view trace_state;
  SpanKind kind = zipkin_span.kind;
  StatusTags status_tags;
  size_t description_index = 0;
  for (size_t i = 0; i < zipkin_span.tags.size(); ++i) {
    const Attribute& tag = zipkin_span.tags[i];
    bool is_string = tag.value.type() == ValueType::kString;
    std::string_view text = is_string ? tag.value.string_value() : std::string_view();
    // Tags whose role needs a string (or a known value) and lack it stay attributes.
    bool consumed = is_string;
    switch (ClassifyTag(tag.key)) {
      case TagRole::kPlain: consumed = false; break;
      case TagRole::kResource:
        consumed = true;
        resource_attributes_.push_back(tag);
        break;
      case TagRole::kServiceNameTag: service_name_tag = text; break;
      case TagRole::kSpanKindTag:
        consumed = is_string && zipkin_span.kind == SpanKind::kUnspecified &&
                   ParseSpanKindName(text, kind);
        break;
      case TagRole::kStatusCodeTag: {
        SpanStatusCode code;
        consumed = is_string && ParseStatusCode(text, code);
        if (consumed) status_tags.code = &tag;
        break;
      }
      case TagRole::kStatusDescriptionTag:
        if (consumed) {
          status_tags.description = &tag;
          description_index = i;
        }
        break;
      case TagRole::kErrorTag:
        // error=false is dropped: only a true or a message marks a failed span.
        consumed = true;
        if (!IsFalse(tag.value)) status_tags.error = &tag;
        break;
      case TagRole::kScopeNameTag: scope_name = text; break;
      case TagRole::kScopeVersionTag: scope_version = text; break;
      case TagRole::kLibraryNameTag: library_name = text; break;
      case TagRole::kLibraryVersionTag: library_version = text; break;
      case TagRole::kTraceStateTag: trace_state = text; break;
    }
    tag_consumed_[i] = consumed ? 1 : 0;
  }
  if (service_name.empty()) service_name = service_name_tag;
  if (scope_name.empty() && scope_version.empty()) {
    scope_name = library_name;
    scope_version = library_version;
  }
  // A description alone (no code, no error) is an ordinary tag.
  if (status_tags.description != nullptr && status_tags.code == nullptr &&
      status_tags.error == nullptr) {
    status_tags.description = nullptr;
    tag_consumed_[description_index] = 0;
  }

  uint32_t resource_index = ResourceFor(service_name);
  uint32_t scope_index = ScopeFor(resource_index, scope_name, scope_version);
  Span& span = batch_.AddSpan(resource_index, scope_index);
  span.trace_id = zipkin_span.trace_id;
  span.span_id = zipkin_span.id;
  if (zipkin_span.parent_id != zipkin_span.id) span.parent_span_id = zipkin_span.parent_id;
  span.name = zipkin_span.name;
  span.kind = kind;
  span.trace_state = trace_state;
  span.flags = kSampledFlag | (zipkin_span.debug ? kDebugFlag : 0);
  span.start_time_unix_nano = zipkin_span.timestamp_us * 1000;
  span.end_time_unix_nano = (zipkin_span.timestamp_us + zipkin_span.duration_us) * 1000;
  span.status = status_tags.Resolve();

  // Plain tags first, in wire order, then what the endpoints and the shared flag add.
  span_attributes_.clear();
  for (size_t i = 0; i < zipkin_span.tags.size(); ++i) {
    if (tag_consumed_[i] == 0) span_attributes_.push_back(zipkin_span.tags[i]);
  }
  const ZipkinEndpoint& local = zipkin_span.local_endpoint;
  if (!HasKey(span_attributes_, kHostIp)) AddEndpointIp(batch_, local, kHostIp, span_attributes_);
  if (local.port != 0 && !HasKey(span_attributes_, kHostPort)) {
    span_attributes_.push_back({kHostPort, AnyValue::Int(local.port)});
  }
  const ZipkinEndpoint& remote = zipkin_span.remote_endpoint;
  if (!remote.service_name.empty() && !HasKey(span_attributes_, kPeerService)) {
    span_attributes_.push_back({kPeerService, AnyValue::String(remote.service_name)});
  }
  if (!HasKey(span_attributes_, kPeerIp)) AddEndpointIp(batch_, remote, kPeerIp, span_attributes_);
  if (remote.port != 0 && !HasKey(span_attributes_, kPeerPort)) {
    span_attributes_.push_back({kPeerPort, AnyValue::Int(remote.port)});
  }
  if (zipkin_span.shared) span_attributes_.push_back({kShared, AnyValue::Bool(true)});
  span.attributes.assign(span_attributes_.begin(), span_attributes_.end());

  span.events.reserve(zipkin_span.annotations.size());
  for (const ZipkinAnnotation& annotation : zipkin_span.annotations) {
    Event& event = span.events.emplace_back(batch_.arena());
    event.time_unix_nano = annotation.timestamp_us * 1000;
    event.name = annotation.value;
  }
  return Status::Ok();
}

uint32_t ModelBuilder::ResourceFor(std::string_view service_name) {
  candidate_.clear();
  if (!service_name.empty()) candidate_.push_back({kServiceName, AnyValue::String(service_name)});
  candidate_.insert(candidate_.end(), resource_attributes_.begin(), resource_attributes_.end());
  uint64_t hash = 0;
  for (const Attribute& attribute : candidate_) hash += HashAttribute(attribute);
  auto [begin, end] = resources_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    if (SameAttributes(batch_.resources()[it->second].attributes, candidate_)) return it->second;
  }
  uint32_t index = batch_.AddResource();
  Resource& resource = batch_.resources()[index];
  resource.attributes.assign(candidate_.begin(), candidate_.end());
  resources_.emplace(hash, index);
  return index;
}

uint32_t ModelBuilder::ScopeFor(uint32_t resource_index, std::string_view name,
                                std::string_view version) {
  uint64_t hash = Mix(resource_index + 1) ^ Mix(std::hash<std::string_view>()(name)) ^
                  std::hash<std::string_view>()(version);
  auto [begin, end] = scopes_.equal_range(hash);
  for (auto it = begin; it != end; ++it) {
    const Scope& scope = batch_.scopes()[it->second.scope_index];
    if (it->second.resource_index == resource_index && scope.name == name &&
        scope.version == version) {
      return it->second.scope_index;
    }
  }
  uint32_t index = batch_.AddScope();
  Scope& scope = batch_.scopes()[index];
  scope.name = name;
  scope.version = version;
  scopes_.emplace(hash, ScopeEntry{resource_index, index});
  return index;
}

void ModelBuilder::Finish() {
  auto& spans = batch_.spans();
  auto first = spans.begin() + static_cast<std::ptrdiff_t>(first_span_);
  auto by_group = [](const Span& left, const Span& right) {
    return left.resource_index != right.resource_index ? left.resource_index < right.resource_index
                                                       : left.scope_index < right.scope_index;
  };
  // Resources and scopes are numbered in order of first use, so sorting by index groups spans
  // without changing the order of the groups' first spans.
  if (!std::is_sorted(first, spans.end(), by_group)) std::stable_sort(first, spans.end(), by_group);
}

// ---------------------------------------------------------------------------------------------
// model -> Zipkin

std::string& ZipkinSpanView::NextScratch() {
  if (scratch_used_ == scratch_.size()) scratch_.push_back(std::make_unique<std::string>());
  std::string& scratch = *scratch_[scratch_used_++];
  scratch.clear();
  return scratch;
}

namespace {

void AppendDoubleText(double value, std::string& out) {
  // JavaScript's Number#toString, which the OTel JS exporter uses.
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "Infinity" : "-Infinity";
  } else {
    char text[32];
    auto result = std::to_chars(text, text + sizeof(text), value);
    out.append(text, result.ptr);
  }
}

void AppendValueText(const AnyValue& value, std::string& out) {
  switch (value.type()) {
    case ValueType::kEmpty: return;
    case ValueType::kString: out += value.string_value(); return;
    case ValueType::kBool: out += value.bool_value() ? "true" : "false"; return;
    case ValueType::kInt: {
      char text[24];
      auto result = std::to_chars(text, text + sizeof(text), value.int_value());
      out.append(text, result.ptr);
      return;
    }
    case ValueType::kDouble: AppendDoubleText(value.double_value(), out); return;
    case ValueType::kBytes: AppendBase64(value.bytes_value(), out); return;
    case ValueType::kArray:
      for (size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendValueText(value.array_begin()[i], out);
      }
      return;
    case ValueType::kMap: jaeger::AppendAnyValueJson(value, out); return;
  }
}

// A port from an attribute value: an int or a decimal string in 1..65535.
uint16_t PortOf(const AnyValue& value) {
  int64_t port = 0;
  if (value.type() == ValueType::kInt) {
    port = value.int_value();
  } else if (value.type() == ValueType::kString) {
    std::string_view text = value.string_value();
    auto result = std::from_chars(text.data(), text.data() + text.size(), port);
    if (result.ec != std::errc() || result.ptr != text.data() + text.size()) return 0;
  }
  return port > 0 && port <= 65535 ? static_cast<uint16_t>(port) : 0;
}

bool TakeIp(const AnyValue& value, ZipkinEndpoint& endpoint) {
  return value.type() == ValueType::kString && ParseIp(value.string_value(), endpoint);
}

}  // namespace

std::string_view ZipkinSpanView::Utf8(std::string_view text) {
  if (IsValidUtf8(text)) return text;
  std::string& repaired = NextScratch();
  AppendValidUtf8(text, repaired);
  return repaired;
}

void ZipkinSpanView::AddTag(std::string_view key, const AnyValue& value) {
  if (value.type() == ValueType::kString) {
    span.tags.push_back({Utf8(key), AnyValue::String(Utf8(value.string_value()))});
    return;
  }
  std::string& text = NextScratch();
  AppendValueText(value, text);
  span.tags.push_back({Utf8(key), AnyValue::String(Utf8(text))});
}

void ZipkinSpanView::Load(const SpanBatch& batch, const Span& model_span) {
  scratch_used_ = 0;
  span.Clear();
  span.trace_id = model_span.trace_id;
  span.id = model_span.span_id;
  span.parent_id = model_span.parent_span_id;
  span.name = Utf8(model_span.name);
  span.kind = model_span.kind == SpanKind::kInternal ? SpanKind::kUnspecified : model_span.kind;
  span.timestamp_us = model_span.start_time_unix_nano / 1000;
  if (model_span.end_time_unix_nano > model_span.start_time_unix_nano) {
    span.duration_us = (model_span.end_time_unix_nano - model_span.start_time_unix_nano) / 1000;
  }
  span.debug = (model_span.flags & kDebugFlag) != 0;

  const Resource& resource = batch.resource_of(model_span);
  const Scope& scope = batch.scope_of(model_span);
  span.local_endpoint.service_name = Utf8(resource.ServiceName());

  // Tags the model's own fields write; attributes with these keys give way to them.
  auto written_from_fields = [&](std::string_view key) {
    return key == kError || key == kStatusCode || key == kStatusDescription ||
           (key == kScopeName && !scope.name.empty()) ||
           (key == kScopeVersion && !scope.version.empty()) ||
           (key == kTraceState && !model_span.trace_state.empty()) ||
           (key == kSpanKind && model_span.kind == SpanKind::kInternal);
  };

  // Moves an endpoint attribute into the span's endpoints; false when `key` is not one of them or
  // its value does not fit.
  auto take_endpoint_attribute = [&](std::string_view key, const AnyValue& value) {
    if (key == kPeerService && value.type() == ValueType::kString) {
      span.remote_endpoint.service_name = Utf8(value.string_value());
      return true;
    }
    if (key == kPeerIp) return TakeIp(value, span.remote_endpoint);
    if (key == kHostIp) return TakeIp(value, span.local_endpoint);
    uint16_t port = (key == kPeerPort || key == kHostPort) ? PortOf(value) : 0;
    if (port == 0) return false;
    (key == kPeerPort ? span.remote_endpoint : span.local_endpoint).port = port;
    return true;
  };

  for (const Attribute& attribute : model_span.attributes) {
    const AnyValue& value = attribute.value;
    std::string_view key = attribute.key;
    if (take_endpoint_attribute(key, value)) continue;
    if (key == kShared && (value.type() == ValueType::kBool || IsTrue(value) || IsFalse(value))) {
      span.shared = IsTrue(value);
    } else if (!written_from_fields(key)) {
      AddTag(key, value);
    }
  }

  if (!scope.name.empty()) AddTag(kScopeName, AnyValue::String(scope.name));
  if (!scope.version.empty()) AddTag(kScopeVersion, AnyValue::String(scope.version));
  if (!model_span.trace_state.empty())
    AddTag(kTraceState, AnyValue::String(model_span.trace_state));
  if (model_span.kind == SpanKind::kInternal) {
    span.tags.push_back({kSpanKind, AnyValue::String(SpanKindLowerName(SpanKind::kInternal))});
  }
  switch (model_span.status.code) {
    case SpanStatusCode::kUnset: break;
    case SpanStatusCode::kOk: span.tags.push_back({kStatusCode, AnyValue::String("OK")}); break;
    case SpanStatusCode::kError:
      span.tags.push_back({kStatusCode, AnyValue::String("ERROR")});
      AddTag(kError, AnyValue::String(model_span.status.message));
      break;
  }

  // Resource attributes last, as the OTel JS exporter writes them (service.name included); a span
  // attribute of the same key wins.
  size_t span_tag_count = span.tags.size();
  for (const Attribute& attribute : resource.attributes) {
    bool taken = false;
    for (size_t i = 0; i < span_tag_count && !taken; ++i) taken = span.tags[i].key == attribute.key;
    if (!taken) AddTag(attribute.key, attribute.value);
  }

  span.annotations.reserve(model_span.events.size());
  for (const Event& event : model_span.events) {
    span.annotations.push_back({event.time_unix_nano / 1000, Utf8(event.name)});
  }
}

}  // namespace ariadne::tracecore::zipkin
