// The compare page on the two near-identical cart traces (fixtures.mjs): B drops A's "payments
// quote", adds "checkout apply coupon" and calls "inventory lookup item" twice where A calls it
// once. Reached from the search results (two checkboxes and Compare) and from its own form.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { TRACE, expectedSearchIds, loadKnownTraces } from './fixtures.mjs';
import { attributeOfAll, eventually, openSearch, submitSearch, textOf, waitForResults } from './pages.mjs';
import { byTestId, startEnvironment, withPage } from './support.mjs';

let env;
let traces;

before(async () => {
  env = await startEnvironment();
  traces = await loadKnownTraces(env.server);
});

after(async () => {
  await env?.close();
});

// The merged tree's nodes: "service operation" → [state, the counts shown as "a → b"].
const EXPECTED_NODES = {
  'frontend GET /cart': ['same', '1 → 1'],
  'checkout load cart': ['same', '1 → 1'],
  'inventory lookup item': ['changed', '1 → 2'],
  'payments quote': ['removed', '1 → 0'],
  'checkout apply coupon': ['added', '0 → 1'],
};
const EXPECTED_SUMMARY = { added: '1', removed: '1', changed: '1', same: '2' };

function checkbox(page, traceId) {
  return page.locator(`[data-testid="search-result"][data-trace-id="${traceId}"] [data-testid="result-compare"]`);
}

// Waits for the summary and checks it and every node of the merged tree.
async function assertComparison(page) {
  const summary = byTestId(page, 'compare-summary');
  await eventually(async () => textOf(byTestId(summary, 'compare-same')), (text) => text !== '',
    'the compare summary does not appear');
  const shown = {};
  for (const state of Object.keys(EXPECTED_SUMMARY)) shown[state] = await textOf(byTestId(summary, `compare-${state}`));
  assert.deepEqual(shown, EXPECTED_SUMMARY, 'the summary counts');

  const nodes = byTestId(byTestId(page, 'compare-tree'), 'compare-node');
  const texts = (await nodes.allTextContents()).map((text) => text.replace(/\s+/g, ' '));
  const states = await attributeOfAll(nodes, 'data-state');
  assert.equal(texts.length, Object.keys(EXPECTED_NODES).length, `the tree's nodes: ${JSON.stringify(texts)}`);
  for (const [name, [state, counts]] of Object.entries(EXPECTED_NODES)) {
    const [service, ...operation] = name.split(' ');
    const at = texts.findIndex((text) => text.includes(service) && text.includes(operation.join(' ')));
    assert.ok(at >= 0, `no compare-node shows ${name}: ${JSON.stringify(texts)}`);
    assert.equal(states[at], state, `the data-state of ${name}`);
    assert.ok(texts[at].includes(counts), `the node of ${name} ("${texts[at]}") does not show "${counts}"`);
  }
}

test('two traces checked in the search results compare as a merged tree', async () => {
  await withPage(env, 'compare', async ({ page, screenshot }) => {
    await openSearch(page, env.server, ['frontend']);
    await submitSearch(page, { service: 'frontend' });
    await waitForResults(page, expectedSearchIds(traces, { service: 'frontend' }));
    const compare = byTestId(page, 'search-compare');
    assert.equal(await compare.isEnabled(), false, 'Compare is disabled with nothing checked');
    await checkbox(page, TRACE.cartA).check();
    assert.equal(await compare.isEnabled(), false, 'Compare is disabled with one trace checked');
    await checkbox(page, TRACE.cartB).check();
    await checkbox(page, TRACE.error).check();
    assert.equal(await compare.isEnabled(), false, 'Compare is disabled with three traces checked');
    await checkbox(page, TRACE.error).uncheck();
    assert.equal(await compare.isEnabled(), true, 'Compare is enabled with two traces checked');
    await screenshot('01-checked');
    await compare.click();

    await eventually(() => new URL(page.url()).pathname, (pathname) => pathname.includes('/trace/'),
      'Compare does not go to trace/{a}...{b}');
    const pair = new URL(page.url()).pathname.split('/trace/')[1].split('...');
    assert.deepEqual(pair.sort(), [TRACE.cartA, TRACE.cartB].sort(), `the URL ${page.url()} names the two traces`);
    if (pair[0] !== TRACE.cartA) {
      // The page compares in the URL's order; put A first so that the expected states hold.
      await page.goto(env.server.url(`trace/${TRACE.cartA}...${TRACE.cartB}`));
    }
    await assertComparison(page);
    await screenshot('02-compared');
  });
});

test('the compare form compares two trace ids', async () => {
  await withPage(env, 'compare', async ({ page, screenshot }) => {
    await page.goto(env.server.url('compare'));
    const form = byTestId(page, 'compare-form');
    await byTestId(form, 'compare-a').fill(TRACE.cartA);
    await byTestId(form, 'compare-b').fill(TRACE.cartB);
    await byTestId(form, 'compare-submit').click();
    await eventually(() => new URL(page.url()).pathname, (p) => p.endsWith(`/trace/${TRACE.cartA}...${TRACE.cartB}`),
      'the compare form does not go to trace/{a}...{b}');
    await assertComparison(page);
    await screenshot('03-from-form');
  });
});
