// Config reads argv itself rather than through CLI11: CLI11 cannot accept a whole family of
// names by prefix ("es.*", rejected only when set), its environment and config-file layers do not
// follow our precedence (flag > environment > YAML > default) or read YAML, and its unknown-flag
// errors do not suggest the closest name. What remains for argv (--name=value, --name value, bare
// booleans, -h) is a short loop.
#include "runtime/config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <stdexcept>
#include <utility>

#include "config_file.h"
#include "option_value.h"
#include "runtime/log.h"

namespace ariadne::runtime {
namespace {

using config_detail::ConfigFileContent;
using config_detail::FileValue;
using config_detail::OptionLimits;
using config_detail::OptionTarget;
using config_detail::RawValue;
using tracecore::Status;

constexpr std::string_view kConfigFileName = "config-file";
constexpr std::string_view kHelpHint = " (run with --help for every option)";
constexpr size_t kMaxQuotedValue = 100;

struct Option {
  OptionTarget target;
  OptionLimits limits;
  std::string help;
  std::string environment_name;
  std::string default_text;
};

struct UnavailableName {
  std::string name_or_prefix;  // ends in '.' for a prefix
  std::string reason;
};

// The flags of one command line, by name; a repeated list flag keeps every value.
struct FlagValues {
  std::map<std::string, RawValue, std::less<>> values;
  std::optional<std::string> config_file;
  bool help = false;
};

// A value and where it came from: "flag", "environment variable X", "config file F, line N".
struct SourcedValue {
  RawValue raw;
  std::string source;
};

using Environment = std::map<std::string, std::string>;

bool IsNameCharacter(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

// Letters, digits, '.', '-' and '_', starting with a letter or digit, no empty segment; a prefix
// (allowed only for AddUnavailable) ends in '.'.
bool IsValidName(std::string_view name, bool allow_prefix) {
  if (name.empty() || std::isalnum(static_cast<unsigned char>(name.front())) == 0) return false;
  if (!std::all_of(name.begin(), name.end(), IsNameCharacter)) return false;
  if (name.find("..") != std::string_view::npos) return false;
  return name.back() != '.' || allow_prefix;
}

// "ariadne-collector" -> "collector"; "" when the program is not named after a component.
std::string ComponentOf(std::string_view program) {
  for (std::string_view component : {"all-in-one", "collector", "query", "agent", "ingester"}) {
    if (program == component) return std::string(component);
    if (program.size() > component.size() &&
        program.substr(program.size() - component.size()) == component &&
        program[program.size() - component.size() - 1] == '-') {
      return std::string(component);
    }
  }
  return "";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string Quote(std::string_view text) {
  if (text.size() > kMaxQuotedValue)
    return "\"" + std::string(text.substr(0, kMaxQuotedValue)) + "...\"";
  return "\"" + std::string(text) + "\"";
}

std::string QuoteRaw(const RawValue& raw) {
  if (!raw.is_sequence) return Quote(raw.texts.empty() ? "" : raw.texts.back());
  std::string list = "[";
  for (const std::string& text : raw.texts) {
    if (list.size() > 1) list += ", ";
    list += text;
  }
  return Quote(list + "]");
}

// "  --name\n      description\n"
void AppendHelpEntry(std::string& text, std::string_view name, std::string_view description) {
  text.append("  --").append(name).append("\n      ").append(description).append("\n");
}

const std::string* FindEnvironment(const Environment& environment, const std::string& name) {
  const auto found = environment.find(name);
  // An empty variable counts as unset, as for Jaeger.
  if (found == environment.end() || found->second.empty()) return nullptr;
  return &found->second;
}

}  // namespace

struct Config::Impl {
  std::string program;
  std::string summary;
  std::string component;
  std::map<std::string, Option, std::less<>> options;
  std::vector<UnavailableName> unavailable;
  std::map<std::string, std::string, std::less<>> ignored;
  std::set<std::string, std::less<>> environment_names;
  std::set<std::string, std::less<>> set_names;
  bool help_requested = false;
  bool parsed = false;

  void CheckNewName(const std::string& name, bool allow_prefix) {
    if (!IsValidName(name, allow_prefix)) {
      throw std::logic_error("config: invalid option name \"" + name + "\"");
    }
    const bool taken =
        options.count(name) > 0 || ignored.count(name) > 0 || name == kConfigFileName ||
        name == "help" ||
        std::any_of(unavailable.begin(), unavailable.end(),
                    [&](const UnavailableName& u) { return u.name_or_prefix == name; });
    if (taken) throw std::logic_error("config: option --" + name + " is registered twice");
  }

  void Register(std::string name, OptionTarget target, std::string help, OptionLimits limits) {
    CheckNewName(name, false);
    std::string environment_name = EnvironmentName(name);
    if (!environment_names.insert(environment_name).second) {
      throw std::logic_error("config: option --" + name + " shares its environment variable " +
                             environment_name + " with another option");
    }
    std::string default_text = config_detail::FormatValue(target);
    options.emplace(std::move(name), Option{target, limits, std::move(help),
                                            std::move(environment_name), std::move(default_text)});
  }

  const UnavailableName* FindUnavailable(std::string_view name) const {
    for (const UnavailableName& entry : unavailable) {
      const std::string_view key = entry.name_or_prefix;
      const bool matches = key.back() == '.'
                               ? name.size() > key.size() && name.substr(0, key.size()) == key
                               : name == key;
      if (matches) return &entry;
    }
    return nullptr;
  }

  bool IsKnown(std::string_view name) const {
    return options.count(name) > 0 || ignored.count(name) > 0 || FindUnavailable(name) != nullptr;
  }

  // The known name closest to `name`, when it is close enough to be a typo; else empty.
  std::string Suggest(std::string_view name) const {
    constexpr size_t kLongestCompared = 200;
    if (name.size() > kLongestCompared) return "";
    std::vector<std::string_view> candidates = {kConfigFileName};
    for (const auto& [known, option] : options) candidates.emplace_back(known);
    for (const auto& [known, reason] : ignored) candidates.emplace_back(known);
    for (const UnavailableName& entry : unavailable) {
      if (entry.name_or_prefix.back() != '.') candidates.emplace_back(entry.name_or_prefix);
    }
    const size_t allowed = std::clamp<size_t>(name.size() / 4, 1, 3);
    std::string best;
    size_t best_distance = allowed + 1;
    for (std::string_view candidate : candidates) {
      const size_t distance = EditDistance(name, candidate);
      if (distance < best_distance || (distance == best_distance && candidate < best)) {
        best_distance = distance;
        best = std::string(candidate);
      }
    }
    return best;
  }

  Status UnknownFlag(std::string_view name) const {
    std::string message = "unknown flag --" + std::string(name);
    const std::string suggestion = Suggest(name);
    if (!suggestion.empty()) message += "; did you mean --" + suggestion + "?";
    return Status::InvalidArgument(message + std::string(kHelpHint));
  }

  static Status UnexpectedArgument(std::string_view arg) {
    return Status::InvalidArgument("unexpected argument " + Quote(arg) +
                                   "; options are given as --name=value" + std::string(kHelpHint));
  }

  // An argument that does not start with "--": a single-dash flag or a stray word.
  Status NotAFlag(std::string_view arg) const {
    if (arg.size() < 2 || arg.front() != '-') return UnexpectedArgument(arg);
    const std::string name(arg.substr(1, arg.find('=') - 1));
    if (IsKnown(name) || name == kConfigFileName) {
      return Status::InvalidArgument("unknown flag -" + name + "; flags take two dashes: --" +
                                     name);
    }
    return Status::InvalidArgument("unknown flag -" + name + std::string(kHelpHint));
  }

  // The value of flag `name` given without "=": `argv[i + 1]` when the flag takes it (advancing
  // `i`), or what a bare flag means.
  Status TakeNextValue(const std::string& name, int argc, const char* const* argv, int& i,
                       std::string& value) const {
    const std::string_view next = i + 1 < argc ? argv[i + 1] : "";
    const auto option = options.find(name);
    if (option != options.end() && std::holds_alternative<bool*>(option->second.target)) {
      // A bare boolean means true; "--flag false" reads the next word too (pflag would take
      // "false" as a stray argument and leave the flag true).
      const bool next_is_value = next == "true" || next == "false";
      value = next_is_value ? std::string(next) : "true";
      if (next_is_value) ++i;
      return {};
    }
    if (option != options.end() || name == kConfigFileName) {
      if (i + 1 >= argc) {
        return Status::InvalidArgument("flag --" + name + " needs a value: --" +
                                       std::string(name).append("=VALUE"));
      }
      value = std::string(next);
      ++i;
      return {};
    }
    // Ignored and unavailable names have no type: take the next word unless it is a flag.
    const bool next_is_value = !next.empty() && next.front() != '-';
    value = next_is_value ? std::string(next) : "";
    if (next_is_value) ++i;
    return {};
  }

  // Records `value` of flag `name` (known to be valid) in `out`.
  void Record(const std::string& name, std::string value, FlagValues& out) const {
    if (name == kConfigFileName) {
      out.config_file = std::move(value);
      return;
    }
    RawValue& raw = out.values[name];
    const auto option = options.find(name);
    const bool is_list = option != options.end() &&
                         std::holds_alternative<std::vector<std::string>*>(option->second.target);
    if (!is_list) raw.texts.clear();  // the last of a repeated scalar flag wins
    raw.texts.push_back(std::move(value));
  }

  // Reads argv into `out`. Keeps going after an error so that --help anywhere still wins; returns
  // the first error.
  Status ScanArgv(int argc, const char* const* argv, FlagValues& out) const {
    Status first_error;
    auto fail = [&first_error](Status status) {
      if (first_error.ok()) first_error = std::move(status);
    };
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "-h" || arg == "--help") {
        out.help = true;
        continue;
      }
      if (arg == "--") {  // everything after it would be a positional argument: we take none
        if (i + 1 < argc) fail(UnexpectedArgument(argv[i + 1]));
        break;
      }
      if (arg.size() < 3 || arg.substr(0, 2) != "--") {
        fail(NotAFlag(arg));
        continue;
      }
      const std::string_view body = arg.substr(2);
      const size_t equals = body.find('=');
      const std::string name(body.substr(0, equals));
      std::string value;
      if (equals != std::string_view::npos) value = body.substr(equals + 1);
      if (name == "help") {
        bool help = true;
        if (equals != std::string_view::npos && !config_detail::ParseBool(value, help)) {
          fail(Status::InvalidArgument("invalid value " + Quote(value) +
                                       " for --help: expected true or false"));
        }
        out.help = out.help || help;
        continue;
      }
      if (!IsKnown(name) && name != kConfigFileName) {
        fail(UnknownFlag(name));
        continue;
      }
      if (equals == std::string_view::npos) {
        const Status taken = TakeNextValue(name, argc, argv, i, value);
        if (!taken.ok()) {
          fail(taken);
          continue;
        }
      }
      Record(name, std::move(value), out);
    }
    return first_error;
  }

  // Reads the file named by --config-file or CONFIG_FILE, if any, into `file` and its name into
  // `path`; every key must be known.
  Status LoadFile(const FlagValues& flags, const Environment& environment, ConfigFileContent& file,
                  std::string& path) {
    if (flags.config_file) {
      path = *flags.config_file;
    } else if (const std::string* variable =
                   FindEnvironment(environment, EnvironmentName(kConfigFileName))) {
      path = *variable;
    }
    if (path.empty()) return {};
    set_names.emplace(kConfigFileName);
    ARIADNE_RETURN_IF_ERROR(config_detail::ReadConfigFile(path, component, file));
    for (const std::string& skipped : file.skipped) Logger("config")->info("{}", skipped);
    // Every key must name something we know; report the first in file order.
    const std::pair<const std::string, FileValue>* unknown = nullptr;
    for (const auto& entry : file.values) {
      if (IsKnown(entry.first)) continue;
      if (unknown == nullptr || entry.second.line < unknown->second.line) unknown = &entry;
    }
    if (unknown == nullptr) return {};
    std::string message = "config file " + path + ", line " + std::to_string(unknown->second.line) +
                          ": unknown key " + unknown->first;
    const std::string suggestion = Suggest(unknown->first);
    if (!suggestion.empty()) message += "; did you mean " + suggestion + "?";
    return Status::InvalidArgument(message + std::string(kHelpHint));
  }

  // The value of `name` from the strongest source that sets it.
  static std::optional<SourcedValue> Lookup(const std::string& name,
                                            const std::string& environment_name,
                                            const FlagValues& flags, const Environment& environment,
                                            const ConfigFileContent& file,
                                            const std::string& file_path) {
    if (const auto flag = flags.values.find(name); flag != flags.values.end()) {
      return SourcedValue{flag->second, "flag"};
    }
    if (const std::string* variable = FindEnvironment(environment, environment_name)) {
      return SourcedValue{RawValue{{*variable}, false}, "environment variable " + environment_name};
    }
    if (const auto entry = file.values.find(name); entry != file.values.end()) {
      return SourcedValue{entry->second.raw, "config file " + file_path + ", line " +
                                                 std::to_string(entry->second.line)};
    }
    return std::nullopt;
  }

  // Every name that is set and is unavailable or ignored, with its strongest source.
  std::vector<std::pair<std::string, SourcedValue>> SetNames(const FlagValues& flags,
                                                             const Environment& environment,
                                                             const ConfigFileContent& file,
                                                             const std::string& file_path) const {
    std::set<std::string> names;
    for (const auto& entry : flags.values) names.insert(entry.first);
    for (const auto& entry : file.values) names.insert(entry.first);
    // The environment is read only for exact names: a prefix such as "es." cannot be mapped back
    // from variable names, and unrelated variables share it (ES_JAVA_OPTS).
    for (const UnavailableName& entry : unavailable) {
      if (entry.name_or_prefix.back() != '.') names.insert(entry.name_or_prefix);
    }
    for (const auto& entry : ignored) names.insert(entry.first);
    std::vector<std::pair<std::string, SourcedValue>> found;
    for (const std::string& name : names) {
      if (options.count(name) > 0) continue;
      std::optional<SourcedValue> value =
          Lookup(name, EnvironmentName(name), flags, environment, file, file_path);
      if (value) found.emplace_back(name, std::move(*value));
    }
    return found;
  }

  Status CheckUnavailableAndLogIgnored(
      const std::vector<std::pair<std::string, SourcedValue>>& set) {
    const std::pair<std::string, SourcedValue>* first = nullptr;
    std::string others;
    for (const auto& entry : set) {
      set_names.insert(entry.first);
      if (FindUnavailable(entry.first) == nullptr) continue;
      if (first == nullptr) {
        first = &entry;
      } else {
        others += (others.empty() ? "; also set: --" : ", --") + entry.first;
      }
    }
    if (first != nullptr) {
      return Status::InvalidArgument("--" + first->first + " (set by " + first->second.source +
                                     ") cannot be used: " + FindUnavailable(first->first)->reason +
                                     others);
    }
    for (const auto& [name, value] : set) {
      Logger("config")->info("--{} (set by {}) is ignored: {}", name, value.source,
                             ignored.find(name)->second);
    }
    return {};
  }

  Status AssignAll(const FlagValues& flags, const Environment& environment,
                   const ConfigFileContent& file, const std::string& file_path) {
    for (auto& [name, option] : options) {
      const std::optional<SourcedValue> value =
          Lookup(name, option.environment_name, flags, environment, file, file_path);
      if (!value) continue;
      const Status assigned = config_detail::AssignValue(option.target, option.limits, value->raw);
      if (!assigned.ok()) {
        return Status::InvalidArgument("invalid value " + QuoteRaw(value->raw) + " for --" + name +
                                       " (set by " + value->source + "): " + assigned.message());
      }
      set_names.insert(name);
    }
    return {};
  }

  std::string OptionHelp(const std::string& name, const Option& option) const {
    std::string line = "  --" + name + " " + std::string(config_detail::TypeName(option.target)) +
                       "  (env " + option.environment_name;
    if (!option.default_text.empty()) {
      const bool is_text = std::holds_alternative<std::string*>(option.target) ||
                           std::holds_alternative<std::vector<std::string>*>(option.target);
      line += ", default " + (is_text ? Quote(option.default_text) : option.default_text);
    }
    const std::string accepted = config_detail::DescribeAccepted(option.target, option.limits);
    if (!accepted.empty()) line += ", " + accepted;
    return line + ")\n      " + option.help + "\n";
  }
};

Config::Config(std::string program, std::string summary) : impl_(std::make_unique<Impl>()) {
  impl_->component = ComponentOf(program);
  impl_->program = std::move(program);
  impl_->summary = std::move(summary);
}

Config::~Config() = default;

void Config::AddString(std::string name, std::string* value, std::string help) {
  impl_->Register(std::move(name), value, std::move(help), {});
}

void Config::AddStringList(std::string name, std::vector<std::string>* value, std::string help) {
  impl_->Register(std::move(name), value, std::move(help), {});
}

void Config::AddBool(std::string name, bool* value, std::string help) {
  impl_->Register(std::move(name), value, std::move(help), {});
}

void Config::AddInt(std::string name, int64_t* value, std::string help, int64_t min, int64_t max) {
  // A default outside its own range is a programming error: caught at start-up.
  if (min > max || *value < min || *value > max) {
    throw std::logic_error("config: --" + name + ": the default is outside [min, max]");
  }
  impl_->Register(std::move(name), value, std::move(help),
                  OptionLimits{.min_int = min, .max_int = max});
}

void Config::AddDouble(std::string name, double* value, std::string help, double min, double max) {
  if (!(min <= max && *value >= min && *value <= max)) {
    throw std::logic_error("config: --" + name + ": the default is outside [min, max]");
  }
  impl_->Register(std::move(name), value, std::move(help),
                  OptionLimits{.min_double = min, .max_double = max});
}

void Config::AddDuration(std::string name, std::chrono::nanoseconds* value, std::string help) {
  impl_->Register(std::move(name), value, std::move(help), {});
}

void Config::AddUnavailable(std::string name_or_prefix, std::string reason) {
  // Several prefixes may share a reason; the same prefix twice is harmless.
  for (const UnavailableName& entry : impl_->unavailable) {
    if (entry.name_or_prefix == name_or_prefix && name_or_prefix.back() == '.') return;
  }
  impl_->CheckNewName(name_or_prefix, true);
  impl_->unavailable.push_back({std::move(name_or_prefix), std::move(reason)});
}

void Config::AddIgnored(std::string name, std::string reason) {
  impl_->CheckNewName(name, false);
  impl_->ignored.emplace(std::move(name), std::move(reason));
}

Status Config::Parse(int argc, const char* const* argv, const Environment& environment) {
  Impl& impl = *impl_;
  if (impl.parsed) return Status::Internal("Config::Parse called twice");
  impl.parsed = true;
  FlagValues flags;
  const Status argv_status = impl.ScanArgv(argc, argv, flags);
  if (flags.help) {
    impl.help_requested = true;
    return {};
  }
  ARIADNE_RETURN_IF_ERROR(argv_status);
  ConfigFileContent file;
  std::string file_path;
  ARIADNE_RETURN_IF_ERROR(impl.LoadFile(flags, environment, file, file_path));
  ARIADNE_RETURN_IF_ERROR(
      impl.CheckUnavailableAndLogIgnored(impl.SetNames(flags, environment, file, file_path)));
  return impl.AssignAll(flags, environment, file, file_path);
}

bool Config::help_requested() const {
  return impl_->help_requested;
}

std::string Config::HelpText() const {
  const Impl& impl = *impl_;
  std::string text = impl.program + ": " + impl.summary + "\n\nUsage: " + impl.program +
                     " [--name=value | --name value]...\n"
                     "Each option can also be set by its environment variable or in the YAML "
                     "file of --config-file;\na flag beats the environment, which beats the file, "
                     "which beats the default.\n\ngeneral:\n"
                     "  --config-file string  (env CONFIG_FILE)\n"
                     "      YAML file of options: nested keys spell the names "
                     "(a: {b.c: 1} sets --a.b.c)\n"
                     "  -h, --help\n      Print this text and exit\n";
  // Options without a '.' belong to "general"; the others to their first name segment.
  std::map<std::string, std::string> groups;
  for (const auto& [name, option] : impl.options) {
    const size_t dot = name.find('.');
    const std::string group = dot == std::string::npos ? "general" : name.substr(0, dot);
    groups[group] += impl.OptionHelp(name, option);
  }
  if (const auto general = groups.find("general"); general != groups.end()) {
    text += general->second;
    groups.erase(general);
  }
  for (const auto& [group, lines] : groups)
    text.append("\n").append(group).append(":\n").append(lines);
  if (!impl.unavailable.empty()) {
    text += "\nnot in this build (setting them stops the program):\n";
    for (const UnavailableName& entry : impl.unavailable) {
      const bool prefix = entry.name_or_prefix.back() == '.';
      AppendHelpEntry(text, entry.name_or_prefix + (prefix ? "*" : ""), entry.reason);
    }
  }
  if (!impl.ignored.empty()) {
    text += "\naccepted and ignored:\n";
    for (const auto& [name, reason] : impl.ignored) AppendHelpEntry(text, name, reason);
  }
  return text;
}

bool Config::WasSet(std::string_view name) const {
  return impl_->set_names.count(name) > 0;
}

std::map<std::string, std::string> Config::ProcessEnvironment() {
  std::map<std::string, std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    environment.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return environment;
}

std::string Config::EnvironmentName(std::string_view name) {
  std::string result(name);
  for (char& c : result) {
    if (c == '.' || c == '-') {
      c = '_';
    } else {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return result;
}

}  // namespace ariadne::runtime
