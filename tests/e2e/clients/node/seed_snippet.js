#!/usr/bin/env node
'use strict';
// The Node.js tracing setup of the seed (section 4.2, "tracing.js"), unchanged except that the
// collector endpoint comes from ARIADNE_E2E_JAEGER_ENDPOINT, followed by a small harness that makes
// one known span, shuts the SDK down and writes the manifest of what the exporter was handed.
//
//   ARIADNE_E2E_JAEGER_ENDPOINT=http://127.0.0.1:14268/api/traces \
//     node seed_snippet.js --manifest out.json
//
// Exit status: 0 only when the JaegerExporter reported SUCCESS for the span; 1 otherwise; 2 on a
// usage error. The manifest is written in both of the first two cases.

// ---- the seed's snippet, as users run it ------------------------------------------------------
// tracing.js
const { NodeSDK } = require('@opentelemetry/sdk-node');
const { JaegerExporter } = require('@opentelemetry/exporter-jaeger');
const { Resource } = require('@opentelemetry/resources');
const { SERVICE_NAME } = require('@opentelemetry/semantic-conventions');

// Configure Jaeger exporter
const jaegerExporter = new JaegerExporter({
  endpoint: process.env.ARIADNE_E2E_JAEGER_ENDPOINT,
});

// Configure OpenTelemetry SDK
const sdk = new NodeSDK({
  resource: new Resource({
    [SERVICE_NAME]: 'frontend',
  }),
  traceExporter: jaegerExporter,
});

// Start the SDK
sdk.start();
// ---- end of the seed's snippet ----------------------------------------------------------------

const {parseArgs} = require('util');
const api = require('@opentelemetry/api');
const {ExportResultCode} = require('@opentelemetry/core');
const {WriteManifest} = require('./manifest');

function Usage(message) {
  process.stderr.write(
      `seed_snippet.js: ${message}\nusage: ARIADNE_E2E_JAEGER_ENDPOINT=URL ` +
      'node seed_snippet.js --manifest out.json\n');
  process.exit(2);
}

// Watches the exporter the snippet built (without changing its configuration): remembers the spans
// it is handed and the result it reports for them.
function ObserveExports(exporter) {
  const observed = {spans: [], results: []};
  const original_export = exporter.export.bind(exporter);
  exporter.export = (spans, result_callback) => {
    observed.spans.push(...spans);
    original_export(spans, result => {
      observed.results.push(result);
      result_callback(result);
    });
  };
  return observed;
}

function Failure(observed) {
  if (observed.spans.length !== 1) return `the exporter was handed ${observed.spans.length} spans`;
  const failed = observed.results.find(result => result.code !== ExportResultCode.SUCCESS);
  if (failed) return `export failed: ${failed.error ? failed.error.message : 'no error given'}`;
  if (observed.results.length === 0) return 'the exporter never reported a result';
  return '';
}

async function Main() {
  let manifest_path;
  try {
    const parsed = parseArgs({options: {manifest: {type: 'string'}}, strict: true});
    manifest_path = parsed.values.manifest;
  } catch (error) {
    Usage(error.message);
  }
  if (!manifest_path) Usage('--manifest is required');
  if (!process.env.ARIADNE_E2E_JAEGER_ENDPOINT) Usage('ARIADNE_E2E_JAEGER_ENDPOINT is not set');

  const observed = ObserveExports(jaegerExporter);
  const span = api.trace.getTracer('seed-snippet-e2e', '0.1.0').startSpan('GET /seed/snippet', {
    kind: api.SpanKind.SERVER,
    attributes: {'http.request.method': 'GET', 'e2e.seed.snippet': true, 'e2e.seed.count': 1},
  });
  span.addEvent('seed.event', {'e2e.seed.note': 'from section 4.2'});
  span.end();

  let shutdown_error = '';
  await sdk.shutdown().catch(error => {
    shutdown_error = `shutdown failed: ${error && error.message ? error.message : error}`;
  });
  WriteManifest(manifest_path,
                {protocol: 'jaeger-http', endpoint: process.env.ARIADNE_E2E_JAEGER_ENDPOINT},
                observed.spans);
  const failure = Failure(observed) || shutdown_error;
  if (failure) {
    process.stderr.write(`seed_snippet.js: ${failure}\n`);
    process.exit(1);
  }
  process.stdout.write(
      `seed snippet sent 1 span to ${process.env.ARIADNE_E2E_JAEGER_ENDPOINT}: SUCCESS\n`);
  process.exit(0);
}

Main().catch(error => {
  process.stderr.write(`seed_snippet.js: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
