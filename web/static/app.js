// The UI's entry point: the top bar (pages, the configuration's menu, version) and the router.
//
// Routes, relative to the base path that index.html's <base href> names (the seed: /jaeger/):
//   "" | search                        the search page (its form lives in the query string)
//   trace/{id}                         one trace
//   trace/{a}...{b}                    two traces compared (Jaeger's compare URL)
//   compare                            the compare page before two trace ids are chosen
//   dependencies                       the service graph (when dependencies.menuEnabled)
//   anything else                      a "no such page" message with a way back
//
// A page is a module exporting mount(root, ctx) → {unmount?(), update?(route)}. ctx holds:
//   config                  loadConfig()'s result
//   route                   {name, params, query: URLSearchParams}
//   navigate(path, {replace})  goes to `path` (relative to the base: "trace/abc?x=1"); when the
//                           page stays the same and has update(), update(route) is called
//                           instead of mounting it again
//   href(path)              the URL of `path` for <a href> (works with open-in-new-tab)
//   setTitle(text)          the document title ("text · Ariadne")

import { h, clear } from './dom.js';
import { loadConfig } from './config.js';

const PAGES = {
  search: () => import('./search.js'),
  trace: () => import('./trace.js'),
  compare: () => import('./compare.js'),
  dependencies: () => import('./dependencies.js'),
  notFound: () => import('./not-found.js'),
};

const config = loadConfig();
const basePath = new URL(document.baseURI).pathname;  // ends with "/"
let current = null;  // {name, handle}
let generation = 0;  // guards against a slow page import finishing after a newer navigation

export function routeOf(location) {
  const rest = location.pathname.startsWith(basePath)
    ? location.pathname.slice(basePath.length)
    : location.pathname.replace(/^\//, '');
  const query = new URLSearchParams(location.search);
  const parts = rest.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts.length === 1 && parts[0] === 'search')) {
    return { name: 'search', params: {}, query };
  }
  if (parts[0] === 'trace' && parts.length === 2) {
    const pair = parts[1].split('...');
    if (pair.length === 2 && pair[0] && pair[1]) return { name: 'compare', params: { a: pair[0], b: pair[1] }, query };
    return { name: 'trace', params: { id: parts[1] }, query };
  }
  if (parts.length === 1 && parts[0] === 'compare') return { name: 'compare', params: {}, query };
  if (parts.length === 1 && parts[0] === 'dependencies' && config.dependencies.menuEnabled) {
    return { name: 'dependencies', params: {}, query };
  }
  return { name: 'notFound', params: { path: rest }, query };
}

function href(path) {
  return new URL(path.replace(/^\//, ''), document.baseURI).pathname +
    (path.includes('?') ? path.slice(path.indexOf('?')) : '');
}

function navigate(path, { replace = false } = {}) {
  const url = new URL(path.replace(/^\//, ''), document.baseURI);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

async function render() {
  const route = routeOf(window.location);
  markActiveTab(route.name);
  if (current && current.name === route.name && current.handle?.update) {
    current.handle.update(route);
    return;
  }
  const mine = ++generation;
  if (current?.handle?.unmount) current.handle.unmount();
  current = null;
  const root = clear(document.getElementById('app'));
  let module;
  try {
    module = await PAGES[route.name]();
  } catch (error) {
    root.append(h('div', { class: 'state state-error' }, `This page failed to load: ${error.message}`));
    return;
  }
  if (mine !== generation) return;
  const ctx = { config, route, navigate, href, setTitle };
  current = { name: route.name, handle: module.mount(root, ctx) || {} };
}

function setTitle(text) {
  document.title = text ? `${text} · Ariadne` : 'Ariadne';
}

// ---- the top bar -----------------------------------------------------------------------------

function topBar() {
  const tabs = [
    tab('Search', 'search', 'search'),
    tab('Compare', 'compare', 'compare'),
    config.dependencies.menuEnabled ? tab('System architecture', 'dependencies', 'dependencies') : null,
  ];
  return h('nav', { class: 'topbar', 'aria-label': 'Main' },
    h('a', { class: 'brand', href: href(''), on: { click: internalLink('') } }, 'Ariadne'),
    tabs,
    h('span', { class: 'spacer' }),
    config.menu.map(menuEntry),
    h('span', { class: 'version', title: versionTitle() }, config.version.gitVersion || ''));
}

function tab(label, name, path) {
  return h('a', { class: 'tab', href: href(path), dataset: { page: name }, on: { click: internalLink(path) } }, label);
}

// A left click on an in-app link navigates without reloading; other clicks keep their meaning.
function internalLink(path) {
  return (event) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(path);
  };
}

// The configuration's menu: a link, or a dropdown of links. URLs are used as given (the seed's
// are absolute paths such as /jaeger/dependencies); only http(s) and relative URLs are linked.
function menuEntry(entry) {
  if (entry.items) {
    return h('details', { class: 'menu' },
      h('summary', entry.label),
      h('div', { class: 'menu-items' }, entry.items.map(menuLink)));
  }
  return menuLink(entry);
}

function menuLink(item) {
  const safe = safeUrl(item.url);
  const external = safe && /^https?:/i.test(safe) && new URL(safe).origin !== window.location.origin;
  return h('a', {
    class: 'menu-link',
    href: safe,
    target: external ? '_blank' : null,
    rel: external ? 'noopener noreferrer' : null,
  }, item.label);
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, document.baseURI);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

function versionTitle() {
  const v = config.version;
  return [v.gitVersion && `Ariadne ${v.gitVersion}`, v.gitCommit && `commit ${v.gitCommit}`, v.buildDate && `built ${v.buildDate}`]
    .filter(Boolean).join(', ');
}

function markActiveTab(name) {
  for (const link of document.querySelectorAll('.topbar .tab')) {
    link.classList.toggle('active', link.dataset.page === name);
  }
}

function start() {
  document.body.prepend(topBar());
  if (config.problems.length) {
    console.warn(`Ariadne: the UI configuration has problems: ${config.problems.join('; ')}`);
  }
  window.addEventListener('popstate', render);
  render();
}

start();
