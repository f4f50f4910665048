#include "local/span_block.h"

#include <zstd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "local/store_layout.h"

namespace ariadne::storage::local {

using tracecore::AnyValue;
using tracecore::Attribute;
using tracecore::Attributes;
using tracecore::Span;
using tracecore::SpanBatch;
using tracecore::Status;
using tracecore::TraceId;

namespace {

// zstd's default level (level 1 made blocks 3% larger for no ingest gain that could be told from
// noise: docs/benchmarks.md).
constexpr int kZstdLevel = 3;

// The payload's sections, in order. Per-trace sections (kTraces) also record how many bytes each
// trace takes in every section from kParents on, so one trace is read without the others.
enum Section : size_t {
  kStringLengths,    // per string after "": its length
  kStringBytes,      // the strings, back to back
  kGroups,           // resource count, scope count; per resource: attribute count, dropped,
                     // schema url; per scope: name, version, attribute count, dropped, schema url
  kTraceIds,         // per trace: 16 bytes (high, low; big-endian)
  kTraces,           // per trace: span count, base start, then its byte count in each trace section
  kSpanIds,          // per span: 8 bytes, big-endian
  kParents,          // per span: kNoParent, kExternalParent, or kParentRow + the parent's row
  kExternalParents,  // per span with kExternalParent: 8 bytes, big-endian
  kTimes,            // per span: start - base, zigzag(end - start)
  kSpans,    // per span: resource, scope, kind, name, flags, trace state, status code, status
             // message, attribute count, dropped attributes, event count, dropped events, link
             // count, dropped links
  kEvents,   // per event: zigzag(time - span start), name, attribute count, dropped attributes
  kLinkIds,  // per link: trace id (16 bytes) and span id (8 bytes), big-endian
  kLinks,    // per link: trace state, flags, attribute count, dropped attributes
  kKeys,     // per attribute: key
  kTypes,    // per value: a ValueCode
  kStrings,  // per string or bytes value: the string
  kInts,     // per int value: zigzag; per array or map: its element count
  kDoubles,  // per double value: its IEEE 754 bits, 8 bytes little-endian
  kSectionCount
};
constexpr size_t kFirstTraceSection = kParents;

constexpr uint64_t kNoParent = 0;
constexpr uint64_t kExternalParent = 1;
constexpr uint64_t kParentRow = 2;

enum ValueCode : uint8_t {
  kEmptyValue,
  kStringValue,
  kFalseValue,
  kTrueValue,
  kIntValue,
  kDoubleValue,
  kBytesValue,
  kArrayValue,
  kMapValue,
};

uint64_t ZigZag(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

int64_t UnZigZag(uint64_t value) {
  return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
}

Status Corrupt(std::string_view what) {
  return Status::DataLoss("local store: corrupt span block (" + std::string(what) +
                          "); the store's files were changed outside Ariadne or damaged");
}

// ---------------------------------------------------------------------------------------------
// Encoding

// The block's strings, numbered in the order first seen; "" is 0 and never written.
class StringTable {
 public:
  uint64_t Id(std::string_view text, std::string& lengths, std::string& bytes) {
    if (text.empty()) return 0;
    const auto [it, inserted] = ids_.try_emplace(text, ids_.size() + 1);
    if (inserted) {
      PutVarint(text.size(), lengths);
      bytes.append(text);
    }
    return it->second;
  }

 private:
  absl::flat_hash_map<std::string_view, uint64_t> ids_;
};

class BlockEncoder {
 public:
  explicit BlockEncoder(const SpanBatch& batch)
      : batch_(batch),
        resource_ids_(batch.resources().size(), 0),
        scope_ids_(batch.scopes().size(), 0) {}

  Status Encode(std::span<const Span* const> spans, std::string& out) {
    PutGroups(spans);
    for (size_t first = 0; first < spans.size();) {
      size_t end = first + 1;
      while (end < spans.size() && spans[end]->trace_id == spans[first]->trace_id) ++end;
      PutTrace(spans.subspan(first, end - first));
      first = end;
    }
    if (too_deep_) {
      // The ingest formats' decoders stop at far less nesting; only another writer gets here.
      return Status::InvalidArgument(
          "local store: an attribute value nests arrays or maps more than " +
          std::to_string(kMaxSpanBlockValueDepth) + " deep, more than a span block holds");
    }
    return Compress(spans.size(), out);
  }

 private:
  std::string& Out(Section section) { return sections_[section]; }

  void PutString(Section section, std::string_view text) {
    PutVarint(strings_.Id(text, Out(kStringLengths), Out(kStringBytes)), Out(section));
  }

  // Resources and scopes that the spans use, numbered in the order first used.
  void PutGroups(std::span<const Span* const> spans) {
    std::vector<uint32_t> resources;
    std::vector<uint32_t> scopes;
    for (const Span* span : spans) {
      if (resource_ids_[span->resource_index] == 0) {
        resources.push_back(span->resource_index);
        resource_ids_[span->resource_index] = static_cast<uint32_t>(resources.size());
      }
      if (scope_ids_[span->scope_index] == 0) {
        scopes.push_back(span->scope_index);
        scope_ids_[span->scope_index] = static_cast<uint32_t>(scopes.size());
      }
    }
    std::string& out = Out(kGroups);
    PutVarint(resources.size(), out);
    PutVarint(scopes.size(), out);
    for (uint32_t index : resources) {
      const tracecore::Resource& resource = batch_.resources()[index];
      PutVarint(resource.attributes.size(), out);
      PutVarint(resource.dropped_attributes_count, out);
      PutString(kGroups, resource.schema_url);
      PutAttributes(resource.attributes);
    }
    for (uint32_t index : scopes) {
      const tracecore::Scope& scope = batch_.scopes()[index];
      PutString(kGroups, scope.name);
      PutString(kGroups, scope.version);
      PutVarint(scope.attributes.size(), out);
      PutVarint(scope.dropped_attributes_count, out);
      PutString(kGroups, scope.schema_url);
      PutAttributes(scope.attributes);
    }
  }

  void PutTrace(std::span<const Span* const> spans) {
    const TraceId& trace = spans.front()->trace_id;
    PutFixed64(trace.high, Out(kTraceIds));
    PutFixed64(trace.low, Out(kTraceIds));
    uint64_t base = spans.front()->start_time_unix_nano;
    for (const Span* span : spans) base = std::min(base, span->start_time_unix_nano);
    std::array<size_t, kSectionCount> before{};
    for (size_t s = kFirstTraceSection; s < kSectionCount; ++s) before[s] = sections_[s].size();

    rows_.clear();
    for (size_t row = 0; row < spans.size(); ++row) {
      rows_.try_emplace(spans[row]->span_id.value, row);
    }
    for (const Span* span : spans) PutSpan(*span, base);

    std::string& out = Out(kTraces);
    PutVarint(spans.size(), out);
    PutVarint(base, out);
    for (size_t s = kFirstTraceSection; s < kSectionCount; ++s) {
      PutVarint(sections_[s].size() - before[s], out);
    }
  }

  void PutSpan(const Span& span, uint64_t base) {
    PutFixed64(span.span_id.value, Out(kSpanIds));
    if (span.parent_span_id.empty()) {
      PutVarint(kNoParent, Out(kParents));
    } else if (const auto row = rows_.find(span.parent_span_id.value); row != rows_.end()) {
      PutVarint(kParentRow + row->second, Out(kParents));
    } else {
      PutVarint(kExternalParent, Out(kParents));
      PutFixed64(span.parent_span_id.value, Out(kExternalParents));
    }
    PutVarint(span.start_time_unix_nano - base, Out(kTimes));
    PutVarint(ZigZag(static_cast<int64_t>(span.end_time_unix_nano - span.start_time_unix_nano)),
              Out(kTimes));

    std::string& out = Out(kSpans);
    PutVarint(resource_ids_[span.resource_index] - 1, out);
    PutVarint(scope_ids_[span.scope_index] - 1, out);
    out.push_back(static_cast<char>(span.kind));
    PutString(kSpans, span.name);
    PutVarint(span.flags, out);
    PutString(kSpans, span.trace_state);
    out.push_back(static_cast<char>(span.status.code));
    PutString(kSpans, span.status.message);
    PutVarint(span.attributes.size(), out);
    PutVarint(span.dropped_attributes_count, out);
    PutVarint(span.events.size(), out);
    PutVarint(span.dropped_events_count, out);
    PutVarint(span.links.size(), out);
    PutVarint(span.dropped_links_count, out);
    PutAttributes(span.attributes);

    for (const tracecore::Event& event : span.events) {
      std::string& events = Out(kEvents);
      PutVarint(ZigZag(static_cast<int64_t>(event.time_unix_nano - span.start_time_unix_nano)),
                events);
      PutString(kEvents, event.name);
      PutVarint(event.attributes.size(), events);
      PutVarint(event.dropped_attributes_count, events);
      PutAttributes(event.attributes);
    }
    for (const tracecore::Link& link : span.links) {
      PutFixed64(link.trace_id.high, Out(kLinkIds));
      PutFixed64(link.trace_id.low, Out(kLinkIds));
      PutFixed64(link.span_id.value, Out(kLinkIds));
      PutString(kLinks, link.trace_state);
      PutVarint(link.flags, Out(kLinks));
      PutVarint(link.attributes.size(), Out(kLinks));
      PutVarint(link.dropped_attributes_count, Out(kLinks));
      PutAttributes(link.attributes);
    }
  }

  // `depth`: how many arrays and maps the attributes are in.
  void PutAttributes(std::span<const Attribute> attributes, int depth = 0) {
    for (const Attribute& attribute : attributes) {
      PutString(kKeys, attribute.key);
      PutValue(attribute.value, depth);
    }
  }

  void PutValue(const AnyValue& value, int depth) {
    const bool container =
        value.type() == tracecore::ValueType::kArray || value.type() == tracecore::ValueType::kMap;
    if (container && depth + 1 > kMaxSpanBlockValueDepth) {
      too_deep_ = true;  // Encode fails; what is written below is never stored
      return;
    }
    std::string& types = Out(kTypes);
    switch (value.type()) {
      case tracecore::ValueType::kEmpty: types.push_back(kEmptyValue); return;
      case tracecore::ValueType::kString:
        types.push_back(kStringValue);
        PutString(kStrings, value.string_value());
        return;
      case tracecore::ValueType::kBytes:
        types.push_back(kBytesValue);
        PutString(kStrings, value.bytes_value());
        return;
      case tracecore::ValueType::kBool:
        types.push_back(value.bool_value() ? kTrueValue : kFalseValue);
        return;
      case tracecore::ValueType::kInt:
        types.push_back(kIntValue);
        PutVarint(ZigZag(value.int_value()), Out(kInts));
        return;
      case tracecore::ValueType::kDouble: {
        types.push_back(kDoubleValue);
        const auto bits = std::bit_cast<uint64_t>(value.double_value());
        for (int shift = 0; shift < 64; shift += 8) {
          Out(kDoubles).push_back(static_cast<char>(bits >> shift));
        }
        return;
      }
      case tracecore::ValueType::kArray:
        types.push_back(kArrayValue);
        PutVarint(value.size(), Out(kInts));
        for (size_t i = 0; i < value.size(); ++i) PutValue(value.array_begin()[i], depth + 1);
        return;
      case tracecore::ValueType::kMap:
        types.push_back(kMapValue);
        PutVarint(value.size(), Out(kInts));
        PutAttributes({value.map_begin(), value.size()}, depth + 1);
        return;
    }
  }

  // version | span count | per section: its size and its stored size | the stored sections.
  Status Compress(size_t span_count, std::string& out) {
    uint64_t raw_total = 0;
    for (const std::string& section : sections_) raw_total += section.size();
    if (raw_total > kMaxSpanBlockPayload) {
      return Status::InvalidArgument("local store: a batch of " + std::to_string(span_count) +
                                     " spans needs " + std::to_string(raw_total >> 20) +
                                     " MiB as one span block, more than the " +
                                     std::to_string(kMaxSpanBlockPayload >> 20) +
                                     " MiB a block may hold; send smaller batches");
    }
    thread_local const std::unique_ptr<ZSTD_CCtx, decltype(&ZSTD_freeCCtx)> context(
        ZSTD_createCCtx(), &ZSTD_freeCCtx);
    out.clear();
    out.push_back(static_cast<char>(kSpanBlockVersion));
    PutVarint(span_count, out);
    std::string body;
    for (const std::string& section : sections_) {
      const size_t start = body.size();
      if (!section.empty()) {
        body.resize(start + ZSTD_compressBound(section.size()));
        const size_t size =
            ZSTD_compressCCtx(context.get(), body.data() + start, body.size() - start,
                              section.data(), section.size(), kZstdLevel);
        // The room is zstd's bound for the input, so this fails only if zstd cannot allocate.
        if (ZSTD_isError(size)) {
          return Status::Internal(std::string("local store: zstd: ") + ZSTD_getErrorName(size));
        }
        body.resize(start + size);
        if (size >= section.size()) body.replace(start, size, section);  // stored as it is
      }
      PutVarint(section.size(), out);
      PutVarint(body.size() - start, out);
    }
    out.append(body);
    return {};
  }

  const SpanBatch& batch_;
  std::array<std::string, kSectionCount> sections_;
  StringTable strings_;
  std::vector<uint32_t> resource_ids_;  // batch index -> block index + 1; 0 while unused
  std::vector<uint32_t> scope_ids_;
  absl::flat_hash_map<uint64_t, size_t> rows_;  // span id -> row, within the current trace
  bool too_deep_ = false;                       // a value nests deeper than a block may hold
};

// ---------------------------------------------------------------------------------------------
// Decoding

// A section being read from the front.
struct Reader {
  std::string_view data;

  bool Varint(uint64_t& value) { return GetVarint(data, value); }
  bool Byte(uint8_t& value) {
    if (data.empty()) return false;
    value = static_cast<uint8_t>(data.front());
    data.remove_prefix(1);
    return true;
  }
  bool BigEndian64(uint64_t& value) { return GetFixed64(data, value); }
  bool LittleEndian64(uint64_t& value) {
    if (data.size() < 8) return false;
    value = 0;
    for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<uint8_t>(data[i]);
    data.remove_prefix(8);
    return true;
  }
  // A count of items that take at least `min_bytes` each of what is left.
  bool Count(uint64_t& value, const Reader& items, size_t min_bytes = 1) {
    return Varint(value) && value <= items.data.size() / min_bytes;
  }
};

}  // namespace

// Open() checks and indexes a payload: its sections, string table, resources and scopes, and
// where each trace's bytes are. Read() then decodes the rows of the traces asked for.
class SpanBlockReader::Decoder {
 public:
  Status Open(std::string_view payload, uint64_t span_count) {
    error_ = nullptr;
    opened_ = false;
    strings_.clear();
    traces_.clear();
    groups_ = SpanBatch();
    arena_ = &groups_;
    if (!ReadSections(payload) || !ReadStrings() || !ReadGroups() || !ReadTraces(span_count)) {
      return Corrupt(error_);
    }
    opened_ = true;
    return {};
  }

  Status Read(const std::span<const TraceId>* only, SpanBatch& out) {
    if (!opened_) return Status::Internal("local store: a span block read before it was opened");
    error_ = nullptr;
    out_ = &out;
    arena_ = &out;
    resource_in_out_.assign(groups_.resources().size(), kNotInOut);
    scope_in_out_.assign(groups_.scopes().size(), kNotInOut);
    for (const TraceEntry& trace : traces_) {
      if (only != nullptr && std::find(only->begin(), only->end(), trace.id) == only->end()) {
        continue;
      }
      if (!ReadTraceSpans(trace)) return Corrupt(error_);
    }
    return {};
  }

 private:
  // Where a trace's bytes are in the sections.
  struct TraceEntry {
    TraceId id;
    uint64_t base = 0;
    uint64_t spans = 0;
    std::string_view span_ids;
    std::array<std::string_view, kSectionCount> parts;
  };

  bool Fail(const char* what) {
    if (error_ == nullptr) error_ = what;
    return false;
  }

  bool ReadSections(std::string_view payload) {
    Reader table{payload};
    std::array<uint64_t, kSectionCount> sizes{};
    for (uint64_t& size : sizes) {
      if (!table.Varint(size)) return Fail("section table");
    }
    std::string_view rest = table.data;
    for (size_t s = 0; s < kSectionCount; ++s) {
      if (sizes[s] > rest.size()) return Fail("section sizes");
      sections_[s].data = rest.substr(0, sizes[s]);
      rest.remove_prefix(sizes[s]);
    }
    return rest.empty() || Fail("bytes after the last section");
  }

  bool ReadStrings() {
    Reader& lengths = sections_[kStringLengths];
    std::string_view bytes = sections_[kStringBytes].data;
    strings_.push_back({});
    while (!lengths.data.empty()) {
      uint64_t length = 0;
      if (!lengths.Varint(length) || length > bytes.size()) return Fail("string table");
      strings_.push_back(bytes.substr(0, length));
      bytes.remove_prefix(length);
    }
    return bytes.empty() || Fail("string table");
  }

  bool ReadString(Section section, std::string_view& out) {
    uint64_t id = 0;
    if (!sections_[section].Varint(id) || id >= strings_.size()) return Fail("string number");
    out = strings_[id];
    return true;
  }

  // Resources and scopes are read whole into groups_, and copied into an output batch when a
  // span read into it first uses them.
  bool ReadGroups() {
    Reader& groups = sections_[kGroups];
    uint64_t resource_count = 0;
    uint64_t scope_count = 0;
    if (!groups.Count(resource_count, groups) || !groups.Count(scope_count, groups)) {
      return Fail("resource and scope counts");
    }
    for (uint64_t i = 0; i < resource_count; ++i) {
      tracecore::Resource& resource = groups_.resources()[groups_.AddResource()];
      uint64_t count = 0;
      uint64_t dropped = 0;
      if (!groups.Count(count, sections_[kKeys]) || !groups.Varint(dropped) ||
          !ReadString(kGroups, resource.schema_url) ||
          !ReadAttributes(count, &resource.attributes, 0)) {
        return Fail("resource");
      }
      resource.dropped_attributes_count = static_cast<uint32_t>(dropped);
    }
    for (uint64_t i = 0; i < scope_count; ++i) {
      tracecore::Scope& scope = groups_.scopes()[groups_.AddScope()];
      uint64_t count = 0;
      uint64_t dropped = 0;
      if (!ReadString(kGroups, scope.name) || !ReadString(kGroups, scope.version) ||
          !groups.Count(count, sections_[kKeys]) || !groups.Varint(dropped) ||
          !ReadString(kGroups, scope.schema_url) || !ReadAttributes(count, &scope.attributes, 0)) {
        return Fail("scope");
      }
      scope.dropped_attributes_count = static_cast<uint32_t>(dropped);
    }
    return groups.data.empty() || Fail("resources and scopes");
  }

  // The trace table: where each trace's bytes are. Every byte of every section must belong to
  // a trace.
  bool ReadTraces(uint64_t span_count) {
    Reader& table = sections_[kTraces];
    Reader& ids = sections_[kTraceIds];
    uint64_t total = 0;
    while (!ids.data.empty()) {
      TraceEntry& trace = traces_.emplace_back();
      std::array<uint64_t, kSectionCount> sizes{};
      if (!ids.BigEndian64(trace.id.high) || !ids.BigEndian64(trace.id.low) ||
          !table.Count(trace.spans, sections_[kSpanIds], 8) || !table.Varint(trace.base)) {
        return Fail("trace table");
      }
      for (size_t s = kFirstTraceSection; s < kSectionCount; ++s) {
        if (!table.Varint(sizes[s]) || sizes[s] > sections_[s].data.size()) {
          return Fail("trace table");
        }
        trace.parts[s] = sections_[s].data.substr(0, sizes[s]);
        sections_[s].data.remove_prefix(sizes[s]);
      }
      total += trace.spans;
      trace.span_ids = sections_[kSpanIds].data.substr(0, trace.spans * 8);
      sections_[kSpanIds].data.remove_prefix(trace.spans * 8);
    }
    if (total != span_count) return Fail("span count");
    if (!table.data.empty()) return Fail("trace table");
    for (size_t s = kSpanIds; s < kSectionCount; ++s) {
      if (!sections_[s].data.empty()) return Fail("bytes no trace accounts for");
    }
    return true;
  }

  bool ReadTraceSpans(const TraceEntry& trace) {
    for (size_t s = kFirstTraceSection; s < kSectionCount; ++s) sections_[s].data = trace.parts[s];
    Reader span_ids{trace.span_ids};
    for (uint64_t row = 0; row < trace.spans; ++row) {
      Span& span = out_->AddSpan(0, 0);
      span.trace_id = trace.id;
      if (!span_ids.BigEndian64(span.span_id.value) ||
          !ReadSpan(trace.base, trace.span_ids, trace.spans, span)) {
        return false;
      }
    }
    for (size_t s = kFirstTraceSection; s < kSectionCount; ++s) {
      if (!sections_[s].data.empty()) return Fail("bytes a trace does not account for");
    }
    return true;
  }

  bool ReadSpan(uint64_t base, std::string_view trace_span_ids, uint64_t rows, Span& span) {
    uint64_t parent = 0;
    if (!sections_[kParents].Varint(parent)) return Fail("parent");
    if (parent == kExternalParent) {
      if (!sections_[kExternalParents].BigEndian64(span.parent_span_id.value)) {
        return Fail("parent");
      }
    } else if (parent >= kParentRow) {
      if (parent - kParentRow >= rows) return Fail("parent row");
      span.parent_span_id.value =
          tracecore::LoadBigEndian64(trace_span_ids.data() + 8 * (parent - kParentRow));
    }
    uint64_t start = 0;
    uint64_t length = 0;
    if (!sections_[kTimes].Varint(start) || !sections_[kTimes].Varint(length)) {
      return Fail("times");
    }
    span.start_time_unix_nano = base + start;
    span.end_time_unix_nano = span.start_time_unix_nano + static_cast<uint64_t>(UnZigZag(length));

    Reader& in = sections_[kSpans];
    uint64_t resource = 0;
    uint64_t scope = 0;
    uint8_t kind = 0;
    uint8_t status = 0;
    uint64_t flags = 0;
    if (!in.Varint(resource) || resource >= groups_.resources().size() || !in.Varint(scope) ||
        scope >= groups_.scopes().size() || !in.Byte(kind) ||
        kind > static_cast<uint8_t>(tracecore::SpanKind::kConsumer) ||
        !ReadString(kSpans, span.name) || !in.Varint(flags) ||
        !ReadString(kSpans, span.trace_state) || !in.Byte(status) ||
        status > static_cast<uint8_t>(tracecore::SpanStatusCode::kError) ||
        !ReadString(kSpans, span.status.message)) {
      return Fail("span");
    }
    span.kind = static_cast<tracecore::SpanKind>(kind);
    span.flags = static_cast<uint32_t>(flags);
    span.status.code = static_cast<tracecore::SpanStatusCode>(status);
    span.resource_index = OutputResource(resource);
    span.scope_index = OutputScope(scope);

    uint64_t attributes = 0;
    uint64_t events = 0;
    uint64_t links = 0;
    uint64_t dropped[3] = {};
    if (!in.Count(attributes, sections_[kKeys]) || !in.Varint(dropped[0]) ||
        !in.Count(events, sections_[kEvents]) || !in.Varint(dropped[1]) ||
        !in.Count(links, sections_[kLinkIds], 24) || !in.Varint(dropped[2]) ||
        !ReadAttributes(attributes, &span.attributes, 0)) {
      return Fail("span");
    }
    span.dropped_attributes_count = static_cast<uint32_t>(dropped[0]);
    span.dropped_events_count = static_cast<uint32_t>(dropped[1]);
    span.dropped_links_count = static_cast<uint32_t>(dropped[2]);
    span.events.reserve(events);
    for (uint64_t i = 0; i < events; ++i) {
      if (!ReadEvent(span)) return false;
    }
    span.links.reserve(links);
    for (uint64_t i = 0; i < links; ++i) {
      if (!ReadLink(span)) return false;
    }
    return true;
  }

  bool ReadEvent(Span& span) {
    Reader& in = sections_[kEvents];
    tracecore::Event& event = span.events.emplace_back(out_->arena());
    uint64_t offset = 0;
    uint64_t count = 0;
    uint64_t dropped = 0;
    if (!in.Varint(offset) || !ReadString(kEvents, event.name) ||
        !in.Count(count, sections_[kKeys]) || !in.Varint(dropped) ||
        !ReadAttributes(count, &event.attributes, 0)) {
      return Fail("event");
    }
    event.time_unix_nano = span.start_time_unix_nano + static_cast<uint64_t>(UnZigZag(offset));
    event.dropped_attributes_count = static_cast<uint32_t>(dropped);
    return true;
  }

  bool ReadLink(Span& span) {
    Reader& ids = sections_[kLinkIds];
    Reader& in = sections_[kLinks];
    tracecore::Link& link = span.links.emplace_back(out_->arena());
    uint64_t flags = 0;
    uint64_t count = 0;
    uint64_t dropped = 0;
    if (!ids.BigEndian64(link.trace_id.high) || !ids.BigEndian64(link.trace_id.low) ||
        !ids.BigEndian64(link.span_id.value) || !ReadString(kLinks, link.trace_state) ||
        !in.Varint(flags) || !in.Count(count, sections_[kKeys]) || !in.Varint(dropped) ||
        !ReadAttributes(count, &link.attributes, 0)) {
      return Fail("link");
    }
    link.flags = static_cast<uint32_t>(flags);
    link.dropped_attributes_count = static_cast<uint32_t>(dropped);
    return true;
  }

  bool ReadAttributes(uint64_t count, Attributes* out, int depth) {
    out->reserve(out->size() + count);
    for (uint64_t i = 0; i < count; ++i) {
      Attribute attribute;
      if (!ReadString(kKeys, attribute.key) || !ReadValue(attribute.value, depth)) return false;
      out->push_back(attribute);
    }
    return true;
  }

  bool ReadValue(AnyValue& out, int depth) {
    uint8_t code = 0;
    if (!sections_[kTypes].Byte(code)) return Fail("value type");
    switch (code) {
      case kEmptyValue: out = AnyValue(); return true;
      case kStringValue:
      case kBytesValue: {
        std::string_view text;
        if (!ReadString(kStrings, text)) return false;
        out = code == kStringValue ? AnyValue::String(text) : AnyValue::Bytes(text);
        return true;
      }
      case kFalseValue:
      case kTrueValue: out = AnyValue::Bool(code == kTrueValue); return true;
      case kIntValue: {
        uint64_t value = 0;
        if (!sections_[kInts].Varint(value)) return Fail("int value");
        out = AnyValue::Int(UnZigZag(value));
        return true;
      }
      case kDoubleValue: {
        uint64_t bits = 0;
        if (!sections_[kDoubles].LittleEndian64(bits)) return Fail("double value");
        out = AnyValue::Double(std::bit_cast<double>(bits));
        return true;
      }
      case kArrayValue:
      case kMapValue: return ReadContainer(code, out, depth + 1);
      default: return Fail("value type");
    }
  }

  bool ReadContainer(uint8_t code, AnyValue& out, int depth) {
    if (depth > kMaxSpanBlockValueDepth) return Fail("values nested too deeply");
    uint64_t count = 0;
    // Every element takes at least a type byte.
    if (!sections_[kInts].Count(count, sections_[kTypes])) return Fail("array or map size");
    if (code == kArrayValue) {
      auto* values = arena_->AllocateArray<AnyValue>(count);
      for (uint64_t i = 0; i < count; ++i) {
        if (!ReadValue(values[i], depth)) return false;
      }
      out = AnyValue::Array(values, count);
      return true;
    }
    auto* entries = arena_->AllocateArray<Attribute>(count);
    for (uint64_t i = 0; i < count; ++i) {
      if (!ReadString(kKeys, entries[i].key) || !ReadValue(entries[i].value, depth)) return false;
    }
    out = AnyValue::Map(entries, count);
    return true;
  }

  uint32_t OutputResource(uint64_t block_index) {
    uint32_t& index = resource_in_out_[block_index];
    if (index == kNotInOut) {
      index = out_->AddResource();
      out_->resources()[index] = groups_.resources()[block_index];
    }
    return index;
  }

  uint32_t OutputScope(uint64_t block_index) {
    uint32_t& index = scope_in_out_[block_index];
    if (index == kNotInOut) {
      index = out_->AddScope();
      out_->scopes()[index] = groups_.scopes()[block_index];
    }
    return index;
  }

  static constexpr uint32_t kNotInOut = UINT32_MAX;

  const char* error_ = nullptr;
  bool opened_ = false;
  std::array<Reader, kSectionCount> sections_;
  std::vector<std::string_view> strings_;
  SpanBatch groups_;  // the block's resources and scopes, and their array and map values
  std::vector<TraceEntry> traces_;
  SpanBatch* arena_ = nullptr;  // where arrays and maps being read are allocated
  SpanBatch* out_ = nullptr;    // where spans being read go (Read)
  std::vector<uint32_t> resource_in_out_;
  std::vector<uint32_t> scope_in_out_;
};

namespace {

Status ReadSpanCount(std::string_view& block, uint64_t& count) {
  if (block.empty() || static_cast<uint8_t>(block[0]) != kSpanBlockVersion) {
    return Corrupt("unknown block version");
  }
  block.remove_prefix(1);
  if (!GetVarint(block, count)) return Corrupt("header");
  return {};
}

}  // namespace

Status EncodeSpanBlock(const SpanBatch& batch, std::span<const Span* const> spans,
                       std::string& out) {
  return BlockEncoder(batch).Encode(spans, out);
}

Status SpanBlockSpanCount(std::string_view block, uint64_t& count) {
  return ReadSpanCount(block, count);
}

namespace {

// Rebuilds the payload as the decoder reads it: the sections' sizes, then the sections.
Status DecompressSpanBlock(std::string_view block, uint64_t& span_count, std::string& payload) {
  ARIADNE_RETURN_IF_ERROR(ReadSpanCount(block, span_count));
  std::array<uint64_t, kSectionCount> raw_sizes{};
  std::array<uint64_t, kSectionCount> stored_sizes{};
  uint64_t raw_total = 0;
  uint64_t stored_total = 0;
  for (size_t s = 0; s < kSectionCount; ++s) {
    if (!GetVarint(block, raw_sizes[s]) || !GetVarint(block, stored_sizes[s]) ||
        stored_sizes[s] > raw_sizes[s] || raw_sizes[s] > kMaxSpanBlockPayload) {
      return Corrupt("section directory");
    }
    raw_total += raw_sizes[s];
    stored_total += stored_sizes[s];
  }
  if (raw_total > kMaxSpanBlockPayload) return Corrupt("payload size");
  if (stored_total != block.size()) return Corrupt("section sizes");

  payload.clear();
  for (uint64_t size : raw_sizes) PutVarint(size, payload);
  const size_t table = payload.size();
  // Every byte is then written by a copy or a decompression; resize_and_overwrite would spare
  // the zeroing.
  payload.resize(table + raw_total);
  thread_local const std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> context(ZSTD_createDCtx(),
                                                                                  &ZSTD_freeDCtx);
  char* to = payload.data() + table;
  for (size_t s = 0; s < kSectionCount; ++s) {
    const std::string_view stored = block.substr(0, stored_sizes[s]);
    block.remove_prefix(stored_sizes[s]);
    if (stored.size() == raw_sizes[s]) {
      std::memcpy(to, stored.data(), stored.size());
    } else if (ZSTD_getFrameContentSize(stored.data(), stored.size()) != raw_sizes[s] ||
               ZSTD_decompressDCtx(context.get(), to, raw_sizes[s], stored.data(), stored.size()) !=
                   raw_sizes[s]) {
      return Corrupt("compressed section");
    }
    to += raw_sizes[s];
  }
  return {};
}

}  // namespace

SpanBlockReader::SpanBlockReader() : decoder_(std::make_unique<Decoder>()) {}
SpanBlockReader::~SpanBlockReader() = default;

Status SpanBlockReader::Open(std::string_view block) {
  ARIADNE_RETURN_IF_ERROR(DecompressSpanBlock(block, span_count_, payload_));
  return decoder_->Open(payload_, span_count_);
}

Status SpanBlockReader::OpenPayload(std::string payload, uint64_t span_count) {
  payload_ = std::move(payload);
  span_count_ = span_count;
  return decoder_->Open(payload_, span_count_);
}

Status SpanBlockReader::Read(const std::span<const TraceId>* only, SpanBatch& out) {
  return decoder_->Read(only, out);
}

Status DecodeSpanBlock(std::string_view block, SpanBatch& out) {
  auto reader = std::make_shared<SpanBlockReader>();
  ARIADNE_RETURN_IF_ERROR(reader->Open(block));
  out.KeepAlive(reader);
  return reader->Read(nullptr, out);
}

Status DecodeSpanBlockTraces(std::string_view block, std::span<const TraceId> traces,
                             SpanBatch& out) {
  auto reader = std::make_shared<SpanBlockReader>();
  ARIADNE_RETURN_IF_ERROR(reader->Open(block));
  out.KeepAlive(reader);
  return reader->Read(&traces, out);
}

}  // namespace ariadne::storage::local
