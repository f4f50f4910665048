#include "span_id_index.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <vector>

namespace ariadne::query {
namespace {

TEST_CASE("SpanIdIndex keeps the first value of each id and finds every id added") {
  // Sequential ids, ids far apart, zero and the all-ones id: more ids than the index was sized
  // for, so that it grows.
  std::vector<uint64_t> ids;
  for (uint64_t i = 0; i < 300; ++i) ids.push_back(i);
  for (uint64_t i = 1; i <= 300; ++i) ids.push_back((i << 40) | 0xABCULL);
  ids.push_back(std::numeric_limits<uint64_t>::max());
  SpanIdIndex index(10);
  for (size_t i = 0; i < ids.size(); ++i) {
    const auto [value, added] = index.Emplace(ids[i], i);
    CHECK(added);
    CHECK(*value == i);
  }
  // Adding an id again keeps its first value.
  for (size_t i = 0; i < ids.size(); i += 7) {
    const auto [value, added] = index.Emplace(ids[i], 100000 + i);
    CHECK_FALSE(added);
    CHECK(*value == i);
  }
  for (size_t i = 0; i < ids.size(); ++i) {
    const size_t* value = index.Find(ids[i]);
    REQUIRE(value != nullptr);
    CHECK(*value == i);
  }
  CHECK(index.Find(12345) == nullptr);
}

TEST_CASE("SpanIdIndex values can be changed through Emplace's pointer") {
  SpanIdIndex index(2);
  *index.Emplace(7, 0).first = 1;
  CHECK(*index.Find(7) == 1);
  const auto [value, added] = index.Emplace(7, 5);
  CHECK_FALSE(added);
  CHECK(*value == 1);
}

}  // namespace
}  // namespace ariadne::query
