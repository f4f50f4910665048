// The search page's pure parts: search-query.js (URL ↔ form ↔ /api/traces parameters),
// search-summary.js (what a result shows, and its orders) and search-scatter.js's layout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  apiParamsFromQuery, formErrors, formFromQuery, fromDatetimeLocal, hasSearch, queryFromForm, searchWindow,
  toDatetimeLocal,
} from '../../../web/static/search-query.js';
import { sortSummaries, summarizeTrace, summaryTitle } from '../../../web/static/search-summary.js';
import { layoutScatter } from '../../../web/static/search-scatter.js';

const NOW_MS = Date.UTC(2026, 10, 28, 8, 0, 0);
const NOW_US = NOW_MS * 1000;
const HOUR_US = 3600e6;
const MAX_LIMIT = 1500;

function form(overrides = {}) {
  return {
    service: 'frontend', operation: '', spanKind: '', tags: '', lookback: '1h', start: '', end: '',
    minDuration: '', maxDuration: '', limit: '20', ...overrides,
  };
}

// ---- search-query.js ------------------------------------------------------------------------------

test('a lookback search puts Jaeger UI\'s parameters and the window before now into the URL', () => {
  const outcome = queryFromForm(form({
    operation: 'GET /api', spanKind: 'server', tags: 'http.status_code=500 error=true', lookback: '2h',
    minDuration: '100ms', maxDuration: '1.2s', limit: '50',
  }), NOW_MS, MAX_LIMIT);
  assert.equal(outcome.ok, true);
  assert.deepEqual([...outcome.query], [
    ['service', 'frontend'], ['operation', 'GET /api'], ['spanKind', 'server'],
    ['tags', '{"http.status_code":"500","error":"true"}'], ['lookback', '2h'],
    ['start', String(NOW_US - 2 * HOUR_US)], ['end', String(NOW_US)],
    ['minDuration', '100ms'], ['maxDuration', '1.2s'], ['limit', '50'],
  ]);
});

test('empty fields stay out of the URL', () => {
  const { query } = queryFromForm(form(), NOW_MS, MAX_LIMIT);
  assert.deepEqual([...query.keys()], ['service', 'lookback', 'start', 'end', 'limit']);
});

test('a custom range takes start and end from the datetime fields', () => {
  const start = toDatetimeLocal(NOW_US - 3 * HOUR_US);
  const end = toDatetimeLocal(NOW_US - HOUR_US);
  const { query } = queryFromForm(form({ lookback: 'custom', start, end }), NOW_MS, MAX_LIMIT);
  assert.equal(query.get('lookback'), 'custom');
  assert.equal(query.get('start'), String(NOW_US - 3 * HOUR_US));
  assert.equal(query.get('end'), String(NOW_US - HOUR_US));
});

test('each bad field gets its own message and nothing is searched', () => {
  const outcome = queryFromForm(form({
    service: '', tags: 'error', minDuration: '12', maxDuration: 'fast', limit: '0',
  }), NOW_MS, MAX_LIMIT);
  assert.equal(outcome.ok, false);
  assert.deepEqual(Object.keys(outcome.errors).sort(), ['limit', 'maxDuration', 'minDuration', 'service', 'tags']);
  assert.match(outcome.errors.tags, /"error" has no value/);
  assert.match(outcome.errors.minDuration, /^not a duration; write a number and a unit/);
});

test('durations, limit and the custom range are checked against each other and the maximum', () => {
  const errors = formErrors(form({ minDuration: '2s', maxDuration: '500ms', limit: '1501' }), MAX_LIMIT);
  assert.equal(errors.maxDuration, 'the maximum is below the minimum');
  assert.equal(errors.limit, 'at most 1500');
  const backwards = formErrors(form({
    lookback: 'custom', start: toDatetimeLocal(NOW_US), end: toDatetimeLocal(NOW_US - HOUR_US),
  }), MAX_LIMIT);
  assert.deepEqual(backwards, { end: 'the end is before the start' });
  assert.deepEqual(Object.keys(formErrors(form({ lookback: 'custom' }), MAX_LIMIT)), ['start', 'end']);
  assert.deepEqual(formErrors(form({ minDuration: '500us', maxDuration: '1.2s' }), MAX_LIMIT), {});
});

test('a Jaeger UI link fills the form: JSON tags become logfmt, start and end the custom fields', () => {
  const query = new URLSearchParams({
    service: 'checkout', operation: 'POST /pay', tags: '{"error":"true","msg":"two words"}', lookback: 'custom',
    start: String(NOW_US - HOUR_US), end: String(NOW_US), minDuration: '10ms', limit: '40',
  });
  const fields = formFromQuery(query, NOW_MS);
  assert.deepEqual(fields, {
    service: 'checkout', operation: 'POST /pay', spanKind: '', tags: 'error=true msg="two words"', lookback: 'custom',
    start: toDatetimeLocal(NOW_US - HOUR_US), end: toDatetimeLocal(NOW_US), minDuration: '10ms', maxDuration: '',
    limit: '40',
  });
});

test('an empty URL gives the defaults; an unknown lookback that parses is kept, a bad one is not', () => {
  const fields = formFromQuery(new URLSearchParams(), NOW_MS);
  assert.equal(fields.lookback, '1h');
  assert.equal(fields.limit, '20');
  assert.equal(fields.start, toDatetimeLocal(NOW_US - HOUR_US));
  assert.equal(formFromQuery(new URLSearchParams('lookback=3d'), NOW_MS).lookback, '3d');
  assert.equal(formFromQuery(new URLSearchParams('lookback=soon'), NOW_MS).lookback, '1h');
  assert.equal(formFromQuery(new URLSearchParams('start=1&end=2'), NOW_MS).lookback, 'custom');
});

test('tags in the URL that are neither JSON nor logfmt stay as typed, for the field to show the error', () => {
  assert.equal(formFromQuery(new URLSearchParams({ tags: 'a=1 b' }), NOW_MS).tags, 'a=1 b');
  assert.equal(formFromQuery(new URLSearchParams({ tags: 'a=1 b=2' }), NOW_MS).tags, 'a=1 b=2');
});

test('the API gets the URL\'s window, tags as JSON and durations in µs', () => {
  const query = new URLSearchParams({
    service: 'frontend', tags: 'error=true', lookback: '1h', start: '100', end: '200', minDuration: '1.5ms',
    maxDuration: 'abc',
  });
  assert.deepEqual(apiParamsFromQuery(query, NOW_MS), {
    service: 'frontend', tags: '{"error":"true"}', start: '100', end: '200', minDuration: '1500us',
    maxDuration: 'abc', limit: '20', lookback: '1h',
  });
});

test('a URL without start and end searches the lookback before now', () => {
  const params = apiParamsFromQuery(new URLSearchParams('service=a&lookback=15m&limit=5'), NOW_MS);
  assert.equal(params.start, String(NOW_US - 15 * 60e6));
  assert.equal(params.end, String(NOW_US));
  assert.equal(params.limit, '5');
  assert.deepEqual(searchWindow(new URLSearchParams('service=a'), NOW_MS), { start: NOW_US - HOUR_US, end: NOW_US });
});

test('trace ids in the URL fetch those traces and nothing else', () => {
  const query = new URLSearchParams('traceID=abc&traceID=def&service=x');
  assert.equal(hasSearch(query), true);
  assert.deepEqual(apiParamsFromQuery(query, NOW_MS), { traceID: ['abc', 'def'] });
  assert.equal(hasSearch(new URLSearchParams('lookback=1h')), false);
});

test('datetime-local values round-trip and bad ones are refused', () => {
  const us = Date.UTC(2026, 1, 3, 4, 5, 6) * 1000;
  assert.match(toDatetimeLocal(us), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
  assert.equal(fromDatetimeLocal(toDatetimeLocal(us)), us);
  assert.equal(fromDatetimeLocal('2026-02-03T04:05'), new Date(2026, 1, 3, 4, 5).getTime() * 1000);
  assert.equal(fromDatetimeLocal('2026-02-31T04:05'), null);
  assert.equal(fromDatetimeLocal(''), null);
  assert.equal(fromDatetimeLocal('yesterday'), null);
});

// ---- search-summary.js ----------------------------------------------------------------------------

function span(spanID, parent, { service = 'p1', op = 'op', start = 0, duration = 10, tags = [] } = {}) {
  return {
    traceID: 't1', spanID, operationName: op, startTime: start, duration, processID: service, tags, logs: [],
    references: parent ? [{ refType: 'CHILD_OF', traceID: 't1', spanID: parent }] : [],
  };
}

const PROCESSES = { p1: { serviceName: 'frontend', tags: [] }, p2: { serviceName: 'db', tags: [] } };

test('a summary names the root span, and counts spans, errors and spans per service', () => {
  const summary = summarizeTrace({
    traceID: 't1', processes: PROCESSES, spans: [
      span('b', 'a', { service: 'p2', op: 'SELECT', start: 1010, duration: 50, tags: [{ key: 'error', value: true }] }),
      span('a', null, { op: 'GET /', start: 1000, duration: 100 }),
      span('c', 'a', { service: 'p2', op: 'SELECT', start: 1020, duration: 120,
        tags: [{ key: 'otel.status_code', value: 'ERROR' }] }),
    ],
  });
  assert.deepEqual(summary, {
    traceID: 't1', service: 'frontend', operation: 'GET /', startTime: 1000, duration: 140, spanCount: 3,
    errorCount: 2, services: [{ name: 'db', count: 2 }, { name: 'frontend', count: 1 }],
  });
  assert.equal(summaryTitle(summary), 'frontend: GET /');
});

test('without a true root, the earliest span whose parent is missing names the trace', () => {
  const summary = summarizeTrace({
    traceID: 't1', processes: PROCESSES, spans: [
      span('x', 'gone', { service: 'p2', op: 'late', start: 50 }),
      span('y', 'gone', { service: 'p2', op: 'early', start: 20 }),
    ],
  });
  assert.equal(summaryTitle(summary), 'db: early');
  assert.equal(summaryTitle(summarizeTrace({ traceID: 't2', spans: [], processes: {} })), '(a trace with no spans)');
});

test('every sort order, with ties broken by recency then id', () => {
  const list = [
    { traceID: 'a', startTime: 1, duration: 30, spanCount: 5 },
    { traceID: 'b', startTime: 3, duration: 10, spanCount: 5 },
    { traceID: 'c', startTime: 2, duration: 20, spanCount: 9 },
    { traceID: 'd', startTime: 2, duration: 20, spanCount: 1 },
  ];
  const ids = (order) => sortSummaries(list, order).map((summary) => summary.traceID).join('');
  assert.equal(ids('recent'), 'bcda');
  assert.equal(ids('longest'), 'acdb');
  assert.equal(ids('shortest'), 'bcda');
  assert.equal(ids('most-spans'), 'cbad');
  assert.equal(ids('least-spans'), 'dbac');
  assert.equal(list[0].traceID, 'a', 'the input is not reordered');
});

// ---- search-scatter.js's layout -------------------------------------------------------------------

test('the scatter puts later traces right, longer ones higher, and bigger ones wider', () => {
  const list = [
    { traceID: 'a', startTime: NOW_US - 60e6, duration: 1000, spanCount: 1 },
    { traceID: 'b', startTime: NOW_US, duration: 250000, spanCount: 4000 },
  ];
  const { points, xTicks, yTicks, plot } = layoutScatter(list, 800, 200);
  const byId = Object.fromEntries(points.map((point) => [point.summary.traceID, point]));
  assert.ok(byId.b.x > byId.a.x);
  assert.ok(byId.b.y < byId.a.y, 'longer is higher (smaller y)');
  assert.ok(byId.b.r > byId.a.r);
  assert.equal(points[0].summary.traceID, 'b', 'large circles are drawn first');
  for (const point of points) {
    assert.ok(point.x - point.r >= plot.left && point.x + point.r <= plot.right);
    assert.ok(point.y - point.r >= plot.top && point.y <= plot.bottom);
  }
  assert.ok(xTicks.length >= 2 && xTicks.length <= 7);
  for (const tick of xTicks) {
    const half = tick.label.length * 3.5;
    assert.ok(tick.at - half >= 0 && tick.at + half <= 800, `the label at ${tick.at} fits`);
  }
  assert.equal(yTicks[0].label, '0μs');
  assert.ok(yTicks.at(-1).at <= byId.b.y + 0.001, 'the top tick is at or above the longest trace');
});

test('one trace, or traces of zero duration, still lay out inside the plot', () => {
  const { points, xTicks } = layoutScatter([{ traceID: 'a', startTime: NOW_US, duration: 0, spanCount: 0 }], 400, 200);
  assert.equal(points.length, 1);
  assert.ok(Number.isFinite(points[0].x) && Number.isFinite(points[0].y));
  assert.ok(xTicks.length >= 1);
  assert.equal(layoutScatter([], 400, 200).points.length, 0);
});
