// A layered (Sugiyama-style) layout of the service graph, left to right: callers in columns to the
// left of the services they call. Pure: no DOM, importable from node tests.
//
// layoutDag(links, options) where links = [{parent, child, callCount}] (repeated pairs add up) →
//   {nodes: [{id, x, y, layer, width, height, traffic}], edges: [{parent, child, callCount, points,
//    labelAt, reversed, selfLoop}], width, height, truncated, totalNodes}
// x, y are a node's top-left corner; traffic is the sum of the call counts of its links. An edge's
// points run from the parent to the child: consecutive points are joined by a curve leaving and
// entering horizontally, except a self-loop (selfLoop), whose four points are one cubic Bézier
// (start, control, control, end) above its node. labelAt is where the call count reads well.
// reversed marks an edge that goes against the columns (it closes a cycle).
// options: maxNodes (default unlimited: more services than that keeps the maxNodes with the most
// traffic and sets truncated), nodeSize(id) → {width, height} (default: from the name's length),
// layerGap, nodeGap, margin (px).
//
// Steps: cycles are broken by reversing, for layering only, the edges against a greedy order of the
// services (Eades-Lin-Smyth, weighted by traffic); longest-path layering, then each source pulled
// next to its nearest callee; edges longer than one layer get a dummy node per layer crossed; a
// few barycenter sweeps order each layer, keeping the order with the fewest crossings; each
// layer's nodes are then placed as near the mean of their neighbours as their order and spacing
// allow (isotonic regression); edge ends on one side of a service are spread apart.

const ORDER_SWEEPS = 8;
const PLACEMENT_ROUNDS = 8;
const DUMMY_HEIGHT = 4;
const DUMMY_GAP = 10;
const LOOP_RISE = 20;
const PORT_STEP = 8;  // px between edge ends on one side of a service
const PORT_SPREAD = 20;  // px over which all the edge ends on one side of a service spread
const LABEL_POSITIONS = [0.5, 0.35, 0.65, 0.2, 0.8];  // where along a segment a label may go
const LABEL_PADDING = 12;  // px of room kept between neighbouring labels

export function layoutDag(links, options = {}) {
  const settings = {
    maxNodes: options.maxNodes > 0 ? options.maxNodes : Infinity,
    nodeSize: options.nodeSize || defaultNodeSize,
    layerGap: options.layerGap ?? 110,
    nodeGap: options.nodeGap ?? 30,
    margin: options.margin ?? 28,
  };
  const { traffic, edges: allEdges } = aggregate(links || []);
  const totalNodes = traffic.size;
  const ids = [...traffic.keys()].sort((x, y) => traffic.get(y) - traffic.get(x) || compareText(x, y));
  const truncated = ids.length > settings.maxNodes;
  if (truncated) ids.length = settings.maxNodes;
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const edges = allEdges.filter((e) => indexOf.has(e.parent) && indexOf.has(e.child))
    .map((e) => ({ ...e, from: indexOf.get(e.parent), to: indexOf.get(e.child) }));

  const graph = buildLayeredGraph(ids, edges, settings);
  orderLayers(graph);
  placeNodes(graph, settings);
  return {
    nodes: ids.map((id, i) => {
      const v = graph.vertices[i];
      return { id, x: v.x, y: v.y, layer: v.layer, width: v.width, height: v.height, traffic: traffic.get(id) };
    }),
    edges: routeEdges(edges, graph),
    ...extent(graph, settings),
    truncated,
    totalNodes,
  };
}

function compareText(x, y) {
  if (x === y) return 0;
  return x < y ? -1 : 1;
}

function defaultNodeSize(id) {
  return { width: Math.min(260, Math.max(80, Math.round(7.2 * id.length) + 32)), height: 32 };
}

// Repeated (parent, child) pairs summed; each service's traffic (a self-loop counts once).
function aggregate(links) {
  const byPair = new Map();
  const traffic = new Map();
  for (const link of links) {
    if (typeof link?.parent !== 'string' || typeof link?.child !== 'string') continue;
    const count = Number(link.callCount) || 0;
    const key = `${link.parent}\u0000${link.child}`;
    const edge = byPair.get(key);
    if (edge) edge.callCount += count;
    else byPair.set(key, { parent: link.parent, child: link.child, callCount: count });
    traffic.set(link.parent, (traffic.get(link.parent) || 0) + count);
    if (link.child !== link.parent) traffic.set(link.child, (traffic.get(link.child) || 0) + count);
  }
  return { traffic, edges: [...byPair.values()] };
}

// ---- layering ------------------------------------------------------------------------------

// vertices: the services (0..n-1) then the dummies; layers: vertex indices per layer (filled by
// orderLayers); up/down: each vertex's neighbours in the layer before / after; chains: per edge
// (by from→to key) the vertices it passes, left to right.
function buildLayeredGraph(ids, edges, settings) {
  const n = ids.length;
  const vertices = ids.map((id) => ({ ...settings.nodeSize(id), dummy: false, layer: 0, x: 0, y: 0 }));
  const between = edges.filter((e) => e.from !== e.to);
  markBackEdges(n, between);
  const layerOf = longestPathLayers(n, between);
  for (let i = 0; i < n; i++) vertices[i].layer = layerOf[i];
  const up = vertices.map(() => []);
  const down = vertices.map(() => []);
  const chains = new Map();
  for (const edge of between) {
    const [left, right] = edge.reversed ? [edge.to, edge.from] : [edge.from, edge.to];
    const chain = [left];
    for (let layer = layerOf[left] + 1; layer < layerOf[right]; layer++) {
      vertices.push({ width: 0, height: DUMMY_HEIGHT, dummy: true, layer, x: 0, y: 0 });
      up.push([]);
      down.push([]);
      chain.push(vertices.length - 1);
    }
    chain.push(right);
    for (let i = 1; i < chain.length; i++) {
      down[chain[i - 1]].push(chain[i]);
      up[chain[i]].push(chain[i - 1]);
    }
    chains.set(edgeKey(edge), chain);
  }
  const layerCount = 1 + layerOf.reduce((most, layer) => Math.max(most, layer), 0);
  const layers = Array.from({ length: layerCount }, () => []);
  return { vertices, layers, up, down, chains };
}

function edgeKey(edge) {
  return `${edge.from}>${edge.to}`;
}

// Sets edge.reversed on the edges that go backwards in a vertex order chosen by the greedy
// heuristic of Eades, Lin and Smyth, weighted by traffic: services that call nobody left go last,
// those nobody left calls go first, and otherwise the one whose outgoing traffic most exceeds its
// incoming goes next. Reversing those edges leaves no cycle; they tend to be few, short and quiet.
// Quadratic in the services (at most maxNodes of them), linear in the edges.
function markBackEdges(n, edges) {
  const degree = Array.from({ length: n }, () => ({ out: [], in: [], outs: 0, ins: 0, balance: 0 }));
  for (const edge of edges) {
    degree[edge.from].out.push(edge);
    degree[edge.to].in.push(edge);
    degree[edge.from].outs++;
    degree[edge.to].ins++;
    degree[edge.from].balance += edge.callCount + 1;
    degree[edge.to].balance -= edge.callCount + 1;
  }
  const removed = new Uint8Array(n);
  const rank = new Array(n);
  let first = 0;
  let last = n - 1;
  for (let left = n; left > 0; left--) {
    const { vertex, atEnd } = nextToRank(degree, removed);
    removed[vertex] = 1;
    rank[vertex] = atEnd ? last-- : first++;
    for (const edge of degree[vertex].out) {
      degree[edge.to].ins--;
      degree[edge.to].balance += edge.callCount + 1;
    }
    for (const edge of degree[vertex].in) {
      degree[edge.from].outs--;
      degree[edge.from].balance -= edge.callCount + 1;
    }
  }
  for (const edge of edges) edge.reversed = rank[edge.from] > rank[edge.to];
}

// The next service to rank: a sink (ranked from the end), else a source, else the one with the
// most outgoing over incoming traffic; among the services not ranked yet.
function nextToRank(degree, removed) {
  let source = -1;
  let busiest = -1;
  for (let v = 0; v < degree.length; v++) {
    if (removed[v]) continue;
    if (degree[v].outs === 0) return { vertex: v, atEnd: true };
    if (source < 0 && degree[v].ins === 0) source = v;
    if (busiest < 0 || degree[v].balance > degree[busiest].balance) busiest = v;
  }
  return { vertex: source >= 0 ? source : busiest, atEnd: false };
}

// Each service's layer: the longest path to it from a source (over edges with back edges reversed),
// then every source moved right to just before the nearest service it calls.
function longestPathLayers(n, edges) {
  const out = Array.from({ length: n }, () => []);
  const inDegree = new Array(n).fill(0);
  for (const edge of edges) {
    const [from, to] = edge.reversed ? [edge.to, edge.from] : [edge.from, edge.to];
    out[from].push(to);
    inDegree[to]++;
  }
  const layer = new Array(n).fill(0);
  const remaining = inDegree.slice();
  const queue = [];
  for (let v = 0; v < n; v++) if (remaining[v] === 0) queue.push(v);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const w of out[v]) {
      layer[w] = Math.max(layer[w], layer[v] + 1);
      if (--remaining[w] === 0) queue.push(w);
    }
  }
  for (let v = 0; v < n; v++) {
    if (inDegree[v] === 0 && out[v].length > 0) layer[v] = Math.min(...out[v].map((w) => layer[w])) - 1;
  }
  return layer;
}

// ---- ordering within layers ----------------------------------------------------------------

function orderLayers(graph) {
  initialOrder(graph);
  let best = graph.layers.map((layer) => layer.slice());
  let bestCrossings = crossings(graph);
  for (let sweep = 0; sweep < ORDER_SWEEPS && bestCrossings > 0; sweep++) {
    const downward = sweep % 2 === 0;
    const count = graph.layers.length;
    for (let step = 1; step < count; step++) {
      const l = downward ? step : count - 1 - step;
      reorderByBarycenter(graph, graph.layers[l], downward ? graph.up : graph.down);
    }
    const now = crossings(graph);
    if (now < bestCrossings) {
      bestCrossings = now;
      best = graph.layers.map((layer) => layer.slice());
    }
  }
  graph.layers = best;
  setPositions(graph);
}

// Depth-first from the first layer's vertices, so that a subtree starts out together.
function initialOrder(graph) {
  const seen = new Uint8Array(graph.vertices.length);
  const starts = [...graph.vertices.keys()].sort((x, y) => graph.vertices[x].layer - graph.vertices[y].layer || x - y);
  for (const start of starts) {
    if (seen[start]) continue;
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const v = stack.pop();
      graph.layers[graph.vertices[v].layer].push(v);
      const next = graph.down[v];
      for (let i = next.length - 1; i >= 0; i--) {
        if (!seen[next[i]]) {
          seen[next[i]] = 1;
          stack.push(next[i]);
        }
      }
    }
  }
  setPositions(graph);
}

function setPositions(graph) {
  for (const layer of graph.layers) layer.forEach((v, i) => { graph.vertices[v].position = i; });
}

// Sorts `layer` by the mean position of each vertex's neighbours in the adjacent layer; a vertex
// without any keeps its place.
function reorderByBarycenter(graph, layer, neighbours) {
  const key = new Map();
  for (const v of layer) {
    const around = neighbours[v];
    let sum = 0;
    for (const w of around) sum += graph.vertices[w].position;
    key.set(v, around.length > 0 ? sum / around.length : graph.vertices[v].position);
  }
  layer.sort((x, y) => key.get(x) - key.get(y) || graph.vertices[x].position - graph.vertices[y].position);
  layer.forEach((v, i) => { graph.vertices[v].position = i; });
}

// Edge crossings between consecutive layers: inversions among the segments sorted by upper end.
function crossings(graph) {
  let total = 0;
  for (let l = 0; l + 1 < graph.layers.length; l++) {
    const segments = [];
    for (const v of graph.layers[l]) {
      for (const w of graph.down[v]) segments.push([graph.vertices[v].position, graph.vertices[w].position]);
    }
    segments.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
    total += inversions(segments.map((segment) => segment[1]), graph.layers[l + 1].length);
  }
  return total;
}

// Pairs i < j with values[i] > values[j], values in [0, size), with a Fenwick tree.
function inversions(values, size) {
  const tree = new Uint32Array(size + 1);
  let count = 0;
  for (let i = 0; i < values.length; i++) {
    let atMost = 0;
    for (let k = values[i] + 1; k > 0; k -= k & -k) atMost += tree[k];
    count += i - atMost;
    for (let k = values[i] + 1; k <= size; k += k & -k) tree[k]++;
  }
  return count;
}

// ---- coordinates ---------------------------------------------------------------------------

function placeNodes(graph, settings) {
  const columnWidths = graph.layers.map((layer) => Math.max(0, ...layer.map((v) => graph.vertices[v].width)));
  let x = settings.margin;
  graph.columns = columnWidths.map((width) => {
    const column = { x, width };
    x += width + settings.layerGap;
    return column;
  });
  for (const layer of graph.layers) {
    let y = 0;
    layer.forEach((v, i) => {
      const vertex = graph.vertices[v];
      if (i > 0) y += gapBetween(graph.vertices[layer[i - 1]], vertex, settings);
      vertex.y = y;
      y += vertex.height;
      const column = graph.columns[vertex.layer];
      vertex.x = column.x + (column.width - vertex.width) / 2;
    });
  }
  for (let round = 0; round < PLACEMENT_ROUNDS; round++) {
    const downward = round % 2 === 0;
    const bothSides = round >= PLACEMENT_ROUNDS - 2;
    const count = graph.layers.length;
    for (let step = 0; step < count; step++) {
      const l = downward ? step : count - 1 - step;
      const sides = bothSides ? [graph.up, graph.down] : [downward ? graph.up : graph.down];
      placeLayer(graph, graph.layers[l], sides, settings);
    }
  }
  let top = Infinity;
  for (const vertex of graph.vertices) top = Math.min(top, vertex.y);
  for (const vertex of graph.vertices) vertex.y += settings.margin - top;
}

function gapBetween(above, below, settings) {
  return above.dummy && below.dummy ? DUMMY_GAP : settings.nodeGap;
}

// Moves each vertex of `layer` as near the mean centre of its neighbours as the layer's order and
// spacing allow, in least squares: with offsets taking out the spacing, the problem becomes an
// isotonic regression, solved by pooling adjacent violators.
function placeLayer(graph, layer, sides, settings) {
  if (layer.length === 0) return;
  const offsets = [];
  const blocks = [];  // {sum, count, size}: pooled vertices with their mean shifted top
  let offset = 0;
  layer.forEach((v, i) => {
    const vertex = graph.vertices[v];
    if (i > 0) {
      const above = graph.vertices[layer[i - 1]];
      offset += above.height + gapBetween(above, vertex, settings);
    }
    offsets.push(offset);
    const wanted = wantedCentre(graph, v, sides) - vertex.height / 2 - offset;
    blocks.push({ sum: wanted, count: 1 });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const before = blocks[blocks.length - 2];
      if (before.sum / before.count <= last.sum / last.count) break;
      before.sum += last.sum;
      before.count += last.count;
      blocks.pop();
    }
  });
  let i = 0;
  for (const block of blocks) {
    const shifted = block.sum / block.count;
    for (let k = 0; k < block.count; k++, i++) graph.vertices[layer[i]].y = shifted + offsets[i];
  }
}

function wantedCentre(graph, v, sides) {
  let sum = 0;
  let count = 0;
  for (const side of sides) {
    for (const w of side[v]) {
      sum += graph.vertices[w].y + graph.vertices[w].height / 2;
      count++;
    }
  }
  const vertex = graph.vertices[v];
  return count > 0 ? sum / count : vertex.y + vertex.height / 2;
}

function extent(graph, settings) {
  let right = 0;
  let bottom = 0;
  for (const vertex of graph.vertices) {
    right = Math.max(right, vertex.x + vertex.width);
    bottom = Math.max(bottom, vertex.y + vertex.height);
  }
  return { width: Math.ceil(right + settings.margin), height: Math.ceil(bottom + settings.margin) };
}

// ---- edges -------------------------------------------------------------------------------

function routeEdges(edges, graph) {
  const routed = edges.map((edge) => {
    if (edge.from === edge.to) return selfLoop(edge, graph.vertices[edge.from]);
    return routeEdge(edge, graph);
  });
  spreadPorts(routed, edges);
  placeLabels(routed);
  return routed;
}

function routeEdge(edge, graph) {
  const chain = graph.chains.get(edgeKey(edge));
  const reversed = Boolean(edge.reversed);
  const points = reversed ? backwardPoints(chain, graph) : forwardPoints(chain, graph);
  const { parent, child, callCount } = edge;
  return { parent, child, callCount, points, labelAt: null, reversed, selfLoop: false };
}

// Out of the parent's right side, across each dummy's column, into the child's left side.
function forwardPoints(chain, graph) {
  const first = graph.vertices[chain[0]];
  const last = graph.vertices[chain[chain.length - 1]];
  const points = [[first.x + first.width, centreY(first)]];
  for (let i = 1; i < chain.length - 1; i++) {
    const dummy = graph.vertices[chain[i]];
    const column = graph.columns[dummy.layer];
    points.push([column.x, centreY(dummy)], [column.x + column.width, centreY(dummy)]);
  }
  points.push([last.x, centreY(last)]);
  return points;
}

// A reversed edge's chain runs from its child (left) to its parent (right): it leaves the parent's
// left side and enters the child's right side.
function backwardPoints(chain, graph) {
  const parent = graph.vertices[chain[chain.length - 1]];
  const child = graph.vertices[chain[0]];
  const points = [[parent.x, centreY(parent)]];
  for (let i = chain.length - 2; i > 0; i--) {
    const dummy = graph.vertices[chain[i]];
    const column = graph.columns[dummy.layer];
    points.push([column.x + column.width, centreY(dummy)], [column.x, centreY(dummy)]);
  }
  points.push([child.x + child.width, centreY(child)]);
  return points;
}

// Edges meeting one side of a service spread over the middle of that side, in the order of where
// they come from, so that they neither share an end nor cross there.
function spreadPorts(routed, edges) {
  const sides = new Map();  // "vertex:side" → [{point, towards, reversed}]
  const attach = (vertex, side, point, towards, reversed) => {
    const key = `${vertex}:${side}`;
    if (!sides.has(key)) sides.set(key, []);
    sides.get(key).push({ point, towards, reversed });
  };
  routed.forEach((edge, i) => {
    if (edge.selfLoop) return;
    const { from, to } = edges[i];
    const { points, reversed } = edge;
    const first = points[0];
    const last = points[points.length - 1];
    attach(from, reversed ? 'left' : 'right', first, points[1][1], reversed);
    attach(to, reversed ? 'right' : 'left', last, points[points.length - 2][1], reversed);
  });
  for (const ports of sides.values()) {
    if (ports.length < 2) continue;
    ports.sort((p, q) => p.towards - q.towards || Number(p.reversed) - Number(q.reversed));
    const step = Math.min(PORT_STEP, PORT_SPREAD / (ports.length - 1));
    const centre = ports[0].point[1];
    ports.forEach((port, i) => { port.point[1] = centre + (i - (ports.length - 1) / 2) * step; });
  }
}

function selfLoop(edge, vertex) {
  const left = vertex.x + vertex.width - 40;
  const right = vertex.x + vertex.width - 12;
  const top = vertex.y - LOOP_RISE;
  return {
    parent: edge.parent,
    child: edge.child,
    callCount: edge.callCount,
    points: [[left, vertex.y], [left, top], [right, top], [right, vertex.y]],
    labelAt: [(left + right) / 2, vertex.y - 0.75 * LOOP_RISE],  // the top of the curve
    reversed: false,
    selfLoop: true,
  };
}

function centreY(vertex) {
  return vertex.y + vertex.height / 2;
}

// Where each call count goes: busiest edges first, at the first spot along the edge (from the
// middle outwards) where its label does not cover a label already placed; the middle when none.
function placeLabels(routed) {
  const placed = [];
  const order = [...routed.keys()].sort((i, j) => routed[j].callCount - routed[i].callCount);
  for (const i of order) {
    const edge = routed[i];
    const size = labelSize(edge.callCount);
    if (!edge.selfLoop) {
      const spots = labelSpots(edge.points);
      edge.labelAt = spots.find((at) => !placed.some((box) => overlaps(box, boxAround(at, size)))) || spots[0];
    }
    placed.push(boxAround(edge.labelAt, size));
  }
}

// A call count's box as drawn by dependencies.js (11px bold digits), with a little room around.
function labelSize(callCount) {
  return { width: 7 * String(callCount).length + LABEL_PADDING, height: 14 };
}

function boxAround([x, y], { width, height }) {
  return { left: x - width / 2, right: x + width / 2, top: y - height / 2, bottom: y + height / 2 };
}

function overlaps(p, q) {
  return p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom;
}

// Candidate label spots: along the middle segment, then its neighbours, middle first.
function labelSpots(points) {
  const middle = Math.floor((points.length - 1) / 2);
  const segments = [middle, middle - 1, middle + 1].filter((i) => i >= 0 && i + 1 < points.length);
  const spots = [];
  for (const i of segments) {
    for (const t of LABEL_POSITIONS) spots.push(curvePoint(points[i], points[i + 1], t));
  }
  return spots;
}

// The point at `t` of the curve drawn between p and q: a cubic Bézier whose control points sit
// half-way across, level with each end (so it leaves and enters horizontally).
function curvePoint([x0, y0], [x1, y1], t) {
  return [x0 + (x1 - x0) * (1.5 * t * (1 - t) + t ** 3), y0 + (y1 - y0) * (3 * t * t - 2 * t ** 3)];
}
