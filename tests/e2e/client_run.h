// RunClientCase: one end-to-end case. Starts a collector in-process on loopback port-0 listeners
// writing to a MemoryStore, runs one real client of tests/e2e/clients as a subprocess against it,
// drains the collector, and checks that the store holds exactly the spans of the client's manifest
// as protocol_rules.h says they must arrive, and nothing else.
//
// Failures are reported with Catch2 from the calling test case: REQUIRE for what makes the rest
// meaningless (a missing toolchain, a client that failed), one CHECK failure per difference.
#pragma once

#include <cstddef>
#include <string>

#include "protocol_rules.h"

namespace ariadne::e2e {

struct ClientCase {
  Client client = Client::kNode;
  Protocol protocol = Protocol::kOtlpGrpc;
  std::string compression = "none";  // --compression of the OTLP exporters: none, gzip, deflate
  // Runs seed_snippet.js (the seed's section 4.2 with its JaegerExporter) instead of send.js;
  // then client must be kNode and protocol kJaegerHttp.
  bool seed_snippet = false;
  size_t expected_spans = 5;  // how many spans the client's manifest must list
};

void RunClientCase(const ClientCase& client_case);

}  // namespace ariadne::e2e
