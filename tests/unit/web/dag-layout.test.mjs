// dag-layout.js: the service graph laid out in columns, callers left of callees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layoutDag } from '../../../web/static/dag-layout.js';

const link = (parent, child, callCount = 1) => ({ parent, child, callCount });

function byId(layout) {
  return new Map(layout.nodes.map((node) => [node.id, node]));
}

// No two nodes of one layer overlap vertically, and layers are columns that do not overlap.
function assertNoOverlap(layout) {
  const layers = new Map();
  for (const node of layout.nodes) {
    if (!layers.has(node.layer)) layers.set(node.layer, []);
    layers.get(node.layer).push(node);
  }
  for (const nodes of layers.values()) {
    nodes.sort((p, q) => p.y - q.y);
    for (let i = 1; i < nodes.length; i++) {
      assert.ok(nodes[i - 1].y + nodes[i - 1].height <= nodes[i].y + 1e-6,
        `${nodes[i - 1].id} and ${nodes[i].id} overlap`);
    }
  }
  for (const p of layout.nodes) {
    for (const q of layout.nodes) {
      if (p.layer < q.layer) assert.ok(p.x + p.width < q.x, `column of ${p.id} reaches into ${q.id}'s`);
    }
  }
}

function assertInside(layout) {
  for (const node of layout.nodes) {
    assert.ok(node.x >= 0 && node.y >= 0, `${node.id} starts inside`);
    assert.ok(node.x + node.width <= layout.width && node.y + node.height <= layout.height, `${node.id} ends inside`);
  }
  for (const edge of layout.edges) {
    for (const [x, y] of edge.points) assert.ok(x >= 0 && y >= 0 && x <= layout.width && y <= layout.height);
  }
}

test('a chain and a fan-out: every edge goes from a left layer to a right one', () => {
  const layout = layoutDag([
    link('frontend', 'api', 10), link('api', 'db', 7), link('api', 'cache', 3),
    link('frontend', 'auth', 2), link('auth', 'db', 1),
  ]);
  const nodes = byId(layout);
  assert.equal(layout.nodes.length, 5);
  assert.equal(layout.totalNodes, 5);
  assert.equal(layout.truncated, false);
  assert.equal(nodes.get('frontend').layer, 0);
  assert.equal(nodes.get('api').layer, 1);
  assert.equal(nodes.get('db').layer, 2);
  for (const edge of layout.edges) {
    assert.ok(nodes.get(edge.parent).layer < nodes.get(edge.child).layer, `${edge.parent} → ${edge.child}`);
    assert.equal(edge.reversed, false);
    const [startX] = edge.points[0];
    const [endX] = edge.points.at(-1);
    assert.equal(startX, nodes.get(edge.parent).x + nodes.get(edge.parent).width);
    assert.equal(endX, nodes.get(edge.child).x);
  }
  assertNoOverlap(layout);
  assertInside(layout);
});

test('edges meeting one side of a service end at different heights within it, in order', () => {
  const layout = layoutDag([link('a', 'x'), link('a', 'y'), link('a', 'z'), link('b', 'z'), link('c', 'z')]);
  const nodes = byId(layout);
  const ends = (predicate, pick) => layout.edges.filter(predicate).map(pick);
  for (const [id, side] of [['a', 'out'], ['z', 'in']]) {
    const node = nodes.get(id);
    const ys = side === 'out'
      ? ends((e) => e.parent === id, (e) => e.points[0][1])
      : ends((e) => e.child === id, (e) => e.points.at(-1)[1]);
    assert.equal(new Set(ys).size, 3, `${id}'s ${side} ends are distinct`);
    for (const y of ys) assert.ok(y > node.y && y < node.y + node.height);
  }
  const a = layout.edges.filter((e) => e.parent === 'a');
  const order = (values) => values.map((v, i) => [v, i]).sort((p, q) => p[0] - q[0]).map((pair) => pair[1]);
  assert.deepEqual(order(a.map((e) => e.points[0][1])), order(a.map((e) => nodes.get(e.child).y)),
    'ends follow the order of the services they lead to');
});

test('repeated pairs add up, traffic sums both directions, bad links are skipped', () => {
  const layout = layoutDag([link('a', 'b', 2), link('a', 'b', 3), link('b', 'c', 4), { parent: 'x' }, null]);
  assert.equal(layout.edges.length, 2);
  assert.equal(layout.edges.find((e) => e.child === 'b').callCount, 5);
  assert.deepEqual(layout.nodes.map((n) => [n.id, n.traffic]), [['b', 9], ['a', 5], ['c', 4]]);
});

test('an edge spanning layers bends through the columns between, not through nodes', () => {
  const layout = layoutDag([link('a', 'b'), link('b', 'c'), link('c', 'd'), link('a', 'd')]);
  const nodes = byId(layout);
  const long = layout.edges.find((e) => e.parent === 'a' && e.child === 'd');
  assert.equal(nodes.get('d').layer, 3);
  assert.equal(long.points.length, 2 + 2 * 2);  // ends plus two points across each of 2 columns
  for (const [x, y] of long.points.slice(1, -1)) {
    for (const node of [nodes.get('b'), nodes.get('c')]) {
      const insideX = x >= node.x && x <= node.x + node.width;
      const insideY = y >= node.y && y <= node.y + node.height;
      if (insideX) assert.ok(!insideY, `the long edge crosses ${node.id}`);
    }
  }
});

test('cycles terminate, and only the edge closing a cycle goes backwards', () => {
  const layout = layoutDag([link('a', 'b'), link('b', 'c'), link('c', 'a'), link('c', 'd'), link('d', 'b')]);
  const nodes = byId(layout);
  assert.equal(layout.nodes.length, 4);
  let backwards = 0;
  for (const edge of layout.edges) {
    const from = nodes.get(edge.parent).layer;
    const to = nodes.get(edge.child).layer;
    if (edge.reversed) {
      backwards++;
      assert.ok(from > to, `${edge.parent} → ${edge.child} is reversed and points left`);
    } else {
      assert.ok(from < to, `${edge.parent} → ${edge.child} points right`);
    }
  }
  assert.ok(backwards >= 1 && backwards <= 2);
  assertNoOverlap(layout);
  assertInside(layout);
});

test('the edge reversed to break a cycle is the quiet one', () => {
  const layout = layoutDag([link('c', 'a', 1), link('a', 'b', 100), link('b', 'c', 90)]);
  assert.deepEqual(layout.edges.filter((e) => e.reversed).map((e) => `${e.parent}→${e.child}`), ['c→a']);
  assert.deepEqual(layout.nodes.map((n) => [n.id, n.layer]).sort(), [['a', 0], ['b', 1], ['c', 2]]);
});

test('two services calling each other: both edges drawn, apart from each other', () => {
  const layout = layoutDag([link('a', 'b', 5), link('b', 'a', 3)]);
  const there = layout.edges.find((e) => e.parent === 'a');
  const back = layout.edges.find((e) => e.parent === 'b');
  assert.equal(there.reversed !== back.reversed, true);
  assert.notDeepEqual(there.points[0], back.points.at(-1));
  assert.notEqual(there.points[0][1], back.points.at(-1)[1]);
  const [x1, y1] = there.labelAt;
  const [x2, y2] = back.labelAt;
  assert.ok(Math.abs(x1 - x2) > 14 || Math.abs(y1 - y2) > 14, 'the two call counts do not cover each other');
});

test('each label sits on its edge, between its ends', () => {
  const layout = layoutDag([link('a', 'b', 5), link('b', 'c', 3), link('a', 'c', 1), link('c', 'c', 2)]);
  for (const edge of layout.edges) {
    const xs = edge.points.map(([x]) => x);
    const ys = edge.points.map(([, y]) => y);
    const [x, y] = edge.labelAt;
    assert.ok(x >= Math.min(...xs) && x <= Math.max(...xs), `${edge.parent}→${edge.child} label x`);
    assert.ok(y >= Math.min(...ys) - 1e-9 && y <= Math.max(...ys) + 1e-9, `${edge.parent}→${edge.child} label y`);
  }
});

test('a self-loop is a small curve above its node and does not change the layers', () => {
  const layout = layoutDag([link('a', 'a', 4), link('a', 'b', 1)]);
  const nodes = byId(layout);
  const loop = layout.edges.find((e) => e.selfLoop);
  assert.equal(loop.parent, 'a');
  assert.equal(loop.points.length, 4);
  const a = nodes.get('a');
  assert.equal(loop.points[0][1], a.y);
  assert.ok(loop.points[1][1] < a.y);
  assert.ok(loop.points.every(([x]) => x >= a.x && x <= a.x + a.width));
  assert.equal(nodes.get('b').layer, 1);
  assert.equal(a.traffic, 5);
  assertInside(layout);
  assert.equal(layoutDag([link('solo', 'solo', 2)]).nodes.length, 1);
});

test('more services than maxNodes keeps the busiest and says so', () => {
  const links = [link('gateway', 'orders', 100), link('orders', 'db', 80), link('gateway', 'users', 50),
    link('users', 'db', 40), link('batch', 'archive', 1), link('gateway', 'metrics', 2)];
  const layout = layoutDag(links, { maxNodes: 4 });
  assert.equal(layout.truncated, true);
  assert.equal(layout.totalNodes, 7);
  assert.deepEqual(layout.nodes.map((n) => n.id).sort(), ['db', 'gateway', 'orders', 'users']);
  assert.equal(layout.edges.length, 4);
  assert.ok(layout.edges.every((e) => e.parent !== 'metrics' && e.child !== 'metrics'));
  assert.equal(layoutDag(links, { maxNodes: 7 }).truncated, false);
});

test('barycenter ordering untangles crossing edges', () => {
  // a1 calls b2 and a2 calls b1: the first-seen order would cross; the sweeps must not leave it so.
  const layout = layoutDag([link('r', 'a1'), link('r', 'a2'), link('a1', 'b2'), link('a2', 'b1'),
    link('a1', 'c'), link('b1', 'd'), link('b2', 'd')]);
  const nodes = byId(layout);
  const above = (p, q) => nodes.get(p).y < nodes.get(q).y;
  assert.equal(above('a1', 'a2'), above('b2', 'b1'));
});

test('node sizes come from the caller when given', () => {
  const layout = layoutDag([link('a', 'bb')], { nodeSize: (id) => ({ width: id.length * 100, height: 40 }) });
  const nodes = byId(layout);
  assert.equal(nodes.get('a').width, 100);
  assert.equal(nodes.get('bb').width, 200);
  assert.equal(nodes.get('bb').height, 40);
});

test('nothing in, an empty layout out', () => {
  const layout = layoutDag([]);
  assert.deepEqual(layout.nodes, []);
  assert.deepEqual(layout.edges, []);
  assert.equal(layout.truncated, false);
  assert.equal(layout.totalNodes, 0);
});

test('a hundred services with many links lay out cleanly', () => {
  let state = 3;
  const random = () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 2 ** 32;
  };
  const links = [];
  for (let i = 0; i < 400; i++) {
    const parent = Math.floor(random() * 120);
    const child = Math.floor(random() * 120);
    links.push(link(`service-${parent}`, `service-${child}`, 1 + Math.floor(random() * 1000)));
  }
  const layout = layoutDag(links, { maxNodes: 100 });
  assert.equal(layout.nodes.length, 100);
  assert.equal(layout.truncated, true);
  assertNoOverlap(layout);
  assertInside(layout);
  const nodes = byId(layout);
  for (const edge of layout.edges) {
    if (edge.selfLoop) continue;
    const forward = nodes.get(edge.parent).layer < nodes.get(edge.child).layer;
    assert.equal(forward, !edge.reversed);
  }
});
