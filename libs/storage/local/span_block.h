// Span blocks: how the `local` store keeps spans on disk.
//
// A block holds the spans of one written batch (or a part of it), grouped by trace, stored
// column by column, each column compressed by us with zstd on its own. Columns put like with
// like (all span ids together, all start offsets together, every attribute key as a number into
// the block's string table), so zstd sees repetition that a row format hides; compressing them
// apart lets zstd fit its tables to each (80 bytes per span against 90 as one frame, on
// tracegen's spans). The store writes the compressed bytes once, through the write-ahead log,
// the memtable and the table files.
//
//   block      version(1) = 2 | span count (varint) | per section: size, stored size (varints)
//              | the stored sections, back to back: a zstd frame each, or the section as it is
//              when that is no larger (stored size = size)
//   payload    what the decoder reads: the sections' sizes (varints), then the sections in order
//
// Within a block:
//   - strings are numbered in a table (0 is ""); every name, key, string value, bytes value,
//     trace state and status message is its number;
//   - a trace's spans are consecutive rows; its id and the earliest start among its spans
//     ("base") are stored once, each span's start as the offset from the base and its end as the
//     offset from its start (zigzag: an end before the start survives);
//   - a parent is the row of the parent within the trace when the block holds it, else its id;
//   - an event's time is an offset from its span's start;
//   - every attribute list (resource, scope, span, event, link and map values) writes its keys,
//     value types and values into the same shared attribute columns, in the order they are met.
//
// Decoding is untrusted: a block read from disk may be damaged. Decoders check every count
// against the bytes left, bound nesting and the payload size, and return DataLoss, never crash.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tracecore/ids.h"
#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::storage::local {

inline constexpr uint8_t kSpanBlockVersion = 2;
// The most bytes a block's sections may take uncompressed. Writing a larger one fails (the
// collector's request limits keep batches far smaller); reading a block that declares more is
// damage.
inline constexpr uint64_t kMaxSpanBlockPayload = 256ULL << 20;
// Arrays and maps nested deeper than this are refused when writing, and are damage when reading
// (the decoders of every ingest format stop at 32 or less).
inline constexpr int kMaxSpanBlockValueDepth = 32;

// Encodes `spans` (spans of `batch`) as one block, replacing `out`. The spans of a trace should
// be adjacent in `spans` (a trace split in several runs is stored as several groups, and still
// read back whole). Fails, writing nothing, when the payload would exceed kMaxSpanBlockPayload or a
// value nests deeper than kMaxSpanBlockValueDepth.
tracecore::Status EncodeSpanBlock(const tracecore::SpanBatch& batch,
                                  std::span<const tracecore::Span* const> spans, std::string& out);

// Reads the span count from the block's header without decompressing it.
tracecore::Status SpanBlockSpanCount(std::string_view block, uint64_t& count);

// A block opened for reading: decompressed, with its string table, resources and the place of
// each trace's bytes read once, so that reading several of its traces (a search's candidates)
// pays for that once. Spans read from it point into its memory: keep the reader while they are
// used (SpanBatch::KeepAlive). Not for use by two threads at once; not movable (spans point
// into it).
class SpanBlockReader {
 public:
  SpanBlockReader();
  ~SpanBlockReader();
  SpanBlockReader(const SpanBlockReader&) = delete;
  SpanBlockReader& operator=(const SpanBlockReader&) = delete;

  // Decompresses and indexes `block`; nothing points into `block` afterwards.
  tracecore::Status Open(std::string_view block);
  // Indexes a payload that is already decompressed (tests and the fuzzer reach the column
  // decoder this way).
  tracecore::Status OpenPayload(std::string payload, uint64_t span_count);

  // Appends the spans of the traces in `*only` (a short list: it is searched linearly), or of
  // every trace when `only` is null, to `out`. Only after Open or OpenPayload succeeded.
  tracecore::Status Read(const std::span<const tracecore::TraceId>* only,
                         tracecore::SpanBatch& out);

  const std::string& payload() const { return payload_; }
  uint64_t span_count() const { return span_count_; }

 private:
  class Decoder;
  std::string payload_;
  uint64_t span_count_ = 0;
  std::unique_ptr<Decoder> decoder_;
};

// Decompress and read in one step: every span of the block, or those of the listed traces. `out`
// keeps the payload; nothing points into `block`. On failure `out` may hold some of the spans.
tracecore::Status DecodeSpanBlock(std::string_view block, tracecore::SpanBatch& out);
tracecore::Status DecodeSpanBlockTraces(std::string_view block,
                                        std::span<const tracecore::TraceId> traces,
                                        tracecore::SpanBatch& out);

}  // namespace ariadne::storage::local
