// config.js: the seed's ui-config.json as the UI reads it, Jaeger UI's defaults, and bad sections.
import { test, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../../web/static/config.js';

const SEED = {
  menu: [{
    label: 'MCP System',
    items: [
      { label: 'Service Dependencies', url: '/jaeger/dependencies' },
      { label: 'System Architecture', url: '/jaeger/architecture' },
    ],
  }],
  dependencies: { menuEnabled: true, dagMaxNumServices: 200, defaultLookback: '1h' },
  archiveEnabled: true,
  tracking: { gaID: 'UA-00000000-0', trackErrors: true },
};

function boot(config, archiveStorage = true) {
  globalThis.ariadneBoot = { config, capabilities: { archiveStorage }, version: { gitVersion: '0.7.0' } };
}

afterEach(() => { delete globalThis.ariadneBoot; });

test('the seed configuration', () => {
  boot(SEED);
  const config = loadConfig();
  assert.deepEqual(config.menu, SEED.menu);
  assert.deepEqual(config.dependencies, { menuEnabled: true, dagMaxNumServices: 200, defaultLookbackMs: 3600e3 });
  assert.equal(config.archiveEnabled, true);
  assert.equal(config.version.gitVersion, '0.7.0');
  assert.deepEqual(config.problems, []);
  assert.equal('tracking' in config, false);
});

test('the archive button needs both the configuration and an archive store', () => {
  boot(SEED, false);
  assert.equal(loadConfig().archiveEnabled, false);
  boot({ archiveEnabled: false }, true);
  assert.equal(loadConfig().archiveEnabled, false);
});

test('no configuration: Jaeger UI\'s defaults', () => {
  boot(null);
  const config = loadConfig();
  assert.deepEqual(config.menu, []);
  assert.deepEqual(config.dependencies, { menuEnabled: true, dagMaxNumServices: 100, defaultLookbackMs: 86400e3 });
  assert.equal(config.archiveEnabled, false);
  assert.equal(config.criticalPathEnabled, true);
  assert.equal(config.searchMaxLimit, 1500);
});

test('malformed sections fall back to defaults and are named', () => {
  boot({
    menu: [{ label: 'ok', url: 'https://example.com' }, { url: 'x' }, { label: 'nothing' }],
    dependencies: { menuEnabled: false, dagMaxNumServices: -3, defaultLookback: 'soon' },
  });
  const config = loadConfig();
  assert.deepEqual(config.menu, [{ label: 'ok', url: 'https://example.com' }]);
  assert.equal(config.dependencies.menuEnabled, false);
  assert.equal(config.dependencies.dagMaxNumServices, 100);
  assert.equal(config.dependencies.defaultLookbackMs, 86400e3);
  assert.equal(config.problems.length, 3);
  assert.match(config.problems.join('\n'), /defaultLookback "soon"/);
  assert.match(config.problems.join('\n'), /"nothing" has neither url nor items/);
});
