// The trace page against the known checkout trace (fixtures.mjs): opened from the search results,
// its header, rows, collapsing and expanding, a span's details, find, the critical path, keyboard
// navigation, the JSON view and download, and the error shown for a trace the store does not have.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TRACE, descendants, expectedSearchIds, loadKnownTraces } from './fixtures.mjs';
import {
  errorStateText, eventually, openSearch, row, rowsWithClass, submitSearch, textOf, waitForResults, waitForRowClass,
  waitForRows,
} from './pages.mjs';
import { SOURCE_DIR, byTestId, startEnvironment, withPage } from './support.mjs';

const { formatDuration } = await import(pathToFileURL(path.join(SOURCE_DIR, 'web/static/format.js')));

let env;
let traces;  // knownTraces()
let checkout;  // its checkout trace
const id = {};  // short span name → span id

before(async () => {
  env = await startEnvironment();
  traces = await loadKnownTraces(env.server);
  checkout = traces.checkout;
  for (const one of checkout.spans) id[one.id] = one.spanId;
});

after(async () => {
  await env?.close();
});

// The checkout trace's rows in depth-first order, children by start time.
const ALL_ROWS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
const DEPTHS = ['0', '1', '2', '3', '4', '3', '3', '4'];

function spanIds(shortNames) {
  return shortNames.map((name) => id[name]);
}

async function openCheckoutTrace(page) {
  await page.goto(env.server.url(`trace/${TRACE.checkout}`));
  await waitForRows(page, spanIds(ALL_ROWS), 'the checkout trace\'s 8 rows are not shown in depth-first order');
}

// Asserts that `container` has a row (tr or li) whose text holds `key` and `value`.
async function assertKeyValue(container, key, value) {
  const rows = container.locator('tr, li').filter({ hasText: key });
  const texts = await rows.allTextContents();
  assert.ok(texts.some((text) => text.includes(value)),
    `no row of ${await container.getAttribute('data-testid')} shows ${key} = ${value}; rows with the key: ` +
    JSON.stringify(texts));
}

test('a trace opens from the search results and its header states its facts', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openSearch(page, env.server, ['frontend']);
    await submitSearch(page, { service: 'frontend' });
    await waitForResults(page, expectedSearchIds(traces, { service: 'frontend' }));
    await page.locator(`[data-testid="search-result"][data-trace-id="${TRACE.checkout}"]`)
      .locator('[data-testid="result-title"]').click();
    await waitForRows(page, spanIds(ALL_ROWS), 'the checkout trace\'s rows are not shown in depth-first order');
    assert.ok(new URL(page.url()).pathname.endsWith(`/trace/${TRACE.checkout}`), `the URL is ${page.url()}`);

    const header = byTestId(page, 'trace-header');
    assert.match(await textOf(byTestId(header, 'trace-title')), /frontend: GET \/checkout/);
    assert.match(await textOf(byTestId(header, 'trace-span-count')), /(^|\D)8(\D|$)/);
    assert.match(await textOf(byTestId(header, 'trace-services')), /(^|\D)4(\D|$)/);
    assert.match(await textOf(byTestId(header, 'trace-depth')), /(^|\D)5(\D|$)/);
    assert.ok((await textOf(byTestId(header, 'trace-duration'))).includes(formatDuration(120_000)),
      `trace-duration does not show ${formatDuration(120_000)}`);
    assert.notEqual(await textOf(byTestId(header, 'trace-start')), '');
    assert.equal(await byTestId(page, 'trace-minimap').evaluate((e) => e.tagName), 'CANVAS');

    const depths = await byTestId(page, 'span-row').evaluateAll((rows) => rows.map((r) => r.dataset.depth));
    assert.deepEqual(depths, DEPTHS);
    assert.equal(await byTestId(page, 'span-row').locator('[data-testid="span-bar"]').count(), ALL_ROWS.length,
      'each row has a span-bar');
    const charge = await textOf(byTestId(row(page, id.c7), 'span-name'));
    assert.ok(charge.includes('payments') && charge.includes('charge card'), `span-name shows "${charge}"`);
    assert.equal(await textOf(byTestId(row(page, id.c7), 'span-duration')), formatDuration(60_000));
    await screenshot('01-opened');
  });
});

test('collapsing a subtree hides exactly its spans; expanding shows them again', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    const toggle = byTestId(row(page, id.c3), 'span-toggle');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(descendants(checkout, 'c3').length, 5);
    await toggle.click();
    await waitForRows(page, spanIds(['c1', 'c2', 'c3']), 'collapsing "POST /checkout" does not hide its 5 descendants');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
    assert.equal(await byTestId(row(page, id.c5), 'span-toggle').count(), 0, 'a hidden row is not in the DOM');
    await screenshot('02-collapsed');
    await toggle.click();
    await waitForRows(page, spanIds(ALL_ROWS), 'expanding "POST /checkout" does not show its descendants again');
    assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
    assert.equal(await byTestId(row(page, id.c6), 'span-toggle').count(), 0, 'a row without children has no toggle');
    await screenshot('03-expanded');
  });
});

test('a span\'s details show its tags, process, events and link', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    await byTestId(row(page, id.c7), 'span-name').click();
    const detail = byTestId(page, 'span-detail');
    await detail.waitFor({ state: 'visible' });
    await eventually(() => rowsWithClass(page, 'selected'), (ids) => ids.join() === id.c7,
      'the clicked row is not the one selected');

    const tags = byTestId(detail, 'span-detail-tags');
    await assertKeyValue(tags, 'payment.card', 'visa-4242');
    await assertKeyValue(tags, 'payment.amount', '42.5');
    await assertKeyValue(tags, 'payment.retry', 'false');
    await assertKeyValue(tags, 'http.status_code', '200');
    const process = byTestId(detail, 'span-detail-process');
    assert.ok((await textOf(process)).includes('payments'), 'span-detail-process names the service');
    await assertKeyValue(process, 'host.name', 'payments-host-1');
    const logs = await textOf(byTestId(detail, 'span-detail-logs'));
    assert.ok(logs.includes('card authorised') && logs.includes('auth.code') && logs.includes('A1-7731'),
      `span-detail-logs shows "${logs}"`);

    const references = byTestId(detail, 'span-detail-references');
    const shown = `${await textOf(references)} ${(await references.locator('a').evaluateAll(
      (links) => links.map((a) => a.getAttribute('href')))).join(' ')}`;
    const [link] = checkout.spans.find((one) => one.id === 'c7').links;
    const linked = { trace: link.traceId, span: link.spanId };
    assert.ok(shown.includes(linked.trace) && shown.includes(linked.span),
      `span-detail-references ("${shown}") does not name the linked trace ${linked.trace} and span ${linked.span}`);
    await screenshot('04-span-detail');
  });
});

test('find marks the matching rows and counts them; Escape clears it', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), 'trace-find',
      '"/" does not focus the find box');
    await page.keyboard.type('ledger');
    await waitForRowClass(page, 'match', spanIds(['c5', 'c8']),
      'find "ledger" does not mark the two "ledger write" rows');
    assert.equal(await textOf(byTestId(page, 'trace-find-count')), '2 matches');
    await screenshot('05-find');
    await page.keyboard.press('Escape');
    await waitForRowClass(page, 'match', [], 'Escape does not clear the find');
    assert.equal(await byTestId(page, 'trace-find').inputValue(), '');
  });
});

test('the critical path marks the spans that decide the trace\'s duration', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    const toggle = byTestId(page, 'trace-critical-path');
    // "cache get" runs inside "reserve items" and ends first: it is the only span off the path.
    const critical = spanIds(['c1', 'c2', 'c3', 'c4', 'c5', 'c7', 'c8']);
    await waitForRowClass(page, 'critical', critical, 'the critical path (on by default) is not marked');
    await screenshot('06-critical-path');
    await toggle.click();
    await waitForRowClass(page, 'critical', [], 'switching the critical path off does not unmark the rows');
  });
});

test('the keyboard moves the selection, collapses and expands', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    await byTestId(row(page, id.c1), 'span-name').click();
    await eventually(() => rowsWithClass(page, 'selected'), (ids) => ids.join() === id.c1, 'clicking does not select');
    await page.keyboard.press('j');
    await page.keyboard.press('ArrowDown');
    await eventually(() => rowsWithClass(page, 'selected'), (ids) => ids.join() === id.c3,
      'j and ArrowDown do not move the selection down two rows');
    await page.keyboard.press('ArrowLeft');
    await waitForRows(page, spanIds(['c1', 'c2', 'c3']), 'ArrowLeft does not collapse the selected row');
    await page.keyboard.press('ArrowRight');
    await waitForRows(page, spanIds(ALL_ROWS), 'ArrowRight does not expand the selected row');
    await page.keyboard.press('k');
    await eventually(() => rowsWithClass(page, 'selected'), (ids) => ids.join() === id.c2, 'k does not move up');
    await page.keyboard.press('Enter');
    await eventually(async () => textOf(byTestId(byTestId(page, 'span-detail'), 'span-detail-tags')),
      (text) => text.includes('http.method') && text.includes('POST'), 'Enter does not open the selected span');
    await screenshot('07-keyboard');
  });
});

test('the JSON view and the download hold the trace', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    await openCheckoutTrace(page);
    await byTestId(page, 'trace-view-json').click();
    const json = await eventually(() => textOf(byTestId(page, 'trace-json')), (text) => text !== '',
      'trace-view-json does not show trace-json');
    assert.ok(json.includes(TRACE.checkout), 'the JSON view does not hold the trace id');
    await screenshot('08-json');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      byTestId(page, 'trace-download-json').click(),
    ]);
    const body = JSON.parse(await streamText(await download.createReadStream()));
    const traceIds = JSON.stringify(body).match(new RegExp(TRACE.checkout, 'g')) || [];
    assert.ok(traceIds.length > 0, `the download ${download.suggestedFilename()} does not hold the trace id`);
  });
});

async function streamText(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

test('a span whose parent is missing becomes a root, and the trace and the span say why', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    const [root, orphan] = traces.orphan.spans;
    await page.goto(env.server.url(`trace/${TRACE.orphan}`));
    await waitForRows(page, [root.spanId, orphan.spanId]);
    const depths = await byTestId(page, 'span-row').evaluateAll((rows) => rows.map((r) => r.dataset.depth));
    assert.deepEqual(depths, ['0', '0'], 'both spans are roots');
    const warnings = await textOf(byTestId(page, 'trace-warnings'));
    assert.ok(warnings.includes(orphan.parentSpanId),
      `trace-warnings ("${warnings}") does not name the missing parent`);

    await byTestId(row(page, orphan.spanId), 'span-name').click();
    // The server's adjuster wrote this warning on the span (docs/query.md: each span's warnings).
    const spanWarnings = await eventually(() => textOf(byTestId(page, 'span-detail-warnings')), (text) => text !== '',
      'span-detail-warnings does not show the span\'s warnings');
    assert.ok(spanWarnings.includes(`invalid parent span IDs=${orphan.parentSpanId}`),
      `span-detail-warnings shows "${spanWarnings}"`);
    await screenshot('10-warnings');
  });
});

test('while the trace loads the page shows the loading state', async () => {
  await withPage(env, 'trace', async ({ page, screenshot }) => {
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    await page.route(`**/api/traces/${TRACE.checkout}`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(env.server.url(`trace/${TRACE.checkout}`));
    await eventually(() => page.locator('.state.state-loading').count(), (n) => n > 0,
      'no .state.state-loading while the trace is on its way');
    await screenshot('11-loading');
    release();
    await waitForRows(page, spanIds(ALL_ROWS));
    assert.equal(await page.locator('.state.state-loading').count(), 0, 'the loading state stays after the trace came');
  });
});

test('a trace the store does not have shows the server\'s message', async () => {
  await withPage(env, 'trace', async ({ page, screenshot, allowConsoleError }) => {
    allowConsoleError(/status of 404/);
    await page.goto(env.server.url('trace/0123456789abcdef'));
    const text = await errorStateText(page);
    assert.ok(text.includes('trace not found'), `the error state shows "${text}"`);
    await screenshot('09-not-found');
  });
});
