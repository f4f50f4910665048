#!/usr/bin/env node
'use strict';
// Sends a known set of spans to a collector with one of the OpenTelemetry JS SDK's own exporters
// and writes a manifest of exactly those spans (as the SDK recorded them) for the end-to-end test.
//
//   node send.js --protocol otlp-grpc|otlp-http-proto|otlp-http-json|zipkin|jaeger-http|
//                           jaeger-agent-binary
//                --endpoint ENDPOINT --manifest out.json [--service NAME]
//                [--compression none|gzip] [--timeout-ms N]
//
// --endpoint is handed to the exporter unchanged: http://127.0.0.1:4317 for otlp-grpc, the full
// URL (http://127.0.0.1:4318/v1/traces, http://127.0.0.1:9411/api/v2/spans,
// http://127.0.0.1:14268/api/traces) for the others. --compression applies to the OTLP exporters.
//
// jaeger-agent-binary is @opentelemetry/exporter-jaeger in agent mode: --endpoint HOST:PORT (an
// agent, 6832 in production) becomes the exporter's `host` and `port` options, and jaeger-client's
// UDPSender sends binary-Thrift emitBatch datagrams of at most 65000 bytes (one per export unless
// the spans need more). --timeout-ms does not apply to it.
//
// Exit status: 0 when every export call reported SUCCESS for all spans, 1 when an export failed or
// timed out (the manifest is still written), 2 on a usage error. Over UDP nothing answers: SUCCESS
// only means that the datagrams were handed to the kernel.

const {parseArgs} = require('util');
const api = require('@opentelemetry/api');
const {ExportResultCode} = require('@opentelemetry/core');
const {Resource} = require('@opentelemetry/resources');
const {ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION} = require('@opentelemetry/semantic-conventions');
const {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} = require('@opentelemetry/sdk-trace-base');
const {NodeTracerProvider} = require('@opentelemetry/sdk-trace-node');
const {WriteManifest} = require('./manifest');

const kProtocols = [
  'otlp-grpc', 'otlp-http-proto', 'otlp-http-json', 'zipkin', 'jaeger-http', 'jaeger-agent-binary',
];
const kScopeName = 'ariadne-e2e-node';
const kScopeVersion = '1.2.3';

function Usage(message) {
  process.stderr.write(
      `send.js: ${message}\nusage: node send.js --protocol ${kProtocols.join('|')} ` +
      '--endpoint ENDPOINT --manifest out.json [--service NAME] [--compression none|gzip] ' +
      '[--timeout-ms N]\n');
  process.exit(2);
}

function ParseCommandLine() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        protocol: {type: 'string'},
        endpoint: {type: 'string'},
        manifest: {type: 'string'},
        service: {type: 'string', default: 'e2e-node'},
        compression: {type: 'string', default: 'none'},
        'timeout-ms': {type: 'string', default: '10000'},
      },
      strict: true,
    });
  } catch (error) {
    Usage(error.message);
  }
  const options = parsed.values;
  if (!kProtocols.includes(options.protocol)) Usage(`--protocol must be one of ${kProtocols}`);
  if (!options.endpoint) Usage('--endpoint is required');
  if (!options.manifest) Usage('--manifest is required');
  if (!['none', 'gzip'].includes(options.compression)) Usage('--compression must be none or gzip');
  if (options.protocol === 'jaeger-agent-binary') {
    if (options.compression !== 'none') Usage('--compression is for the OTLP protocols only');
    options.agent = ParseHostPort(options.endpoint);
    if (!options.agent) {
      Usage(`--endpoint must be HOST:PORT with a port in 1..65535, got ${options.endpoint}`);
    }
  }
  options.timeout_ms = Number(options['timeout-ms']);
  if (!Number.isInteger(options.timeout_ms) || options.timeout_ms <= 0) {
    Usage('--timeout-ms must be a positive integer');
  }
  return options;
}

// {host, port} of 'HOST:PORT', or null when `endpoint` is not of that form.
function ParseHostPort(endpoint) {
  const colon = endpoint.lastIndexOf(':');
  const host = endpoint.slice(0, colon);
  const port_text = endpoint.slice(colon + 1);
  if (colon <= 0 || !/^[0-9]+$/.test(port_text)) return null;
  const port = Number(port_text);
  return port >= 1 && port <= 65535 ? {host, port} : null;
}

// The real exporter for `protocol`, configured only through its public options.
function MakeExporter(options) {
  const otlp_options = {
    url: options.endpoint,
    compression: options.compression,
    timeoutMillis: options.timeout_ms,
  };
  switch (options.protocol) {
    case 'otlp-grpc': {
      const {OTLPTraceExporter} = require('@opentelemetry/exporter-trace-otlp-grpc');
      return new OTLPTraceExporter(otlp_options);
    }
    case 'otlp-http-proto': {
      const {OTLPTraceExporter} = require('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter(otlp_options);
    }
    case 'otlp-http-json': {
      const {OTLPTraceExporter} = require('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(otlp_options);
    }
    case 'zipkin': {
      const {ZipkinExporter} = require('@opentelemetry/exporter-zipkin');
      return new ZipkinExporter({url: options.endpoint});
    }
    case 'jaeger-http': {
      const {JaegerExporter} = require('@opentelemetry/exporter-jaeger');
      return new JaegerExporter({endpoint: options.endpoint, timeoutMs: options.timeout_ms});
    }
    case 'jaeger-agent-binary': {
      const {JaegerExporter} = require('@opentelemetry/exporter-jaeger');
      return new JaegerExporter({host: options.agent.host, port: options.agent.port});
    }
  }
  throw new Error(`unknown protocol ${options.protocol}`);
}

// Wraps the real exporter and remembers every export result, so that a failure is seen even where
// the span processor would only log it.
class ResultRecordingExporter {
  constructor(inner) {
    this.inner_ = inner;
    this.results_ = [];
    this.spans_exported_ = 0;
  }
  export(spans, result_callback) {
    this.inner_.export(spans, result => {
      this.results_.push(result);
      if (result.code === ExportResultCode.SUCCESS) this.spans_exported_ += spans.length;
      result_callback(result);
    });
  }
  forceFlush() {
    return this.inner_.forceFlush ? this.inner_.forceFlush() : Promise.resolve();
  }
  shutdown() {
    return this.inner_.shutdown();
  }
  // A message naming what went wrong, or '' when all `expected` spans were exported.
  Failure(expected) {
    const failed = this.results_.filter(result => result.code !== ExportResultCode.SUCCESS);
    if (failed.length > 0) {
      const error = failed[0].error;
      return `export failed: ${error ? error.message || error : 'no error given'}`;
    }
    if (this.spans_exported_ !== expected) {
      return `exported ${this.spans_exported_} of ${expected} spans`;
    }
    return '';
  }
}

// ---- the known trace set ----------------------------------------------------------------------

// Nanoseconds since the epoch (BigInt) as the SDK's HrTime, kept exact to the nanosecond.
function HrTime(nanos) {
  return [Number(nanos / 1000000000n), Number(nanos % 1000000000n)];
}

// One attribute of every OTel value type, with `prefix` on every key.
function AllTypes(prefix) {
  return {
    [`${prefix}.string`]: 'héllo wörld ✓ 世界',
    [`${prefix}.int`]: 42,
    [`${prefix}.int_negative`]: -7,
    [`${prefix}.int_large`]: Number.MAX_SAFE_INTEGER,
    [`${prefix}.double`]: 3.25,
    [`${prefix}.double_negative`]: -0.5,
    [`${prefix}.bool_true`]: true,
    [`${prefix}.bool_false`]: false,
    [`${prefix}.string_array`]: ['alpha', 'beta', 'gamma'],
    [`${prefix}.int_array`]: [1, -2, 3],
    [`${prefix}.double_array`]: [1.5, -2.25],
    [`${prefix}.bool_array`]: [true, false, true],
  };
}

// Trace A: SERVER root (status OK) -> CLIENT child (status ERROR) -> INTERNAL grandchild.
// Trace B: PRODUCER root linked to trace A's root -> CONSUMER child linked to A's grandchild.
// Times are explicit, one minute in the past, with sub-microsecond parts (as real clocks give).
function RecordTraceSet(tracer) {
  const base = (BigInt(Date.now()) - 60000n) * 1000000n;
  const at = offset_nanos => HrTime(base + BigInt(offset_nanos));
  const ParentContext = span => api.trace.setSpan(api.ROOT_CONTEXT, span);

  const root = tracer.startSpan(
      'GET /api/checkout',
      {
        kind: api.SpanKind.SERVER,
        startTime: at(1000111),
        attributes: Object.assign({'http.request.method': 'GET', 'http.route': '/api/checkout'},
                                  AllTypes('e2e.span')),
      },
      api.ROOT_CONTEXT);
  root.addEvent('request.received', AllTypes('e2e.event'), at(1500666));
  root.addEvent('cache.miss', undefined, at(2000000));

  const client = tracer.startSpan(
      'POST /inventory/reserve',
      {
        kind: api.SpanKind.CLIENT,
        startTime: at(5000222),
        attributes: {'server.address': 'inventory.internal', 'server.port': 8443, 'e2e.retries': 2},
      },
      ParentContext(root));

  const internal = tracer.startSpan(
      'serialize-request',
      {
        kind: api.SpanKind.INTERNAL,
        startTime: at(5100444),
        attributes: {'e2e.payload.bytes': 1024},
      },
      ParentContext(client));
  internal.end(at(6200555));

  client.addEvent(
      'exception',
      {'exception.type': 'TimeoutError', 'exception.message': 'no answer within 250 ms'},
      at(200400777));
  client.setStatus({code: api.SpanStatusCode.ERROR, message: 'inventory service timed out'});
  client.end(at(200500333));

  root.setStatus({code: api.SpanStatusCode.OK});
  root.end(at(251000999));

  const producer = tracer.startSpan(
      'orders publish',
      {
        kind: api.SpanKind.PRODUCER,
        startTime: at(300000888),
        attributes: {'messaging.system': 'kafka', 'messaging.destination.name': 'orders'},
        links: [{context: root.spanContext(), attributes: AllTypes('e2e.link')}],
      },
      api.ROOT_CONTEXT);

  const consumer = tracer.startSpan(
      'orders process',
      {
        kind: api.SpanKind.CONSUMER,
        startTime: at(310000123),
        attributes: {'messaging.system': 'kafka', 'messaging.operation.type': 'process'},
        links: [{context: internal.spanContext()}],
      },
      ParentContext(producer));
  consumer.addEvent('message.acked', {'e2e.offset': 1234567}, at(329000001));
  consumer.end(at(330000456));
  producer.end(at(301000999));
}

async function Main() {
  const options = ParseCommandLine();
  const recorder = new InMemorySpanExporter();
  const exporter = new ResultRecordingExporter(MakeExporter(options));
  const provider = new NodeTracerProvider({
    resource: new Resource({
      [ATTR_SERVICE_NAME]: options.service,
      [ATTR_SERVICE_VERSION]: '4.5.6',
      'e2e.custom.key': 'custom-value',
      'e2e.custom.int': 99,
    }),
    spanProcessors: [new SimpleSpanProcessor(recorder), new BatchSpanProcessor(exporter)],
  });

  RecordTraceSet(provider.getTracer(kScopeName, kScopeVersion));

  let flush_error = '';
  try {
    await provider.forceFlush();
  } catch (errors) {
    flush_error = `flush failed: ${[].concat(errors).map(e => (e && e.message) || e).join('; ')}`;
  }
  const spans = recorder.getFinishedSpans();
  WriteManifest(options.manifest,
                {protocol: options.protocol, endpoint: options.endpoint, service: options.service},
                spans);
  const failure = exporter.Failure(spans.length) || flush_error;
  await provider.shutdown().catch(() => {});
  if (failure) {
    process.stderr.write(`send.js: ${options.protocol} to ${options.endpoint}: ${failure}\n`);
    process.exit(1);
  }
  process.stdout.write(
      `sent ${spans.length} spans over ${options.protocol} to ${options.endpoint}: SUCCESS\n`);
  process.exit(0);
}

Main().catch(error => {
  process.stderr.write(`send.js: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
