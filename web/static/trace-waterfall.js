// The trace page's timeline waterfall: one row per span in the model's depth-first order, with
// collapsible subtrees, a time ruler on top, and only the rows in view (plus an overscan) in the
// DOM, so a 50,000-span trace scrolls as fast as a small one.
//
// createWaterfall(trace, {onSelect(spanIndex), onToggle(spanIndex), onViewport({first, last,
// count}), onRowsChange(rows, count)}) → Waterfall. onRowsChange is called when a collapse or
// expand changed the visible rows (rows: Int32Array of span indexes, valid up to count).
// The element (data-testid=trace-waterfall) is the scroll container; its rows are
// data-testid=span-row with data-span-id and data-depth, and the classes "match", "critical" and
// "selected", in the DOM in display order. Rows are recycled: a row's content is rewritten only
// when it shows another span or the row state (matches, critical path, selection, collapse)
// changed. Scroll work happens once per animation frame; sizes are read before anything is
// written, so no layout is forced in a loop.

import { h } from './dom.js';
import { formatDuration } from './format.js';
import { serviceColor } from './colors.js';

export const ROW_HEIGHT = 24;
const RULER_HEIGHT = 28;
const OVERSCAN = 12;
const SCROLL_MARGIN_ROWS = 2;
const INDENT_PX = 14;
const TOGGLE_PX = 18;
const MAX_INDENT = '45%';       // of the name column: deep spans keep room for their names
const RULER_FRACTIONS = [0, 0.25, 0.5, 0.75, 1];
const LABEL_RIGHT_UNTIL = 80;   // % of the timeline: a bar ending before it has its duration on its right
const LABEL_LEFT_FROM = 12;     // % of the timeline: else a bar starting after it has it on its left

export function createWaterfall(trace, callbacks) {
  return new Waterfall(trace, callbacks);
}

class Waterfall {
  constructor(trace, { onSelect, onToggle, onViewport, onRowsChange }) {
    this.trace = trace;
    this.onSelect = onSelect;
    this.onToggle = onToggle;
    this.onViewport = onViewport;
    this.onRowsChange = onRowsChange;
    const n = trace.spans.length;
    this.subtreeSize = subtreeSizes(trace);
    this.collapsed = new Uint8Array(n);
    this.rows = new Int32Array(n);    // visible row → span index
    this.rowOf = new Int32Array(n);   // span index → visible row, -1 when inside a collapsed subtree
    this.rowCount = 0;
    this.matches = new Set();
    this.critical = null;             // criticalPath()'s map, or null when not shown
    this.selected = -1;
    this.rendered = new Map();        // span index → RowView in the DOM
    this.spare = [];                  // RowViews out of the DOM, for reuse
    this.viewOf = new WeakMap();      // row element → its RowView
    this.viewportHeight = 0;
    this.frame = 0;
    this.buildElement();
    this.computeRows();
  }

  buildElement() {
    this.gridlines = h('div', { class: 'trace-gridlines', 'aria-hidden': 'true' });
    this.rowsBox = h('div', { class: 'trace-rows', role: 'tree', 'aria-label': 'Spans' }, this.gridlines);
    this.element = h('div', {
      class: 'trace-waterfall', 'data-testid': 'trace-waterfall', tabindex: '0',
      on: { scroll: () => this.schedule(), click: (event) => this.handleClick(event) },
    }, ruler(this.trace.duration), this.rowsBox);
    this.resizeObserver = new ResizeObserver(() => {
      this.viewportHeight = this.element.clientHeight;
      this.schedule();
    });
    this.resizeObserver.observe(this.element);
  }

  destroy() {
    this.resizeObserver.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
  }

  // ---- state changes ----

  setMatches(matches) {
    this.matches = matches;
    this.refresh();
  }

  setCriticalPath(path) {
    this.critical = path;
    this.refresh();
  }

  setSelected(spanIndex) {
    this.selected = spanIndex;
    this.refresh();
  }

  isCollapsed(spanIndex) {
    return this.collapsed[spanIndex] === 1;
  }

  setCollapsed(spanIndex, collapsed) {
    if (this.trace.spans[spanIndex].children.length === 0) return;
    if (this.isCollapsed(spanIndex) === collapsed) return;
    this.collapsed[spanIndex] = collapsed ? 1 : 0;
    this.relayout();
  }

  // Collapses every span with children (collapse = true) or expands them all.
  setAllCollapsed(collapse) {
    const spans = this.trace.spans;
    for (let i = 0; i < spans.length; i++) this.collapsed[i] = collapse && spans[i].children.length ? 1 : 0;
    this.relayout();
  }

  // Expands the ancestors of `spanIndex` so that its row is visible.
  reveal(spanIndex) {
    let changed = false;
    for (let span = this.trace.spans[spanIndex].parent; span; span = span.parent) {
      if (this.collapsed[span.index]) {
        this.collapsed[span.index] = 0;
        changed = true;
      }
    }
    if (changed) this.relayout();
  }

  relayout() {
    this.computeRows();
    this.refresh();
    this.onRowsChange(this.rows, this.rowCount);
  }

  computeRows() {
    const { rows, rowOf, collapsed, subtreeSize } = this;
    rowOf.fill(-1);
    let count = 0;
    for (let i = 0; i < rows.length; i += collapsed[i] ? subtreeSize[i] : 1) {
      rows[count] = i;
      rowOf[i] = count++;
    }
    this.rowCount = count;
    this.rowsBox.style.height = `${count * ROW_HEIGHT}px`;
  }

  // Rewrites every row in the DOM on the next frame (after a state change).
  refresh() {
    for (const view of this.rendered.values()) view.stale = true;
    this.schedule();
  }

  // ---- scrolling ----

  schedule() {
    if (!this.frame) {
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.render();
      });
    }
  }

  // The height of the rows' part of the view (below the sticky ruler).
  rowsViewHeight() {
    return Math.max(0, (this.viewportHeight || this.element.clientHeight) - RULER_HEIGHT);
  }

  // Scrolls the least needed to show the row of `spanIndex` (which must be visible) with a margin
  // of a couple of rows, so that moving the selection shows what comes next.
  scrollToSpan(spanIndex) {
    const row = this.rowOf[spanIndex];
    if (row < 0) return;
    const top = row * ROW_HEIGHT;
    const scrollTop = this.element.scrollTop;
    const view = this.rowsViewHeight();
    const margin = Math.min(SCROLL_MARGIN_ROWS * ROW_HEIGHT, Math.max(0, (view - ROW_HEIGHT) / 2));
    if (top - margin < scrollTop) this.element.scrollTop = top - margin;
    else if (top + ROW_HEIGHT + margin > scrollTop + view) this.element.scrollTop = top + ROW_HEIGHT + margin - view;
  }

  // Centres the view on the row at `fraction` (0..1) of all rows.
  scrollToFraction(fraction) {
    const view = this.rowsViewHeight();
    this.element.scrollTop = Math.max(0, fraction * this.rowCount * ROW_HEIGHT - view / 2);
  }

  // The rows at least partly in view: {first, last (exclusive), count}.
  viewport() {
    const scrollTop = this.element.scrollTop;
    const view = this.rowsViewHeight();
    const first = Math.min(this.rowCount, Math.floor(scrollTop / ROW_HEIGHT));
    const last = Math.min(this.rowCount, Math.ceil((scrollTop + view) / ROW_HEIGHT));
    return { first, last, count: this.rowCount };
  }

  render() {
    const port = this.viewport();
    const first = Math.max(0, port.first - OVERSCAN);
    const last = Math.min(this.rowCount, port.last + OVERSCAN);
    for (const [spanIndex, view] of this.rendered) {
      const row = this.rowOf[spanIndex];
      if (row < first || row >= last) {
        view.element.remove();
        this.rendered.delete(spanIndex);
        this.spare.push(view);
      }
    }
    let previous = this.gridlines;
    for (let row = first; row < last; row++) previous = this.renderRow(this.rows[row], row, previous);
    this.onViewport(port);
  }

  // Shows span `spanIndex` at `row`, its element right after `previous` (the rows that stay keep
  // their relative order, so the DOM stays in display order); returns the row's element.
  renderRow(spanIndex, row, previous) {
    let view = this.rendered.get(spanIndex);
    if (!view) {
      view = this.spare.pop() || this.newRowView();
      view.spanIndex = -1;
      this.rendered.set(spanIndex, view);
      previous.after(view.element);
    }
    if (view.spanIndex !== spanIndex || view.stale) this.fillRow(view, spanIndex);
    if (view.row !== row) {
      view.row = row;
      view.element.style.top = `${row * ROW_HEIGHT}px`;
    }
    return view.element;
  }

  newRowView() {
    const view = createRowView();
    this.viewOf.set(view.element, view);
    return view;
  }

  fillRow(view, spanIndex) {
    const span = this.trace.spans[spanIndex];
    const { element } = view;
    view.spanIndex = spanIndex;
    view.stale = false;
    element.dataset.spanId = span.spanID;
    element.dataset.depth = String(span.depth);
    element.setAttribute('aria-level', String(span.depth + 1));
    element.setAttribute('aria-selected', String(spanIndex === this.selected));
    element.classList.toggle('match', this.matches.has(spanIndex));
    element.classList.toggle('selected', spanIndex === this.selected);
    element.classList.toggle('critical', Boolean(this.critical && this.critical.has(spanIndex)));
    element.classList.toggle('error', span.error);
    fillName(view, span, this.collapsed[spanIndex] === 1, this.subtreeSize[spanIndex] - 1);
    fillTimeline(view, span, this.trace, this.critical && this.critical.get(spanIndex));
  }

  handleClick(event) {
    const rowElement = event.target.closest('.span-row');
    if (!rowElement) return;
    const view = this.viewOf.get(rowElement);
    if (!view || view.spanIndex < 0) return;
    if (event.target.closest('.span-toggle')) {
      this.onToggle(view.spanIndex);
    } else {
      this.onSelect(view.spanIndex);
    }
  }
}

// subtree size (the span and all below it) of every span: the spans are in depth-first order, so
// a subtree is the run of spans that starts at its root.
function subtreeSizes(trace) {
  const spans = trace.spans;
  const sizes = new Int32Array(spans.length).fill(1);
  for (let i = spans.length - 1; i >= 0; i--) {
    const parent = spans[i].parent;
    if (parent) sizes[parent.index] += sizes[i];
  }
  return sizes;
}

function ruler(duration) {
  const ticks = RULER_FRACTIONS.map((fraction) => h('span', {
    class: `trace-tick${fraction === 1 ? ' trace-tick-last' : ''}`,
    style: { left: `${fraction * 100}%` },
  }, formatDuration(duration * fraction)));
  return h('div', { class: 'trace-ruler', style: { height: `${RULER_HEIGHT}px` } },
    h('div', { class: 'trace-ruler-name' }, 'Service & Operation'),
    h('div', { class: 'trace-ruler-time' }, ticks));
}

// The DOM of one row, with handles on the parts that change. Kept small (each element costs style,
// layout and paint on every row that scrolls in): the hidden-descendant count and the error mark
// are drawn by CSS from the row's data-hidden attribute and "error" class.
function createRowView() {
  const view = {
    spanIndex: -1,
    row: -1,
    stale: false,
    indent: '',
    toggle: h('button', { class: 'span-toggle', 'data-testid': 'span-toggle', type: 'button', tabindex: '-1' }),
    swatch: h('span', { class: 'service-swatch' }),
    service: h('span', { class: 'span-service' }),
    operation: h('span', { class: 'span-operation' }),
    bar: h('div', { class: 'span-bar', 'data-testid': 'span-bar' }),
    duration: h('span', { class: 'span-duration', 'data-testid': 'span-duration' }),
  };
  view.nameCell = h('div', { class: 'span-name-cell' }, view.swatch,
    h('span', { class: 'span-name', 'data-testid': 'span-name' }, view.service, ' ', view.operation));
  view.element = h('div', { class: 'span-row', 'data-testid': 'span-row', role: 'treeitem' },
    view.nameCell, h('div', { class: 'span-time-cell' }, view.bar, view.duration));
  return view;
}

function fillName(view, span, collapsed, descendants) {
  const hasChildren = span.children.length > 0;
  // A row without a toggle is indented by the toggle's width too, so that names line up.
  const indent = `min(${span.depth * INDENT_PX + (hasChildren ? 0 : TOGGLE_PX) + 4}px, ${MAX_INDENT})`;
  if (view.indent !== indent) {
    view.indent = indent;
    view.nameCell.style.paddingLeft = indent;
  }
  if (hasChildren) {
    view.toggle.setAttribute('aria-expanded', String(!collapsed));
    view.toggle.setAttribute('aria-label', collapsed ? 'Expand' : 'Collapse');
    view.toggle.textContent = collapsed ? '▸' : '▾';
    if (!view.toggle.parentNode) view.nameCell.prepend(view.toggle);
  } else if (view.toggle.parentNode) {
    view.toggle.remove();
  }
  if (collapsed) view.nameCell.dataset.hidden = `+${descendants}`;
  else delete view.nameCell.dataset.hidden;
  view.swatch.style.background = serviceColor(span.serviceName);
  view.service.textContent = span.serviceName;
  view.operation.textContent = span.operationName;
  view.nameCell.title = `${span.serviceName}: ${span.operationName}${span.error ? ' (error)' : ''}`;
}

function fillTimeline(view, span, trace, criticalSegments) {
  const total = trace.duration || 1;
  const left = (span.relStart / total) * 100;
  const width = (span.duration / total) * 100;
  const { bar, duration } = view;
  bar.style.left = `${left}%`;
  bar.style.width = `${width}%`;
  bar.style.background = serviceColor(span.serviceName);
  bar.replaceChildren(...criticalBars(span, criticalSegments));
  duration.textContent = formatDuration(span.duration);
  placeLabel(duration, left, left + width);
}

// The duration goes right of the bar, else left of it, else (a bar across the whole timeline)
// inside its right end.
function placeLabel(label, left, end) {
  const inside = end > LABEL_RIGHT_UNTIL && left < LABEL_LEFT_FROM;
  label.classList.toggle('span-duration-inside', inside);
  if (end <= LABEL_RIGHT_UNTIL) {
    label.style.right = '';
    label.style.left = `${end}%`;
  } else {
    label.style.left = '';
    label.style.right = `${100 - (inside ? end : left)}%`;
  }
}

// Darker pieces of the bar where the span itself is on the critical path.
function criticalBars(span, segments) {
  if (!segments || segments.length === 0 || span.duration <= 0) return [];
  return segments.map(([start, end]) => h('div', {
    class: 'span-critical-segment',
    style: {
      left: `${((start - span.startTime) / span.duration) * 100}%`,
      width: `${((end - start) / span.duration) * 100}%`,
    },
  }));
}
