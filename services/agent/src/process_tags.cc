#include "process_tags.h"

namespace ariadne::agent {
namespace {

using tracecore::Status;

// "${NAME}" or "${NAME:default}" -> the variable's value, or the default when it is unset or
// empty. Any other value is taken as it is.
Status ExpandValue(std::string_view entry, std::string_view value,
                   const std::map<std::string, std::string>& environment, std::string& out) {
  if (!value.starts_with("${")) {
    out = value;
    return Status::Ok();
  }
  if (!value.ends_with("}")) {
    return Status::InvalidArgument("--agent.tags: '" + std::string(entry) +
                                   "': a ${ is not closed; write key=${NAME} or "
                                   "key=${NAME:default}");
  }
  const std::string_view inside = value.substr(2, value.size() - 3);
  const size_t colon = inside.find(':');
  const std::string name(inside.substr(0, colon));
  const std::string_view fallback =
      colon == std::string_view::npos ? std::string_view() : inside.substr(colon + 1);
  auto found = environment.find(name);
  out = found != environment.end() && !found->second.empty() ? std::string_view(found->second)
                                                             : fallback;
  return Status::Ok();
}

}  // namespace

Status ParseProcessTags(const std::vector<std::string>& entries,
                        const std::map<std::string, std::string>& environment, ProcessTags& out) {
  out.clear();
  for (const std::string& entry : entries) {
    const size_t equals = entry.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("--agent.tags: '" + entry +
                                     "' is not key=value (e.g. --agent.tags=zone=eu-1)");
    }
    ProcessTag& tag = out.emplace_back();
    tag.key = entry.substr(0, equals);
    ARIADNE_RETURN_IF_ERROR(
        ExpandValue(entry, std::string_view(entry).substr(equals + 1), environment, tag.value));
  }
  return Status::Ok();
}

void AddProcessTags(const ProcessTags& tags, tracecore::SpanBatch& batch) {
  if (tags.empty()) return;
  for (tracecore::Resource& resource : batch.resources()) {
    for (const ProcessTag& tag : tags) {
      resource.attributes.push_back(
          {.key = tag.key, .value = tracecore::AnyValue::String(tag.value)});
    }
  }
}

}  // namespace ariadne::agent
