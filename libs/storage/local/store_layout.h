// The on-disk layout of the `local` store: column families, keys and values.
//
// Time is cut into buckets by arrival (the wall-clock second a batch was written), each
// `bucket_seconds` wide. Every key of every column family starts with its bucket's first second
// (4 bytes, big-endian), so a bucket is one contiguous key range per column family and retention
// drops it whole (storage/local/local_store.h).
//
//   records       bucket | seq(8)                                -> span block (span_block.h)
//                 the spans of one written batch, compressed by us; seq grows with every record,
//                 so this family is written in key order and compaction only moves its files
//   traces        bucket | trace id(16) | seq(8)                 -> ""
//                 which records hold spans of a trace
//   search        bucket | service(varint length + bytes) | ~newest start(8) | trace id(16) |
//   seq(8)
//                 -> SearchSummary of that service's spans of that trace in that record that
//                 start within one second (local_store.cc); ~t = UINT64_MAX - t, so a service's
//                 entries are newest first
//   meta          "format"                                       -> FormatRecord
//                 'B' | bucket                                   -> ""  (the bucket exists)
//                 'O' | bucket | kind(1) | service(varint length + bytes) | name -> ""
//   dependencies  bucket | 's' or 'm' | second or minute(8) | seq(8) -> DependencyCounts
//                 calls between services by the second (and minute) the child span started
//
// Everything read back from disk is untrusted: decoders return a Status and never read past the
// bytes they are given.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::storage::local {

inline constexpr const char* kRecordsFamily = "records";
inline constexpr const char* kTracesFamily = "traces";
inline constexpr const char* kSearchFamily = "search";
inline constexpr const char* kMetaFamily = "meta";
inline constexpr const char* kDependenciesFamily = "dependencies";

inline constexpr size_t kBucketBytes = 4;
inline constexpr size_t kTraceKeyPrefixBytes = kBucketBytes + 16;  // bucket | trace id

// ---------------------------------------------------------------------------------------------
// Primitive encodings

void PutFixed32(uint32_t value, std::string& out);  // big-endian
void PutFixed64(uint64_t value, std::string& out);  // big-endian
void PutVarint(uint64_t value, std::string& out);
void PutLengthPrefixed(std::string_view bytes, std::string& out);

// Reads from the front of `in` and advances it; false when `in` is too short or malformed.
bool GetFixed32(std::string_view& in, uint32_t& value);
bool GetFixed64(std::string_view& in, uint64_t& value);
bool GetVarint(std::string_view& in, uint64_t& value);
bool GetLengthPrefixed(std::string_view& in, std::string_view& bytes);

// ---------------------------------------------------------------------------------------------
// Keys

std::string BucketKey(uint32_t bucket);  // the 4-byte prefix of every key of a bucket
std::string RecordKey(uint32_t bucket, uint64_t seq);
std::string TraceKeyPrefix(uint32_t bucket, const tracecore::TraceId& trace);
std::string TraceKey(uint32_t bucket, const tracecore::TraceId& trace, uint64_t seq);
std::string SearchKeyPrefix(uint32_t bucket, std::string_view service);
std::string SearchKey(uint32_t bucket, std::string_view service, uint64_t newest_start,
                      const tracecore::TraceId& trace, uint64_t seq);
std::string MetaBucketKey(uint32_t bucket);
std::string MetaOperationKey(uint32_t bucket, std::string_view service, tracecore::SpanKind kind,
                             std::string_view name);
std::string DependencyKey(uint32_t bucket, char granularity, uint64_t time, uint64_t seq);

inline constexpr char kMetaBucketTag = 'B';
inline constexpr char kMetaOperationTag = 'O';
inline constexpr char kSecondGranularity = 's';
inline constexpr char kMinuteGranularity = 'm';
inline constexpr std::string_view kFormatKey = "format";

// Parsed keys. Parse* return false for a key of the wrong shape.
struct TraceKeyParts {
  uint32_t bucket = 0;
  tracecore::TraceId trace;
  uint64_t seq = 0;
};
bool ParseTraceKey(std::string_view key, TraceKeyParts& out);

struct SearchKeyParts {
  uint32_t bucket = 0;
  std::string_view service;
  uint64_t newest_start = 0;
  tracecore::TraceId trace;
  uint64_t seq = 0;
};
bool ParseSearchKey(std::string_view key, SearchKeyParts& out);

struct OperationKeyParts {
  uint32_t bucket = 0;
  tracecore::SpanKind kind = tracecore::SpanKind::kUnspecified;
  std::string_view service;
  std::string_view name;
};
bool ParseMetaOperationKey(std::string_view key, OperationKeyParts& out);
bool ParseMetaBucketKey(std::string_view key, uint32_t& bucket);
bool ParseDependencyKey(std::string_view key, uint32_t& bucket, char& granularity, uint64_t& time);
bool ParseRecordKey(std::string_view key, uint32_t& bucket, uint64_t& seq);

// ---------------------------------------------------------------------------------------------
// Values

// The store's identity, written once when the store is created.
struct FormatRecord {
  uint32_t version = 0;
  uint32_t bucket_seconds = 0;
};
// Version 1 kept each trace's spans of a batch as OTLP protobuf; 2 keeps span blocks.
inline constexpr uint32_t kFormatVersion = 2;
std::string EncodeFormatRecord(const FormatRecord& format);
tracecore::Status DecodeFormatRecord(std::string_view bytes, FormatRecord& out);

// What a search needs of one span without reading its record.
struct SpanSummary {
  std::string_view name;
  tracecore::SpanKind kind = tracecore::SpanKind::kUnspecified;
  uint64_t start = 0;     // Unix ns
  uint64_t duration = 0;  // ns
};
// SearchSummary: per span, kind(1) | name (length-prefixed) | newest start - start (varint) |
// duration (varint). `newest_start` is the key's.
void AppendSpanSummary(const tracecore::Span& span, uint64_t newest_start, std::string& out);
tracecore::Status DecodeSearchSummary(std::string_view bytes, uint64_t newest_start,
                                      std::vector<SpanSummary>& out);

// DependencyCounts: per link, parent (length-prefixed) | child (length-prefixed) | count (varint).
struct LinkCount {
  std::string parent;
  std::string child;
  uint64_t count = 0;
};
void AppendLinkCount(std::string_view parent, std::string_view child, uint64_t count,
                     std::string& out);
tracecore::Status DecodeDependencyCounts(std::string_view bytes, std::vector<LinkCount>& out);

}  // namespace ariadne::storage::local
