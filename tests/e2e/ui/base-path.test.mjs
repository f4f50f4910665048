// The UI as the seed deploys it: under --query.base-path=/jaeger with the seed's ui-config.json
// (tests/unit/services/query/seed_ui_config.json, the JSON of the seed's §3.4) and an archive
// store. The seed's "MCP System" menu appears, the dependencies view honours menuEnabled,
// dagMaxNumServices and defaultLookback, the archive button archives, every request stays under
// /jaeger/ on the all-in-one, and the seed's tracking.gaID never makes the page call Google.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { TRACE, expectedDependencies, loadKnownTraces, waitForDependencies } from './fixtures.mjs';
import { attributeOfAll, eventually, openSearch, textOf, waitForRows } from './pages.mjs';
import { SOURCE_DIR, byTestId, startAllInOne, startEnvironment, withPage } from './support.mjs';

const BASE_PATH = '/jaeger';
const SEED_UI_CONFIG = path.join(SOURCE_DIR, 'tests/unit/services/query/seed_ui_config.json');
const seedConfig = JSON.parse(fs.readFileSync(SEED_UI_CONFIG, 'utf8'));

let env;
let traces;
let configDir;  // the variants of the seed's configuration written for these tests

before(async () => {
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ariadne-ui-config-'));
  env = await startEnvironment({ basePath: BASE_PATH, uiConfig: SEED_UI_CONFIG, archive: 'memory' });
  traces = await loadKnownTraces(env.server);
  await waitForDependencies(env.server, expectedDependencies(traces));
});

after(async () => {
  fs.rmSync(configDir, { recursive: true, force: true });
  await env?.close();
});

// Writes the seed's configuration with `dependencies` overridden; returns the file.
function seedConfigWith(name, dependencies) {
  const file = path.join(configDir, `${name}.json`);
  const config = { ...seedConfig, dependencies: { ...seedConfig.dependencies, ...dependencies } };
  fs.writeFileSync(file, JSON.stringify(config));
  return file;
}

// Fails when the page asked for anything outside `basePath` on its own host (the watch already
// fails on other hosts).
function watchBasePath(page, basePath) {
  const outside = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.protocol.startsWith('http') && !url.pathname.startsWith(`${basePath}/`)) outside.push(request.url());
  });
  return () => assert.deepEqual(outside, [], `requests outside ${basePath}/`);
}

// The all-in-one's count of answered archive requests.
async function archivedCount(server) {
  const text = await (await fetch(`http://127.0.0.1:${server.ports.admin}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('jaeger_query_requests_total{') &&
    l.includes('operation="archive_trace"') && l.includes('result="ok"'));
  return line ? Number(line.split(' ').pop()) : 0;
}

test('under /jaeger the UI loads, shows the seed\'s menu and asks nothing of any other host', async () => {
  await withPage(env, 'base-path', async ({ page, screenshot }) => {
    const assertUnderBasePath = watchBasePath(page, BASE_PATH);
    await openSearch(page, env.server, ['frontend', 'payments']);
    assert.ok(page.url().startsWith(`${env.server.uiUrl}`), page.url());
    const scripts = await page.locator('script[src]').evaluateAll((all) => all.map((s) => s.src));
    assert.deepEqual(scripts.filter((src) => new URL(src).host !== new URL(env.server.uiUrl).host), [],
      'scripts from another host');

    const menu = page.locator('details.menu, nav').filter({ hasText: 'MCP System' }).first();
    await page.getByText('MCP System', { exact: true }).click();
    const entries = {};
    for (const item of seedConfig.menu[0].items) {
      const link = menu.getByRole('link', { name: item.label, exact: true });
      await link.waitFor({ state: 'visible' });
      entries[item.label] = await link.getAttribute('href');
    }
    assert.deepEqual(entries, {
      'Service Dependencies': '/jaeger/dependencies',
      'System Architecture': '/jaeger/architecture',
    });
    await screenshot('01-menu');

    await menu.getByRole('link', { name: 'Service Dependencies', exact: true }).click();
    await eventually(() => page.url(), (url) => url === env.server.url('dependencies'),
      'the menu entry does not open /jaeger/dependencies');
    await eventually(() => byTestId(page, 'deps-node').count(), (n) => n === 4,
      'the dependencies view does not show the 4 services (dagMaxNumServices 200)');
    assert.equal(await byTestId(page, 'deps-lookback').inputValue(), seedConfig.dependencies.defaultLookback,
      'the lookback is the configuration\'s defaultLookback');
    assert.equal(await byTestId(page, 'deps-truncated').count(), 0);
    await screenshot('02-dependencies');
    assertUnderBasePath();
  });
});

test('the archive button archives the trace', async () => {
  await withPage(env, 'base-path', async ({ page, screenshot }) => {
    const assertUnderBasePath = watchBasePath(page, BASE_PATH);
    await page.goto(env.server.url(`trace/${TRACE.error}`));
    await waitForRows(page, traces.error.spans.map((one) => one.spanId));
    const before = await archivedCount(env.server);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/api/archive/')),
      byTestId(page, 'trace-archive').click(),
    ]);
    assert.equal(response.url(), env.server.url(`api/archive/${TRACE.error}`));
    assert.equal(response.status(), 200);
    // The server counts a request once its last byte is written, which may be after the page has
    // the answer.
    await eventually(() => archivedCount(env.server), (count) => count === before + 1,
      'the server did not count one archived trace');
    await screenshot('03-archived');
    assertUnderBasePath();
  });
});

test('dagMaxNumServices: 2 shows two services and says the graph is truncated', async () => {
  const uiConfig = seedConfigWith('dag2', { dagMaxNumServices: 2 });
  const server = await startAllInOne({ basePath: BASE_PATH, uiConfig });
  try {
    await waitForDependencies(server, expectedDependencies(await loadKnownTraces(server)));
    await withPage({ browser: env.browser, server }, 'base-path', async ({ page, screenshot }) => {
      await page.goto(server.url('dependencies'));
      await eventually(() => textOf(byTestId(page, 'deps-truncated')), (text) => text !== '',
        'deps-truncated does not show with 4 services and dagMaxNumServices 2');
      const nodes = await attributeOfAll(byTestId(page, 'deps-node'), 'data-service');
      assert.equal(nodes.length, 2, `the graph shows ${JSON.stringify(nodes)}`);
      await screenshot('04-truncated');
    });
  } finally {
    await server.stop();
  }
});

test('menuEnabled: false hides the dependencies view; no archive store hides the archive button', async () => {
  const uiConfig = seedConfigWith('nodeps', { menuEnabled: false });
  const server = await startAllInOne({ basePath: BASE_PATH, uiConfig });
  try {
    await loadKnownTraces(server);
    await withPage({ browser: env.browser, server }, 'base-path', async ({ page, screenshot }) => {
      await openSearch(page, server, ['frontend']);
      assert.equal(await page.locator('nav a.tab').filter({ hasText: 'System architecture' }).count(), 0,
        'the dependencies tab shows with menuEnabled false');
      await page.goto(server.url('dependencies'));
      await page.locator('#app > *').first().waitFor();
      assert.equal(await byTestId(page, 'deps-graph').count(), 0, 'the dependencies view shows with menuEnabled false');
      await screenshot('05-no-dependencies');

      await page.goto(server.url(`trace/${TRACE.checkout}`));
      await waitForRows(page, traces.checkout.spans.map((one) => one.spanId));
      assert.equal(await byTestId(page, 'trace-archive').count(), 0,
        'archiveEnabled without an archive store must not show the archive button');
      await screenshot('06-no-archive');
    });
  } finally {
    await server.stop();
  }
});
