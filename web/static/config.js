// The UI configuration (reference §4.6; the seed's ui-config.json) with Jaeger UI's defaults for
// what it leaves out. index.html's inline script, whose constants ariadne-query fills in, hands
// the configuration, the storage capabilities and the version over in window.ariadneBoot.
// `tracking` (Google Analytics) is never read: the UI loads no third-party code.

import { parseLookback } from './format.js';

const DEFAULT_DAG_MAX_NUM_SERVICES = 100;
const DEFAULT_DEPENDENCIES_LOOKBACK_MS = 24 * 3600 * 1000;
const DEFAULT_SEARCH_MAX_LIMIT = 1500;

// {menu, dependencies: {menuEnabled, dagMaxNumServices, defaultLookbackMs}, archiveEnabled,
//  criticalPathEnabled, searchMaxLimit, version, raw}. Never throws: a malformed section falls
// back to the default and is named in `problems` (shown once on the page, not silently dropped).
export function loadConfig() {
  const raw = readRaw();
  const problems = [];
  const deps = isObject(raw.dependencies) ? raw.dependencies : {};
  let defaultLookbackMs = DEFAULT_DEPENDENCIES_LOOKBACK_MS;
  if (deps.defaultLookback !== undefined) {
    const parsed = parseLookback(String(deps.defaultLookback));
    if (parsed === null) problems.push(`dependencies.defaultLookback "${deps.defaultLookback}" is not a duration like 1h or 2d`);
    else defaultLookbackMs = parsed;
  }
  const capabilities = boot().capabilities;
  return {
    menu: readMenu(raw.menu, problems),
    dependencies: {
      menuEnabled: deps.menuEnabled !== false,
      dagMaxNumServices: positiveInt(deps.dagMaxNumServices, DEFAULT_DAG_MAX_NUM_SERVICES),
      defaultLookbackMs,
    },
    archiveEnabled: raw.archiveEnabled === true && Boolean(capabilities?.archiveStorage),
    criticalPathEnabled: raw.criticalPathEnabled !== false,
    searchMaxLimit: positiveInt(raw.search?.maxLimit, DEFAULT_SEARCH_MAX_LIMIT),
    version: boot().version || {},
    problems,
    raw,
  };
}

// What index.html's inline script gathered into window.ariadneBoot: {config, capabilities, version}.
function boot() {
  return isObject(globalThis.ariadneBoot) ? globalThis.ariadneBoot : {};
}

function readRaw() {
  const value = boot().config;
  return isObject(value) ? value : {};
}

// Jaeger's menu: [{label, url}] or [{label, items: [{label, url}]}] (a dropdown).
function readMenu(menu, problems) {
  if (menu === undefined) return [];
  if (!Array.isArray(menu)) {
    problems.push('menu is not a list');
    return [];
  }
  const out = [];
  for (const entry of menu) {
    if (!isObject(entry) || typeof entry.label !== 'string') {
      problems.push('a menu entry has no label');
      continue;
    }
    if (Array.isArray(entry.items)) {
      const items = entry.items.filter((item) => isObject(item) && typeof item.label === 'string' && typeof item.url === 'string');
      out.push({ label: entry.label, items: items.map((item) => ({ label: item.label, url: item.url })) });
    } else if (typeof entry.url === 'string') {
      out.push({ label: entry.label, url: entry.url });
    } else {
      problems.push(`menu entry "${entry.label}" has neither url nor items`);
    }
  }
  return out;
}

function positiveInt(value, fallback) {
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

function isObject(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
