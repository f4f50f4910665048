// Manifest: what a client of tests/e2e/clients says it sent, as written by manifest.js (Node.js)
// and send.py (Python). The format is documented in tests/e2e/README.md ("Manifest format").
#pragma once

#include <string>
#include <vector>

#include "plain_span.h"
#include "tracecore/status.h"

namespace ariadne::e2e {

struct Manifest {
  std::string client;       // "opentelemetry-js" or "opentelemetry-python"
  std::string sdk_version;  // e.g. "1.30.1"
  std::string protocol;     // e.g. "otlp-grpc"
  std::string endpoint;
  // The spans exactly as the SDK recorded them, sorted by start time. The manifest carries no
  // flags and no dropped counts: those fields are 0 here (the protocol rules fill in flags).
  std::vector<PlainSpan> spans;
};

// Reads the manifest at `path`. Values keep the type the manifest names ("int", "double[]", ...);
// ints must fit in int64. Errors name the file and the place ("spans[2].attributes.x: ...").
tracecore::Status ReadManifest(const std::string& path, Manifest& out);

}  // namespace ariadne::e2e
