// Private to Config: the --config-file YAML as (dotted option name -> value) pairs.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "option_value.h"
#include "tracecore/status.h"

namespace ariadne::runtime::config_detail {

// One option the file sets; `line` is 1-based, for messages.
struct FileValue {
  RawValue raw;
  int line = 0;
};

struct ConfigFileContent {
  // Every leaf of the file by its dotted name ("collector.queue-size"); whether the name is an
  // option is for the caller to judge.
  std::map<std::string, FileValue, std::less<>> values;
  // Parts of the file that were skipped on purpose (deployment keys, other components'
  // sections), one sentence each, for an info log.
  std::vector<std::string> skipped;
};

// The components a Kubernetes / Jaeger Operator style file may name at its root.
bool IsComponentName(std::string_view name);

// Reads the YAML file at `path` (at most 1 MiB). Two shapes are accepted:
//  - plain: nested mappings whose keys, joined with '.', spell option names; a key may itself
//    hold dots. Scalars and sequences are values.
//  - component: the root maps component names (IsComponentName) to mappings, at least one of
//    which holds `options:` (a plain-shaped mapping). Its other keys (replicas, resources, ...)
//    are deployment settings and are skipped. A section is read when `component` is empty,
//    "all-in-one", or equal to the section's name; other sections are skipped.
// Errors (unreadable file, YAML syntax with line and column, a name given twice, a list holding
// mappings, nesting deeper than 32) return kInvalidArgument naming the file.
tracecore::Status ReadConfigFile(const std::string& path, std::string_view component,
                                 ConfigFileContent& out);

// As ReadConfigFile, from text already read; `path` only names the file in messages.
tracecore::Status ParseConfigText(const std::string& text, const std::string& path,
                                  std::string_view component, ConfigFileContent& out);

}  // namespace ariadne::runtime::config_detail
