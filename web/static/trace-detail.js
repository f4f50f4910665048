// The trace page's span detail panel (data-testid=span-detail): the span's tags, its process
// (service and process tags), its logs with their time from the trace's start, its references
// (a span of this trace is selected in place; another trace opens its page) and the adjusters'
// warnings. Every value from the API is set as text.
//
// spanDetail(span, trace, {selectSpan(spanIndex), openTrace(traceID), href(path), close()}) → element

import { h } from './dom.js';
import { formatDuration, formatTimestamp } from './format.js';
import { serviceColor } from './colors.js';
import { normalizeTraceID } from './trace-model.js';

const MAX_LOGS_SHOWN = 1000;

export function spanDetail(span, trace, actions) {
  return h('aside', { class: 'span-detail', 'data-testid': 'span-detail', 'aria-label': 'Span details' },
    header(span, actions),
    summary(span, trace, actions),
    section('Tags', 'span-detail-tags', keyValueTable(span.tags, 'No tags')),
    section('Process', 'span-detail-process', processTable(span.process)),
    section(`Logs (${span.logs.length})`, 'span-detail-logs', logList(span.logs, trace)),
    section('References', 'span-detail-references', referenceList(span, trace, actions)),
    span.warnings.length ? section('Warnings', 'span-detail-warnings', warningList(span.warnings)) : null);
}

function header(span, actions) {
  return h('div', { class: 'span-detail-header' },
    h('h2', { class: 'span-detail-title' },
      h('span', { class: 'service-swatch', style: { background: serviceColor(span.serviceName) } }),
      span.serviceName, ': ', span.operationName),
    h('button', {
      type: 'button', class: 'span-detail-close', 'aria-label': 'Close details', on: { click: actions.close },
    }, '×'));
}

function summary(span, trace, actions) {
  const parent = span.parent
    ? spanButton(span.parent, actions)
    : 'none (a root span)';
  return h('table', { class: 'kv span-detail-summary' }, h('tbody',
    row('Span ID', span.spanID),
    row('Parent', parent),
    row('Start', `${formatDuration(span.relStart)} after the trace's start (${formatTimestamp(span.startTime)})`),
    row('Duration', formatDuration(span.duration)),
    span.kind ? row('Kind', span.kind) : null,
    span.error ? row('Error', h('span', { class: 'badge badge-error' }, 'error')) : null,
    span.children.length ? row('Children', String(span.children.length)) : null));
}

function section(title, testId, body) {
  return h('section', { class: 'span-detail-section', 'data-testid': testId }, h('h3', title), body);
}

function row(key, value) {
  return h('tr', h('td', key), h('td', value));
}

function keyValueTable(pairs, emptyText) {
  if (!pairs || pairs.length === 0) return h('p', { class: 'span-detail-empty' }, emptyText);
  return h('table', { class: 'kv' }, h('tbody', pairs.map((pair) => row(String(pair.key), tagValue(pair)))));
}

function tagValue(pair) {
  const value = pair.value;
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function processTable(process) {
  return h('table', { class: 'kv' }, h('tbody',
    row('service', process.serviceName),
    process.tags.map((pair) => row(String(pair.key), tagValue(pair)))));
}

function logList(logs, trace) {
  if (logs.length === 0) return h('p', { class: 'span-detail-empty' }, 'No logs');
  const shown = logs.slice(0, MAX_LOGS_SHOWN);
  return h('ol', { class: 'span-detail-logs' },
    shown.map((log) => h('li',
      h('div', { class: 'span-detail-log-time' }, formatDuration(Number(log.timestamp) - trace.startTime)),
      keyValueTable(log.fields, 'No fields'))),
    logs.length > shown.length
      ? h('li', { class: 'span-detail-empty' }, `${logs.length - shown.length} more not shown`)
      : null);
}

function referenceList(span, trace, actions) {
  if (span.references.length === 0) return h('p', { class: 'span-detail-empty' }, 'No references');
  return h('ul', { class: 'span-detail-refs' }, span.references.map((ref) => h('li',
    h('span', { class: 'badge' }, String(ref.refType || 'reference')), ' ',
    referenceTarget(ref, trace, actions))));
}

// A span of this trace selects it; another trace's span opens that trace's page.
function referenceTarget(ref, trace, actions) {
  const spanID = String(ref.spanID || '');
  const traceID = String(ref.traceID || trace.traceID);
  const target = sameTrace(traceID, trace.traceID) ? trace.byId.get(spanID) : null;
  if (target) return spanButton(target, actions);
  if (sameTrace(traceID, trace.traceID)) return `span ${spanID} (not in this trace)`;
  const path = `trace/${encodeURIComponent(traceID)}`;
  return h('a', {
    class: 'span-detail-trace-link',
    href: actions.href(path),
    on: { click: (event) => followLink(event, () => actions.openTrace(traceID)) },
  }, `trace ${traceID}, span ${spanID}`);
}

function spanButton(target, actions) {
  return h('button', {
    type: 'button',
    class: 'span-detail-span-link',
    dataset: { spanId: target.spanID },
    on: { click: () => actions.selectSpan(target.index) },
  }, `${target.serviceName}: ${target.operationName}`, h('span', { class: 'mono' }, ` ${target.spanID}`));
}

function sameTrace(a, b) {
  return normalizeTraceID(a) === normalizeTraceID(b);
}

// A plain left click stays in the app; other clicks (new tab, …) keep their meaning.
function followLink(event, go) {
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  go();
}

function warningList(warnings) {
  return h('ul', { class: 'span-detail-warnings' }, warnings.map((warning) => h('li', String(warning))));
}
