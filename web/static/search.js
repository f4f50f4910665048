// The search page (routes "" and "search"): the form on the left; the results on the right as a
// scatter plot of duration over time and a sortable list, from which one trace opens or two are
// compared. The query lives in the URL (search-query.js): Find navigates to it, and mount() and
// update(route) run the search the URL names, so back and forward, reloads and shared links all
// show the same results while the form keeps its state.

import { h, clear } from './dom.js';
import { getServices, searchTraces } from './api.js';
import { serviceColor } from './colors.js';
import { formatAgo, formatDuration, formatTimestamp } from './format.js';
import {
  apiParamsFromQuery, formErrors, formFromQuery, hasSearch, queryFromForm, searchWindow,
} from './search-query.js';
import { SORT_ORDERS, sortSummaries, summarizeTrace, summaryTitle } from './search-summary.js';
import { createSearchForm } from './search-form.js';
import { createScatter } from './search-scatter.js';

const LAST_SERVICE_KEY = 'ariadne.search.lastService';

export function mount(root, ctx) {
  const maxLimit = ctx.config.searchMaxLimit;
  const results = h('section', { class: 'search-results', 'data-testid': 'search-results', 'aria-live': 'polite' });
  const form = createSearchForm({ maxLimit, onSubmit: submit, validate: (fields) => formErrors(fields, maxLimit) });
  const scatter = createScatter({
    hrefOf: (traceID) => ctx.href(`trace/${traceID}`),
    onOpen: (traceID) => ctx.navigate(`trace/${traceID}`),
  });
  const servicesRequest = new AbortController();
  let searchRequest = null;
  let currentQuery = ctx.route.query;
  let sortOrder = 'recent';
  let servicesKnown = null;  // the service names, once loaded

  root.append(h('div', { class: 'search-page' }, h('aside', { class: 'search-side' }, form.element), results));

  function submit(fields) {
    const outcome = queryFromForm(fields, Date.now(), maxLimit);
    if (!outcome.ok) {
      form.showErrors(outcome.errors);
      return;
    }
    const same = outcome.query.toString() === currentQuery.toString();
    ctx.navigate(`search?${outcome.query}`, { replace: same });
  }

  function show(route) {
    currentQuery = route.query;
    form.fill(formFromQuery(route.query, Date.now()));
    if (hasSearch(route.query)) runSearch(route.query);
    else showHint();
  }

  function showHint() {
    searchRequest?.abort();
    ctx.setTitle('Search');
    const none = servicesKnown !== null && servicesKnown.length === 0;
    clear(results).append(h('div', { class: 'state search-hint' }, none
      ? 'No service has sent any spans yet. Send some, then search here.'
      : 'Pick a service and press Find Traces to see its traces.'));
  }

  async function runSearch(query) {
    searchRequest?.abort();
    const request = new AbortController();
    searchRequest = request;
    const service = query.get('service');
    ctx.setTitle(service ? `Search: ${service}` : 'Search');
    if (service) remember(service);
    clear(results).append(h('div', { class: 'state state-loading' }, 'Searching…'));
    try {
      const { traces, errors } = await searchTraces(apiParamsFromQuery(query, Date.now()), request.signal);
      if (request !== searchRequest) return;
      showResults(query, traces.map(summarizeTrace), errors);
    } catch (error) {
      if (error.name === 'AbortError' || request !== searchRequest) return;
      clear(results).append(h('div', { class: 'state state-error' }, `The search failed: ${error.message}`));
    }
  }

  function showResults(query, summaries, errors) {
    clear(results);
    if (errors.length) results.append(errorWarning(errors));
    if (summaries.length === 0) {
      results.append(h('div', { class: 'state state-empty' },
        'No trace matches this search. Try a longer lookback or fewer filters.'));
      return;
    }
    const view = createResultsView({ ctx, query, summaries, scatter, sortOrder, onSort: (order) => {
      sortOrder = order;
    } });
    results.append(view);
    scatter.render(summaries);
  }

  async function loadServices() {
    try {
      servicesKnown = await getServices(servicesRequest.signal);
      form.setServices(servicesKnown, recall());
      if (!hasSearch(currentQuery)) showHint();
    } catch (error) {
      if (error.name === 'AbortError') return;
      form.showErrors({ service: `Could not load the services: ${error.message}` }, 'service');
    }
  }

  show(ctx.route);
  loadServices();
  return {
    update: show,
    unmount() {
      servicesRequest.abort();
      searchRequest?.abort();
      form.destroy();
      scatter.destroy();
    },
  };
}

// ---- the results ---------------------------------------------------------------------------------

// The results header (count, time range, sort, Compare), the scatter plot and the list.
function createResultsView({ ctx, query, summaries, scatter, sortOrder, onSort }) {
  const selected = new Set();  // trace ids ticked for comparison
  const list = h('div', { class: 'search-list' });
  const compare = h('button', { type: 'button', 'data-testid': 'search-compare', disabled: true,
    title: 'Tick two traces to compare them', on: { click: () => {
      const [a, b] = [...selected];
      ctx.navigate(`trace/${a}...${b}`);
    } } }, 'Compare');
  const onToggle = (traceID, checked) => {
    if (checked) selected.add(traceID);
    else selected.delete(traceID);
    compare.disabled = selected.size !== 2;
  };
  const longest = summaries.reduce((max, summary) => Math.max(max, summary.duration), 0);
  const renderList = (order) => {
    clear(list).append(...sortSummaries(summaries, order).map((summary) =>
      resultItem({ ctx, summary, longest, selected, onToggle, scatter })));
  };
  const sort = h('select', { 'data-testid': 'search-sort', 'aria-label': 'Sort traces', on: { change: (event) => {
    onSort(event.target.value);
    renderList(event.target.value);
  } } }, SORT_ORDERS.map(({ value, label }) => h('option', { value, selected: value === sortOrder }, label)));
  renderList(sortOrder);
  return h('div', { class: 'search-results-view' },
    h('div', { class: 'search-results-head' },
      h('span', { class: 'search-count', 'data-testid': 'search-count' },
        `${summaries.length} Trace${summaries.length === 1 ? '' : 's'}`),
      rangeText(query),
      h('span', { class: 'search-spacer' }),
      h('label', { class: 'search-sort-label' }, 'Sort', sort),
      compare),
    scatter.element,
    list);
}

function rangeText(query) {
  if (!query.get('service')) return null;
  const { start, end } = searchWindow(query, Date.now());
  return h('span', { class: 'search-range' }, `${formatTimestamp(start)} – ${formatTimestamp(end)}`);
}

function resultItem({ ctx, summary, longest, selected, onToggle, scatter }) {
  const path = `trace/${summary.traceID}`;
  const share = longest > 0 ? summary.duration / longest : 0;
  return h('article', {
    class: summary.errorCount > 0 ? 'search-result has-errors' : 'search-result',
    'data-testid': 'search-result',
    dataset: { traceId: summary.traceID },
    on: { mouseenter: () => scatter.highlight(summary.traceID), mouseleave: () => scatter.highlight(null) },
  },
  h('div', { class: 'search-result-head' },
    h('span', { class: 'search-result-bar', style: { width: `${(share * 100).toFixed(2)}%` } }),
    h('input', { type: 'checkbox', 'data-testid': 'result-compare', checked: selected.has(summary.traceID),
      'aria-label': `Select ${summary.traceID} for comparison`,
      on: { change: (event) => onToggle(summary.traceID, event.target.checked) } }),
    h('a', { class: 'search-result-title', 'data-testid': 'result-title', href: ctx.href(path),
      on: { click: openOnPlainClick(ctx, path) } }, summaryTitle(summary)),
    h('span', { class: 'search-result-id mono', title: summary.traceID }, summary.traceID.slice(0, 7)),
    h('span', { class: 'search-spacer' }),
    h('span', { class: 'search-result-duration', 'data-testid': 'result-duration' }, formatDuration(summary.duration))),
  h('div', { class: 'search-result-body' },
    h('div', { class: 'search-result-counts' },
      h('span', { class: 'badge', 'data-testid': 'result-span-count' },
        `${summary.spanCount} Span${summary.spanCount === 1 ? '' : 's'}`),
      summary.errorCount > 0 ? h('span', { class: 'badge badge-error', 'data-testid': 'result-errors' },
        `${summary.errorCount} Error${summary.errorCount === 1 ? '' : 's'}`) : null),
    h('ul', { class: 'search-result-services' }, summary.services.map(serviceItem)),
    h('div', { class: 'search-result-start', 'data-testid': 'result-start' },
      h('span', formatTimestamp(summary.startTime)),
      ' ',  // keeps the two apart in the element's text
      h('span', { class: 'search-result-ago' }, formatAgo(summary.startTime)))));
}

function serviceItem({ name, count }) {
  return h('li', { class: 'search-result-service', 'data-testid': 'result-service' },
    h('span', { class: 'service-swatch', style: { background: serviceColor(name) } }),
    `${name || '(unknown service)'} (${count})`);
}

// The envelope's per-trace errors ({msg, traceID}) as one warning.
function errorWarning(errors) {
  return h('div', { class: 'state state-warning search-warning' },
    h('div', `${errors.length} trace${errors.length === 1 ? '' : 's'} could not be loaded:`),
    h('ul', errors.map((error) => h('li', error.traceID ? `${error.traceID}: ${error.msg}` : String(error.msg)))));
}

// A plain left click navigates inside the app; other clicks keep the link's meaning (new tab, …).
function openOnPlainClick(ctx, path) {
  return (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    ctx.navigate(path);
  };
}

// The last service searched, kept across visits (localStorage may be unavailable: then nothing is).
function remember(service) {
  try {
    localStorage.setItem(LAST_SERVICE_KEY, service);
  } catch {
    // Storage is off (private mode, a policy): the form then starts on the first service.
  }
}

function recall() {
  try {
    return localStorage.getItem(LAST_SERVICE_KEY) || '';
  } catch {
    return '';
  }
}
