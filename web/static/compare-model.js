// Two traces merged into one tree, for the compare page. Pure: no DOM, importable from node tests.
//
// compareTraces(a, b), where a and b are Trace objects of trace-model.js's buildTrace (only roots,
// startTime and each span's children, serviceName, operationName, startTime, duration are read),
// → {roots, nodes, totals}:
//   roots    merged root nodes
//   nodes    every merged node, depth-first (a node's subtree is nodes[index .. index + size))
//   totals   {added, removed, changed, same}: how many merged nodes have each state
// A merged node stands for every span reached by the same path of "service operation" keys from
// the roots: spans of equal key under one merged parent merge, in either trace. Node =
//   {index, service, operation, countA, countB, durationA, durationB (µs, summed over its spans),
//    state, children, depth (0 for roots), size (nodes in its subtree, itself included),
//    changedBelow (true when it or a descendant is not "same")}
// state: 'added' (only in B), 'removed' (only in A), 'changed' (in both, counts differ), 'same'.
// Siblings are ordered by their earliest start relative to their own trace's start.
// Linear in the number of spans apart from sorting siblings; no recursion, so deep traces are safe.

const KEY_SEPARATOR = '\u0000';

export function compareTraces(a, b) {
  const top = { children: [], depth: -1 };
  // Each entry: a merged node and the spans of A and of B that merge into its children.
  const pending = [{ node: top, spansA: a?.roots || [], spansB: b?.roots || [] }];
  const startA = a?.startTime || 0;
  const startB = b?.startTime || 0;
  while (pending.length > 0) {
    const { node, spansA, spansB } = pending.pop();
    const groups = new Map();
    collectChildren(groups, spansA, 'spansA', startA);
    collectChildren(groups, spansB, 'spansB', startB);
    for (const group of [...groups.values()].sort(byFirstStart)) {
      const child = mergedNode(group, node.depth + 1);
      node.children.push(child);
      pending.push({ node: child, spansA: childSpans(group.spansA), spansB: childSpans(group.spansB) });
    }
  }
  const nodes = flatten(top.children);
  return { roots: top.children, nodes, totals: summarize(nodes) };
}

// Adds `spans` of one trace to `groups` (to each group's list named `side`: spansA or spansB),
// keyed by service and operation.
function collectChildren(groups, spans, side, traceStart) {
  for (const span of spans) {
    const { serviceName: service, operationName: operation } = span;
    const key = service + KEY_SEPARATOR + operation;
    let group = groups.get(key);
    if (!group) {
      group = { service, operation, spansA: [], spansB: [], firstStart: Infinity };
      groups.set(key, group);
    }
    group[side].push(span);
    group.firstStart = Math.min(group.firstStart, (span.startTime || 0) - traceStart);
  }
}

function childSpans(spans) {
  const children = [];
  for (const span of spans) {
    for (const child of span.children) children.push(child);
  }
  return children;
}

function byFirstStart(x, y) {
  return x.firstStart - y.firstStart;
}

function mergedNode(group, depth) {
  const countA = group.spansA.length;
  const countB = group.spansB.length;
  return {
    index: -1,
    service: group.service,
    operation: group.operation,
    countA,
    countB,
    durationA: sumDurations(group.spansA),
    durationB: sumDurations(group.spansB),
    state: stateOf(countA, countB),
    children: [],
    depth,
    size: 1,
    changedBelow: false,
  };
}

function stateOf(countA, countB) {
  if (countA === 0) return 'added';
  if (countB === 0) return 'removed';
  return countA === countB ? 'same' : 'changed';
}

function sumDurations(spans) {
  let total = 0;
  for (const span of spans) total += span.duration || 0;
  return total;
}

// Depth-first order; then, walking it backwards (children before parents), each node's size and
// whether anything below it changed.
function flatten(roots) {
  const nodes = [];
  const stack = roots.slice().reverse();
  while (stack.length > 0) {
    const node = stack.pop();
    node.index = nodes.length;
    nodes.push(node);
    for (let i = node.children.length - 1; i >= 0; i--) stack.push(node.children[i]);
  }
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    node.changedBelow = node.changedBelow || node.state !== 'same';
    for (const child of node.children) {
      node.size += child.size;
      node.changedBelow = node.changedBelow || child.changedBelow;
    }
  }
  return nodes;
}

function summarize(nodes) {
  const totals = { added: 0, removed: 0, changed: 0, same: 0 };
  for (const node of nodes) totals[node.state]++;
  return totals;
}
