// ariadne-all-in-one: every receiver of the collector, the agent's sampling endpoint, the query
// API and the embedded `local` store (or memory with --memory) in one process: the one-command
// start for a laptop or a single node. docs/all-in-one.md describes it for users.
#pragma once

namespace ariadne::all_in_one {

// Parses flags (the collector's, the query service's and the storage's, with Jaeger's names),
// opens storage, starts everything, serves until SIGTERM/SIGINT, then drains the collector into
// storage and exits. Returns the exit code: 0 after a clean stop, 2 for bad configuration.
int RunAllInOne(int argc, char** argv);

}  // namespace ariadne::all_in_one
