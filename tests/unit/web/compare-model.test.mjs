// compare-model.js: two traces merged by their "service operation" paths, with what changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTraces } from '../../../web/static/compare-model.js';
import { buildTrace } from '../../../web/static/trace-model.js';

// A Trace-shaped object from nested specs: ['service op', duration, [children…]]. Siblings start
// one µs apart in the order given, so the order of the spec is the order of start times.
function traceOf(...rootSpecs) {
  let clock = 1000;
  const toSpan = ([name, duration = 10, children = []]) => {
    const [serviceName, operationName] = name.split(' ');
    const span = { serviceName, operationName, duration, startTime: clock++, children: [] };
    span.children = children.map(toSpan);
    return span;
  };
  return { startTime: 1000, roots: rootSpecs.map(toSpan) };
}

function summary(result) {
  return result.nodes.map((n) => {
    const indent = '  '.repeat(n.depth);
    return `${indent}${n.service} ${n.operation} ${n.countA}→${n.countB} ${n.state}`;
  });
}

test('identical traces merge into one tree of "same" nodes', () => {
  const spec = ['front GET', 100, [['api call', 40, [['db query', 5]]], ['cache get', 3]]];
  const result = compareTraces(traceOf(spec), traceOf(spec));
  assert.deepEqual(summary(result), [
    'front GET 1→1 same',
    '  api call 1→1 same',
    '    db query 1→1 same',
    '  cache get 1→1 same',
  ]);
  assert.deepEqual(result.totals, { added: 0, removed: 0, changed: 0, same: 4 });
  assert.equal(result.roots.length, 1);
  assert.equal(result.roots[0], result.nodes[0]);
  assert.equal(result.nodes[0].size, 4);
  assert.equal(result.nodes[0].changedBelow, false);
});

test('spans only in B are added, only in A removed, different counts changed', () => {
  const a = traceOf(['front GET', 100, [['api call', 40, [['db query', 5], ['db query', 7]]], ['cache get', 3]]]);
  const b = traceOf(['front GET', 120, [['api call', 50, [['db query', 6]]], ['queue put', 2, [['worker run', 9]]]]]);
  const result = compareTraces(a, b);
  assert.deepEqual(summary(result), [
    'front GET 1→1 same',
    '  api call 1→1 same',
    '    db query 2→1 changed',
    '  queue put 0→1 added',  // starts 3 µs into B, before "cache get" 4 µs into A
    '    worker run 0→1 added',
    '  cache get 1→0 removed',
  ]);
  assert.deepEqual(result.totals, { added: 2, removed: 1, changed: 1, same: 2 });
  const db = result.nodes[2];
  assert.equal(db.durationA, 12);
  assert.equal(db.durationB, 6);
  assert.equal(result.nodes[5].durationA, 3);
  assert.equal(result.nodes[5].durationB, 0);
  assert.equal(result.nodes[0].changedBelow, true);
  assert.equal(result.nodes[1].changedBelow, true);
  assert.deepEqual(result.nodes.map((n) => n.size), [6, 2, 1, 2, 1, 1]);
  assert.deepEqual(result.nodes.map((n) => n.index), [0, 1, 2, 3, 4, 5]);
});

test('the same key under different parents stays apart; repeated siblings merge with their subtrees', () => {
  const a = traceOf(['front GET', 1, [
    ['api call', 1, [['db query', 1]]],
    ['api call', 1, [['db query', 1], ['log write', 1]]],
    ['db query', 1],
  ]]);
  const b = traceOf(['front GET', 1, [['api call', 1, [['db query', 1]]]]]);
  assert.deepEqual(summary(compareTraces(a, b)), [
    'front GET 1→1 same',
    '  api call 2→1 changed',
    '    db query 2→1 changed',
    '    log write 1→0 removed',
    '  db query 1→0 removed',
  ]);
});

test('service and operation both make the key', () => {
  const result = compareTraces(traceOf(['a op', 1]), traceOf(['b op', 1], ['a op2', 1]));
  assert.deepEqual(summary(result), ['a op 1→0 removed', 'b op 0→1 added', 'a op2 0→1 added']);
  assert.deepEqual(result.totals, { added: 2, removed: 1, changed: 0, same: 0 });
});

test('siblings are ordered by their first start relative to their own trace', () => {
  const a = traceOf(['root op', 1, [['x late', 1], ['y early', 1]]]);
  const b = traceOf(['root op', 1, [['y early', 1], ['x late', 1]]]);
  a.roots[0].children[0].startTime = 1500;  // x starts 500 µs into A
  b.startTime = 50_000;
  for (const span of [b.roots[0], ...b.roots[0].children]) span.startTime += 49_000;  // y at 2, x at 3 µs into B
  assert.deepEqual(compareTraces(a, b).roots[0].children.map((n) => n.operation), ['early', 'late']);
});

test('an empty or missing trace makes every node added or removed', () => {
  const a = traceOf(['front GET', 5, [['api call', 2]]]);
  assert.deepEqual(compareTraces(a, { roots: [] }).totals, { added: 0, removed: 2, changed: 0, same: 0 });
  assert.deepEqual(compareTraces(null, a).totals, { added: 2, removed: 0, changed: 0, same: 0 });
  assert.deepEqual(compareTraces({ roots: [] }, { roots: [] }), {
    roots: [], nodes: [], totals: { added: 0, removed: 0, changed: 0, same: 0 },
  });
});

test('a 10,000-level chain does not overflow the stack', () => {
  const chain = (n) => {
    const roots = [{ serviceName: 's', operationName: 'op0', duration: 1, startTime: 0, children: [] }];
    let last = roots[0];
    for (let i = 1; i < n; i++) {
      const span = { serviceName: 's', operationName: `op${i % 3}`, duration: 1, startTime: i, children: [] };
      last.children.push(span);
      last = span;
    }
    return { startTime: 0, roots };
  };
  const result = compareTraces(chain(10_000), chain(9_999));
  assert.equal(result.nodes.length, 10_000);
  assert.equal(result.nodes.at(-1).depth, 9_999);
  assert.equal(result.nodes.at(-1).state, 'removed');
  assert.deepEqual(result.totals, { added: 0, removed: 1, changed: 0, same: 9_999 });
});

test('two 10,000-span traces merge with every span counted once', () => {
  // A fan-out tree: 10 services × 10 operations, random parents; B differs by a few hundred spans.
  const random = seeded(7);
  const make = (n) => {
    const spans = [];
    for (let i = 0; i < n; i++) {
      const span = {
        serviceName: `svc${Math.floor(random() * 10)}`, operationName: `op${Math.floor(random() * 10)}`,
        duration: 1 + Math.floor(random() * 1000), startTime: i, children: [],
      };
      if (i > 0) spans[Math.floor(random() * i)].children.push(span);
      spans.push(span);
    }
    return { startTime: 0, roots: [spans[0]], spans };
  };
  const a = make(10_000);
  const b = make(10_300);
  const result = compareTraces(a, b);
  let countA = 0;
  let countB = 0;
  for (const node of result.nodes) {
    countA += node.countA;
    countB += node.countB;
  }
  assert.equal(countA, 10_000);
  assert.equal(countB, 10_300);
  const t = result.totals;
  assert.equal(t.added + t.removed + t.changed + t.same, result.nodes.length);
});

test('works on traces from buildTrace', () => {
  const jaeger = (traceID, extraChild) => ({
    traceID,
    processes: { p1: { serviceName: 'front', tags: [] }, p2: { serviceName: 'db', tags: [] } },
    warnings: null,
    spans: [
      span(traceID, 'a1', 'GET /', 'p1', null, 0, 100),
      span(traceID, 'a2', 'SELECT', 'p2', 'a1', 10, 20),
      extraChild ? span(traceID, 'a3', 'SELECT', 'p2', 'a1', 40, 30) : null,
    ].filter(Boolean),
  });
  const result = compareTraces(buildTrace(jaeger('t1', false)), buildTrace(jaeger('t2', true)));
  assert.deepEqual(summary(result), ['front GET / 1→1 same', '  db SELECT 1→2 changed']);
  assert.equal(result.nodes[1].durationB, 50);
});

function span(traceID, spanID, operationName, processID, parent, start, duration) {
  return {
    traceID, spanID, operationName, processID, startTime: 1_700_000_000_000_000 + start, duration,
    references: parent ? [{ refType: 'CHILD_OF', traceID, spanID: parent }] : [],
    tags: [], logs: [], warnings: null, flags: 1,
  };
}

function seeded(seed) {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
}
