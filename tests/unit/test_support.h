// Helpers shared by unit tests.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace ariadne::testing {

// The bytes of tests/fixtures/wire/<name>, captured from real client libraries (see its README).
inline std::string ReadWireFixture(const std::string& name) {
  std::ifstream in(std::string(ARIADNE_WIRE_FIXTURES) + "/" + name, std::ios::binary);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The fixture trace (tests/fixtures/wire/README.md): T0 in ns and the ids every fixture carries.
inline constexpr uint64_t kFixtureT0Nanos = 1764240000000ULL * 1000000ULL;
inline constexpr uint64_t kMillis = 1000000ULL;  // ns per ms

}  // namespace ariadne::testing
