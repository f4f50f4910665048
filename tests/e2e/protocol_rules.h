// What the collector must store for a span a client sent, per client and protocol.
//
// Two sources define the rules, and each rule below cites its source:
//   - tests/e2e/README.md, "What goes over the wire": what each exporter puts on the wire (checked
//     against the exporters' bodies) — what the client library loses or transforms;
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

enum class Protocol { kOtlpGrpc, kOtlpHttpProto, kOtlpHttpJson, kZipkin, kJaegerHttp };

// The --protocol name the clients take ("otlp-grpc", "zipkin", ...).
std::string ProtocolName(Protocol protocol);
std::string ClientName(Client client);  // "node" / "python"

struct Expectation {
  PlainSpan span;           // what the store must hold
  TimeTolerance tolerance;  // how far its times may be off
};

// The span the store must hold after `client` sent `sent` (a manifest span) over `protocol`.
Expectation ExpectedStoredSpan(Client client, Protocol protocol, const PlainSpan& sent);

// JavaScript's String() of a number (Number::toString), e.g. 42 -> "42", 3.25 -> "3.25",
// 1e21 -> "1e+21", 1e-7 -> "1e-7". The Zipkin and Jaeger exporters turn values into text with it.
std::string JsNumberText(double value);

// JavaScript's String() of an attribute value as the JS exporters see it: strings unchanged,
// numbers by JsNumberText, bools true/false, arrays joined with "," (Array.prototype.toString).
std::string JsString(const PlainValue& value);

}  // namespace ariadne::e2e
