// RunChildProcess: runs a client program (node, python) to completion for the end-to-end test.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace ariadne::e2e {

struct ChildProcessSpec {
  std::vector<std::string> argv;  // argv[0] is the program's path
  std::string working_directory;
  // Set in the child's environment (over the inherited value, if any).
  std::vector<std::pair<std::string, std::string>> environment;
  // Inherited variables whose name starts with one of these are not passed on.
  std::vector<std::string> drop_environment_prefixes;
  std::chrono::milliseconds timeout{30000};
};

struct ChildProcessResult {
  bool started = false;    // false: it could not be started (see `error`)
  bool timed_out = false;  // it ran past the timeout and was killed
  int exit_code = -1;      // the exit status; -1 when it did not exit normally
  std::string output;      // stdout and stderr, interleaved
  std::string error;       // why it could not be started or waited for
};

// Starts the program with stdout and stderr captured, waits for it (at most `timeout`, then kills
// it with SIGKILL) and returns how it ended. Safe to call while other threads run (posix_spawn).
// Blocks the calling thread until the child has ended.
ChildProcessResult RunChildProcess(const ChildProcessSpec& spec);

}  // namespace ariadne::e2e
