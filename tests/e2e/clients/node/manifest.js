'use strict';
// Turns the SDK's own ReadableSpan objects into the manifest format that the C++ end-to-end test
// compares with what the collector's storage writer received. The format is documented in
// tests/e2e/README.md ("Manifest format"); send.py writes the same format.

const fs = require('fs');

// OTLP's Span.SpanKind numbers. The JS API's SpanKind enum is INTERNAL=0 ... CONSUMER=4, one less
// than OTLP's (OTLP reserves 0 for SPAN_KIND_UNSPECIFIED).
function OtlpKind(api_kind) {
  return api_kind + 1;
}

// HrTime [seconds, nanoseconds] as a decimal string of nanoseconds since the epoch (exact: BigInt).
function HrTimeToNanos(hr_time) {
  return (BigInt(hr_time[0]) * 1000000000n + BigInt(hr_time[1])).toString();
}

// The OTLP AnyValue type that the JS OTLP exporters put on the wire for one scalar: a JS number is
// an intValue when Number.isInteger() holds, a doubleValue otherwise.
function ScalarType(value) {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(value) ? 'int' : 'double';
    default:
      throw new Error(`unsupported attribute value ${JSON.stringify(value)}`);
  }
}

function TypedValue(value) {
  if (!Array.isArray(value)) {
    return {type: ScalarType(value), value};
  }
  const element_types = new Set(value.map(ScalarType));
  if (element_types.size !== 1) {
    throw new Error(`the test trace set only uses homogeneous arrays: ${JSON.stringify(value)}`);
  }
  return {type: `${[...element_types][0]}[]`, value: [...value]};
}

function Attributes(attributes) {
  const out = {};
  for (const key of Object.keys(attributes || {})) {
    out[key] = TypedValue(attributes[key]);
  }
  return out;
}

function TraceStateText(trace_state) {
  return trace_state ? trace_state.serialize() : '';
}

// One ReadableSpan (sdk-trace-base 1.x) as a manifest entry.
function SpanToManifest(span) {
  const context = span.spanContext();
  const scope = span.instrumentationLibrary || {};
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanId || '',
    traceState: TraceStateText(context.traceState),
    name: span.name,
    kind: OtlpKind(span.kind),
    startTimeUnixNano: HrTimeToNanos(span.startTime),
    endTimeUnixNano: HrTimeToNanos(span.endTime),
    attributes: Attributes(span.attributes),
    events: span.events.map(event => ({
                              name: event.name,
                              timeUnixNano: HrTimeToNanos(event.time),
                              attributes: Attributes(event.attributes),
                            })),
    links: span.links.map(link => ({
                            traceId: link.context.traceId,
                            spanId: link.context.spanId,
                            traceState: TraceStateText(link.context.traceState),
                            attributes: Attributes(link.attributes),
                          })),
    status: {code: span.status.code, message: span.status.message || ''},
    resource: Attributes(span.resource.attributes),
    scope: {name: scope.name || '', version: scope.version || ''},
  };
}

// Sorted by start time so that the manifest reads root-first; ties keep the SDK's order.
function SpansToManifest(spans) {
  const entries = spans.map(SpanToManifest);
  entries.sort((a, b) => {
    const sa = BigInt(a.startTimeUnixNano);
    const sb = BigInt(b.startTimeUnixNano);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  });
  return entries;
}

function SdkVersion() {
  return require('@opentelemetry/sdk-trace-base/package.json').version;
}

// Writes {client, sdkVersion, protocol, endpoint, spans} as pretty JSON to `path`.
function WriteManifest(path, header, spans) {
  const manifest = Object.assign(
      {client: 'opentelemetry-js', sdkVersion: SdkVersion()}, header,
      {spans: SpansToManifest(spans)});
  fs.writeFileSync(path, JSON.stringify(manifest, null, 2) + '\n');
}

module.exports = {WriteManifest, SpansToManifest, HrTimeToNanos, OtlpKind};
