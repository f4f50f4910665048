// The dependencies page: the service graph of the known traces (fixtures.mjs) shows each service
// as a node and each parent → child pair with its call count; a store with no links shows the
// empty state.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { expectedDependencies, loadKnownTraces, waitForDependencies } from './fixtures.mjs';
import { attributeOfAll, eventually, textOf } from './pages.mjs';
import { byTestId, startAllInOne, startEnvironment, withPage } from './support.mjs';

let env;
let expected;  // "parent→child" → calls

before(async () => {
  env = await startEnvironment();
  const traces = await loadKnownTraces(env.server);
  expected = expectedDependencies(traces);
  await waitForDependencies(env.server, expected);
});

after(async () => {
  await env?.close();
});

test('the graph shows every service and each call between two with its count', async () => {
  await withPage(env, 'dependencies', async ({ page, screenshot }) => {
    await page.goto(env.server.url('dependencies'));
    const graph = byTestId(page, 'deps-graph');
    const services = [...new Set([...expected.keys()].flatMap((key) => key.split('→')))].sort();
    await eventually(async () => (await attributeOfAll(byTestId(graph, 'deps-node'), 'data-service')).sort(),
      (shown) => shown.join() === services.join(), `the graph's nodes are not ${services.join(', ')}`);
    assert.equal(await graph.evaluate((e) => e.tagName.toLowerCase()), 'svg');
    for (const service of services) {
      const name = await textOf(graph.locator(`[data-testid="deps-node"][data-service="${service}"] text`));
      assert.ok(name.includes(service), `the node of ${service} shows "${name}"`);
    }

    const edges = byTestId(graph, 'deps-edge');
    const shown = await edges.evaluateAll((all) => all.map((e) => `${e.dataset.parent}→${e.dataset.child}`));
    assert.deepEqual(shown.sort(), [...expected.keys()].sort(), 'the graph\'s edges');
    for (const [key, calls] of expected) {
      const [parent, child] = key.split('→');
      const edge = graph.locator(`[data-testid="deps-edge"][data-parent="${parent}"][data-child="${child}"]`);
      assert.equal(await textOf(byTestId(edge, 'deps-edge-label')), String(calls), `the call count of ${key}`);
    }
    assert.ok(await byTestId(page, 'deps-lookback').locator('option').count() > 1, 'deps-lookback offers lookbacks');
    assert.equal(await byTestId(page, 'deps-truncated').count(), 0, 'four services are not truncated');
    await screenshot('01-graph');
  });
});

test('a store without calls between services shows the empty state', async () => {
  const empty = await startAllInOne();
  try {
    await withPage({ browser: env.browser, server: empty }, 'dependencies', async ({ page, screenshot }) => {
      await page.goto(empty.url('dependencies'));
      await eventually(() => page.locator('.state.state-empty').count(), (n) => n > 0,
        'no links: the empty state does not show');
      assert.equal(await byTestId(page, 'deps-node').count(), 0);
      await screenshot('02-empty');
    });
  } finally {
    await empty.stop();
  }
});
