#include "config_file.h"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <utility>

namespace ariadne::runtime::config_detail {
namespace {

using tracecore::Status;

constexpr size_t kMaxFileBytes = 1 << 20;
constexpr int kMaxDepth = 32;
// Aliases let a small file name the same node many times; this bounds the walk.
constexpr size_t kMaxNodes = 100000;

constexpr std::array<std::string_view, 5> kComponents = {"collector", "query", "agent",
                                                         "all-in-one", "ingester"};

int LineOf(const YAML::Node& node) {
  const YAML::Mark mark = node.Mark();
  return mark.is_null() ? 0 : mark.line + 1;
}

std::string Where(const std::string& path, int line) {
  std::string where = "config file " + path;
  if (line > 0) where += ", line " + std::to_string(line);
  return where;
}

// The value of `key` in `mapping`, or an undefined node. (Node::operator[] on a non-const node
// would insert the key.)
YAML::Node Find(const YAML::Node& mapping, std::string_view key) {
  for (const auto& entry : mapping) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.second;
  }
  return YAML::Node(YAML::NodeType::Undefined);
}

// A root whose keys name components, at least one holding `options:` (the seed's
// collector-performance.yaml).
bool IsComponentShape(const YAML::Node& root) {
  for (const auto& entry : root) {
    if (!entry.first.IsScalar() || !IsComponentName(entry.first.Scalar())) continue;
    if (entry.second.IsMap() && Find(entry.second, "options").IsDefined()) return true;
  }
  return false;
}

// Walks nested mappings, joining keys with '.', and records every leaf.
class Flattener {
 public:
  Flattener(const std::string& path, ConfigFileContent& out) : path_(path), out_(out) {}

  Status Mapping(const YAML::Node& mapping, const std::string& prefix, int depth) {
    if (depth > kMaxDepth) {
      return Status::InvalidArgument(Where(path_, LineOf(mapping)) + ": nested deeper than " +
                                     std::to_string(kMaxDepth) + " levels");
    }
    for (const auto& entry : mapping) {
      if (++nodes_ > kMaxNodes) {
        return Status::InvalidArgument(Where(path_, LineOf(entry.first)) +
                                       ": too many entries (aliases?)");
      }
      if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
        return Status::InvalidArgument(Where(path_, LineOf(entry.first)) +
                                       ": keys must be option names (plain text)");
      }
      const std::string name =
          prefix.empty() ? entry.first.Scalar() : prefix + "." + entry.first.Scalar();
      if (entry.second.IsMap()) {
        ARIADNE_RETURN_IF_ERROR(Mapping(entry.second, name, depth + 1));
      } else {
        ARIADNE_RETURN_IF_ERROR(Leaf(name, entry.first, entry.second));
      }
    }
    return {};
  }

 private:
  Status Leaf(const std::string& name, const YAML::Node& key, const YAML::Node& value) {
    FileValue leaf;
    leaf.line = LineOf(key);
    if (value.IsSequence()) {
      leaf.raw.is_sequence = true;
      for (const auto& item : value) {
        if (++nodes_ > kMaxNodes) {
          return Status::InvalidArgument(Where(path_, leaf.line) + ": too many entries (aliases?)");
        }
        if (!item.IsScalar()) {
          return Status::InvalidArgument(Where(path_, LineOf(item)) + ": " + name +
                                         ": a list may hold only plain values");
        }
        leaf.raw.texts.push_back(item.Scalar());
      }
    } else {
      // A key without a value ("queue-size:") reads as empty text.
      leaf.raw.texts.push_back(value.IsScalar() ? value.Scalar() : std::string());
    }
    auto [existing, inserted] = out_.values.emplace(name, leaf);
    if (!inserted) {
      return Status::InvalidArgument(Where(path_, leaf.line) + ": " + name +
                                     " is set twice (first on line " +
                                     std::to_string(existing->second.line) + ")");
    }
    return {};
  }

  const std::string& path_;
  ConfigFileContent& out_;
  size_t nodes_ = 0;
};

bool ReadsSection(std::string_view component, std::string_view section) {
  return component.empty() || component == "all-in-one" || component == section;
}

Status ReadComponentShape(const YAML::Node& root, const std::string& path,
                          std::string_view component, ConfigFileContent& out) {
  Flattener flattener(path, out);
  for (const auto& section : root) {
    const std::string name = section.first.IsScalar() ? section.first.Scalar() : "";
    if (!IsComponentName(name) || !(section.second.IsMap() || section.second.IsNull())) {
      return Status::InvalidArgument(
          Where(path, LineOf(section.first)) + ": \"" + name +
          "\" beside a component section; the root of this file may only name components "
          "(collector, query, agent, all-in-one, ingester), each holding options:");
    }
    if (!ReadsSection(component, name)) {
      out.skipped.push_back(Where(path, LineOf(section.first)) + ": the " + name +
                            " section is for another program (ariadne-" +
                            std::string(name).append("), ignored"));
      continue;
    }
    for (const auto& entry : section.second) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (key != "options") {
        out.skipped.push_back(
            Where(path, LineOf(entry.first)) + ": " + name + "." +
            std::string(key).append(" is a deployment setting (Kubernetes), ignored"));
        continue;
      }
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsMap()) {
        return Status::InvalidArgument(Where(path, LineOf(entry.first)) + ": " + name +
                                       ".options must be a mapping of option names to values");
      }
      ARIADNE_RETURN_IF_ERROR(flattener.Mapping(entry.second, "", 1));
    }
  }
  return {};
}

Status ReadFileText(const std::string& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::InvalidArgument("config file " + path +
                                   ": cannot open: " + std::strerror(errno));
  }
  text.resize(kMaxFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return Status::InvalidArgument("config file " + path +
                                   ": cannot read: " + std::strerror(errno));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxFileBytes) {
    return Status::InvalidArgument("config file " + path + ": larger than 1 MiB; is it the " +
                                   "right file?");
  }
  return {};
}

}  // namespace

bool IsComponentName(std::string_view name) {
  for (std::string_view component : kComponents) {
    if (name == component) return true;
  }
  return false;
}

Status ParseConfigText(const std::string& text, const std::string& path, std::string_view component,
                       ConfigFileContent& out) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return {};
    if (!root.IsMap()) {
      return Status::InvalidArgument(Where(path, LineOf(root)) +
                                     ": expected a mapping of option names to values at the top");
    }
    if (IsComponentShape(root)) return ReadComponentShape(root, path, component, out);
    Flattener flattener(path, out);
    return flattener.Mapping(root, "", 1);
  } catch (const YAML::Exception& error) {
    std::string where = "config file " + path;
    if (!error.mark.is_null()) {
      where += ", line " + std::to_string(error.mark.line + 1) + ", column " +
               std::to_string(error.mark.column + 1);
    }
    return Status::InvalidArgument(where + ": YAML syntax error: " + error.msg);
  }
}

Status ReadConfigFile(const std::string& path, std::string_view component, ConfigFileContent& out) {
  std::string text;
  ARIADNE_RETURN_IF_ERROR(ReadFileText(path, text));
  return ParseConfigText(text, path, component, out);
}

}  // namespace ariadne::runtime::config_detail
