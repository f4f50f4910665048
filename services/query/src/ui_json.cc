#include "ui_json.h"

#include "tracecore/codec/jaeger_ui_json.h"
#include "tracecore/text.h"

namespace ariadne::query {
namespace {

// Escapes as tracecore's JSON writer (RapidJSON) does: short escapes for \b \t \n \f \r, \u00XX
// with upper-case hex for the other control characters.
void AppendEscaped(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  out.push_back('"');
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out.push_back(kHex[byte >> 4]);
          out.push_back(kHex[byte & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void NewLine(size_t depth, std::string& out) {
  out.push_back('\n');
  out.append(depth * 4, ' ');
}

// The index just past the JSON string that starts at text[at] (a '"').
size_t SkipString(std::string_view text, size_t at) {
  size_t i = at + 1;
  while (i < text.size() && text[i] != '"') i += text[i] == '\\' ? 2 : 1;
  return std::min(i + 1, text.size());
}

}  // namespace

void AppendJsonString(std::string_view text, std::string& out) {
  if (tracecore::IsValidUtf8(text)) {
    AppendEscaped(text, out);
    return;
  }
  std::string valid;
  tracecore::AppendValidUtf8(text, valid);
  AppendEscaped(valid, out);
}

void AppendStringArray(const std::vector<std::string>& items, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendJsonString(items[i], out);
  }
  out.push_back(']');
}

void AppendOperations(const std::vector<storage::Operation>& operations, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < operations.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"name\":";
    AppendJsonString(operations[i].name, out);
    out += ",\"spanKind\":";
    AppendJsonString(tracecore::SpanKindLowerName(operations[i].span_kind), out);
    out.push_back('}');
  }
  out.push_back(']');
}

void AppendDependencies(const std::vector<storage::DependencyLink>& links, std::string& out) {
  out.push_back('[');
  for (size_t i = 0; i < links.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += "{\"parent\":";
    AppendJsonString(links[i].parent, out);
    out += ",\"child\":";
    AppendJsonString(links[i].child, out);
    out += ",\"callCount\":" + std::to_string(links[i].call_count) + "}";
  }
  out.push_back(']');
}

void AddLoadedTrace(const LoadedTrace& trace, tracecore::jaeger_ui::TracesEnvelope& envelope,
                    runtime::ForkJoin& split) {
  const tracecore::jaeger_ui::TraceStyle style{
      .tag_order = trace.adjusted ? tracecore::jaeger_ui::TagOrder::kSortedByKey
                                  : tracecore::jaeger_ui::TagOrder::kAsTranslated,
      .span_warnings = [&](const tracecore::Span& span) -> std::span<const std::string> {
        return trace.WarningsOf(span);
      },
      .trace_warnings = trace.warnings,
      .run_both = [&split](const std::function<void()>& first,
                           const std::function<void()>& second) { split.RunBoth(first, second); },
  };
  const std::vector<const tracecore::Span*> spans(trace.spans.begin(), trace.spans.end());
  envelope.AddTrace(trace.batch, spans, style);
}

std::string ErrorBody(unsigned status, std::string_view message) {
  const tracecore::jaeger_ui::Error error{
      .code = static_cast<int>(status), .message = message, .trace_id = {}};
  std::string body;
  tracecore::jaeger_ui::AppendEnvelope("null", 0, {&error, 1}, body);
  body.push_back('\n');
  return body;
}

void IndentJson(std::string_view compact, std::string& out) {
  size_t depth = 0;
  for (size_t i = 0; i < compact.size(); ++i) {
    const char c = compact[i];
    switch (c) {
      case '"': {
        const size_t end = SkipString(compact, i);
        out.append(compact.substr(i, end - i));
        i = end - 1;
        break;
      }
      case '{':
      case '[':
        out.push_back(c);
        if (i + 1 < compact.size() && (compact[i + 1] == '}' || compact[i + 1] == ']')) {
          out.push_back(compact[++i]);
        } else {
          NewLine(++depth, out);
        }
        break;
      case '}':
      case ']':
        NewLine(depth > 0 ? --depth : 0, out);
        out.push_back(c);
        break;
      case ',':
        out.push_back(c);
        NewLine(depth, out);
        break;
      case ':': out += ": "; break;
      default: out.push_back(c);
    }
  }
}

}  // namespace ariadne::query
