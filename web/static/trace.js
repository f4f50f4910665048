// The trace page (route trace/{id}): the header, a toolbar (find, critical path, collapse,
// JSON view and download, archive), the trace's warnings, the minimap, the virtualized waterfall
// and the open span's details, which follow the selection. Keyboard: j/k or ↓/↑ move the
// selection, Home/End go to the first/last row, ←/→ collapse/expand (or go to the parent / first
// child), Enter opens the details, "/" focuses find, Escape clears find (or, when find is empty,
// closes the details); in find, Enter jumps to the next match and Shift+Enter to the previous one.
// Clicking a row selects it and opens its details; clicking it again closes them.
//
// mount(root, ctx) → {unmount()}. Another trace id mounts the page again (no update()).
// Calls performance.mark('ariadne:trace-interactive') once, when the first rows have been painted.

import { h, clear } from './dom.js';
import { getTrace, archiveTrace } from './api.js';
import { formatDuration, formatTimestamp } from './format.js';
import { buildTrace, criticalPath, findSpans } from './trace-model.js';
import { createWaterfall } from './trace-waterfall.js';
import { createMinimap } from './trace-minimap.js';
import { spanDetail } from './trace-detail.js';
import { jsonPreview, downloadText } from './trace-json.js';

const JSON_PREVIEW_CHARS = 2 * 1024 * 1024;
const FIND_DELAY_MS = 150;
const WARNINGS_SHOWN = 10;
const WARNINGS_LISTED = 1000;  // behind "N more"; a trace of 50,000 orphans does not need them all

export function mount(root, ctx) {
  const page = new TracePage(root, ctx);
  page.load();
  return { unmount: () => page.unmount() };
}

class TracePage {
  constructor(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.traceID = ctx.route.params.id;
    this.abort = new AbortController();
    this.raw = null;
    this.trace = null;
    this.critical = null;
    this.matchList = [];
    this.detailIndex = -1;
    this.findTimer = 0;
    this.downloadUrl = null;
    this.onKeyDown = (event) => this.handleKey(event);
  }

  async load() {
    this.ctx.setTitle(`Trace ${this.traceID}`);
    this.root.append(h('div', { class: 'state state-loading' }, `Loading trace ${this.traceID}…`));
    let response;
    try {
      response = await getTrace(this.traceID, this.abort.signal);
    } catch (error) {
      if (error.name !== 'AbortError') this.showError(error);
      return;
    }
    this.raw = response.trace;
    try {
      this.trace = buildTrace(this.raw);
    } catch (error) {
      this.showError(new Error(`the trace's JSON is not a Jaeger trace (${error.message})`));
      return;
    }
    if (this.trace.spans.length === 0) {
      clear(this.root).append(h('div', { class: 'state state-empty' }, `Trace ${this.traceID} has no spans.`));
      return;
    }
    this.render();
    markInteractiveAfterPaint();
  }

  unmount() {
    this.abort.abort();
    document.removeEventListener('keydown', this.onKeyDown);
    clearTimeout(this.findTimer);
    this.waterfall?.destroy();
    this.minimap?.destroy();
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
  }

  // Every failure, a trace the store does not have included, is an error state with the server's
  // own message (for a missing trace: "404: trace not found").
  showError(error) {
    clear(this.root).append(h('div', { class: 'state state-error' },
      `Could not load trace ${this.traceID}: ${error.message}`));
  }

  // ---- building the page ----

  render() {
    const trace = this.trace;
    const root = trace.roots[0];
    this.ctx.setTitle(`${root.serviceName}: ${root.operationName}`);
    this.waterfall = createWaterfall(trace, {
      onSelect: (index) => this.clickSpan(index),
      onToggle: (index) => this.toggleSpan(index),
      onViewport: (port) => this.minimap.setViewport(port),
      onRowsChange: (rows, count) => this.minimap.setRows(rows, count),
    });
    this.minimap = createMinimap(trace, { onScrollTo: (fraction) => this.waterfall.scrollToFraction(fraction) });
    this.minimap.setRows(this.waterfall.rows, this.waterfall.rowCount);
    this.detailBox = h('div', { class: 'trace-detail-box', hidden: true });
    this.body = h('div', { class: 'trace-body' }, this.waterfall.element, this.detailBox);
    this.jsonBox = h('div', { class: 'trace-json-box', hidden: true });
    clear(this.root).append(h('div', { class: 'trace-page' },
      header(trace, root),
      this.toolbar(),
      warnings(trace.warnings),
      this.minimap.element,
      this.body,
      this.jsonBox));
    this.setCriticalPath(this.criticalToggle.checked);
    this.waterfall.render();
    document.addEventListener('keydown', this.onKeyDown);
  }

  toolbar() {
    this.findInput = h('input', {
      type: 'search', class: 'trace-find', 'data-testid': 'trace-find', placeholder: 'Find in trace ( / )',
      'aria-label': 'Find in trace',
      on: { input: () => this.scheduleFind(), keydown: (event) => this.handleFindKey(event) },
    });
    this.findCount = h('span', { class: 'trace-find-count', 'data-testid': 'trace-find-count', role: 'status' });
    this.criticalToggle = h('input', {
      type: 'checkbox', 'data-testid': 'trace-critical-path', checked: this.ctx.config.criticalPathEnabled,
      on: { change: () => this.setCriticalPath(this.criticalToggle.checked) },
    });
    this.jsonButton = h('button', {
      type: 'button', 'data-testid': 'trace-view-json', 'aria-pressed': 'false', on: { click: () => this.toggleJson() },
    }, 'View JSON');
    return h('div', { class: 'trace-toolbar' },
      this.findInput, this.findCount,
      h('label', { class: 'trace-check' }, this.criticalToggle, 'Critical path'),
      h('button', { type: 'button', on: { click: () => this.setAllCollapsed(true) } }, 'Collapse all'),
      h('button', { type: 'button', on: { click: () => this.setAllCollapsed(false) } }, 'Expand all'),
      h('span', { class: 'trace-toolbar-spacer' }),
      this.jsonButton,
      h('button', { type: 'button', 'data-testid': 'trace-download-json', on: { click: () => this.download() } },
        'Download JSON'),
      this.ctx.config.archiveEnabled ? this.archiveControl() : null);
  }

  archiveControl() {
    const status = h('span', { class: 'trace-archive-status', role: 'status' });
    const button = h('button', { type: 'button', 'data-testid': 'trace-archive' }, 'Archive');
    button.addEventListener('click', async () => {
      button.disabled = true;
      status.className = 'trace-archive-status';
      status.textContent = 'Archiving…';
      try {
        await archiveTrace(this.trace.traceID || this.traceID);
        status.textContent = 'Archived';
        status.classList.add('trace-archive-ok');
      } catch (error) {
        status.textContent = `Archiving failed: ${error.message}`;
        status.classList.add('trace-archive-error');
      } finally {
        button.disabled = false;
      }
    });
    return h('span', { class: 'trace-archive' }, button, status);
  }

  // ---- selection, collapse, details ----

  clickSpan(index) {
    if (index === this.waterfall.selected && this.detailIndex === index) this.closeDetail();
    else this.selectSpan(index, { open: true });
  }

  // Selects the span (expanding its ancestors), scrolls to it, and shows its details when `open`
  // or when details are already showing.
  selectSpan(index, { open = false } = {}) {
    this.waterfall.reveal(index);
    this.waterfall.setSelected(index);
    this.waterfall.scrollToSpan(index);
    if (open || this.detailIndex >= 0) this.openDetail(index);
  }

  toggleSpan(index) {
    this.setCollapsed(index, !this.waterfall.isCollapsed(index));
  }

  setCollapsed(index, collapsed) {
    this.waterfall.setCollapsed(index, collapsed);
    this.afterCollapse();
  }

  setAllCollapsed(collapsed) {
    this.waterfall.setAllCollapsed(collapsed);
    this.afterCollapse();
  }

  // A selected span hidden by a collapse gives the selection to its visible ancestor.
  afterCollapse() {
    const waterfall = this.waterfall;
    let selected = waterfall.selected;
    if (selected >= 0 && waterfall.rowOf[selected] < 0) {
      let span = this.trace.spans[selected];
      while (waterfall.rowOf[span.index] < 0) span = span.parent;
      selected = span.index;
      waterfall.setSelected(selected);
      if (this.detailIndex >= 0) this.openDetail(selected);
    }
  }

  openDetail(index) {
    this.detailIndex = index;
    const span = this.trace.spans[index];
    this.detailBox.replaceChildren(spanDetail(span, this.trace, {
      selectSpan: (target) => this.selectSpan(target, { open: true }),
      openTrace: (traceID) => this.ctx.navigate(`trace/${encodeURIComponent(traceID)}`),
      href: this.ctx.href,
      close: () => this.closeDetail(),
    }));
    this.detailBox.hidden = false;
  }

  closeDetail() {
    this.detailIndex = -1;
    this.detailBox.hidden = true;
    this.detailBox.replaceChildren();
  }

  setCriticalPath(on) {
    if (on && !this.critical) this.critical = criticalPath(this.trace);
    this.waterfall.setCriticalPath(on ? this.critical : null);
  }

  // ---- find ----

  scheduleFind() {
    clearTimeout(this.findTimer);
    this.findTimer = setTimeout(() => this.runFind(), FIND_DELAY_MS);
  }

  runFind() {
    clearTimeout(this.findTimer);
    this.findTimer = 0;
    const text = this.findInput.value;
    const matches = findSpans(this.trace, text);
    this.matchList = [...matches].sort((a, b) => a - b);
    this.waterfall.setMatches(matches);
    this.minimap.setMatches(matches);
    const n = matches.size;
    this.findCount.textContent = text.trim() ? `${n} ${n === 1 ? 'match' : 'matches'}` : '';
  }

  clearFind() {
    this.findInput.value = '';
    this.runFind();
  }

  // The next (or previous) match after the selection, wrapping around.
  jumpToMatch(step) {
    if (this.findTimer) this.runFind();
    const list = this.matchList;
    if (list.length === 0) return;
    const selected = this.waterfall.selected;
    let target;
    if (step > 0) target = list.find((index) => index > selected) ?? list[0];
    else target = list.findLast((index) => index < selected) ?? list[list.length - 1];
    this.selectSpan(target);
  }

  handleFindKey(event) {
    if (event.key === 'Enter') {
      event.preventDefault();
      this.jumpToMatch(event.shiftKey ? -1 : 1);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      this.clearFind();
      this.findInput.blur();
    }
  }

  // ---- keyboard ----

  handleKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!this.jsonBox.hidden) return;
    const target = event.target;
    if (target.closest?.('input, textarea, select, [contenteditable]')) return;
    const onControl = target.closest?.('button, a, summary');
    const action = this.keyAction(event.key, Boolean(onControl));
    if (action) {
      event.preventDefault();
      action();
    }
  }

  keyAction(key, onControl) {
    switch (key) {
      case 'j': case 'ArrowDown': return () => this.moveSelection(1);
      case 'k': case 'ArrowUp': return () => this.moveSelection(-1);
      case 'ArrowLeft': return () => this.collapseOrUp();
      case 'ArrowRight': return () => this.expandOrDown();
      case 'Home': return () => this.selectRow(0);
      case 'End': return () => this.selectRow(this.waterfall.rowCount - 1);
      case 'Enter': return onControl ? null : () => this.openSelectedDetail();
      case '/': return () => this.findInput.focus();
      case 'Escape': return () => this.escape();
      default: return null;
    }
  }

  moveSelection(step) {
    const waterfall = this.waterfall;
    if (waterfall.selected < 0) {
      this.selectRow(waterfall.viewport().first);
      return;
    }
    this.selectRow(waterfall.rowOf[waterfall.selected] + step);
  }

  selectRow(row) {
    const waterfall = this.waterfall;
    if (waterfall.rowCount === 0) return;
    this.selectSpan(waterfall.rows[Math.min(waterfall.rowCount - 1, Math.max(0, row))]);
  }

  collapseOrUp() {
    const index = this.waterfall.selected;
    if (index < 0) return;
    const span = this.trace.spans[index];
    if (span.children.length && !this.waterfall.isCollapsed(index)) this.setCollapsed(index, true);
    else if (span.parent) this.selectSpan(span.parent.index);
  }

  expandOrDown() {
    const index = this.waterfall.selected;
    if (index < 0) return;
    const span = this.trace.spans[index];
    if (this.waterfall.isCollapsed(index)) this.setCollapsed(index, false);
    else if (span.children.length) this.selectSpan(span.children[0].index);
  }

  openSelectedDetail() {
    const index = this.waterfall.selected;
    if (index >= 0 && this.detailIndex !== index) this.openDetail(index);
  }

  // Escape clears the find box; when it is empty, it closes the details.
  escape() {
    if (this.findInput.value) this.clearFind();
    else if (this.detailIndex >= 0) this.closeDetail();
  }

  // ---- JSON ----

  toggleJson() {
    const showJson = this.jsonBox.hidden;
    if (showJson && !this.jsonBox.firstChild) this.jsonBox.append(...jsonView(this.raw));
    this.jsonBox.hidden = !showJson;
    this.body.hidden = showJson;
    this.minimap.element.hidden = showJson;
    this.jsonButton.textContent = showJson ? 'View timeline' : 'View JSON';
    this.jsonButton.setAttribute('aria-pressed', String(showJson));
  }

  download() {
    if (this.downloadUrl) URL.revokeObjectURL(this.downloadUrl);
    const blob = new Blob([downloadText(this.raw)], { type: 'application/json' });
    this.downloadUrl = URL.createObjectURL(blob);
    const id = this.trace.traceID || this.traceID;
    const link = h('a', { href: this.downloadUrl, download: `trace-${id}.json`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
  }
}

// ---- pieces without state ----

function header(trace, root) {
  const item = (label, testId, value, title) => h('div', { class: 'trace-fact', title },
    h('span', { class: 'trace-fact-label' }, label),
    h('span', { class: 'trace-fact-value', 'data-testid': testId }, value));
  return h('header', { class: 'trace-header', 'data-testid': 'trace-header' },
    h('h1', { class: 'trace-title' },
      h('span', { 'data-testid': 'trace-title' }, `${root.serviceName}: ${root.operationName}`),
      h('span', { class: 'trace-id mono' }, trace.traceID)),
    h('div', { class: 'trace-facts' },
      item('Start', 'trace-start', formatTimestamp(trace.startTime)),
      item('Duration', 'trace-duration', formatDuration(trace.duration)),
      item('Services', 'trace-services', String(trace.services.length),
        trace.services.map((service) => `${service.name} (${service.count})`).join(', ')),
      item('Depth', 'trace-depth', String(trace.depth)),
      item('Total spans', 'trace-span-count', String(trace.spans.length)),
      trace.errorCount
        ? h('span', { class: 'badge badge-error' }, `${trace.errorCount} error${trace.errorCount === 1 ? '' : 's'}`)
        : null));
}

function warnings(list) {
  if (list.length === 0) return null;
  const shown = list.slice(0, WARNINGS_SHOWN).map((warning) => h('li', String(warning)));
  const rest = list.slice(WARNINGS_SHOWN, WARNINGS_LISTED);
  const unlisted = list.length - WARNINGS_SHOWN - rest.length;
  return h('div', { class: 'state state-warning trace-warnings', 'data-testid': 'trace-warnings' },
    h('strong', list.length === 1 ? 'Warning' : `${list.length} warnings`),
    h('ul', shown),
    rest.length ? h('details', h('summary', `${list.length - WARNINGS_SHOWN} more`),
      h('ul', rest.map((warning) => h('li', String(warning))),
        unlisted > 0 ? h('li', `… and ${unlisted} more`) : null)) : null);
}

function jsonView(raw) {
  const preview = jsonPreview(raw, JSON_PREVIEW_CHARS);
  return [
    preview.truncated
      ? h('p', { class: 'state state-warning' },
        'The JSON is long: only its first 2 MB are shown. "Download JSON" saves all of it.')
      : null,
    h('pre', { class: 'trace-json', 'data-testid': 'trace-json' }, preview.text),
  ].filter(Boolean);
}

// performance.mark('ariadne:trace-interactive') after the frame with the first rows was painted.
function markInteractiveAfterPaint() {
  requestAnimationFrame(() => setTimeout(() => performance.mark('ariadne:trace-interactive'), 0));
}
