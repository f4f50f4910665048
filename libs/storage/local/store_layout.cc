#include "local/store_layout.h"

#include <algorithm>
#include <limits>

namespace ariadne::storage::local {

using tracecore::Status;
using tracecore::TraceId;

namespace {

constexpr std::string_view kFormatMagic = "ariadne-local";

void PutTraceId(const TraceId& trace, std::string& out) {
  PutFixed64(trace.high, out);
  PutFixed64(trace.low, out);
}

bool GetTraceId(std::string_view& in, TraceId& trace) {
  return GetFixed64(in, trace.high) && GetFixed64(in, trace.low);
}

Status Corrupt(std::string_view what) {
  return Status::DataLoss("local store: corrupt " + std::string(what) +
                          "; the store's files were changed outside Ariadne or damaged");
}

}  // namespace

void PutFixed32(uint32_t value, std::string& out) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void PutFixed64(uint64_t value, std::string& out) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void PutVarint(uint64_t value, std::string& out) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void PutLengthPrefixed(std::string_view bytes, std::string& out) {
  PutVarint(bytes.size(), out);
  out.append(bytes);
}

bool GetFixed32(std::string_view& in, uint32_t& value) {
  if (in.size() < 4) return false;
  value = 0;
  for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(4);
  return true;
}

bool GetFixed64(std::string_view& in, uint64_t& value) {
  if (in.size() < 8) return false;
  value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(in[i]);
  in.remove_prefix(8);
  return true;
}

bool GetVarint(std::string_view& in, uint64_t& value) {
  value = 0;
  for (size_t i = 0; i < in.size() && i < 10; ++i) {
    const auto byte = static_cast<uint8_t>(in[i]);
    value |= static_cast<uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      in.remove_prefix(i + 1);
      return true;
    }
  }
  return false;
}

bool GetLengthPrefixed(std::string_view& in, std::string_view& bytes) {
  uint64_t length = 0;
  if (!GetVarint(in, length) || length > in.size()) return false;
  bytes = in.substr(0, length);
  in.remove_prefix(length);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Keys

std::string BucketKey(uint32_t bucket) {
  std::string key;
  PutFixed32(bucket, key);
  return key;
}

std::string RecordKey(uint32_t bucket, uint64_t seq) {
  std::string key = BucketKey(bucket);
  PutFixed64(seq, key);
  return key;
}

std::string TraceKeyPrefix(uint32_t bucket, const TraceId& trace) {
  std::string key = BucketKey(bucket);
  PutTraceId(trace, key);
  return key;
}

std::string TraceKey(uint32_t bucket, const TraceId& trace, uint64_t seq) {
  std::string key = TraceKeyPrefix(bucket, trace);
  PutFixed64(seq, key);
  return key;
}

std::string SearchKeyPrefix(uint32_t bucket, std::string_view service) {
  std::string key = BucketKey(bucket);
  PutLengthPrefixed(service, key);
  return key;
}

std::string SearchKey(uint32_t bucket, std::string_view service, uint64_t newest_start,
                      const TraceId& trace, uint64_t seq) {
  std::string key = SearchKeyPrefix(bucket, service);
  PutFixed64(std::numeric_limits<uint64_t>::max() - newest_start, key);
  PutTraceId(trace, key);
  PutFixed64(seq, key);
  return key;
}

std::string MetaBucketKey(uint32_t bucket) {
  std::string key(1, kMetaBucketTag);
  PutFixed32(bucket, key);
  return key;
}

std::string MetaOperationKey(uint32_t bucket, std::string_view service, tracecore::SpanKind kind,
                             std::string_view name) {
  std::string key(1, kMetaOperationTag);
  PutFixed32(bucket, key);
  key.push_back(static_cast<char>(kind));
  PutLengthPrefixed(service, key);
  key.append(name);
  return key;
}

std::string DependencyKey(uint32_t bucket, char granularity, uint64_t time, uint64_t seq) {
  std::string key = BucketKey(bucket);
  key.push_back(granularity);
  PutFixed64(time, key);
  PutFixed64(seq, key);
  return key;
}

bool ParseTraceKey(std::string_view key, TraceKeyParts& out) {
  return GetFixed32(key, out.bucket) && GetTraceId(key, out.trace) && GetFixed64(key, out.seq) &&
         key.empty();
}

bool ParseSearchKey(std::string_view key, SearchKeyParts& out) {
  uint64_t inverted = 0;
  if (!GetFixed32(key, out.bucket) || !GetLengthPrefixed(key, out.service) ||
      !GetFixed64(key, inverted) || !GetTraceId(key, out.trace) || !GetFixed64(key, out.seq)) {
    return false;
  }
  out.newest_start = std::numeric_limits<uint64_t>::max() - inverted;
  return key.empty();
}

bool ParseMetaOperationKey(std::string_view key, OperationKeyParts& out) {
  if (key.size() < 6 || key[0] != kMetaOperationTag) return false;
  key.remove_prefix(1);
  if (!GetFixed32(key, out.bucket)) return false;
  const auto kind = static_cast<uint8_t>(key[0]);
  if (kind > static_cast<uint8_t>(tracecore::SpanKind::kConsumer)) return false;
  out.kind = static_cast<tracecore::SpanKind>(kind);
  key.remove_prefix(1);
  if (!GetLengthPrefixed(key, out.service)) return false;
  out.name = key;
  return true;
}

bool ParseMetaBucketKey(std::string_view key, uint32_t& bucket) {
  if (key.empty() || key[0] != kMetaBucketTag) return false;
  key.remove_prefix(1);
  return GetFixed32(key, bucket) && key.empty();
}

bool ParseDependencyKey(std::string_view key, uint32_t& bucket, char& granularity, uint64_t& time) {
  if (!GetFixed32(key, bucket) || key.empty()) return false;
  granularity = key[0];
  key.remove_prefix(1);
  uint64_t seq = 0;
  return GetFixed64(key, time) && GetFixed64(key, seq) && key.empty();
}

bool ParseRecordKey(std::string_view key, uint32_t& bucket, uint64_t& seq) {
  return GetFixed32(key, bucket) && GetFixed64(key, seq) && key.empty();
}

// ---------------------------------------------------------------------------------------------
// Values

std::string EncodeFormatRecord(const FormatRecord& format) {
  std::string out(kFormatMagic);
  PutVarint(format.version, out);
  PutVarint(format.bucket_seconds, out);
  return out;
}

Status DecodeFormatRecord(std::string_view bytes, FormatRecord& out) {
  if (!bytes.starts_with(kFormatMagic)) return Corrupt("format record");
  bytes.remove_prefix(kFormatMagic.size());
  uint64_t version = 0;
  uint64_t bucket_seconds = 0;
  if (!GetVarint(bytes, version) || !GetVarint(bytes, bucket_seconds) || bucket_seconds == 0 ||
      bucket_seconds > std::numeric_limits<uint32_t>::max() ||
      version > std::numeric_limits<uint32_t>::max()) {
    return Corrupt("format record");
  }
  out.version = static_cast<uint32_t>(version);
  out.bucket_seconds = static_cast<uint32_t>(bucket_seconds);
  return {};
}

void AppendSpanSummary(const tracecore::Span& span, uint64_t newest_start, std::string& out) {
  out.push_back(static_cast<char>(span.kind));
  PutLengthPrefixed(span.name, out);
  PutVarint(newest_start - span.start_time_unix_nano, out);
  const uint64_t end = std::max(span.end_time_unix_nano, span.start_time_unix_nano);
  PutVarint(end - span.start_time_unix_nano, out);
}

Status DecodeSearchSummary(std::string_view bytes, uint64_t newest_start,
                           std::vector<SpanSummary>& out) {
  while (!bytes.empty()) {
    SpanSummary summary;
    const auto kind = static_cast<uint8_t>(bytes[0]);
    bytes.remove_prefix(1);
    uint64_t age = 0;
    if (kind > static_cast<uint8_t>(tracecore::SpanKind::kConsumer) ||
        !GetLengthPrefixed(bytes, summary.name) || !GetVarint(bytes, age) ||
        !GetVarint(bytes, summary.duration) || age > newest_start) {
      return Corrupt("search entry");
    }
    summary.kind = static_cast<tracecore::SpanKind>(kind);
    summary.start = newest_start - age;
    out.push_back(summary);
  }
  return {};
}

void AppendLinkCount(std::string_view parent, std::string_view child, uint64_t count,
                     std::string& out) {
  PutLengthPrefixed(parent, out);
  PutLengthPrefixed(child, out);
  PutVarint(count, out);
}

Status DecodeDependencyCounts(std::string_view bytes, std::vector<LinkCount>& out) {
  while (!bytes.empty()) {
    std::string_view parent;
    std::string_view child;
    uint64_t count = 0;
    if (!GetLengthPrefixed(bytes, parent) || !GetLengthPrefixed(bytes, child) ||
        !GetVarint(bytes, count)) {
      return Corrupt("dependency entry");
    }
    out.push_back({std::string(parent), std::string(child), count});
  }
  return {};
}

}  // namespace ariadne::storage::local
