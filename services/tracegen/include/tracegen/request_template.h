// RequestTemplate: an encoded request body whose trace and span ids can be re-stamped cheaply.
//
// Encoding spans costs far more than sending them, and tracegen shares its machine with the
// collector under test, so each worker encodes a small pool of requests once and sends each many
// times with fresh ids: every 64-bit id half in the body (trace id high and low halves, span ids,
// parent ids, link ids) is XORed with one random salt per send. Equal ids stay equal, so parents,
// links and traces split over several requests of one group stay consistent.
//
// Ids are found by value: at build time every place in the body that holds one of the batch's id
// halves, as 8 big-endian bytes (protobuf bytes, Thrift binary i64) or as 16 lower-case hex chars
// inside a JSON string, becomes a patch. The generator draws ids uniformly from 2^64, so a
// coincidental match elsewhere in a body has a probability around 2^-50 per request.
//
// Immutable after Build; Stamp may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tracecore/model.h"
#include "tracegen/protocol.h"

namespace ariadne::tracegen {

// The distinct id halves of a batch (trace high, trace low, span, parent, link ids), sorted.
std::vector<uint64_t> CollectIds(const tracecore::SpanBatch& batch);

class RequestTemplate {
 public:
  RequestTemplate() = default;

  // Records where the values of `ids` (sorted, as CollectIds returns) occur in `body`, written in
  // `form` (kBigEndian or kHex; kVarint finds nothing: such bodies are re-encoded instead).
  static RequestTemplate Build(std::string body, uint32_t spans, const std::vector<uint64_t>& ids,
                               IdForm form);

  // Replaces `out` with the body whose every id half is XORed with `salt`. A salt that equals an
  // id half would make that id zero ("absent"): callers pick salts with PickSalt.
  void Stamp(uint64_t salt, std::string& out) const;

  const std::string& body() const { return body_; }
  uint32_t spans() const { return spans_; }
  size_t patch_count() const { return patches_.size(); }

 private:
  struct Patch {
    uint32_t offset;
    uint64_t value;
  };
  std::string body_;
  uint32_t spans_ = 0;
  IdForm form_ = IdForm::kBigEndian;
  std::vector<Patch> patches_;
};

// XORs every id half of `batch` with `mask` (the re-encoding path of kVarint protocols).
void XorIds(uint64_t mask, tracecore::SpanBatch& batch);

}  // namespace ariadne::tracegen
