// What the search page shows of each trace it found, and the orders it can list them in. Pure: no
// DOM, importable from node tests.
//
// summarizeTrace(jaegerTrace) → Summary = {traceID, service, operation (of the root span: the
//   earliest span with no parent in the trace, as trace-model.js places them), startTime, duration
//   (µs), spanCount, errorCount, services: [{name, count}] by count desc then name}
// sortSummaries(summaries, order) → a new array; order is one of SORT_ORDERS' values.

import { buildTrace } from './trace-model.js';

export const SORT_ORDERS = [
  { value: 'recent', label: 'Most recent' },
  { value: 'longest', label: 'Longest first' },
  { value: 'shortest', label: 'Shortest first' },
  { value: 'most-spans', label: 'Most spans' },
  { value: 'least-spans', label: 'Fewest spans' },
];

export function summarizeTrace(jaegerTrace) {
  const trace = buildTrace(jaegerTrace);
  const root = trace.roots[0] || null;
  return {
    traceID: trace.traceID,
    service: root ? root.serviceName : '',
    operation: root ? root.operationName : '',
    startTime: trace.startTime,
    duration: trace.duration,
    spanCount: trace.spans.length,
    errorCount: trace.errorCount,
    services: trace.services,
  };
}

// "service: operation", with placeholders for what the trace lacks.
export function summaryTitle(summary) {
  if (summary.spanCount === 0) return '(a trace with no spans)';
  return `${summary.service || '(unknown service)'}: ${summary.operation || '(no operation name)'}`;
}

const COMPARATORS = {
  recent: (a, b) => b.startTime - a.startTime,
  longest: (a, b) => b.duration - a.duration,
  shortest: (a, b) => a.duration - b.duration,
  'most-spans': (a, b) => b.spanCount - a.spanCount,
  'least-spans': (a, b) => a.spanCount - b.spanCount,
};

// Ties fall back to the most recent first, then the trace id, so the order is always the same.
export function sortSummaries(summaries, order) {
  const primary = COMPARATORS[order] || COMPARATORS.recent;
  return summaries.slice().sort((a, b) =>
    primary(a, b) || COMPARATORS.recent(a, b) || (a.traceID < b.traceID ? -1 : a.traceID > b.traceID ? 1 : 0));
}
