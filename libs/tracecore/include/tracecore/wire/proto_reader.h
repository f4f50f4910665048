// ProtoReader: a bounds-checked reader of the protobuf wire format over a byte view.
//
// Why not libprotobuf's generated parsers: they copy every string into std::string and build one
// heap object per message, where our codecs keep views into the request body and fill the arena
// model directly. tests/bench/codec_bench measures both on the same bytes (docs/benchmarks.md:
// OTLP decode into the model, 1.17 M spans/s, runs at 4.1x libprotobuf's arena parse alone).
//
// Errors are sticky and shared: the first malformed byte anywhere fails the root reader and every
// reader nested in it; later reads return zero values and Next() returns false, so a decoder checks
// ok() once, at the end. Each read checks the wire type of the current field, so a field of the
// wrong type is an error, not a misread. Nested readers carry a depth budget so that deep nesting
// cannot exhaust the stack. A nested reader (ReadMessage) shares its root's error state and must
// not outlive the root.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracecore/status.h"

namespace ariadne::tracecore::wire {

enum class ProtoWireType : uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kStartGroup = 3,
  kEndGroup = 4,
  kFixed32 = 5,
};

// Deepest message nesting accepted (OTLP AnyValue arrays/maps are the only unbounded recursion).
inline constexpr int kMaxProtoDepth = 32;

class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data, int depth_budget = kMaxProtoDepth)
      : begin_(data.data()),
        cur_(data.data()),
        end_(data.data() + data.size()),
        depth_budget_(depth_budget),
        error_(&own_error_) {}
  // Copies share the error state of the reader copied (a scan-ahead copy fails its source too).
  ProtoReader(const ProtoReader& other)
      : begin_(other.begin_),
        cur_(other.cur_),
        end_(other.end_),
        base_offset_(other.base_offset_),
        depth_budget_(other.depth_budget_),
        field_(other.field_),
        wire_type_(other.wire_type_),
        error_(other.error_) {}
  ProtoReader& operator=(const ProtoReader&) = delete;

  // Moves to the next field. Returns false at the end of the input and after an error.
  bool Next() {
    if (error_->failed || cur_ == end_) return false;
    uint64_t tag = RawVarint();
    if (error_->failed) return false;
    field_ = static_cast<uint32_t>(tag >> 3);
    wire_type_ = static_cast<ProtoWireType>(tag & 7);
    if (field_ == 0 || (tag >> 3) > 0x1FFFFFFF) return Fail("invalid field number");
    return true;
  }

  uint32_t field() const { return field_; }
  ProtoWireType wire_type() const { return wire_type_; }

  uint64_t ReadVarint() {
    if (!Expect(ProtoWireType::kVarint)) return 0;
    return RawVarint();
  }
  int64_t ReadInt64() { return static_cast<int64_t>(ReadVarint()); }
  uint32_t ReadUint32() { return static_cast<uint32_t>(ReadVarint()); }
  bool ReadBool() { return ReadVarint() != 0; }

  uint64_t ReadFixed64() {
    if (!Expect(ProtoWireType::kFixed64) || !Need(8)) return 0;
    uint64_t value;
    std::memcpy(&value, cur_, 8);  // little-endian host (x86-64, aarch64)
    cur_ += 8;
    return value;
  }
  double ReadDouble() {
    uint64_t bits = ReadFixed64();
    double value;
    std::memcpy(&value, &bits, 8);
    return value;
  }
  uint32_t ReadFixed32() {
    if (!Expect(ProtoWireType::kFixed32) || !Need(4)) return 0;
    uint32_t value;
    std::memcpy(&value, cur_, 4);
    cur_ += 4;
    return value;
  }

  // The payload of a length-delimited field (string, bytes, message).
  std::string_view ReadBytes() {
    if (!Expect(ProtoWireType::kLengthDelimited)) return {};
    uint64_t length = RawVarint();
    if (error_->failed) return {};
    if (length > static_cast<uint64_t>(end_ - cur_)) {
      Fail("length prefix runs past the end of the input");
      return {};
    }
    std::string_view bytes(cur_, static_cast<size_t>(length));
    cur_ += length;
    return bytes;
  }

  // A reader over an embedded message. When the depth budget is spent, this reader fails and the
  // returned reader is empty.
  ProtoReader ReadMessage() {
    std::string_view bytes = ReadBytes();
    if (!error_->failed && depth_budget_ <= 0) Fail("messages nested too deeply");
    ProtoReader child(*this);
    child.depth_budget_ = depth_budget_ - 1;
    if (error_->failed) bytes = {};
    child.base_offset_ = base_offset_ + static_cast<size_t>(bytes.data() - begin_);
    child.begin_ = child.cur_ = bytes.data();
    child.end_ = bytes.data() + bytes.size();
    return child;
  }

  // Skips the current field's value, whatever its type.
  void Skip() {
    switch (wire_type_) {
      case ProtoWireType::kVarint: RawVarint(); break;
      case ProtoWireType::kFixed64:
        if (Need(8)) cur_ += 8;
        break;
      case ProtoWireType::kFixed32:
        if (Need(4)) cur_ += 4;
        break;
      case ProtoWireType::kLengthDelimited: ReadBytes(); break;
      case ProtoWireType::kStartGroup:
      case ProtoWireType::kEndGroup: Fail("groups are not supported"); break;
      default: Fail("invalid wire type"); break;
    }
  }

  bool ok() const { return !error_->failed; }
  bool at_end() const { return cur_ == end_; }
  // The raw bytes this reader covers (a message's payload).
  std::string_view data() const { return {begin_, static_cast<size_t>(end_ - begin_)}; }

  // OK, or the first error with its byte offset in the root input, e.g. "byte 17: truncated
  // varint".
  Status status() const {
    if (!error_->failed) return Status::Ok();
    return Status::InvalidArgument("byte " + std::to_string(error_->offset) + ": " + error_->what);
  }

  // Fails the reader tree (also for semantic errors found by the caller, e.g. a bad id length).
  // `what` must be a string literal.
  bool Fail(const char* what) {
    if (!error_->failed) {
      error_->failed = true;
      error_->what = what;
      error_->offset = base_offset_ + static_cast<size_t>(cur_ - begin_);
    }
    cur_ = end_;
    return false;
  }

 private:
  bool Expect(ProtoWireType type) {
    if (error_->failed) return false;
    if (wire_type_ != type) return Fail(WireTypeError(type));
    return true;
  }
  bool Need(size_t n) {
    if (static_cast<size_t>(end_ - cur_) < n) return Fail("truncated fixed-width value");
    return true;
  }
  static const char* WireTypeError(ProtoWireType expected) {
    switch (expected) {
      case ProtoWireType::kVarint: return "wrong wire type: expected varint";
      case ProtoWireType::kFixed64: return "wrong wire type: expected fixed64";
      case ProtoWireType::kFixed32: return "wrong wire type: expected fixed32";
      case ProtoWireType::kLengthDelimited: return "wrong wire type: expected length-delimited";
      default: return "wrong wire type";
    }
  }

  uint64_t RawVarint() {
    // Fast path: one byte.
    if (cur_ < end_ && static_cast<unsigned char>(*cur_) < 0x80)
      return static_cast<unsigned char>(*cur_++);
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (cur_ == end_) {
        Fail("truncated varint");
        return 0;
      }
      auto byte = static_cast<unsigned char>(*cur_++);
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if (byte < 0x80) return value;
    }
    Fail("varint longer than 10 bytes");
    return 0;
  }

  struct ErrorState {
    bool failed = false;
    const char* what = "";
    size_t offset = 0;
  };

  const char* begin_;
  const char* cur_;
  const char* end_;
  size_t base_offset_ = 0;
  int depth_budget_;
  uint32_t field_ = 0;
  ProtoWireType wire_type_ = ProtoWireType::kVarint;
  ErrorState own_error_;
  ErrorState* error_;  // &own_error_ in a root reader; the root's in nested readers
};

// How many times field `wanted` occurs in `message` (read from its current position; `message`
// itself does not move): lets a decoder size a repeated field's storage once.
inline size_t CountField(const ProtoReader& message, uint32_t wanted) {
  ProtoReader scan(message);
  size_t count = 0;
  while (scan.Next()) {
    if (scan.field() == wanted) ++count;
    scan.Skip();
  }
  return count;
}

}  // namespace ariadne::tracecore::wire
