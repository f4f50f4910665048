// The agent's --agent.tags: tags added to the process of every batch it forwards, as Jaeger's agent
// adds them (reporter/flags.go): "key=value" entries, where a value written ${NAME} or
// ${NAME:default} is read from the environment when the agent starts (useful for the node name in
// a DaemonSet: --agent.tags=node=${NODE_NAME}).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tracecore/model.h"
#include "tracecore/status.h"

namespace ariadne::agent {

struct ProcessTag {
  std::string key;
  std::string value;
};
using ProcessTags = std::vector<ProcessTag>;

// Parses --agent.tags entries. An entry without '=' or with an empty key, or a ${...} that is not
// closed, is an error naming the entry; a variable that is unset (or empty) without a default
// gives an empty value, as in Jaeger.
tracecore::Status ParseProcessTags(const std::vector<std::string>& entries,
                                   const std::map<std::string, std::string>& environment,
                                   ProcessTags& out);

// Appends every tag, as a string attribute, to every resource of `batch`. The attributes view the
// strings of `tags`, which must outlive the batch.
void AddProcessTags(const ProcessTags& tags, tracecore::SpanBatch& batch);

}  // namespace ariadne::agent
