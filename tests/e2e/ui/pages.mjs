// Steps on the UI's pages that several tests take, written against the pages' DOM contract (their
// data-testid attributes, classes and states), and the waits that go with them. Every wait polls
// what the page shows until it holds or a timeout passes, and then fails with what it last saw.

import { byTestId, sleep } from './support.mjs';

const UI_TIMEOUT_MS = 15_000;

// The trimmed text of the first element `locator` matches ('' when there is none).
export async function textOf(locator) {
  if (await locator.count() === 0) return '';
  return ((await locator.first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

// The values of attribute `name` of every element `locator` matches, in document order.
export function attributeOfAll(locator, name) {
  return locator.evaluateAll((elements, attribute) => elements.map((e) => e.getAttribute(attribute)), name);
}

// Waits until `probe()` (async) returns a value `accept` takes; resolves to that value. A probe
// that throws (the page is navigating) is tried again.
export async function eventually(probe, accept, message, timeoutMs = UI_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let shown;
    try {
      shown = await probe();
      if (accept(shown)) return shown;
    } catch (error) {
      shown = `(${error.message.split('\n')[0]})`;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${message}; after ${timeoutMs / 1000} s the page showed: ${JSON.stringify(shown)}`);
    }
    await sleep(100);
  }
}

// The page's error state (.state.state-error) text once it shows, failing after the timeout.
export async function errorStateText(page) {
  return eventually(() => textOf(page.locator('.state.state-error')), (text) => text !== '',
    'no .state.state-error appeared');
}

function sameMembers(a, b) {
  return a.length === b.length && [...a].sort().every((value, i) => value === [...b].sort()[i]);
}

// ---- search ----------------------------------------------------------------------------------

// Opens the search page under `server`'s base path and waits until the services are listed.
export async function openSearch(page, server, services) {
  await page.goto(server.url('search'));
  await waitForServiceOptions(page, services);
}

// Waits until the service picker offers each of `services`.
async function waitForServiceOptions(page, services) {
  const picker = byTestId(page, 'search-service');
  await eventually(() => attributeOfAll(picker.locator('option'), 'value'),
    (values) => services.every((service) => values.includes(service)),
    `the service picker does not offer ${services.join(', ')}`);
}

// Fills the search form (fields left out are cleared) and submits it: {service, tags, minDuration,
// maxDuration, lookback}.
export async function submitSearch(page, fields) {
  await byTestId(page, 'search-service').selectOption(fields.service);
  if (fields.lookback) await byTestId(page, 'search-lookback').selectOption(fields.lookback);
  await byTestId(page, 'search-tags').fill(fields.tags || '');
  await byTestId(page, 'search-min-duration').fill(fields.minDuration || '');
  await byTestId(page, 'search-max-duration').fill(fields.maxDuration || '');
  await byTestId(page, 'search-submit').click();
}

// The trace ids of the listed results, in the order shown.
export function resultTraceIds(page) {
  return attributeOfAll(byTestId(page, 'search-result'), 'data-trace-id');
}

// Waits until the results list exactly `traceIds` (in any order) and the count says so.
export async function waitForResults(page, traceIds) {
  const shown = async () => ({ ids: await resultTraceIds(page), count: await textOf(byTestId(page, 'search-count')) });
  await eventually(shown, ({ ids, count }) => sameMembers(ids, traceIds) && countMatches(count, traceIds.length),
    `the results are not exactly ${traceIds.join(', ')} with the count "${traceIds.length} Traces"`);
}

// "N Traces" (or "1 Trace").
function countMatches(text, n) {
  return new RegExp(`^${n} Traces?$`).test(text);
}

// ---- trace -----------------------------------------------------------------------------------

// The data-span-id of every span row in the DOM, in document order.
export function rowSpanIds(page) {
  return attributeOfAll(byTestId(page, 'span-row'), 'data-span-id');
}

// The data-span-id of the rows with class `name` ("match", "critical", "selected").
export function rowsWithClass(page, name) {
  return attributeOfAll(byTestId(page, 'span-row').and(page.locator(`.${name}`)), 'data-span-id');
}

// Waits until the rows in the DOM are exactly `spanIds`, in that order.
export async function waitForRows(page, spanIds, message) {
  await eventually(() => rowSpanIds(page), (ids) => ids.join() === spanIds.join(),
    message || `the rows are not ${spanIds.join(', ')}`);
}

// Waits until exactly `spanIds` (any order) have class `name`.
export async function waitForRowClass(page, name, spanIds, message) {
  await eventually(() => rowsWithClass(page, name), (ids) => sameMembers(ids, spanIds),
    message || `the rows with class "${name}" are not ${spanIds.join(', ')}`);
}

// The row of span `spanId`.
export function row(page, spanId) {
  return page.locator(`[data-testid="span-row"][data-span-id="${spanId}"]`);
}
