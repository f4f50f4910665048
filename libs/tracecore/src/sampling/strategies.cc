// Strategies: parsing a strategies file (simdjson DOM, which validates the whole document, so a
// malformed part that we would otherwise skip still fails the parse) and looking services up.
#include "tracecore/sampling/strategies.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <unordered_set>
#include <utility>

namespace ariadne::tracecore::sampling {

namespace dom = simdjson::dom;

namespace {

constexpr std::string_view kProbabilistic = "probabilistic";
constexpr std::string_view kRateLimiting = "ratelimiting";
constexpr std::string_view kRateLimitingSeedSpelling = "rate_limiting";
// Longest excerpt of a user's string quoted in a message.
constexpr size_t kMaxQuoted = 64;

// The fields of one strategy object as written, before they are checked against each other.
struct StrategyFields {
  std::string path;  // "service_strategies[3]", for messages
  bool has_type = false;
  std::string type;
  double param = 0;
};

struct OperationFields : StrategyFields {
  std::string operation;
};

struct ServiceFields : StrategyFields {
  std::string service;
  bool has_service = false;
  std::vector<OperationFields> operations;
};

std::string Join(std::string_view path, std::string_view child) {
  std::string joined(path);
  if (!joined.empty()) joined.push_back('.');
  joined += child;
  return joined;
}

std::string Indexed(std::string_view path, size_t index) {
  std::string indexed(path);
  indexed.push_back('[');
  indexed += std::to_string(index);
  indexed.push_back(']');
  return indexed;
}

Status Invalid(std::string_view path, std::string_view what) {
  std::string message(path);
  if (!message.empty()) message += ": ";
  message += what;
  return Status::InvalidArgument(std::move(message));
}

// `text` in double quotes for a message: printable ASCII kept, other bytes as \xNN, cut after
// kMaxQuoted bytes.
std::string Quoted(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string quoted = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxQuoted; ++i) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte < 0x7F && byte != '"' && byte != '\\') {
      quoted.push_back(static_cast<char>(byte));
    } else {
      quoted += "\\x";
      quoted.push_back(kHex[byte >> 4]);
      quoted.push_back(kHex[byte & 0xF]);
    }
  }
  if (text.size() > kMaxQuoted) quoted += "...";
  quoted.push_back('"');
  return quoted;
}

// The shortest text that reads back as `value` ("1.5", "1e+300").
std::string NumberText(double value) {
  char text[32];
  auto result = std::to_chars(text, text + sizeof(text), value);
  return {text, static_cast<size_t>(result.ptr - text)};
}

std::string_view JsonTypeName(dom::element_type type) {
  switch (type) {
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "a number";
    case dom::element_type::STRING: return "a string";
    case dom::element_type::BOOL: return "a boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "an unknown value";
}

Status WrongType(std::string_view path, std::string_view expected, dom::element value) {
  std::string what = "expected ";
  what += expected;
  what += ", got ";
  what += JsonTypeName(value.type());
  return Invalid(path, what);
}

Status ReadString(dom::element value, std::string_view path, std::string& out) {
  std::string_view text;
  if (value.get_string().get(text)) return WrongType(path, "a string", value);
  out.assign(text);
  return {};
}

Status ReadNumber(dom::element value, std::string_view path, double& out) {
  if (value.get_double().get(out)) return WrongType(path, "a number", value);
  out += 0.0;  // -0 -> 0, so that no encoder sees a negative zero
  return {};
}

}  // namespace

// Reads the document into fields, then turns the fields into responses with Jaeger's rules.
class StrategiesBuilder {
 public:
  StrategiesBuilder(const ParseOptions& options, Strategies& out) : options_(options), out_(out) {}

  Status Build(dom::element root) {
    if (root.is_null()) return {};  // "null": no strategies, Jaeger's defaults
    dom::object object;
    if (root.get_object().get(object)) {
      return WrongType("", "a JSON object with \"service_strategies\" and \"default_strategy\"",
                       root);
    }
    std::optional<ServiceFields> default_fields;
    std::vector<ServiceFields> services;
    for (dom::key_value_pair field : object) {
      if (field.value.is_null()) continue;  // Go leaves the field at its zero value
      if (field.key == "default_strategy") {
        default_fields.emplace();
        default_fields->path = "default_strategy";
        ARIADNE_RETURN_IF_ERROR(ReadService(field.value, *default_fields, /*is_default=*/true));
      } else if (field.key == "service_strategies") {
        services.clear();
        ARIADNE_RETURN_IF_ERROR(ReadServices(field.value, services));
      } else {
        WarnUnknownKey("", field.key);
      }
    }
    if (default_fields) ARIADNE_RETURN_IF_ERROR(ToResponse(*default_fields, out_.default_));
    for (const ServiceFields& fields : services) ARIADNE_RETURN_IF_ERROR(AddService(fields));
    return {};
  }

 private:
  Status ReadServices(dom::element value, std::vector<ServiceFields>& services) {
    dom::array array;
    if (value.get_array().get(array)) return WrongType("service_strategies", "an array", value);
    size_t index = 0;
    for (dom::element element : array) {
      ServiceFields& fields = services.emplace_back();
      fields.path = Indexed("service_strategies", index++);
      ARIADNE_RETURN_IF_ERROR(ReadService(element, fields, /*is_default=*/false));
    }
    return {};
  }

  Status ReadService(dom::element value, ServiceFields& fields, bool is_default) {
    dom::object object;
    if (value.get_object().get(object)) return WrongType(fields.path, "an object", value);
    for (dom::key_value_pair field : object) {
      if (field.value.is_null()) continue;
      if (field.key == "service") {
        fields.has_service = true;
        ARIADNE_RETURN_IF_ERROR(
            ReadString(field.value, Join(fields.path, "service"), fields.service));
      } else if (field.key == "operation_strategies") {
        fields.operations.clear();
        ARIADNE_RETURN_IF_ERROR(ReadOperations(field.value, fields));
      } else {
        ARIADNE_RETURN_IF_ERROR(ReadStrategyField(field, fields));
      }
    }
    if (!is_default && !fields.has_service) {
      Warn(fields.path + ": no \"service\"; this entry applies to the service named \"\"");
    }
    return {};
  }

  Status ReadOperations(dom::element value, ServiceFields& service) {
    std::string path = Join(service.path, "operation_strategies");
    dom::array array;
    if (value.get_array().get(array)) return WrongType(path, "an array", value);
    size_t index = 0;
    for (dom::element element : array) {
      OperationFields& fields = service.operations.emplace_back();
      fields.path = Indexed(path, index++);
      dom::object object;
      if (element.get_object().get(object)) return WrongType(fields.path, "an object", element);
      for (dom::key_value_pair field : object) {
        if (field.value.is_null()) continue;
        if (field.key == "operation") {
          ARIADNE_RETURN_IF_ERROR(
              ReadString(field.value, Join(fields.path, "operation"), fields.operation));
        } else {
          ARIADNE_RETURN_IF_ERROR(ReadStrategyField(field, fields));
        }
      }
    }
    return {};
  }

  // Reads "type" or "param" into `fields`; any other key is ignored with a warning.
  Status ReadStrategyField(const dom::key_value_pair& field, StrategyFields& fields) {
    if (field.key == "type") {
      fields.has_type = true;
      return ReadString(field.value, Join(fields.path, "type"), fields.type);
    }
    if (field.key == "param") {
      return ReadNumber(field.value, Join(fields.path, "param"), fields.param);
    }
    WarnUnknownKey(fields.path, field.key);
    return {};
  }

  // Jaeger's parseStrategy, with the checks Jaeger leaves out.
  Status ToStrategy(const StrategyFields& fields, StrategyResponse& out) {
    out = StrategyResponse();
    if (!fields.has_type) {
      Warn(fields.path + ": no \"type\"; serving probabilistic sampling at " +
           NumberText(options_.default_sampling_probability));
      out.probabilistic_sampling_rate = options_.default_sampling_probability;
      return {};
    }
    if (fields.type == kProbabilistic) {
      if (!(fields.param >= 0 && fields.param <= 1)) {
        return Invalid(Join(fields.path, "param"),
                       "expected a number in [0, 1], got " + NumberText(fields.param));
      }
      out.probabilistic_sampling_rate = fields.param;
      return {};
    }
    if (fields.type == kRateLimiting || fields.type == kRateLimitingSeedSpelling) {
      if (!(fields.param >= 0 && fields.param < kMaxTracesPerSecondLimit + 1.0)) {
        return Invalid(Join(fields.path, "param"), "expected traces per second in [0, " +
                                                       std::to_string(kMaxTracesPerSecondLimit) +
                                                       "], got " + NumberText(fields.param));
      }
      out.strategy_type = StrategyType::kRateLimiting;
      out.max_traces_per_second = static_cast<int32_t>(std::trunc(fields.param));
      return {};
    }
    return Invalid(Join(fields.path, "type"),
                   "expected \"probabilistic\" or \"ratelimiting\", got " + Quoted(fields.type));
  }

  // Jaeger's parseServiceStrategies: the service's strategy plus its operation strategies.
  Status ToResponse(const ServiceFields& fields, StrategyResponse& out) {
    ARIADNE_RETURN_IF_ERROR(ToStrategy(fields, out));
    if (fields.operations.empty()) return {};
    PerOperationStrategies& per_operation = out.operation_sampling.emplace();
    per_operation.default_sampling_probability =
        out.probabilistic_sampling_rate.value_or(options_.default_sampling_probability);
    for (const OperationFields& operation : fields.operations) {
      StrategyResponse strategy;
      ARIADNE_RETURN_IF_ERROR(ToStrategy(operation, strategy));
      if (!strategy.probabilistic_sampling_rate) {
        Warn(operation.path + ": per-operation strategies can only be probabilistic; entry for " +
             Quoted(operation.operation) + " ignored");
        continue;
      }
      per_operation.per_operation_strategies.push_back(
          {operation.operation, *strategy.probabilistic_sampling_rate});
    }
    return {};
  }

  // Jaeger's parseStrategies for one service: its response merged with the default's operations.
  Status AddService(const ServiceFields& fields) {
    StrategyResponse response;
    ARIADNE_RETURN_IF_ERROR(ToResponse(fields, response));
    const std::optional<PerOperationStrategies>& defaults = out_.default_.operation_sampling;
    if (defaults && !response.operation_sampling) {
      response.operation_sampling = defaults;
      if (response.probabilistic_sampling_rate) {
        response.operation_sampling->default_sampling_probability =
            *response.probabilistic_sampling_rate;
      }
    } else if (defaults) {
      std::vector<OperationStrategy>& own = response.operation_sampling->per_operation_strategies;
      // Reserved first: `named` views the strings of `own`, which must not move.
      own.reserve(own.size() + defaults->per_operation_strategies.size());
      std::unordered_set<std::string_view> named;
      for (const OperationStrategy& operation : own) named.insert(operation.operation);
      for (const OperationStrategy& operation : defaults->per_operation_strategies) {
        if (!named.contains(operation.operation)) own.push_back(operation);
      }
    }
    auto [it, inserted] = out_.services_.insert_or_assign(fields.service, std::move(response));
    if (!inserted) {
      Warn(fields.path + ": service " + Quoted(fields.service) +
           " appears more than once; this later entry wins");
    }
    return {};
  }

  void WarnUnknownKey(std::string_view path, std::string_view key) {
    std::string message(path);
    if (!message.empty()) message += ": ";
    message += "unknown key " + Quoted(key) + " ignored";
    Warn(std::move(message));
  }

  // Keeps the first kMaxWarnings - 1 warnings, then one line counting the rest.
  void Warn(std::string message) {
    ++warning_count_;
    std::vector<std::string>& warnings = out_.warnings_;
    if (warning_count_ < Strategies::kMaxWarnings) {
      warnings.push_back(std::move(message));
      return;
    }
    std::string summary =
        "... and " + std::to_string(warning_count_ - (Strategies::kMaxWarnings - 1)) + " more";
    if (warnings.size() < Strategies::kMaxWarnings) {
      warnings.push_back(std::move(summary));
    } else {
      warnings.back() = std::move(summary);
    }
  }

  const ParseOptions& options_;
  Strategies& out_;
  size_t warning_count_ = 0;
};

Strategies::Strategies(double default_sampling_probability) {
  default_.probabilistic_sampling_rate = default_sampling_probability;
}

const StrategyResponse& Strategies::For(std::string_view service) const {
  auto it = services_.find(service);
  return it == services_.end() ? default_ : it->second;
}

Status Strategies::Parse(std::string_view json, Strategies& out, const ParseOptions& options) {
  out = Strategies(options.default_sampling_probability);
  if (json.size() > kMaxStrategiesBytes) {
    return Status::ResourceExhausted("the strategies file is " + std::to_string(json.size()) +
                                     " bytes; at most " + std::to_string(kMaxStrategiesBytes) +
                                     " are accepted");
  }
  if (json.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument(
        "the strategies file is empty; write {} (or null) for the default strategy");
  }
  dom::parser parser;
  if (parser.allocate(json.size(), kMaxStrategiesDepth)) {
    return Status::ResourceExhausted("out of memory parsing the strategies file");
  }
  dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root)) {
    if (error == simdjson::DEPTH_ERROR) {
      return Status::ResourceExhausted("invalid strategies file: JSON nested deeper than " +
                                       std::to_string(kMaxStrategiesDepth) + " levels");
    }
    return Status::InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  Strategies parsed(options.default_sampling_probability);
  StrategiesBuilder builder(options, parsed);
  Status status = builder.Build(root);
  if (status.ok()) out = std::move(parsed);
  return status;
}

}  // namespace ariadne::tracecore::sampling
