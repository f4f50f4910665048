// What the collector must store for a span a client sent, per client and protocol.
//
// Two sources define the rules, and each rule below cites its source:
//   - tests/e2e/README.md, "What goes over the wire": what each exporter puts on the wire (checked
//     against the exporters' bodies and datagrams) — what the client library loses or transforms;
//     for the Python Jaeger exporter also its code (opentelemetry-exporter-jaeger-thrift 1.21.0,
//     opentelemetry/exporter/jaeger/thrift/translate/__init__.py and __init__.py);
//   - docs/translation.md: how the collector maps that wire format into the model.
// OTLP carries everything, so its expectation is the sent span itself. Zipkin and Jaeger Thrift
// lose or change some fields; each change is one small function in protocol_rules.cc, and every
// value that survives in any form is still checked (a number Jaeger sends as a double must still
// be that number).
#pragma once

#include <string>

#include "plain_span.h"

namespace ariadne::e2e {

enum class Client { kNode, kPython };

// kJaegerHttp: Thrift Batch over HTTP to the collector. The agent protocols are emitBatch datagrams
// over UDP to the agent, which forwards them to the collector: kJaegerAgentCompact from the Python
// exporter (compact Thrift, 6831), kJaegerAgentBinary from the JS exporter (binary Thrift, 6832).
enum class Protocol {
  kOtlpGrpc,
  kOtlpHttpProto,
  kOtlpHttpJson,
  kZipkin,
  kJaegerHttp,
  kJaegerAgentCompact,
  kJaegerAgentBinary,
};

// The --protocol name the clients take ("otlp-grpc", "zipkin", "jaeger-agent-compact", ...).
std::string ProtocolName(Protocol protocol);
std::string ClientName(Client client);  // "node" / "python"

struct Expectation {
  PlainSpan span;           // what the store must hold
  TimeTolerance tolerance;  // how far its times may be off
};

// The span the store must hold after `client` sent `sent` (a manifest span) over `protocol`. For
// the Jaeger protocols the client's exporter decides what is sent (JS: jaeger-client; Python:
// opentelemetry-exporter-jaeger-thrift), whichever transport carries the Batch.
Expectation ExpectedStoredSpan(Client client, Protocol protocol, const PlainSpan& sent);

// JavaScript's String() of a number (Number::toString), e.g. 42 -> "42", 3.25 -> "3.25",
// 1e21 -> "1e+21", 1e-7 -> "1e-7". The Zipkin and Jaeger exporters turn values into text with it.
std::string JsNumberText(double value);

// JavaScript's String() of an attribute value as the JS exporters see it: strings unchanged,
// numbers by JsNumberText, bools true/false, arrays joined with "," (Array.prototype.toString).
std::string JsString(const PlainValue& value);

// Python's repr() of a float: the shortest round-trip digits; fixed notation with at least one
// fractional digit for 1e-4 <= |x| < 1e16 ("3.25", "100.0", "0.0001"), exponent form with a sign
// and at least two exponent digits otherwise ("1e-05", "1e+16", "1.5e+16"); "inf", "-inf", "nan".
std::string PythonFloatRepr(double value);

// Python's str() of the tuple that the SDK stores for an array attribute, as the Python Jaeger
// exporter sends it: "('alpha', 'beta')", "(1, -2, 3)", "(1.5, -2.25)", "(True, False)", "(7,)",
// "()". Strings are quoted as repr() quotes them (single quotes unless the text has a single quote
// and no double quote; backslash, the quote, \t \n \r and other ASCII control characters
// escaped). Non-ASCII characters are copied as they are, which is repr()'s output for printable
// ones (the trace set's arrays are ASCII). A scalar gives its str(): text unchanged, True/False,
// a float's repr(), an int in decimal.
std::string PythonStr(const PlainValue& value);

}  // namespace ariadne::e2e
