// The wire forms of a StrategyResponse: Jaeger's /sampling JSON (gogo jsonpb with EmitDefaults,
// nulls stripped), its legacy integer-enum variant, and the api_v2 protobuf (both ways: the agent
// reads what a collector answers); plus the gRPC request (both ways).
#include <cstring>
#include <string>
#include <vector>

#include "../codec/json_writer.h"
#include "tracecore/sampling/strategies.h"
#include "tracecore/text.h"
#include "tracecore/wire/proto_reader.h"
#include "tracecore/wire/proto_writer.h"

namespace ariadne::tracecore::sampling {
namespace {

// The length of the valid UTF-8 sequence at the start of `text`, or 0 when it is not one
// (Go's utf8.DecodeRuneInString returning RuneError with width 1). Sets `rune`.
size_t DecodeRune(std::string_view text, uint32_t& rune) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  auto continuation = [&](size_t i) { return i < text.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char lead = byte(0);
  if (lead < 0x80) {
    rune = lead;
    return 1;
  }
  size_t length = 0;
  uint32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, rune = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, rune = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, rune = lead & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  for (size_t i = 1; i < length; ++i) {
    if (!continuation(i)) return 0;
    rune = (rune << 6) | (byte(i) & 0x3F);
  }
  bool surrogate = rune >= 0xD800 && rune <= 0xDFFF;
  if (rune < min || rune > 0x10FFFF || surrogate) return 0;
  return length;
}

// Appends `text` as a JSON string the way Go's encoding/json writes it (which jsonpb defers to):
// short escapes for \" \\ \b \f \n \r \t, \u00xx (lower-case hex) for other controls and for the
// HTML-sensitive < > &, \u2028 and \u2029 escaped, and "\ufffd" for each invalid UTF-8 byte.
void AppendGoString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      switch (byte) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (byte < 0x20 || byte == '<' || byte == '>' || byte == '&') {
            out += "\\u00";
            out.push_back(kHex[byte >> 4]);
            out.push_back(kHex[byte & 0xF]);
          } else {
            out.push_back(static_cast<char>(byte));
          }
      }
      ++i;
      continue;
    }
    uint32_t rune = 0;
    size_t length = DecodeRune(text.substr(i), rune);
    if (length == 0) {
      out += "\\ufffd";
      ++i;
    } else if (rune == 0x2028 || rune == 0x2029) {
      out += rune == 0x2028 ? "\\u2028" : "\\u2029";
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  out.push_back('"');
}

std::string_view StrategyTypeName(StrategyType type) {
  switch (type) {
    case StrategyType::kProbabilistic: return "PROBABILISTIC";
    case StrategyType::kRateLimiting: return "RATE_LIMITING";
  }
  return {};
}

void WriteNumber(json::JsonWriter& writer, double value) {
  writer.Double(value, json::NonFiniteStyle::kJavaScript);
}

void WriteProbabilistic(json::JsonWriter& writer, double sampling_rate) {
  writer.StartObject();
  writer.Key("samplingRate");
  WriteNumber(writer, sampling_rate);
  writer.EndObject();
}

void WritePerOperation(json::JsonWriter& writer, const PerOperationStrategies& strategies,
                       std::string& scratch) {
  writer.StartObject();
  writer.Key("defaultSamplingProbability");
  WriteNumber(writer, strategies.default_sampling_probability);
  writer.Key("defaultLowerBoundTracesPerSecond");
  WriteNumber(writer, strategies.default_lower_bound_traces_per_second);
  writer.Key("perOperationStrategies");
  writer.StartArray();
  for (const OperationStrategy& operation : strategies.per_operation_strategies) {
    writer.StartObject();
    writer.Key("operation");
    scratch.clear();
    AppendGoString(operation.operation, scratch);
    writer.RawValue(scratch);
    writer.Key("probabilisticSampling");
    WriteProbabilistic(writer, operation.sampling_rate);
    writer.EndObject();
  }
  writer.EndArray();
  writer.Key("defaultUpperBoundTracesPerSecond");
  WriteNumber(writer, strategies.default_upper_bound_traces_per_second);
  writer.EndObject();
}

// Field order is the .proto's, as jsonpb writes it.
void Encode(const StrategyResponse& response, bool integer_type, std::string& out) {
  json::JsonWriter writer(out);
  writer.StartObject();
  writer.Key("strategyType");
  std::string_view name = StrategyTypeName(response.strategy_type);
  if (integer_type || name.empty()) {
    writer.Int64(static_cast<int32_t>(response.strategy_type));
  } else {
    writer.String(name);
  }
  if (response.probabilistic_sampling_rate) {
    writer.Key("probabilisticSampling");
    WriteProbabilistic(writer, *response.probabilistic_sampling_rate);
  }
  if (response.max_traces_per_second) {
    writer.Key("rateLimitingSampling");
    writer.StartObject();
    writer.Key("maxTracesPerSecond");
    writer.Int64(*response.max_traces_per_second);
    writer.EndObject();
  }
  if (response.operation_sampling) {
    writer.Key("operationSampling");
    std::string scratch;
    WritePerOperation(writer, *response.operation_sampling, scratch);
  }
  writer.EndObject();
}

// proto3 writes a double unless its bits are all zero (so -0.0 is written, as libprotobuf does).
void WriteDoubleIfSet(wire::ProtoWriter& writer, uint32_t field, double value) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  if (bits != 0) writer.WriteDoubleField(field, value);
}

void WriteProbabilisticProto(wire::ProtoWriter& writer, uint32_t field, double sampling_rate) {
  size_t mark = writer.BeginMessage(field);
  WriteDoubleIfSet(writer, 1, sampling_rate);
  writer.EndMessage(mark);
}

// An int32 or enum: negative values take ten bytes, sign-extended.
uint64_t Int32Varint(int32_t value) {
  return static_cast<uint64_t>(static_cast<int64_t>(value));
}

// Reads a SamplingStrategyResponse. Each method reads one message from its own reader; all share
// the root's error state, so after each field the caller checks for a failure anywhere below it
// and records the field's name on the way out (innermost first).
class ResponseDecoder {
 public:
  Status Decode(std::string_view bytes, StrategyResponse& out) {
    out = StrategyResponse();
    wire::ProtoReader reader(bytes);
    DecodeResponse(reader, out);
    if (reader.ok()) return {};
    std::string where = "SamplingStrategyResponse";
    for (auto field = path_.rbegin(); field != path_.rend(); ++field) {
      where.push_back('.');
      where.append(*field);
    }
    if (too_many_operations_) {
      return Status::ResourceExhausted(
          where + ": more than " + std::to_string(kMaxDecodedOperationStrategies) + " operations");
    }
    return reader.status().WithContext(where);
  }

 private:
  // Records `field` (empty: an unknown field) in the error path when `reader` has failed;
  // returns whether it has.
  bool Failed(const wire::ProtoReader& reader, std::string_view field) {
    if (reader.ok()) return false;
    if (!field.empty()) path_.push_back(field);
    return true;
  }

  void DecodeResponse(wire::ProtoReader& reader, StrategyResponse& out) {
    while (reader.Next()) {
      std::string_view field;
      switch (reader.field()) {
        case 1:
          field = "strategyType";
          out.strategy_type = static_cast<StrategyType>(Int32(reader.ReadVarint()));
          break;
        case 2:
          field = "probabilisticSampling";
          if (!out.probabilistic_sampling_rate) out.probabilistic_sampling_rate = 0.0;
          DecodeProbabilistic(reader.ReadMessage(), *out.probabilistic_sampling_rate);
          break;
        case 3:
          field = "rateLimitingSampling";
          if (!out.max_traces_per_second) out.max_traces_per_second = 0;
          DecodeRateLimiting(reader.ReadMessage(), *out.max_traces_per_second);
          break;
        case 4:
          field = "operationSampling";
          if (!out.operation_sampling) out.operation_sampling.emplace();
          DecodePerOperation(reader.ReadMessage(), *out.operation_sampling);
          break;
        default: reader.Skip();
      }
      if (Failed(reader, field)) return;
    }
  }

  void DecodeProbabilistic(wire::ProtoReader reader, double& sampling_rate) {
    while (reader.Next()) {
      if (reader.field() != 1) {
        reader.Skip();
        continue;
      }
      sampling_rate = reader.ReadDouble();
      if (Failed(reader, "samplingRate")) return;
    }
  }

  void DecodeRateLimiting(wire::ProtoReader reader, int32_t& max_traces_per_second) {
    while (reader.Next()) {
      if (reader.field() != 1) {
        reader.Skip();
        continue;
      }
      max_traces_per_second = Int32(reader.ReadVarint());
      if (Failed(reader, "maxTracesPerSecond")) return;
    }
  }

  void DecodePerOperation(wire::ProtoReader reader, PerOperationStrategies& out) {
    while (reader.Next()) {
      std::string_view field;
      switch (reader.field()) {
        case 1:
          field = "defaultSamplingProbability";
          out.default_sampling_probability = reader.ReadDouble();
          break;
        case 2:
          field = "defaultLowerBoundTracesPerSecond";
          out.default_lower_bound_traces_per_second = reader.ReadDouble();
          break;
        case 3:
          field = "perOperationStrategies";
          if (out.per_operation_strategies.size() >= kMaxDecodedOperationStrategies) {
            too_many_operations_ = true;
            reader.Fail("too many operations");
          } else {
            DecodeOperation(reader.ReadMessage(), out.per_operation_strategies.emplace_back());
          }
          break;
        case 4:
          field = "defaultUpperBoundTracesPerSecond";
          out.default_upper_bound_traces_per_second = reader.ReadDouble();
          break;
        default: reader.Skip();
      }
      if (Failed(reader, field)) return;
    }
  }

  void DecodeOperation(wire::ProtoReader reader, OperationStrategy& out) {
    while (reader.Next()) {
      std::string_view field;
      switch (reader.field()) {
        case 1:
          field = "operation";
          out.operation.assign(reader.ReadBytes());
          if (reader.ok() && !IsValidUtf8(out.operation)) reader.Fail("not valid UTF-8");
          break;
        case 2:
          field = "probabilisticSampling";
          DecodeProbabilistic(reader.ReadMessage(), out.sampling_rate);
          break;
        default: reader.Skip();
      }
      if (Failed(reader, field)) return;
    }
  }

  // An int32 or enum field: the low 32 bits of the varint, as protobuf reads them.
  static int32_t Int32(uint64_t varint) {
    return static_cast<int32_t>(static_cast<uint32_t>(varint));
  }

  std::vector<std::string_view> path_;  // innermost first
  bool too_many_operations_ = false;
};

}  // namespace

void EncodeJson(const StrategyResponse& response, std::string& out) {
  Encode(response, /*integer_type=*/false, out);
}

void EncodeLegacyJson(const StrategyResponse& response, std::string& out) {
  Encode(response, /*integer_type=*/true, out);
}

void EncodeProto(const StrategyResponse& response, std::string& out) {
  wire::ProtoWriter writer(out);
  writer.WriteVarintIfSet(1, Int32Varint(static_cast<int32_t>(response.strategy_type)));
  if (response.probabilistic_sampling_rate) {
    WriteProbabilisticProto(writer, 2, *response.probabilistic_sampling_rate);
  }
  if (response.max_traces_per_second) {
    size_t mark = writer.BeginMessage(3);
    writer.WriteVarintIfSet(1, Int32Varint(*response.max_traces_per_second));
    writer.EndMessage(mark);
  }
  if (response.operation_sampling) {
    const PerOperationStrategies& strategies = *response.operation_sampling;
    size_t mark = writer.BeginMessage(4);
    WriteDoubleIfSet(writer, 1, strategies.default_sampling_probability);
    WriteDoubleIfSet(writer, 2, strategies.default_lower_bound_traces_per_second);
    for (const OperationStrategy& operation : strategies.per_operation_strategies) {
      size_t operation_mark = writer.BeginMessage(3);
      writer.WriteBytesIfSet(1, operation.operation);
      WriteProbabilisticProto(writer, 2, operation.sampling_rate);
      writer.EndMessage(operation_mark);
    }
    WriteDoubleIfSet(writer, 4, strategies.default_upper_bound_traces_per_second);
    writer.EndMessage(mark);
  }
}

Status DecodeSamplingParameters(std::string_view bytes, std::string& service) {
  service.clear();
  wire::ProtoReader reader(bytes);
  while (reader.Next()) {
    if (reader.field() == 1) {
      service.assign(reader.ReadBytes());
    } else {
      reader.Skip();
    }
  }
  if (!reader.ok()) {
    return reader.status().WithContext("SamplingStrategyParameters");
  }
  if (!IsValidUtf8(service)) {
    return Status::InvalidArgument("SamplingStrategyParameters.serviceName: not valid UTF-8");
  }
  return {};
}

Status DecodeProto(std::string_view bytes, StrategyResponse& out) {
  return ResponseDecoder().Decode(bytes, out);
}

void EncodeSamplingParameters(std::string_view service, std::string& out) {
  wire::ProtoWriter writer(out);
  writer.WriteBytesIfSet(1, service);
}

}  // namespace ariadne::tracecore::sampling
