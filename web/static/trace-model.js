// The trace model every page shares: one trace of the API's JSON (reference §4.3) turned into a
// tree of spans in display order, plus the critical path and find-in-trace. Pure: no DOM, importable
// from node tests. Every function is O(n log n) in the number of spans at worst.
//
// buildTrace(jaegerTrace) → Trace
//   jaegerTrace: one element of /api/traces' `data` ({traceID, spans, processes, warnings}).
//   Trace = {traceID, spans (depth-first, children by startTime), byId: Map<spanID, Span>, roots,
//            startTime, endTime, duration (µs), depth (levels), services: [{name, count}] by count
//            desc then name, errorCount, warnings: string[] (the trace's own and the model's)}
//   Span = {index, spanID, traceID, parentID ('' for roots), parent, children, depth, operationName,
//           serviceName, process: {serviceName, tags}, startTime, duration, endTime, relStart,
//           tags, logs, references, warnings (the span's own, from the adjusters), kind, error}
//   The parent is the first CHILD_OF reference whose span is in the trace, else the first
//   FOLLOWS_FROM one. A span whose same-trace CHILD_OF parent is missing becomes a root with a
//   warning; spans caught in a reference cycle become roots too (with a warning), never a hang.
//
// criticalPath(trace) → Map<spanIndex, Array<[startUs, endUs]>>
//   Every span on the critical path is a key; its value lists, in time order and in absolute µs
//   (like span.startTime), the segments where the span itself is the one being waited for. A span
//   whose children cover all of its time on the path has an empty list. Spans that take no time
//   (within their parent's) are never on the path.
//
// findSpans(trace, text) → Set<spanIndex>
//   The spans in which every whitespace-separated term of `text` (case-insensitive) occurs in the
//   operation, service, span id, or a key or value of a tag, process tag or log field.
//   Blank text finds nothing. The first call on a trace indexes it (linear in its size).
//
// normalizeTraceID(id) → the id lower-cased without leading zeros ("00AB" and "ab" are one trace).

const SPAN_KINDS = new Set(['server', 'client', 'producer', 'consumer', 'internal']);
const NO_PROCESS = Object.freeze({ serviceName: '', tags: [] });

export function buildTrace(jaegerTrace) {
  const traceID = String(jaegerTrace.traceID || '');
  const warnings = [...(jaegerTrace.warnings || [])];
  const spans = createSpans(jaegerTrace, traceID);
  const byId = indexById(spans, warnings);
  linkParents(spans, byId, traceID, warnings);
  const roots = spans.filter((span) => span.parent === null).sort(byStartTime);
  for (const span of spans) if (span.children.length > 1) span.children.sort(byStartTime);
  const ordered = depthFirst(spans, roots, warnings);
  return summarize(traceID, ordered, byId, roots, warnings);
}

function createSpans(jaegerTrace, traceID) {
  const processes = jaegerTrace.processes || {};
  const sharedProcesses = new Map();  // one {serviceName, tags} per process id
  const rawSpans = jaegerTrace.spans || [];
  const traceStart = earliestStart(rawSpans);
  const spans = new Array(rawSpans.length);
  for (let i = 0; i < rawSpans.length; i++) {
    const raw = rawSpans[i];
    let process = sharedProcesses.get(raw.processID);
    if (!process) {
      process = toProcess(processes[raw.processID] || raw.process || NO_PROCESS);
      if (raw.processID !== undefined) sharedProcesses.set(raw.processID, process);
    }
    spans[i] = createSpan(raw, process, traceID, traceStart);
  }
  return spans;
}

// Known before the spans are made, so that relStart is written once (rewriting a number field
// of 50,000 objects with another representation would cost a migration of each).
function earliestStart(rawSpans) {
  let earliest = Infinity;
  for (const raw of rawSpans) earliest = Math.min(earliest, Number(raw.startTime) || 0);
  return rawSpans.length ? earliest : 0;
}

function toProcess(process) {
  return { serviceName: String(process.serviceName || ''), tags: process.tags || [] };
}

function createSpan(raw, process, traceID, traceStart) {
  const tags = raw.tags || [];
  const startTime = Number(raw.startTime) || 0;
  const duration = Number(raw.duration) || 0;
  const span = {
    index: -1,
    spanID: String(raw.spanID || ''),
    traceID: String(raw.traceID || traceID),
    parentID: '',
    parent: null,
    children: [],
    depth: 0,
    operationName: String(raw.operationName || ''),
    serviceName: process.serviceName,
    process,
    startTime,
    duration,
    endTime: startTime + duration,
    relStart: startTime - traceStart,
    tags,
    logs: raw.logs || [],
    references: raw.references || [],
    warnings: raw.warnings || [],
    kind: '',
    error: false,
  };
  classify(span, tags);
  return span;
}

// Sets the span's kind and error from its tags.
function classify(span, tags) {
  for (const tag of tags) {
    if (tag.key === 'span.kind') {
      const value = String(tag.value).toLowerCase();
      if (SPAN_KINDS.has(value)) span.kind = value;
    } else if (tag.key === 'error') {
      if (tag.value === true || String(tag.value).toLowerCase() === 'true') span.error = true;
    } else if (tag.key === 'otel.status_code') {
      if (String(tag.value).toUpperCase() === 'ERROR') span.error = true;
    }
  }
}

function indexById(spans, warnings) {
  const byId = new Map();
  for (const span of spans) {
    if (byId.has(span.spanID)) warnings.push(`span id ${span.spanID} occurs more than once`);
    else byId.set(span.spanID, span);
  }
  return byId;
}

function linkParents(spans, byId, traceID, warnings) {
  const sameTrace = sameTraceTest(traceID);
  for (const span of spans) {
    const parent = chooseParent(span, byId, sameTrace);
    if (parent) {
      span.parent = parent;
      span.parentID = parent.spanID;
      parent.children.push(span);
      continue;
    }
    const missing = span.references.find((ref) => ref.refType === 'CHILD_OF' && sameTrace(ref));
    if (missing) warnings.push(`span ${span.spanID}'s parent ${missing.spanID} is not in the trace`);
  }
}

function chooseParent(span, byId, sameTrace) {
  let followsFrom = null;
  for (const ref of span.references) {
    if (!sameTrace(ref)) continue;
    const target = byId.get(String(ref.spanID));
    if (!target || target === span) continue;
    if (ref.refType === 'CHILD_OF') return target;
    if (ref.refType === 'FOLLOWS_FROM' && !followsFrom) followsFrom = target;
  }
  return followsFrom;
}

// A test of whether a reference points into the trace `traceID`. Trace ids compare without case
// and leading zeros ("00ab" and "AB" are one trace); a reference without one is in the trace.
function sameTraceTest(traceID) {
  const own = normalizeTraceID(traceID);
  return (ref) => !ref.traceID || ref.traceID === traceID || normalizeTraceID(ref.traceID) === own;
}

// A trace id in the form ids compare in: lower case, no leading zeros.
export function normalizeTraceID(id) {
  return String(id).toLowerCase().replace(/^0+/, '');
}

function byStartTime(a, b) {
  return a.startTime - b.startTime;
}

// Spans in depth-first order from the roots, with index and depth set. Spans no root reaches hang
// from a reference cycle: the cycle's earliest span is cut from its parent and becomes a root,
// until every span is placed. `roots` gains those spans.
function depthFirst(spans, roots, warnings) {
  const ordered = [];
  for (const root of roots) visit(root, ordered);
  if (ordered.length === spans.length) return ordered;
  for (const span of spans.filter((one) => one.index < 0).sort(byStartTime)) {
    if (span.index >= 0) continue;
    const cut = earliestInCycle(span);
    warnings.push(`span ${cut.spanID} is part of a reference cycle; it is shown as a root`);
    detach(cut);
    roots.push(cut);
    visit(cut, ordered);
  }
  roots.sort(byStartTime);
  return reorderRoots(ordered, roots);
}

// The earliest span of the cycle that `span` (unreached from any root) hangs from.
function earliestInCycle(span) {
  const walked = new Set();
  let cursor = span;
  while (!walked.has(cursor)) {
    walked.add(cursor);
    cursor = cursor.parent;
  }
  let earliest = cursor;
  for (let member = cursor.parent; member !== cursor; member = member.parent) {
    if (member.startTime < earliest.startTime) earliest = member;
  }
  return earliest;
}

// Appends the subtree of `root` to `ordered`, setting depth and index (-1 marks a span not yet
// placed).
function visit(root, ordered) {
  const stack = [root];
  root.depth = 0;
  while (stack.length) {
    const span = stack.pop();
    span.index = ordered.length;
    ordered.push(span);
    for (let i = span.children.length - 1; i >= 0; i--) {
      const child = span.children[i];
      if (child.index >= 0) continue;
      child.depth = span.depth + 1;
      stack.push(child);
    }
  }
}

function detach(span) {
  const siblings = span.parent.children;
  siblings.splice(siblings.indexOf(span), 1);
  span.parent = null;
  span.parentID = '';
}

// After cycle roots were added, the subtrees must follow the roots' start-time order.
function reorderRoots(ordered, roots) {
  const subtreeOf = new Map();
  let current = null;
  for (const span of ordered) {
    if (span.depth === 0) {
      current = [];
      subtreeOf.set(span, current);
    }
    current.push(span);
  }
  return roots.flatMap((root) => subtreeOf.get(root));
}

function summarize(traceID, spans, byId, roots, warnings) {
  let startTime = Infinity;
  let endTime = -Infinity;
  let depth = 0;
  let errorCount = 0;
  const serviceCounts = new Map();
  for (let i = 0; i < spans.length; i++) {
    const span = spans[i];
    span.index = i;
    if (span.startTime < startTime) startTime = span.startTime;
    if (span.endTime > endTime) endTime = span.endTime;
    if (span.depth + 1 > depth) depth = span.depth + 1;
    if (span.error) errorCount++;
    serviceCounts.set(span.serviceName, (serviceCounts.get(span.serviceName) || 0) + 1);
  }
  if (spans.length === 0) {
    startTime = 0;
    endTime = 0;
  }
  const services = [...serviceCounts].map(([name, count]) => ({ name, count }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    traceID, spans, byId, roots, startTime, endTime, duration: endTime - startTime, depth, services,
    errorCount, warnings,
  };
}

// ---- critical path ------------------------------------------------------------------------------

// The classic walk backwards from the end: within a span's window, the last-finishing child that
// ends at or before the cursor is on the path and is walked the same way; the time between it and
// the cursor is the span's own; the cursor then moves to the child's start. Children are clipped
// to their parent's window (a child ending after its parent counts up to the parent's end). Roots
// are walked as children of the whole trace. Iterative, so a 50,000-deep chain does not overflow.
export function criticalPath(trace) {
  const path = new Map();
  if (trace.spans.length === 0) return path;
  const byEndDesc = (a, b) => b.endTime - a.endTime;
  const sortedKids = (span) => span.children.slice().sort(byEndDesc);
  const stack = [frame(null, trace.roots.slice().sort(byEndDesc), trace.startTime, trace.endTime)];
  while (stack.length) {
    const top = stack[stack.length - 1];
    const child = nextOnPath(top);
    if (child) {
      const end = Math.min(child.endTime, top.hi);
      const start = Math.max(child.startTime, top.lo);
      if (top.span && end < top.cursor) path.get(top.span.index).push([end, top.cursor]);
      top.cursor = start;
      path.set(child.index, []);
      stack.push(frame(child, sortedKids(child), start, end));
    } else {
      if (top.span && top.cursor > top.lo) path.get(top.span.index).push([top.lo, top.cursor]);
      stack.pop();
    }
  }
  for (const segments of path.values()) segments.reverse();
  return path;
}

function frame(span, kids, lo, hi) {
  return { span, kids, lo, hi, cursor: hi, next: 0 };
}

// The next child of the frame on the path, or null. Kids are sorted by end descending and the
// cursor only moves back, so a kid passed over is never wanted again.
function nextOnPath(top) {
  while (top.next < top.kids.length) {
    const kid = top.kids[top.next++];
    const end = Math.min(kid.endTime, top.hi);
    const start = Math.max(kid.startTime, top.lo);
    if (start >= end) continue;  // takes no time inside the window: nothing waits for it
    if (end <= top.cursor) return kid;
  }
  return null;
}

// ---- find ---------------------------------------------------------------------------------------

const haystacks = new WeakMap();  // trace → the lower-cased searchable text of each span

export function findSpans(trace, text) {
  const found = new Set();
  const terms = String(text || '').toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return found;
  const texts = searchableTexts(trace);
  for (let i = 0; i < texts.length; i++) {
    if (terms.every((term) => texts[i].includes(term))) found.add(i);
  }
  return found;
}

function searchableTexts(trace) {
  let texts = haystacks.get(trace);
  if (!texts) {
    texts = trace.spans.map(searchableText);
    haystacks.set(trace, texts);
  }
  return texts;
}

// The span's fields joined by newlines: a term holds no whitespace, so it never matches across two.
function searchableText(span) {
  const parts = [span.operationName, span.serviceName, span.spanID];
  addKeyValues(parts, span.tags);
  addKeyValues(parts, span.process.tags);
  for (const log of span.logs) addKeyValues(parts, log.fields || []);
  return parts.join('\n').toLowerCase();
}

function addKeyValues(parts, keyValues) {
  for (const kv of keyValues) parts.push(String(kv.key), String(kv.value));
}
