// The known traces the browser tests load, and what the pages must show for them.
//
// Each trace is written as a list of spans {id, parent, service, name, kind, start, duration
// (ms from the trace's start), attributes, status, events, links}; loadKnownTraces() posts them as
// an OTLP/JSON ExportTraceServiceRequest to an all-in-one and waits until the query API returns
// every one whole. Ids are fixed; times are relative to when the traces are built (a few minutes
// ago), so that the UI's default lookback finds them. Most expectations the tests assert (which
// traces a search finds, dependency counts, subtrees) are computed here from the same lists, so a
// change to a trace changes its expectations with it. loadHugeTrace() loads a generated trace of
// 10,000s of spans for the performance test.

import { waitFor } from './support.mjs';

// OTLP span kinds and status codes.
const KIND = { internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUS_ERROR = 2;

// Trace ids (32 hex digits; the API shows them as given since the high half is not zero).
export const TRACE = {
  checkout: 'a11ad9e0000000000000000000c0ffee',
  error: 'a11ad9e0000000000000000000e770e7',
  catalog: 'a11ad9e00000000000000000000ca7a1',
  cartA: 'a11ad9e000000000000000000000ca7a',
  cartB: 'a11ad9e000000000000000000000ca7b',
  orphan: 'a11ad9e00000000000000000000042a1',
};

// The checkout trace: 8 spans, 4 services, 5 levels. "cache get" runs while "reserve items" does
// and ends before it, so it is the one span off the critical path. "charge card" carries typed
// attributes, an event and a link to the catalog trace's root span.
const checkoutSpans = [
  span('c1', '', 'frontend', 'GET /checkout', 'server', 0, 120,
    { 'http.method': 'GET', 'http.route': '/checkout', 'http.status_code': 200 }),
  span('c2', 'c1', 'frontend', 'POST checkout', 'client', 5, 110, { 'http.method': 'POST' }),
  span('c3', 'c2', 'checkout', 'POST /checkout', 'server', 8, 104, { 'http.status_code': 200, 'cart.items': 3 }),
  span('c4', 'c3', 'inventory', 'reserve items', 'server', 12, 28, { 'items.count': 3 }),
  span('c5', 'c4', 'inventory', 'ledger write', 'internal', 14, 16, { 'db.system': 'postgresql' }),
  span('c6', 'c3', 'checkout', 'cache get', 'client', 20, 10, { 'cache.key': 'cart:42' }),
  {
    ...span('c7', 'c3', 'payments', 'charge card', 'server', 45, 60, {
      'http.status_code': 200, 'payment.amount': 42.5, 'payment.card': 'visa-4242', 'payment.retry': false,
    }),
    events: [{ at: 90, name: 'card authorised', attributes: { 'auth.code': 'A1-7731' } }],
    links: [{ traceId: TRACE.catalog, spanId: spanId(TRACE.catalog, 'k1') }],
  },
  span('c8', 'c7', 'payments', 'ledger write', 'internal', 60, 20, { 'db.system': 'postgresql' }),
];

// The error trace: HTTP 500 with status ERROR on the root and on the failing payment.
const errorSpans = [
  {
    ...span('e1', '', 'frontend', 'GET /checkout', 'server', 0, 80, { 'http.method': 'GET', 'http.status_code': 500 }),
    status: { code: STATUS_ERROR, message: 'payment failed' },
  },
  span('e2', 'e1', 'checkout', 'POST /checkout', 'server', 5, 70, { 'http.status_code': 502 }),
  {
    ...span('e3', 'e2', 'payments', 'charge card', 'server', 10, 60, { 'http.status_code': 500 }),
    status: { code: STATUS_ERROR, message: 'card declined' },
    events: [{ at: 65, name: 'exception', attributes: { 'exception.message': 'card declined' } }],
  },
];

// The catalog trace: long (2.1 s), frontend and inventory only.
const catalogSpans = [
  span('k1', '', 'frontend', 'GET /products', 'server', 0, 2100, { 'http.method': 'GET', 'http.status_code': 200 }),
  span('k2', 'k1', 'inventory', 'list products', 'server', 50, 2000, {}),
  span('k3', 'k2', 'inventory', 'SELECT products', 'client', 100, 1800, { 'db.system': 'postgresql' }),
];

// Two near-identical cart traces for compare: B drops A's "payments quote", adds "checkout apply
// coupon", and calls "inventory lookup item" twice where A calls it once.
const cartASpans = [
  span('a1', '', 'frontend', 'GET /cart', 'server', 0, 40, { 'http.status_code': 200 }),
  span('a2', 'a1', 'checkout', 'load cart', 'server', 3, 35, {}),
  span('a3', 'a2', 'inventory', 'lookup item', 'client', 5, 10, {}),
  span('a4', 'a2', 'payments', 'quote', 'client', 16, 14, {}),
];
const cartBSpans = [
  span('b1', '', 'frontend', 'GET /cart', 'server', 0, 45, { 'http.status_code': 200 }),
  span('b2', 'b1', 'checkout', 'load cart', 'server', 3, 39, {}),
  span('b3', 'b2', 'inventory', 'lookup item', 'client', 5, 10, {}),
  span('b4', 'b2', 'inventory', 'lookup item', 'client', 16, 9, {}),
  span('b5', 'b2', 'checkout', 'apply coupon', 'internal', 26, 14, {}),
];

// A trace of its own service whose second span names a parent that is not in the trace: the page
// shows it as a second root and says why (trace-level warnings).
const orphanSpans = [
  span('o1', '', 'batch', 'nightly job', 'internal', 0, 500, {}),
  span('o2', 'o9', 'batch', 'export rows', 'internal', 100, 300, { 'rows.exported': 1200 }),
];

// name → {traceId, spans}, each trace starting a few minutes before `nowMs`, 20 s apart, newest
// first in this order.
export function knownTraces(nowMs = Date.now()) {
  const lists = { checkout: checkoutSpans, error: errorSpans, catalog: catalogSpans, cartA: cartASpans,
    cartB: cartBSpans, orphan: orphanSpans };
  const traces = {};
  Object.entries(lists).forEach(([name, spans], i) => {
    const startMs = nowMs - 3 * 60_000 - i * 20_000;
    traces[name] = {
      name,
      traceId: TRACE[name],
      startMs,
      spans: spans.map((one) => ({ ...one, traceId: TRACE[name], spanId: spanId(TRACE[name], one.id),
        parentSpanId: one.parent ? spanId(TRACE[name], one.parent) : '' })),
    };
  });
  return traces;
}

function span(id, parent, service, name, kind, start, duration, attributes) {
  return { id, parent, service, name, kind, start, duration, attributes, events: [], links: [], status: null };
}

// A span id unique across the known traces: the trace's last 8 digits and the span's short name.
function spanId(traceId, shortName) {
  const hex = [...shortName].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  return `${traceId.slice(-8)}${hex.padStart(8, '0')}`;
}

// ---- OTLP/JSON -------------------------------------------------------------------------------

function nanos(ms) {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function anyValue(value) {
  if (typeof value === 'boolean') return { boolValue: value };
  if (Number.isInteger(value)) return { intValue: String(value) };
  if (typeof value === 'number') return { doubleValue: value };
  return { stringValue: String(value) };
}

function keyValues(attributes) {
  return Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) }));
}

function otlpSpan(trace, one) {
  const start = trace.startMs + one.start;
  const out = {
    traceId: one.traceId,
    spanId: one.spanId,
    name: one.name,
    kind: KIND[one.kind],
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + one.duration),
    attributes: keyValues(one.attributes),
  };
  if (one.parentSpanId) out.parentSpanId = one.parentSpanId;
  if (one.status) out.status = one.status;
  if (one.events.length) {
    out.events = one.events.map((event) => ({ timeUnixNano: nanos(trace.startMs + event.at), name: event.name,
      attributes: keyValues(event.attributes) }));
  }
  if (one.links.length) out.links = one.links.map((link) => ({ traceId: link.traceId, spanId: link.spanId }));
  return out;
}

// One ExportTraceServiceRequest holding `traces`' spans, a resource per service.
function toOtlp(traces) {
  const byService = new Map();
  for (const trace of traces) {
    for (const one of trace.spans) {
      if (!byService.has(one.service)) byService.set(one.service, []);
      byService.get(one.service).push(otlpSpan(trace, one));
    }
  }
  return {
    resourceSpans: [...byService].map(([service, spans]) => ({
      resource: { attributes: keyValues({ 'service.name': service, 'host.name': `${service}-host-1` }) },
      scopeSpans: [{ scope: { name: 'ariadne-ui-test' }, spans }],
    })),
  };
}

// ---- loading ---------------------------------------------------------------------------------

// Posts `body` (an object or JSON text) to the all-in-one's OTLP/HTTP receiver.
async function postOtlp(server, body) {
  const response = await fetch(server.otlpUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`POST /v1/traces: ${response.status} ${text}`);
}

// Resolves once GET api/traces/{id} returns `spanCount` spans for each of `expected` ({traceId:
// spanCount}), within `timeoutMs`.
async function waitForTraces(server, expected, timeoutMs = 60_000) {
  for (const [traceId, spanCount] of Object.entries(expected)) {
    await waitFor(async () => {
      const response = await fetch(server.url(`api/traces/${traceId}`));
      if (response.status !== 200) return false;
      const body = await response.json();
      return body.data?.[0]?.spans?.length === spanCount;
    }, { timeoutMs, intervalMs: 200, message: `trace ${traceId} was not stored with its ${spanCount} spans` });
  }
}

// Loads the known traces into `server`; resolves to knownTraces()'s result once all are stored.
export async function loadKnownTraces(server) {
  const traces = knownTraces();
  await postOtlp(server, toOtlp(Object.values(traces)));
  await waitForTraces(server, Object.fromEntries(Object.values(traces).map((t) => [t.traceId, t.spans.length])));
  return traces;
}

// ---- what the pages must show ----------------------------------------------------------------

// The names of `traces` that a search must find: a span of `service` whose duration (ms) lies in
// [minMs, maxMs] and whose attributes hold every `tags` pair (values compared as text).
export function expectedSearch(traces, { service, minMs = 0, maxMs = Infinity, tags = {} }) {
  return Object.values(traces)
    .filter((trace) => trace.spans.some((one) => one.service === service && one.duration >= minMs &&
      one.duration <= maxMs && Object.entries(tags).every(([key, value]) => String(one.attributes[key]) === value)))
    .map((trace) => trace.name)
    .sort();
}

// The trace ids of expectedSearch().
export function expectedSearchIds(traces, query) {
  return expectedSearch(traces, query).map((name) => traces[name].traceId);
}

// Calls from one service to another over `traces`: "parent→child" → count (a span whose parent
// is of another service is one call, as the local store counts them).
export function expectedDependencies(traces) {
  const calls = new Map();
  for (const trace of Object.values(traces)) {
    const byId = new Map(trace.spans.map((one) => [one.id, one]));
    for (const one of trace.spans) {
      const parent = byId.get(one.parent);
      if (!parent || parent.service === one.service) continue;
      const key = `${parent.service}→${one.service}`;
      calls.set(key, (calls.get(key) || 0) + 1);
    }
  }
  return calls;
}

// The local store writes dependency counts within a minute of the calls (docs/local-storage.md).
const DEPENDENCIES_TIMEOUT_MS = 90_000;

// Polls /api/dependencies (the last hour) until it holds exactly `calls` (expectedDependencies).
export async function waitForDependencies(server, calls) {
  const want = JSON.stringify([...calls].sort());
  await waitFor(async () => {
    const { data } = await server.getJson(`api/dependencies?endTs=${Date.now()}&lookback=3600000`);
    const got = JSON.stringify(data.map((link) => [`${link.parent}→${link.child}`, link.callCount]).sort());
    return got === want ? got : null;
  }, {
    timeoutMs: DEPENDENCIES_TIMEOUT_MS,
    intervalMs: 1000,
    message: `/api/dependencies did not return the known traces' links ${want} (the local store writes ` +
      'dependency counts within a minute; the UI cannot show what the API does not have)',
  });
}

// The span ids of `trace`'s subtree under (and without) the span named `shortName`.
export function descendants(trace, shortName) {
  const out = [];
  const walk = (id) => {
    for (const one of trace.spans.filter((s) => s.parent === id)) {
      out.push(one.spanId);
      walk(one.id);
    }
  };
  walk(shortName);
  return out;
}

// ---- huge traces -----------------------------------------------------------------------------

const HUGE_SERVICES = ['frontend', 'checkout', 'payments', 'inventory', 'postgres-proxy'];
const HUGE_SPANS_PER_REQUEST = 5_000;

// JSON bodies (text) of one trace of `spanCount` spans, at most HUGE_SPANS_PER_REQUEST per body.
// Span i's parent is (i - 1) >> 2 (a 4-ary tree), each inside its parent's time, spread over
// five services with an HTTP client's attributes, an event on every 4th span and an error on
// every 50th. Written as text: building the objects for JSON.stringify is slow at 50,000 spans.
function hugeTraceBodies(traceId, spanCount, nowMs = Date.now()) {
  const endNs = BigInt(nowMs - 60_000) * 1_000_000n;
  const startNs = endNs - 10_000_000_000n;
  const bodies = [];
  for (let first = 0; first < spanCount; first += HUGE_SPANS_PER_REQUEST) {
    const byService = HUGE_SERVICES.map(() => []);
    for (let i = first; i < Math.min(first + HUGE_SPANS_PER_REQUEST, spanCount); i++) {
      byService[i % HUGE_SERVICES.length].push(hugeSpan(traceId, i, startNs, endNs));
    }
    const resources = byService.map((spans, s) => '{"resource":{"attributes":[' +
      `{"key":"service.name","value":{"stringValue":"${HUGE_SERVICES[s]}"}}]},` +
      `"scopeSpans":[{"scope":{"name":"ariadne-ui-test"},"spans":[${spans.join(',')}]}]}`);
    bodies.push(`{"resourceSpans":[${resources.join(',')}]}`);
  }
  return bodies;
}

function hugeSpan(traceId, i, traceStartNs, traceEndNs) {
  const depth = BigInt((31 - Math.clz32(3 * i + 1)) >> 1);  // span i's level in the 4-ary tree
  const start = traceStartNs + depth * 20_000_000n + BigInt(i % 997) * 1000n;
  const end = traceEndNs - depth * 20_000_000n - BigInt(i % 991) * 1000n;
  const parent = i > 0 ? `,"parentSpanId":"${hex16(((i - 1) >> 2) + 1)}"` : '';
  const event = i % 4 === 0
    ? `,"events":[{"timeUnixNano":"${start + 1000n}","name":"cache miss","attributes":[` +
      `{"key":"cache.key","value":{"stringValue":"items:${i}"}}]}]`
    : '';
  const status = i % 50 === 49 ? ',"status":{"code":2,"message":"deadline exceeded"}' : '';
  return `{"traceId":"${traceId}","spanId":"${hex16(i + 1)}"${parent},"name":"GET /api/items/${i % 50}",` +
    `"kind":${i % 2 === 0 ? 2 : 3},"startTimeUnixNano":"${start}","endTimeUnixNano":"${end}","attributes":[` +
    '{"key":"http.method","value":{"stringValue":"GET"}},' +
    `{"key":"http.url","value":{"stringValue":"https://shop.example.com/api/items/${i}"}},` +
    `{"key":"http.status_code","value":{"intValue":"${i % 50 === 49 ? 500 : 200}"}},` +
    `{"key":"item.index","value":{"intValue":"${i}"}}]${event}${status}}`;
}

function hex16(n) {
  return n.toString(16).padStart(16, '0');
}

// Loads one huge trace of `spanCount` spans; resolves once the API returns all of them.
export async function loadHugeTrace(server, traceId, spanCount) {
  for (const body of hugeTraceBodies(traceId, spanCount)) await postOtlp(server, body);
  await waitForTraces(server, { [traceId]: spanCount }, 120_000);
}
