// Translation between Zipkin spans (v1 and v2) and the model.
//
// Every Zipkin codec goes through this file: the decoders fill a ZipkinSpan (v2 shape) or a V1Span
// and hand it to a ModelBuilder (v1 spans first pass through V1SpanConverter, which turns them into
// v2 spans the way zipkin2's V1SpanConverter does); the encoders read a model span through a
// ZipkinSpanView. The rules, each with its test, are the Zipkin rows of docs/translation.md:
//   - localEndpoint.serviceName <-> resource `service.name`; tags that name resource attributes
//     (service.*, host.*, process.*, telemetry.*, k8s.*, ...) <-> other resource attributes; spans
//     with equal resources share one resource, and spans are grouped by resource and scope
//   - kind <-> Span::kind; INTERNAL <-> no kind plus tag span.kind=internal
//   - shared=true <-> span attribute zipkin.shared=true (the span keeps the id it shares with the
//     client side; Zipkin's "shared span": one span id for both halves of an RPC)
//   - remoteEndpoint <-> peer.service, net.peer.ip, net.peer.port; localEndpoint ip/port <->
//     net.host.ip, net.host.port
//   - annotations <-> events (value is the name; event attributes are not carried)
//   - tags otel.status_code / otel.status_description / error <-> Span::status (`error` carries
//     the message of an ERROR status)
//   - tags otel.scope.name / otel.scope.version (or otel.library.*) <-> Scope
//   - tag w3c.tracestate <-> Span::trace_state
//   - debug <-> flags bit 2 (Jaeger's debug bit); every decoded span gets the sampled bit
//   - times: Zipkin microseconds <-> model nanoseconds; parentId equal to id means no parent
//   - model -> Zipkin: typed values become text (bool true/false, numbers in shortest form, arrays
//     joined with ",", maps as JSON, bytes as base64); links and dropped counts are not carried
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::tracecore::zipkin {

// A Zipkin endpoint with its addresses in binary form.
struct ZipkinEndpoint {
  std::string_view service_name;
  uint32_t ipv4 = 0;  // a.b.c.d = a<<24 | b<<16 | c<<8 | d; 0 = absent
  std::array<uint8_t, 16> ipv6{};
  bool has_ipv6 = false;
  uint16_t port = 0;  // 0 = absent

  bool empty() const { return service_name.empty() && ipv4 == 0 && !has_ipv6 && port == 0; }
  bool operator==(const ZipkinEndpoint&) const = default;
};

// Text forms of addresses (dotted quad; RFC 5952 for IPv6).
std::string FormatIpv4(uint32_t ipv4);
std::string FormatIpv6(const std::array<uint8_t, 16>& ipv6);
// Parses a dotted quad or an IPv6 address into `endpoint`; false when `text` is neither.
bool ParseIp(std::string_view text, ZipkinEndpoint& endpoint);

struct ZipkinAnnotation {
  uint64_t timestamp_us = 0;
  std::string_view value;
};

// A Zipkin v2 span. Views point into the decoder's input or the batch arena. Decoders fill tags
// with string values (v2 carries only strings); V1SpanConverter may add typed values.
struct ZipkinSpan {
  TraceId trace_id;
  SpanId id;
  SpanId parent_id;
  std::string_view name;
  SpanKind kind = SpanKind::kUnspecified;  // CLIENT, SERVER, PRODUCER, CONSUMER or unspecified
  uint64_t timestamp_us = 0;               // 0 = absent
  uint64_t duration_us = 0;                // 0 = absent
  bool debug = false;
  bool shared = false;
  ZipkinEndpoint local_endpoint;
  ZipkinEndpoint remote_endpoint;
  std::vector<ZipkinAnnotation> annotations;
  std::vector<Attribute> tags;

  // Resets every field; the vectors keep their capacity.
  void Clear();
};

// Appends Zipkin v2 spans to a batch as model spans, applying the Zipkin -> model rules.
// One instance per decode call; it remembers the resources and scopes it created so that spans
// of the same service share them. Not thread-safe.
class ModelBuilder {
 public:
  explicit ModelBuilder(SpanBatch& batch);

  // Appends one span. Fails only when a time does not fit the model (beyond the year 2554).
  Status Append(const ZipkinSpan& zipkin_span);

  // Reorders the spans appended by this builder (stably) so that spans sharing a resource and a
  // scope are consecutive. Call once, after the last Append.
  void Finish();

 private:
  uint32_t ResourceFor(std::string_view service_name);
  uint32_t ScopeFor(uint32_t resource_index, std::string_view name, std::string_view version);

  SpanBatch& batch_;
  size_t first_span_;
  // Per-span scratch, kept for its capacity: the current span's resource tags, its resource's
  // attributes, and its attributes before they move into the arena.
  std::vector<Attribute> resource_attributes_;
  std::vector<Attribute> candidate_;
  std::vector<Attribute> span_attributes_;
  std::vector<uint8_t> tag_consumed_;
  // Resources and scopes created so far, by hash; equal hashes are compared in full.
  std::unordered_multimap<uint64_t, uint32_t> resources_;
  struct ScopeEntry {
    uint32_t resource_index;
    uint32_t scope_index;
  };
  std::unordered_multimap<uint64_t, ScopeEntry> scopes_;
};

// ---------------------------------------------------------------------------------------------
// Zipkin v1 (JSON and Thrift): spans whose kind and timing hide in annotations.

struct V1Annotation {
  uint64_t timestamp_us = 0;  // 0 = absent
  std::string_view value;
  bool has_endpoint = false;
  ZipkinEndpoint endpoint;
};

struct V1BinaryAnnotation {
  std::string_view key;
  AnyValue value;
  // A "ca", "sa" or "ma" marker: a boolean whose endpoint is the address.
  bool is_address = false;
  bool has_endpoint = false;
  ZipkinEndpoint endpoint;
};

struct V1Span {
  TraceId trace_id;
  SpanId id;
  SpanId parent_id;
  std::string_view name;
  bool debug = false;
  uint64_t timestamp_us = 0;  // 0 = absent
  uint64_t duration_us = 0;   // 0 = absent
  std::vector<V1Annotation> annotations;
  std::vector<V1BinaryAnnotation> binary_annotations;

  void Clear();
};

// True for the binary annotation keys that mark an address ("ca", "sa", "ma").
bool IsAddressKey(std::string_view key);

// Turns v1 spans into v2 spans, following zipkin2's V1SpanConverter: the core annotations
// (cs, cr, sr, ss, ms, mr, ws, wr) give kind, timestamp and duration and the local endpoint; "ca",
// "sa" and "ma" give the remote endpoint; "lc" becomes the tag `component`; other annotations
// become v2 annotations and other binary annotations tags (typed). A v1 span that holds both sides
// of an RPC (cs and sr from different services) becomes two spans with the same id: the client
// span and the server span marked shared. Reuse one converter across spans; not thread-safe.
class V1SpanConverter {
 public:
  Status Convert(const V1Span& v1, ModelBuilder& builder);

 private:
  ZipkinSpan& SpanFor(const V1Span& v1, const ZipkinEndpoint* endpoint);
  ZipkinSpan& NewSpan(const V1Span& v1, const ZipkinEndpoint* endpoint);

  std::vector<std::unique_ptr<ZipkinSpan>> spans_;
  size_t used_ = 0;
};

// ---------------------------------------------------------------------------------------------
// model -> Zipkin v2

// A model span seen as a Zipkin v2 span whose tags are all strings and whose text is valid UTF-8
// (invalid bytes become U+FFFD, as JSON and proto3 strings require). Load() fills `span`; its views
// point into the batch and into this view's own storage, so they are valid until the next Load()
// or destruction. Reuse one view across spans.
class ZipkinSpanView {
 public:
  void Load(const SpanBatch& batch, const Span& model_span);

  ZipkinSpan span;

 private:
  std::string& NextScratch();
  // `text`, or a repaired copy of it when it is not valid UTF-8.
  std::string_view Utf8(std::string_view text);
  void AddTag(std::string_view key, const AnyValue& value);

  std::vector<std::unique_ptr<std::string>> scratch_;
  size_t scratch_used_ = 0;
};

}  // namespace ariadne::tracecore::zipkin
