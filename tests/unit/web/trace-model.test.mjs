// Tests of web/static/trace-model.js: the span tree, the summary, the critical path and find.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTrace, criticalPath, findSpans, normalizeTraceID } from '../../../web/static/trace-model.js';

const TRACE_ID = '00000000000000aa';

// A Jaeger UI trace from compact span descriptions: {id, parent?, refs?, start, duration, service?,
// op?, tags?, logs?, warnings?}. `parent` makes a CHILD_OF reference; `refs` are given as is.
function jaegerTrace(descriptions, extra = {}) {
  const processes = {};
  const spans = descriptions.map((d) => {
    const service = d.service || 'svc';
    const processID = `p-${d.id}`;
    processes[processID] = { serviceName: service, tags: d.processTags || [] };
    const references = d.refs || (d.parent ? [{ refType: 'CHILD_OF', traceID: TRACE_ID, spanID: d.parent }] : []);
    return {
      traceID: TRACE_ID, spanID: d.id, operationName: d.op || `op-${d.id}`, references,
      startTime: d.start, duration: d.duration, tags: d.tags || [], logs: d.logs || [],
      processID, warnings: d.warnings || null,
    };
  });
  return { traceID: TRACE_ID, spans, processes, warnings: null, ...extra };
}

const ids = (spans) => spans.map((span) => span.spanID);

test('children hang under their CHILD_OF parent in depth-first order, sorted by start time', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'c2', parent: 'root', start: 30, duration: 10 },
    { id: 'root', start: 0, duration: 100 },
    { id: 'g1', parent: 'c1', start: 15, duration: 5 },
    { id: 'c1', parent: 'root', start: 10, duration: 20 },
    { id: 'c0', parent: 'root', start: 5, duration: 1 },
  ]));
  assert.deepEqual(ids(trace.spans), ['root', 'c0', 'c1', 'g1', 'c2']);
  assert.deepEqual(trace.spans.map((span) => span.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(trace.spans.map((span) => span.depth), [0, 1, 1, 2, 1]);
  assert.equal(trace.depth, 3);
  const root = trace.byId.get('root');
  assert.deepEqual(ids(root.children), ['c0', 'c1', 'c2']);
  assert.equal(trace.byId.get('g1').parent, trace.byId.get('c1'));
  assert.equal(trace.byId.get('g1').parentID, 'c1');
  assert.equal(root.parentID, '');
  assert.equal(root.parent, null);
  assert.deepEqual(ids(trace.roots), ['root']);
  assert.deepEqual(trace.warnings, []);
});

test('the first in-trace CHILD_OF reference wins over FOLLOWS_FROM and over missing spans', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'a', start: 0, duration: 100 },
    { id: 'b', start: 1, duration: 50 },
    { id: 'x', start: 2, duration: 1, refs: [
      { refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: 'a' },
      { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'gone' },
      { refType: 'CHILD_OF', traceID: TRACE_ID, spanID: 'b' },
    ] },
    { id: 'y', start: 3, duration: 1, refs: [
      { refType: 'FOLLOWS_FROM', traceID: 'ffff', spanID: 'b' },  // another trace: not a parent
      { refType: 'FOLLOWS_FROM', traceID: TRACE_ID, spanID: 'a' },
    ] },
  ]));
  assert.equal(trace.byId.get('x').parentID, 'b');
  assert.equal(trace.byId.get('y').parentID, 'a');
  assert.deepEqual(trace.warnings, []);
});

test('trace ids in references compare without case and leading zeros', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'a', start: 0, duration: 10 },
    { id: 'b', start: 1, duration: 1, refs: [{ refType: 'CHILD_OF', traceID: 'AA', spanID: 'a' }] },
  ]));
  assert.equal(trace.byId.get('b').parentID, 'a');
  assert.equal(normalizeTraceID('000AbC'), 'abc');
  assert.equal(normalizeTraceID(TRACE_ID), 'aa');
});

test('a span whose parent is missing becomes a root with a warning', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'root', start: 0, duration: 100 },
    { id: 'orphan', parent: 'lost', start: 50, duration: 10 },
    { id: 'kid', parent: 'orphan', start: 55, duration: 1 },
  ], { warnings: ['trace was truncated'] }));
  assert.deepEqual(ids(trace.roots), ['root', 'orphan']);
  assert.deepEqual(ids(trace.spans), ['root', 'orphan', 'kid']);
  assert.equal(trace.byId.get('orphan').parent, null);
  assert.equal(trace.byId.get('kid').depth, 1);
  assert.deepEqual(trace.warnings, ['trace was truncated', "span orphan's parent lost is not in the trace"]);
});

test('reference cycles do not hang: the earliest unreached span becomes a root', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'root', start: 0, duration: 100 },
    { id: 'a', parent: 'c', start: 10, duration: 5 },
    { id: 'b', parent: 'a', start: 20, duration: 5 },
    { id: 'c', parent: 'b', start: 30, duration: 5 },
    { id: 'self', parent: 'self', start: 5, duration: 1 },
  ]));
  assert.equal(trace.spans.length, 5);
  assert.deepEqual(ids(trace.roots), ['root', 'self', 'a']);
  assert.deepEqual(ids(trace.spans), ['root', 'self', 'a', 'b', 'c']);
  assert.deepEqual(trace.spans.map((span) => span.depth), [0, 0, 0, 1, 2]);
  assert.deepEqual(trace.spans.map((span) => span.index), [0, 1, 2, 3, 4]);
  assert.equal(trace.byId.get('a').parent, null);
  assert.deepEqual(ids(trace.byId.get('c').children), []);
  assert.ok(trace.warnings.some((w) => w.includes('span a is part of a reference cycle')));
  assert.ok(trace.warnings.some((w) => w.includes("span self's parent self is not in the trace")));
});

test('a span hanging from a cycle stays under it; the cycle is cut at its earliest span', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'early', parent: 'b', start: 1, duration: 1 },
    { id: 'a', parent: 'b', start: 10, duration: 5 },
    { id: 'b', parent: 'a', start: 5, duration: 5 },
  ]));
  assert.deepEqual(ids(trace.roots), ['b']);
  assert.deepEqual(ids(trace.spans), ['b', 'early', 'a']);
  assert.deepEqual(trace.warnings, ['span b is part of a reference cycle; it is shown as a root']);
});

test('duplicate span ids are kept, named in a warning, and the first one is the parent', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'a', start: 0, duration: 10 },
    { id: 'a', start: 1, duration: 10 },
    { id: 'b', parent: 'a', start: 2, duration: 1 },
  ]));
  assert.equal(trace.spans.length, 3);
  assert.equal(trace.byId.get('b').parent.startTime, 0);
  assert.deepEqual(trace.warnings, ['span id a occurs more than once']);
});

test('the summary: times, relStart, services by count, errors, kinds, processes, warnings', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 1000, duration: 500, service: 'web',
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }] },
    { id: 'a', parent: 'r', start: 1100, duration: 700, service: 'db',
      tags: [{ key: 'error', type: 'bool', value: true }, { key: 'span.kind', type: 'string', value: 'CLIENT' }] },
    { id: 'b', parent: 'r', start: 1200, duration: 10, service: 'db',
      tags: [{ key: 'otel.status_code', type: 'string', value: 'ERROR' }], warnings: ['clock skew'] },
    { id: 'c', parent: 'r', start: 1300, duration: 10, service: 'cache',
      tags: [{ key: 'error', type: 'bool', value: false }, { key: 'span.kind', type: 'string', value: 'weird' }],
      processTags: [{ key: 'ip', type: 'string', value: '10.0.0.1' }] },
    { id: 'd', parent: 'r', start: 1400, duration: 10, service: 'cache',
      tags: [{ key: 'error', type: 'string', value: 'true' }] },
  ]));
  assert.equal(trace.traceID, TRACE_ID);
  assert.equal(trace.startTime, 1000);
  assert.equal(trace.endTime, 1800);
  assert.equal(trace.duration, 800);
  assert.deepEqual(trace.spans.map((span) => span.relStart), [0, 100, 200, 300, 400]);
  assert.deepEqual(trace.services, [{ name: 'cache', count: 2 }, { name: 'db', count: 2 }, { name: 'web', count: 1 }]);
  assert.equal(trace.errorCount, 3);
  assert.deepEqual(trace.spans.map((span) => span.error), [false, true, true, false, true]);
  assert.deepEqual(trace.spans.map((span) => span.kind), ['server', 'client', '', '', '']);
  const c = trace.byId.get('c');
  assert.equal(c.serviceName, 'cache');
  assert.deepEqual(c.process, { serviceName: 'cache', tags: [{ key: 'ip', type: 'string', value: '10.0.0.1' }] });
  assert.equal(c.operationName, 'op-c');
  assert.equal(c.endTime, 1310);
  assert.deepEqual(trace.byId.get('b').warnings, ['clock skew']);
  assert.deepEqual(trace.byId.get('a').warnings, []);
});

test('an empty trace builds', () => {
  const trace = buildTrace({ traceID: 'x', spans: [], processes: {} });
  assert.deepEqual(trace.spans, []);
  assert.equal(trace.duration, 0);
  assert.equal(trace.depth, 0);
  assert.equal(criticalPath(trace).size, 0);
  assert.equal(findSpans(trace, 'x').size, 0);
});

test('a 20,000-deep chain builds and walks without overflowing the stack', () => {
  const descriptions = [];
  for (let i = 0; i < 20000; i++) {
    descriptions.push({ id: `s${i}`, parent: i ? `s${i - 1}` : undefined, start: i, duration: 40000 - 2 * i });
  }
  const trace = buildTrace(jaegerTrace(descriptions));
  assert.equal(trace.depth, 20000);
  assert.equal(trace.spans[19999].depth, 19999);
  assert.equal(criticalPath(trace).size, 20000);
});

// ---- critical path ----

// The critical path as {spanID: [[relStart, relEnd], …]} for readable expectations.
function pathOf(trace) {
  const out = {};
  for (const [index, segments] of criticalPath(trace)) {
    out[trace.spans[index].spanID] = segments.map(([a, b]) => [a - trace.startTime, b - trace.startTime]);
  }
  return out;
}

test('critical path of sequential children: each child and the gaps for the parent', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 100, duration: 100 },
    { id: 'a', parent: 'r', start: 110, duration: 20 },
    { id: 'b', parent: 'r', start: 140, duration: 40 },
  ]));
  assert.deepEqual(pathOf(trace), { r: [[0, 10], [30, 40], [80, 100]], a: [[10, 30]], b: [[40, 80]] });
});

test('critical path with parallel children: the last-finishing one, then what ended before it started', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 0, duration: 100 },
    { id: 'long', parent: 'r', start: 10, duration: 80 },   // 10..90
    { id: 'short', parent: 'r', start: 20, duration: 30 },  // 20..50, hidden under `long`
    { id: 'early', parent: 'r', start: 2, duration: 5 },    // 2..7
  ]));
  assert.deepEqual(pathOf(trace), { r: [[0, 2], [7, 10], [90, 100]], long: [[10, 90]], early: [[2, 7]] });
});

test('critical path with overlapping children: a child that ends after the cursor is skipped', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 0, duration: 20 },
    { id: 'a', parent: 'r', start: 0, duration: 10 },  // 0..10
    { id: 'b', parent: 'r', start: 5, duration: 15 },  // 5..20
  ]));
  assert.deepEqual(pathOf(trace), { r: [[0, 5]], b: [[5, 20]] });
});

test('critical path goes down into grandchildren', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 0, duration: 100 },
    { id: 'a', parent: 'r', start: 10, duration: 80 },
    { id: 'a1', parent: 'a', start: 20, duration: 30 },
    { id: 'a2', parent: 'a', start: 60, duration: 20 },
    { id: 'a2x', parent: 'a2', start: 60, duration: 20 },
  ]));
  assert.deepEqual(pathOf(trace), {
    r: [[0, 10], [90, 100]], a: [[10, 20], [50, 60], [80, 90]], a1: [[20, 50]], a2: [], a2x: [[60, 80]],
  });
});

test('critical path clips a child that ends after its parent (and starts before it)', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 0, duration: 100 },
    { id: 'a', parent: 'r', start: 20, duration: 40 },     // 20..60
    { id: 'late', parent: 'a', start: 50, duration: 30 },  // 50..80, past a's end
    { id: 'before', parent: 'a', start: 10, duration: 15 }, // 10..25, before a's start
  ]));
  assert.deepEqual(pathOf(trace), {
    r: [[0, 20], [60, 100]], a: [[25, 50]], late: [[50, 60]], before: [[20, 25]],
  });
});

test('critical path over several roots treats them as children of the whole trace', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r1', start: 0, duration: 10 },
    { id: 'r2', start: 20, duration: 10 },
    { id: 'r3', start: 22, duration: 3 },
  ]));
  assert.deepEqual(pathOf(trace), { r1: [[0, 10]], r2: [[20, 30]] });
});

test('critical path leaves out spans that take no time, and children clipped to nothing', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r', start: 0, duration: 10 },
    { id: 'z', parent: 'r', start: 5, duration: 0 },
    { id: 'a', parent: 'r', start: 0, duration: 4 },
    { id: 'after', parent: 'a', start: 4, duration: 3 },  // starts when its parent ends
  ]));
  assert.deepEqual(pathOf(trace), { r: [[4, 10]], a: [[0, 4]] });
});

// ---- find ----

test('findSpans matches every term, case-insensitive, in names, ids, tags, process tags and logs', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'r1', start: 0, duration: 10, service: 'Frontend', op: 'GET /Home' },
    { id: 'k2', parent: 'r1', start: 1, duration: 1, service: 'db', op: 'SELECT',
      tags: [
        { key: 'http.status_code', type: 'int64', value: 503 },
        { key: 'Peer', type: 'string', value: 'Redis-Main' },
      ] },
    { id: 'k3', parent: 'r1', start: 2, duration: 1, service: 'db', op: 'INSERT',
      processTags: [{ key: 'hostname', type: 'string', value: 'box-7' }],
      logs: [{ timestamp: 3, fields: [{ key: 'event', type: 'string', value: 'Retry later' }] }] },
  ]));
  const found = (text) => [...findSpans(trace, text)].map((i) => trace.spans[i].spanID).sort();
  assert.deepEqual(found('frontend'), ['r1']);
  assert.deepEqual(found('home'), ['r1']);
  assert.deepEqual(found('db'), ['k2', 'k3']);
  assert.deepEqual(found('DB select'), ['k2']);
  assert.deepEqual(found('503'), ['k2']);
  assert.deepEqual(found('status_code'), ['k2']);
  assert.deepEqual(found('redis-main peer'), ['k2']);
  assert.deepEqual(found('box-7'), ['k3']);
  assert.deepEqual(found('  retry   EVENT '), ['k3']);
  assert.deepEqual(found('k3'), ['k3']);
  assert.deepEqual(found('db nowhere'), []);
  assert.deepEqual(found('select\ninsert'), []);
  assert.deepEqual(found(''), []);
  assert.deepEqual(found('   '), []);
});

test('findSpans returns span indexes in display order', () => {
  const trace = buildTrace(jaegerTrace([
    { id: 'b', parent: 'a', start: 5, duration: 1, op: 'match' },
    { id: 'a', start: 0, duration: 10, op: 'match' },
  ]));
  assert.deepEqual([...findSpans(trace, 'match')], [0, 1]);
  assert.equal(trace.spans[0].spanID, 'a');
});
