// The compare page. Routes "compare" (no traces yet: a form asking for two trace IDs) and
// "trace/{a}...{b}" (Jaeger's compare URL): both traces' headers side by side, how many merged
// nodes were added, removed, changed or stayed the same, and the merged tree of compare-model.js,
// whose rows are virtualized (only the rows in view are in the DOM) so that two traces of tens of
// thousands of spans stay smooth. Each trace loads on its own and shows its own error.

import { h, clear } from './dom.js';
import { getTrace } from './api.js';
import { buildTrace } from './trace-model.js';
import { compareTraces } from './compare-model.js';
import { formatDuration, formatTimestamp } from './format.js';
import { serviceColor } from './colors.js';

const ROW_HEIGHT = 28;  // px, as .cmp-node's height in compare.css
const OVERSCAN_ROWS = 12;
const INDENT_PX = 16;
const STATE_LABELS = { added: 'Added', removed: 'Removed', changed: 'Changed', same: 'Same' };

export function mount(root, ctx) {
  let shown = null;  // {a, b} of what is on the page
  let teardown = () => {};

  function show(route) {
    const { a = '', b = '' } = route.params;
    if (shown && shown.a === a && shown.b === b) return;
    shown = { a, b };
    teardown();
    clear(root);
    teardown = renderPage(root, ctx, a, b);
  }

  show(ctx.route);
  return {
    update: show,
    unmount: () => teardown(),
  };
}

// Builds the page for traces `a` and `b` (both '' on "compare"); returns what stops it.
function renderPage(root, ctx, a, b) {
  const page = h('div', { class: 'cmp-page' });
  root.append(page);
  page.append(compareForm(ctx, a, b));
  if (!a || !b) {
    ctx.setTitle('Compare traces');
    page.append(h('div', { class: 'state state-empty cmp-intro' },
      h('p', 'Enter two trace IDs to see how their spans differ.'),
      h('p', 'Or tick "Compare" on two results of a ',
        internalLink(ctx, 'search', 'search'), ' and press Compare.')));
    return () => {};
  }
  ctx.setTitle(`Compare ${shortId(a)} … ${shortId(b)}`);
  const controller = new AbortController();
  const cards = { a: traceCard('A', a, ctx), b: traceCard('B', b, ctx) };
  const body = h('div', { class: 'cmp-body' }, h('div', { class: 'state state-loading' }, 'Loading both traces…'));
  page.append(h('div', { class: 'cmp-headers' }, cards.a.element, cards.b.element), body);
  let tree = null;
  const load = (card, traceID) => loadInto(card, traceID, ctx, controller.signal).then((trace) => {
    if (!trace && !controller.signal.aborted) {
      clear(body).append(h('div', { class: 'state state-empty' }, 'Both traces are needed for a comparison.'));
    }
    return trace;
  });
  Promise.all([load(cards.a, a), load(cards.b, b)]).then(([traceA, traceB]) => {
    if (controller.signal.aborted || !traceA || !traceB) return;
    clear(body);
    tree = mergedTreeView(compareTraces(traceA, traceB), body);
  });
  return () => {
    controller.abort();
    if (tree) tree.destroy();
  };
}

// ---- the form ------------------------------------------------------------------------------

function compareForm(ctx, a, b) {
  const inputA = traceIdInput('A', a);
  const inputB = traceIdInput('B', b);
  const problem = h('span', { class: 'field-error', role: 'alert' });
  const go = (first, second) => ctx.navigate(`trace/${encodeURIComponent(first)}...${encodeURIComponent(second)}`);
  const submit = (event) => {
    event.preventDefault();
    const first = inputA.value.trim();
    const second = inputB.value.trim();
    inputA.setAttribute('aria-invalid', String(!first));
    inputB.setAttribute('aria-invalid', String(!second));
    problem.textContent = first && second ? '' : 'Enter both trace IDs.';
    if (first && second) go(first, second);
  };
  const swap = () => {
    if (a && b) go(b, a);
    else [inputA.value, inputB.value] = [inputB.value, inputA.value];
  };
  return h('form', { class: 'cmp-form', dataset: { testid: 'compare-form' }, on: { submit } },
    h('h1', 'Compare traces'),
    h('div', { class: 'cmp-form-fields' },
      h('label', h('span', sideBadge('A'), ' Trace ID'), inputA),
      h('button', { type: 'button', class: 'cmp-swap', title: 'Swap A and B', 'aria-label': 'Swap A and B',
        on: { click: swap } }, '⇄'),
      h('label', h('span', sideBadge('B'), ' Trace ID'), inputB),
      h('button', { type: 'submit', class: 'primary', dataset: { testid: 'compare-submit' } }, 'Compare'),
      problem));
}

function traceIdInput(side, value) {
  return h('input', {
    type: 'text', value, placeholder: 'e.g. 4bf92f3577b34da6a3ce929d0e0e4736', spellcheck: 'false',
    autocomplete: 'off', 'aria-label': `Trace ${side}`, dataset: { testid: `compare-${side.toLowerCase()}` },
  });
}

function sideBadge(side) {
  return h('span', { class: `cmp-side cmp-side-${side.toLowerCase()}` }, side);
}

// ---- the two headers -----------------------------------------------------------------------

function traceCard(side, traceID, ctx) {
  const content = h('div', { class: 'cmp-card-content' }, h('div', { class: 'state state-loading' }, 'Loading…'));
  const lower = side.toLowerCase();
  const element = h('section', { class: `cmp-card cmp-card-${lower}`, dataset: { testid: `compare-card-${lower}` } },
    h('div', { class: 'cmp-card-top' },
      sideBadge(side),
      internalLink(ctx, `trace/${encodeURIComponent(traceID)}`, h('code', traceID), 'cmp-card-id')),
    content);
  return { element, content };
}

// Fetches one trace into its card; resolves to the Trace, or null when it failed (the card says why).
async function loadInto(card, traceID, ctx, signal) {
  try {
    const { trace: jaegerTrace } = await getTrace(traceID, signal);
    const trace = buildTrace(jaegerTrace);
    clear(card.content).append(traceSummary(trace, ctx));
    return trace;
  } catch (error) {
    if (error.name !== 'AbortError') {
      clear(card.content).append(h('div', { class: 'state state-error' }, error.message));
    }
    return null;
  }
}

function traceSummary(trace, ctx) {
  const root = trace.roots[0];
  const title = root ? `${root.serviceName}: ${root.operationName}` : 'No spans';
  const stat = (label, value) => h('div', { class: 'cmp-stat' }, h('dt', label), h('dd', value));
  return h('div', { class: 'cmp-summary-card' },
    h('h2', { class: 'cmp-card-title' },
      internalLink(ctx, `trace/${encodeURIComponent(trace.traceID)}`, title)),
    h('dl', { class: 'cmp-stats' },
      stat('Spans', String(trace.spans.length)),
      stat('Duration', formatDuration(trace.duration)),
      stat('Services', String(trace.services.length)),
      stat('Start', formatTimestamp(trace.startTime))));
}

// ---- the merged tree -----------------------------------------------------------------------

// Renders the totals, the toolbar and the virtualized tree of `result` into `container`;
// returns {destroy()}.
function mergedTreeView(result, container) {
  const { nodes, totals } = result;
  const collapsed = new Set();  // indices of collapsed nodes
  let onlyChanges = false;
  let visible = [];  // node indices in display order
  const rendered = new Map();  // node index → its row element, for the rows in the DOM
  let frame = 0;

  const spacer = h('div', { class: 'cmp-tree-spacer' });
  const scroller = h('div', {
    class: 'cmp-tree', role: 'tree', 'aria-label': 'Merged span tree', dataset: { testid: 'compare-tree' },
    on: { scroll: () => { if (!frame) frame = requestAnimationFrame(paint); } },
  }, spacer);

  function refresh() {
    visible = visibleNodes(nodes, collapsed, onlyChanges);
    spacer.style.height = `${visible.length * ROW_HEIGHT}px`;
    for (const row of rendered.values()) row.remove();
    rendered.clear();
    paint();
  }

  function paint() {
    frame = 0;
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN_ROWS);
    const bottom = scroller.scrollTop + scroller.clientHeight;
    const last = Math.min(visible.length, Math.ceil(bottom / ROW_HEIGHT) + OVERSCAN_ROWS);
    const wanted = new Set(visible.slice(first, last));
    for (const [index, row] of rendered) {
      if (!wanted.has(index)) {
        row.remove();
        rendered.delete(index);
      }
    }
    for (let position = first; position < last; position++) {
      const index = visible[position];
      let row = rendered.get(index);
      if (!row) {
        row = nodeRow(nodes[index], collapsed.has(index), () => toggle(index));
        rendered.set(index, row);
        spacer.append(row);
      }
      row.style.transform = `translateY(${position * ROW_HEIGHT}px)`;
    }
  }

  function toggle(index) {
    if (collapsed.has(index)) collapsed.delete(index);
    else collapsed.add(index);
    refresh();
  }

  // Expands everything, or collapses every subtree below the roots' children.
  function setAll(collapse) {
    collapsed.clear();
    for (const node of nodes) {
      if (collapse && node.depth > 0 && node.children.length > 0) collapsed.add(node.index);
    }
    refresh();
  }

  const onlyChangesBox = h('input', {
    type: 'checkbox', dataset: { testid: 'compare-only-changes' },
    on: { change: () => { onlyChanges = onlyChangesBox.checked; refresh(); } },
  });
  container.append(
    summaryBar(totals, nodes.length),
    h('div', { class: 'cmp-toolbar' },
      h('label', { class: 'cmp-check' }, onlyChangesBox, 'Hide unchanged subtrees'),
      h('span', { class: 'cmp-toolbar-spacer' }),
      h('button', { type: 'button', on: { click: () => setAll(false) } }, 'Expand all'),
      h('button', { type: 'button', on: { click: () => setAll(true) } }, 'Collapse all')),
    h('div', { class: 'cmp-tree-head', 'aria-hidden': 'true' },
      h('span', { class: 'cmp-col-name' }, 'Service and operation'),
      h('span', { class: 'cmp-col-count' }, 'Spans A → B'),
      h('span', { class: 'cmp-col-duration' }, 'Total duration A → B')),
    nodes.length > 0 ? scroller : h('div', { class: 'state state-empty' }, 'Neither trace has spans.'));
  refresh();
  return { destroy: () => cancelAnimationFrame(frame) };
}

// Node indices shown: collapsed subtrees skipped, and unchanged subtrees too when `onlyChanges`.
function visibleNodes(nodes, collapsed, onlyChanges) {
  const out = [];
  for (let i = 0; i < nodes.length;) {
    const node = nodes[i];
    if (onlyChanges && !node.changedBelow) {
      i += node.size;
      continue;
    }
    out.push(i);
    i += collapsed.has(i) ? node.size : 1;
  }
  return out;
}

function summaryBar(totals, nodeCount) {
  const chip = (state) => h('span', { class: `cmp-chip cmp-chip-${state}` },
    h('span', { class: 'cmp-chip-count', dataset: { testid: `compare-${state}` } }, String(totals[state])),
    ` ${STATE_LABELS[state]}`);
  return h('div', { class: 'cmp-summary', dataset: { testid: 'compare-summary' } },
    h('span', { class: 'cmp-summary-label' }, `${nodeCount} merged nodes:`),
    chip('added'), chip('removed'), chip('changed'), chip('same'));
}

function nodeRow(node, isCollapsed, onToggle) {
  const hasChildren = node.children.length > 0;
  const toggle = hasChildren
    ? h('button', {
      type: 'button', class: 'cmp-toggle', 'aria-expanded': String(!isCollapsed),
      'aria-label': isCollapsed ? 'Expand' : 'Collapse', on: { click: onToggle },
    }, isCollapsed ? '▸' : '▾')
    : h('span', { class: 'cmp-toggle-space' });
  const hidden = isCollapsed
    ? h('span', { class: 'badge cmp-hidden', title: `${node.size - 1} nodes below` }, `+${node.size - 1}`)
    : null;
  return h('div', {
    class: `cmp-node cmp-${node.state}`, role: 'treeitem', 'aria-level': String(node.depth + 1),
    title: `${STATE_LABELS[node.state]}: ${node.service} ${node.operation}`,
    dataset: { testid: 'compare-node', state: node.state, depth: String(node.depth) },
  },
  h('span', { class: 'cmp-col-name', style: { paddingLeft: `${node.depth * INDENT_PX}px` } },
    toggle,
    h('span', { class: 'service-swatch', style: { background: serviceColor(node.service) } }),
    h('span', { class: 'cmp-service' }, node.service),
    ' ',
    h('span', { class: 'cmp-operation' }, node.operation),
    hidden),
  h('span', { class: 'cmp-col-count' }, `${node.countA} → ${node.countB}`),
  h('span', { class: 'cmp-col-duration' }, durationChange(node)));
}

function durationChange(node) {
  const side = (duration, count) => (count > 0 ? formatDuration(duration) : '—');
  return `${side(node.durationA, node.countA)} → ${side(node.durationB, node.countB)}`;
}

// ---- small pieces --------------------------------------------------------------------------

// An <a> to a page of the UI that navigates in place on a plain left click.
function internalLink(ctx, path, content, className) {
  return h('a', {
    href: ctx.href(path),
    class: className,
    on: {
      click: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        ctx.navigate(path);
      },
    },
  }, content);
}

function shortId(traceID) {
  return traceID.length > 8 ? traceID.slice(0, 8) : traceID;
}
