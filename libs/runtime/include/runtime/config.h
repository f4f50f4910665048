// Config: a service's options from command-line flags, environment variables and a YAML file.
//
// Names are Jaeger's v1 flag names ("collector.queue-size"). Each option can be set, in order of
// precedence, by
//   1. the flag:                 --collector.queue-size=2000  or  --collector.queue-size 2000
//   2. the environment variable: COLLECTOR_QUEUE_SIZE=2000  (upper case, '.' and '-' become '_')
//   3. --config-file=FILE (or CONFIG_FILE): YAML whose nested keys spell the name
//        collector:
//          queue-size: 2000        (a key may also hold dots: "collector.queue-size: 2000")
//   4. the default: the value the bound variable holds when it is added.
// Only the strongest source of an option is read (and checked). An empty environment variable
// counts as unset. Booleans take true/false (also Go's 1/0/t/f/TRUE/...); a bare --flag means true,
// and "--flag false" / "--flag true" read the next word as the value. Ints take plain decimal
// integers within [min, max]. Durations take Go's syntax ("200ms", "1h30m", "72h"). Lists take
// comma-separated text (items trimmed, empty items dropped); a repeated list flag adds to the
// list, a repeated scalar flag keeps the last value; in YAML a list may also be a sequence.
//
// The YAML file has one of two shapes:
//   - plain: nested mappings whose keys, joined with '.', spell option names; a key may hold dots
//     ("es: {bulk.size: 5}" sets es.bulk.size).
//   - component (Kubernetes / Jaeger Operator, as in the seed's collector-performance.yaml): the
//     root maps component names (collector, query, agent, all-in-one, ingester) to mappings of
//     which at least one holds `options:`, a plain-shaped mapping of options. Every other key of
//     a component (replicas, resources, image, strategy, ...) is a deployment setting, logged at
//     info and ignored. A section is read when the program (the `program` passed to the
//     constructor) is named after that component ("ariadne-collector" reads `collector:`), is the
//     all-in-one, or is named after no component; other sections are logged and ignored.
// Unknown keys, a key set twice, YAML syntax errors (with line and column) and files over 1 MiB
// are errors naming the file.
//
// Parse() rejects unknown flags (suggesting the closest name), unknown YAML keys and bad values
// with a message that names the option, the source ("flag", "environment variable X", "config
// file F, line N") and what would be accepted; services print it and exit non-zero. Only the
// thread that owns the Config may use it; values are read once at start-up.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tracecore/status.h"

namespace ariadne::runtime {

class Config {
 public:
  // `program` and `summary` head the --help text.
  Config(std::string program, std::string summary);
  ~Config();
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  // Registers an option bound to `*value`, whose current content is the default. `value` must
  // outlive Parse(). Names are letters, digits, '.', '-' and '_'. Registering a name twice, two
  // names with the same environment variable, or a default outside [min, max] is a programming
  // error (throws std::logic_error).
  void AddString(std::string name, std::string* value, std::string help);
  void AddStringList(std::string name, std::vector<std::string>* value, std::string help);
  void AddBool(std::string name, bool* value, std::string help);
  void AddInt(std::string name, int64_t* value, std::string help, int64_t min, int64_t max);
  void AddDouble(std::string name, double* value, std::string help, double min, double max);
  void AddDuration(std::string name, std::chrono::nanoseconds* value, std::string help);

  // Names (exact, or a prefix ending in '.', e.g. "es.") that a user of Jaeger may pass but that
  // this build cannot honour yet. They are accepted by the parser and rejected only when set,
  // with `reason` ("the Elasticsearch storage is not in this build yet; use
  // --span-storage.type=..."). Exact names are also read from the environment; prefixes are not
  // (variable names cannot be mapped back to option names, and unrelated variables such as
  // ES_JAVA_OPTS share the prefix).
  void AddUnavailable(std::string name_or_prefix, std::string reason);

  // Names accepted and ignored with an info log, for settings that belong to a deployment tool
  // rather than to the process (e.g. "replicas" in the seed's tuning YAML).
  void AddIgnored(std::string name, std::string reason);

  // Reads argv, the environment (`environment`: name -> value, normally from ProcessEnvironment())
  // and the YAML file named by --config-file. On error returns kInvalidArgument with the message;
  // bound variables may then be partly assigned. Call once (a second call returns kInternal).
  tracecore::Status Parse(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& environment);

  // True when --help or -h was given: print HelpText() and exit 0.
  bool help_requested() const;
  // Every option with its environment name, default and help, grouped by the first name segment.
  std::string HelpText() const;
  // True when `name` was set by a flag, the environment or the config file.
  bool WasSet(std::string_view name) const;

  // The environment of this process as a map.
  static std::map<std::string, std::string> ProcessEnvironment();
  // "collector.queue-size" -> "COLLECTOR_QUEUE_SIZE".
  static std::string EnvironmentName(std::string_view name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Parses Go's duration syntax: a sequence of decimal numbers with units ns, us (or µs), ms, s, m,
// h, e.g. "1h30m", "1.5s", "200ms"; "0" alone is zero. Negative values and overflow are errors.
tracecore::Status ParseGoDuration(std::string_view text, std::chrono::nanoseconds& out);
// The inverse, in Go's style ("1h2m3.4s", "200ms", "0s").
std::string FormatGoDuration(std::chrono::nanoseconds value);

}  // namespace ariadne::runtime
