#include "tracegen/request_template.h"

#include <algorithm>
#include <cstring>

namespace ariadne::tracegen {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

bool Contains(const std::vector<uint64_t>& ids, uint64_t value) {
  return std::binary_search(ids.begin(), ids.end(), value);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Parses 16 lower-case hex chars; false when any is not one.
bool ParseHex16(const char* text, uint64_t& out) {
  uint64_t value = 0;
  for (int i = 0; i < 16; ++i) {
    const int digit = HexValue(text[i]);
    if (digit < 0) return false;
    value = (value << 4) | static_cast<uint64_t>(digit);
  }
  out = value;
  return true;
}

// The hot loop of every send: inline, unlike tracecore's out-of-line StoreBigEndian64.
inline void StoreBigEndian(uint64_t value, char* out) {
  const uint64_t big = __builtin_bswap64(value);
  std::memcpy(out, &big, 8);
}

void WriteHex16(uint64_t value, char* out) {
  for (int i = 15; i >= 0; --i) {
    out[i] = kHexDigits[value & 0xF];
    value >>= 4;
  }
}

}  // namespace

std::vector<uint64_t> CollectIds(const tracecore::SpanBatch& batch) {
  std::vector<uint64_t> ids;
  ids.reserve(batch.spans().size() * 4);
  auto add = [&](uint64_t value) {
    if (value != 0) ids.push_back(value);
  };
  for (const tracecore::Span& span : batch.spans()) {
    add(span.trace_id.high);
    add(span.trace_id.low);
    add(span.span_id.value);
    add(span.parent_span_id.value);
    for (const tracecore::Link& link : span.links) {
      add(link.trace_id.high);
      add(link.trace_id.low);
      add(link.span_id.value);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

RequestTemplate RequestTemplate::Build(std::string body, uint32_t spans,
                                       const std::vector<uint64_t>& ids, IdForm form) {
  RequestTemplate result;
  result.spans_ = spans;
  result.form_ = form;
  const char* data = body.data();
  const size_t size = body.size();
  if (form == IdForm::kBigEndian && size >= 8) {
    for (size_t offset = 0; offset + 8 <= size;) {
      const uint64_t value = tracecore::LoadBigEndian64(data + offset);
      if (Contains(ids, value)) {
        result.patches_.push_back({static_cast<uint32_t>(offset), value});
        offset += 8;
      } else {
        ++offset;
      }
    }
  } else if (form == IdForm::kHex) {
    // Ids are JSON strings of 16 or 32 hex chars: "<hex>".
    for (size_t offset = 0; offset < size; ++offset) {
      if (data[offset] != '"') continue;
      size_t end = offset + 1;
      while (end < size && HexValue(data[end]) >= 0) ++end;
      const size_t length = end - offset - 1;
      if (end < size && data[end] == '"' && (length == 16 || length == 32)) {
        for (size_t half = offset + 1; half < end; half += 16) {
          uint64_t value = 0;
          if (ParseHex16(data + half, value) && Contains(ids, value)) {
            result.patches_.push_back({static_cast<uint32_t>(half), value});
          }
        }
      }
      offset = end - 1;
    }
  }
  result.body_ = std::move(body);
  return result;
}

void RequestTemplate::Stamp(uint64_t salt, std::string& out) const {
  out.assign(body_);
  char* data = out.data();
  if (form_ == IdForm::kHex) {
    for (const Patch& patch : patches_) WriteHex16(patch.value ^ salt, data + patch.offset);
  } else {
    for (const Patch& patch : patches_) {
      StoreBigEndian(patch.value ^ salt, data + patch.offset);
    }
  }
}

void XorIds(uint64_t mask, tracecore::SpanBatch& batch) {
  auto flip = [mask](uint64_t& value) {
    if (value != 0) value ^= mask;
  };
  for (tracecore::Span& span : batch.spans()) {
    flip(span.trace_id.high);
    flip(span.trace_id.low);
    flip(span.span_id.value);
    flip(span.parent_span_id.value);
    for (tracecore::Link& link : span.links) {
      flip(link.trace_id.high);
      flip(link.trace_id.low);
      flip(link.span_id.value);
    }
  }
}

}  // namespace ariadne::tracegen
