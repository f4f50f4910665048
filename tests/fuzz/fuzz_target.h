// Shared shape of every fuzz target: decode the bytes, and if decoding succeeds, re-encode the
// batch (when the format has an encoder) so the encoder also sees every shape a decoder accepts.
// A target must never crash, hang, or allocate without bound; a failing status is a normal result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ariadne::fuzz {

inline std::string_view AsView(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ariadne::fuzz
