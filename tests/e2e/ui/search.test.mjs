// The search page against an all-in-one holding the known traces (fixtures.mjs): searches by
// service, tag and duration find exactly the traces they must, each result shows its trace's
// facts, the URL holds the query, and the server's own message shows when it refuses a search.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TRACE, expectedSearch, expectedSearchIds, loadKnownTraces } from './fixtures.mjs';
import {
  attributeOfAll, errorStateText, eventually, openSearch, resultTraceIds, submitSearch, textOf, waitForResults,
} from './pages.mjs';
import { SOURCE_DIR, byTestId, startEnvironment, withPage } from './support.mjs';

const { formatDuration } = await import(pathToFileURL(path.join(SOURCE_DIR, 'web/static/format.js')));

const SERVICES = ['checkout', 'frontend', 'inventory', 'payments'];
let env;
let traces;

before(async () => {
  env = await startEnvironment();
  traces = await loadKnownTraces(env.server);
});

after(async () => {
  await env?.close();
});

// The trace ids of the known traces named `names`.
function ids(names) {
  return names.map((name) => TRACE[name]);
}

function result(page, traceId) {
  return page.locator(`[data-testid="search-result"][data-trace-id="${traceId}"]`);
}

test('the form offers the pickers and choices the DOM contract names', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    const options = async (id) => byTestId(page, id).locator('option').evaluateAll(
      (all) => all.map((o) => [o.value, o.textContent.trim()]));
    assert.deepEqual((await options('search-lookback')).map(([value]) => value),
      ['5m', '15m', '30m', '1h', '2h', '3h', '6h', '12h', '24h', '2d', '7d', 'custom']);
    assert.equal((await options('search-span-kind'))[0][0], '', 'the first span kind is "" (any)');
    assert.equal(await byTestId(page, 'search-limit').getAttribute('type'), 'number');

    const payments = [...new Set(Object.values(traces).flatMap((trace) => trace.spans)
      .filter((one) => one.service === 'payments').map((one) => one.name))].sort();
    await byTestId(page, 'search-service').selectOption('payments');
    const operations = await eventually(() => options('search-operation'), (all) => all.length === payments.length + 1,
      `the operation picker does not offer "all" and the payments operations ${payments.join(', ')}`);
    assert.deepEqual(operations[0], ['', 'all']);
    assert.deepEqual(operations.slice(1).map(([value]) => value).sort(), payments);

    for (const id of ['search-start', 'search-end']) {
      assert.equal(await byTestId(page, id).isVisible(), false, `${id} shows without a custom lookback`);
    }
    await byTestId(page, 'search-lookback').selectOption('custom');
    for (const id of ['search-start', 'search-end']) {
      await byTestId(page, id).waitFor({ state: 'visible' });
      assert.equal(await byTestId(page, id).getAttribute('type'), 'datetime-local');
    }
    await screenshot('00-form-custom-range');
  });
});

test('a search by service lists exactly that service\'s traces, each with its facts', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    await screenshot('01-form');
    const expected = expectedSearch(traces, { service: 'payments' });
    assert.deepEqual(expected, ['cartA', 'checkout', 'error'], 'the fixture changed: update this test');
    await submitSearch(page, { service: 'payments' });
    await waitForResults(page, ids(expected));
    const circles = await attributeOfAll(byTestId(page, 'search-scatter').locator('circle'), 'data-trace-id');
    assert.deepEqual(circles.sort(), ids(expected).sort(), 'the scatter plot has one circle per trace');

    const checkout = result(page, TRACE.checkout);
    assert.equal(await textOf(byTestId(checkout, 'result-title')), 'frontend: GET /checkout');
    assert.equal(await textOf(byTestId(checkout, 'result-span-count')), '8 Spans');
    assert.equal(await textOf(byTestId(checkout, 'result-duration')), formatDuration(120_000));
    const services = await byTestId(checkout, 'result-service').allTextContents();
    assert.deepEqual(services.map((s) => s.trim()).sort(),
      ['checkout (2)', 'frontend (2)', 'inventory (2)', 'payments (2)']);
    assert.equal(await byTestId(checkout, 'result-errors').count(), 0, 'a trace without errors shows no error count');
    assert.notEqual(await textOf(byTestId(checkout, 'result-start')), '', 'the result shows its start');
    assert.equal(await textOf(byTestId(result(page, TRACE.error), 'result-errors')), '2 Errors');
    await screenshot('02-by-service');
  });
});

test('the URL holds the query: loading it again shows the same results', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    const expected = ids(expectedSearch(traces, { service: 'payments' }));
    await submitSearch(page, { service: 'payments', minDuration: '1ms' });
    await waitForResults(page, expected);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('service'), 'payments', `the URL ${url} names the service`);
    assert.equal(url.searchParams.get('minDuration'), '1ms', `the URL ${url} names the minimum duration`);

    await page.goto('about:blank');
    await page.goto(url.toString());
    await waitForResults(page, expected);
    assert.equal(await byTestId(page, 'search-service').inputValue(), 'payments', 'the form shows the URL\'s service');
    assert.equal(await byTestId(page, 'search-min-duration').inputValue(), '1ms');
    await screenshot('03-url-opened');
    await page.reload();
    await waitForResults(page, expected);
    await screenshot('04-url-reloaded');
  });
});

test('a search by tag (logfmt) finds only the trace with that tag', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    const expected = expectedSearch(traces, { service: 'frontend', tags: { 'http.status_code': '500' } });
    assert.deepEqual(expected, ['error']);
    await submitSearch(page, { service: 'frontend', tags: 'http.status_code=500' });
    await waitForResults(page, ids(expected));
    await screenshot('05-by-tag');

    await submitSearch(page, { service: 'frontend', tags: 'http.status_code=418' });
    await eventually(() => page.locator('.state.state-empty').count(), (n) => n > 0,
      'a search that finds nothing shows the empty state');
    assert.deepEqual(await resultTraceIds(page), []);
    await screenshot('06-nothing-found');
  });
});

test('searches by minimum and maximum duration find the traces with a span in the range', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    const between = expectedSearch(traces, { service: 'frontend', minMs: 100, maxMs: 1000 });
    assert.deepEqual(between, ['checkout']);
    await submitSearch(page, { service: 'frontend', minDuration: '100ms', maxDuration: '1s' });
    await waitForResults(page, ids(between));
    await screenshot('07-duration-range');

    const long = expectedSearch(traces, { service: 'frontend', minMs: 1000 });
    assert.deepEqual(long, ['catalog']);
    await submitSearch(page, { service: 'frontend', minDuration: '1s' });
    await waitForResults(page, ids(long));
    await screenshot('08-min-duration');
  });
});

test('sorting orders the results', async () => {
  await withPage(env, 'search', async ({ page, screenshot }) => {
    await openSearch(page, env.server, SERVICES);
    await submitSearch(page, { service: 'frontend' });
    await waitForResults(page, expectedSearchIds(traces, { service: 'frontend' }));
    const sort = byTestId(page, 'search-sort');
    const orders = await sort.locator('option').evaluateAll((all) => all.map((o) => o.value));
    assert.deepEqual(orders, ['recent', 'longest', 'shortest', 'most-spans', 'least-spans']);
    const firstAfter = async (order, traceId) => {
      await sort.selectOption(order);
      await eventually(async () => (await resultTraceIds(page))[0], (first) => first === traceId,
        `sorting by ${order} does not put ${traceId} first`);
    };
    await firstAfter('longest', TRACE.catalog);
    await firstAfter('shortest', TRACE.cartA);
    await firstAfter('most-spans', TRACE.checkout);
    await firstAfter('least-spans', TRACE.error);
    await screenshot('09-sorted');
  });
});

test('the server\'s message shows when it refuses a search (a bad duration in the URL)', async () => {
  const refused = await fetch(env.server.url('api/traces?service=frontend&minDuration=abc'));
  assert.equal(refused.status, 400);
  const serverMessage = (await refused.json()).errors[0].msg;
  await withPage(env, 'search', async ({ page, screenshot, allowConsoleError }) => {
    allowConsoleError(/status of 400/);
    await page.goto(env.server.url('search?service=frontend&lookback=1h&minDuration=abc'));
    const text = await errorStateText(page);
    assert.ok(text.includes(serverMessage), `the error state "${text}" does not include "${serverMessage}"`);
    await screenshot('10-server-error');
  });
});
