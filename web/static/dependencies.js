// The dependencies page (route "dependencies", shown when dependencies.menuEnabled): the service
// graph of /api/dependencies over a lookback, laid out by dag-layout.js and drawn as SVG. Drag to
// pan, wheel to zoom; hovering a service highlights its calls; clicking one opens a panel with its
// traffic and a link to search its traces. At most dependencies.dagMaxNumServices services are
// drawn (the busiest), with a note when more exist. The lookback lives in the URL (?lookback=2h);
// the default is dependencies.defaultLookback of the UI configuration.

import { h, s, clear } from './dom.js';
import { getDependencies } from './api.js';
import { layoutDag } from './dag-layout.js';
import { serviceColor } from './colors.js';
import { parseLookback } from './format.js';

const LOOKBACKS = ['1h', '2h', '6h', '12h', '1d', '2d', '7d'];
const UNITS = [['d', 86400e3, 'day'], ['h', 3600e3, 'hour'], ['m', 60e3, 'minute'], ['s', 1e3, 'second']];
const NODE_FONT = '600 13px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
const NODE_PADDING_X = 16;
const NODE_HEIGHT = 34;
const NODE_MAX_WIDTH = 320;
const MIN_SCALE = 0.1;
const MAX_SCALE = 3;
const DRAG_THRESHOLD_PX = 4;

export function mount(root, ctx) {
  ctx.setTitle('System architecture');
  const defaultLookback = lookbackName(ctx.config.dependencies.defaultLookbackMs);
  const maxServices = ctx.config.dependencies.dagMaxNumServices;
  const select = h('select', {
    dataset: { testid: 'deps-lookback' },
    on: { change: () => ctx.navigate(`dependencies?lookback=${encodeURIComponent(select.value)}`, { replace: true }) },
  });
  const stats = h('span', { class: 'deps-stats' });
  const notice = h('div', { class: 'deps-notice' });
  const stage = h('div', { class: 'deps-stage' });
  let controller = null;
  let graph = null;
  let lookback = '';

  function load() {
    if (controller) controller.abort();
    if (graph) graph.destroy();
    graph = null;
    controller = new AbortController();
    const mine = controller;
    const lookbackMs = parseLookback(lookback);
    clear(stats);
    clear(notice);
    clear(stage).append(h('div', { class: 'state state-loading' }, 'Loading service dependencies…'));
    getDependencies(Date.now(), lookbackMs, mine.signal)
      .then((links) => {
        if (mine.signal.aborted) return;
        clear(stage);
        if (links.length === 0) {
          stage.append(emptyState(lookbackMs));
          return;
        }
        graph = drawGraph(stage, links, maxServices, ctx);
        stats.textContent = graph.summary;
        if (graph.layout.truncated) notice.append(truncatedNote(graph.layout, maxServices));
      })
      .catch((error) => {
        if (error.name === 'AbortError') return;
        const message = `Could not load the service dependencies: ${error.message}`;
        clear(stage).append(h('div', { class: 'state state-error' }, message));
      });
  }

  function show(route) {
    const wanted = route.query.get('lookback');
    lookback = wanted && parseLookback(wanted) !== null ? wanted : defaultLookback;
    fillLookbacks(select, lookback, defaultLookback);
    load();
  }

  root.append(h('div', { class: 'deps-page' },
    h('div', { class: 'deps-toolbar' },
      h('h1', 'System architecture'),
      h('label', { class: 'deps-field' }, 'Lookback', select),
      h('button', { type: 'button', title: 'Load the graph again, up to now', on: { click: load } }, 'Refresh'),
      stats),
    notice,
    stage));
  show(ctx.route);
  return {
    update: show,
    unmount: () => {
      if (controller) controller.abort();
      if (graph) graph.destroy();
    },
  };
}

// ---- lookback ------------------------------------------------------------------------------

function fillLookbacks(select, current, defaultLookback) {
  const names = [...LOOKBACKS];
  for (const extra of [defaultLookback, current]) {
    if (!names.some((name) => parseLookback(name) === parseLookback(extra))) names.push(extra);
  }
  names.sort((x, y) => parseLookback(x) - parseLookback(y));
  const selected = names.find((name) => parseLookback(name) === parseLookback(current));
  const option = (name) => h('option', { value: name }, lookbackWords(parseLookback(name)));
  clear(select).append(...names.map(option));
  select.value = selected;
}

// 3600000 → "1h", 129600000 → "36h": the largest unit that divides it.
function lookbackName(ms) {
  for (const [suffix, size] of UNITS) {
    if (ms % size === 0) return `${ms / size}${suffix}`;
  }
  return `${Math.max(1, Math.round(ms / 1e3))}s`;
}

// 3600000 → "1 hour", 172800000 → "2 days", 5400000 → "90 minutes".
function lookbackWords(ms) {
  for (const [, size, word] of UNITS) {
    if (ms % size === 0) {
      const n = ms / size;
      return `${n} ${word}${n === 1 ? '' : 's'}`;
    }
  }
  return `${(ms / 1e3).toFixed(1)} seconds`;
}

function emptyState(lookbackMs) {
  const span = lookbackWords(lookbackMs);
  return h('div', { class: 'state state-empty', dataset: { testid: 'deps-empty' } },
    h('p', h('strong', `No service dependencies in the last ${span.startsWith('1 ') ? span.slice(2) : span}.`)),
    h('p', 'A call is counted when a span\'s parent belongs to another service. Try a longer lookback, ' +
      'or send traces that cross services.'));
}

function truncatedNote(layout, maxServices) {
  return h('div', { class: 'state state-warning deps-truncated', dataset: { testid: 'deps-truncated' } },
    `Showing the ${layout.nodes.length} busiest of ${layout.totalNodes} services ` +
    `(dagMaxNumServices = ${maxServices}).`);
}

// ---- the graph -----------------------------------------------------------------------------

// Lays out and draws `links` into `stage`; returns {layout, summary, destroy()}.
function drawGraph(stage, links, maxServices, ctx) {
  const measure = textMeasurer();
  const layout = layoutDag(links, {
    maxNodes: maxServices,
    nodeSize: (id) => ({
      width: Math.min(NODE_MAX_WIDTH, Math.ceil(measure(id)) + 2 * NODE_PADDING_X),
      height: NODE_HEIGHT,
    }),
  });
  const edgeViews = layout.edges.map(edgeView);
  const nodeViews = layout.nodes.map((node) => nodeView(node, measure));
  const viewport = s('g', { class: 'deps-viewport' },
    s('g', { class: 'deps-edges' }, edgeViews.map((view) => view.element)),
    s('g', { class: 'deps-nodes' }, nodeViews.map((view) => view.element)));
  const svg = s('svg', {
    class: 'deps-graph', 'aria-label': `Service dependency graph of ${layout.nodes.length} services`,
    dataset: { testid: 'deps-graph' },
  }, arrowMarkers(), viewport);
  const panel = h('div', { class: 'deps-panel', hidden: true });
  const canvas = h('div', { class: 'deps-canvas' }, svg, panel,
    h('div', { class: 'deps-hint' }, 'Drag to pan · scroll to zoom · click a service for details'));
  stage.append(canvas);

  const view = panZoom(svg, viewport, layout);
  const selection = selectionOf(svg, nodeViews, edgeViews, panel, ctx);
  view.onClick = (target) => selection.select(target?.closest('.deps-node')?.dataset.service ?? null);
  canvas.append(zoomButtons(view));
  const totalCalls = layout.edges.reduce((sum, edge) => sum + edge.callCount, 0).toLocaleString('en-US');
  return {
    layout,
    summary: `${layout.nodes.length} services · ${layout.edges.length} links · ${totalCalls} calls`,
    destroy: () => view.destroy(),
  };
}

function zoomButtons(view) {
  const button = (label, title, action) => h('button', {
    type: 'button', title, 'aria-label': title, on: { click: action },
  }, label);
  return h('div', { class: 'deps-zoom' },
    button('+', 'Zoom in', () => view.zoomBy(1.25)),
    button('−', 'Zoom out', () => view.zoomBy(0.8)),
    button('Fit', 'Fit the graph to the window', () => view.fit()));
}

// Text widths in the nodes' font, from an off-screen canvas.
function textMeasurer() {
  const context = document.createElement('canvas').getContext('2d');
  context.font = NODE_FONT;
  return (text) => context.measureText(text).width;
}

function arrowMarkers() {
  const marker = (id) => s('marker', {
    id, viewBox: '0 0 10 10', refX: '9', refY: '5', markerWidth: '10', markerHeight: '10',
    markerUnits: 'userSpaceOnUse', orient: 'auto-start-reverse',
  }, s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `${id}-head` }));
  return s('defs', marker('deps-arrow'), marker('deps-arrow-hot'));
}

function edgeView(edge) {
  const label = String(edge.callCount);
  const path = s('path', {
    class: 'deps-edge-path', d: edgePath(edge), 'marker-end': 'url(#deps-arrow)',
  });
  const element = s('g', {
    class: `deps-edge${edge.reversed ? ' deps-edge-back' : ''}`,
    dataset: { testid: 'deps-edge', parent: edge.parent, child: edge.child },
  },
  s('title', `${edge.parent} → ${edge.child}: ${edge.callCount} calls`),
  s('path', { class: 'deps-edge-hit', d: path.getAttribute('d') }),
  path,
  s('text', {
    class: 'deps-edge-label', x: edge.labelAt[0], y: edge.labelAt[1], dataset: { testid: 'deps-edge-label' },
  }, label));
  return { edge, element, path };
}

// Curves leaving and entering horizontally between consecutive points; a self-loop is one cubic.
function edgePath(edge) {
  const p = edge.points;
  if (edge.selfLoop) return `M${p[0]} C${p[1]} ${p[2]} ${p[3]}`;
  let d = `M${p[0][0]},${p[0][1]}`;
  for (let i = 1; i < p.length; i++) {
    const [x0, y0] = p[i - 1];
    const [x1, y1] = p[i];
    const half = (x1 - x0) / 2;
    d += ` C${x0 + half},${y0} ${x1 - half},${y1} ${x1},${y1}`;
  }
  return d;
}

function nodeView(node, measure) {
  const color = serviceColor(node.id);
  const name = fitText(node.id, node.width - 2 * NODE_PADDING_X, measure);
  const element = s('g', {
    class: 'deps-node', transform: `translate(${node.x},${node.y})`, tabindex: '0',
    dataset: { testid: 'deps-node', service: node.id },
  },
  s('title', `${node.id}: ${node.traffic.toLocaleString('en-US')} calls in and out`),
  s('rect', { class: 'deps-node-box', width: node.width, height: node.height, rx: 8, fill: color }),
  s('text', {
    class: `deps-node-name ${isLight(color) ? 'deps-on-light' : 'deps-on-dark'}`,
    x: node.width / 2, y: node.height / 2,
  }, name));
  return { node, element };
}

// `text`, shortened with "…" when wider than `width`.
function fitText(text, width, measure) {
  if (measure(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (measure(`${text.slice(0, mid)}…`) <= width) low = mid;
    else high = mid - 1;
  }
  return `${text.slice(0, low)}…`;
}

// Whether dark text reads better than white on `color` ("#rrggbb"), by relative luminance.
function isLight(color) {
  const channel = (i) => {
    const c = parseInt(color.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
  return luminance > 0.3;
}

// ---- hover and selection -------------------------------------------------------------------

function selectionOf(svg, nodeViews, edgeViews, panel, ctx) {
  const edgesOf = new Map(nodeViews.map((view) => [view.node.id, []]));
  for (const view of edgeViews) {
    edgesOf.get(view.edge.parent).push(view);
    if (view.edge.child !== view.edge.parent) edgesOf.get(view.edge.child).push(view);
  }
  const nodeElements = new Map(nodeViews.map((view) => [view.node.id, view.element]));
  let selected = null;

  function focus(service) {
    svg.classList.toggle('deps-focused', service !== null);
    for (const view of nodeViews) view.element.classList.remove('deps-near');
    for (const view of edgeViews) setHot(view, false);
    if (service === null) return;
    nodeElements.get(service).classList.add('deps-near');
    for (const view of edgesOf.get(service)) {
      setHot(view, true);
      nodeElements.get(view.edge.parent).classList.add('deps-near');
      nodeElements.get(view.edge.child).classList.add('deps-near');
    }
  }

  function select(service) {
    if (selected) nodeElements.get(selected).classList.remove('deps-selected');
    selected = service;
    focus(service);
    clear(panel);
    panel.hidden = service === null;
    if (service === null) return;
    nodeElements.get(service).classList.add('deps-selected');
    panel.append(...servicePanel(service, edgesOf.get(service), ctx, () => select(null)));
  }

  for (const view of nodeViews) {
    const service = view.node.id;
    view.element.addEventListener('pointerenter', () => focus(service));
    view.element.addEventListener('pointerleave', () => focus(selected));
    view.element.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        select(service);
      } else if (event.key === 'Escape') {
        select(null);
      }
    });
  }
  return { select };
}

function setHot(view, hot) {
  view.element.classList.toggle('deps-hot', hot);
  view.path.setAttribute('marker-end', hot ? 'url(#deps-arrow-hot)' : 'url(#deps-arrow)');
}

function servicePanel(service, edges, ctx, close) {
  let callsIn = 0;
  let callsOut = 0;
  const callers = [];
  const callees = [];
  for (const { edge } of edges) {
    if (edge.child === service) {
      callsIn += edge.callCount;
      callers.push(edge);
    }
    if (edge.parent === service) {
      callsOut += edge.callCount;
      callees.push(edge);
    }
  }
  const searchPath = `search?service=${encodeURIComponent(service)}`;
  const list = (title, items, other) => (items.length === 0 ? null : h('div', { class: 'deps-panel-list' },
    h('h3', title),
    h('ul', items.sort((x, y) => y.callCount - x.callCount).map((edge) => h('li',
      h('span', { class: 'service-swatch', style: { background: serviceColor(edge[other]) } }),
      h('span', { class: 'deps-panel-service' }, edge[other]),
      h('span', { class: 'deps-panel-count' }, edge.callCount.toLocaleString('en-US')))))));
  return [
    h('div', { class: 'deps-panel-head' },
      h('span', { class: 'service-swatch', style: { background: serviceColor(service) } }),
      h('strong', { class: 'deps-panel-title' }, service),
      h('button', { type: 'button', class: 'deps-panel-close', 'aria-label': 'Close', on: { click: close } }, '×')),
    h('div', { class: 'deps-panel-totals' },
      `${callsIn.toLocaleString('en-US')} calls in · ${callsOut.toLocaleString('en-US')} calls out`),
    list('Called by', callers, 'parent'),
    list('Calls', callees, 'child'),
    h('a', {
      class: 'button primary deps-panel-search', href: ctx.href(searchPath), dataset: { testid: 'deps-search-service' },
      on: {
        click: (event) => {
          if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
          event.preventDefault();
          ctx.navigate(searchPath);
        },
      },
    }, `Search traces of ${service}`),
  ];
}

// ---- pan and zoom --------------------------------------------------------------------------

// Drag anywhere to pan, wheel to zoom about the pointer; a press released without moving is a
// click, reported to onClick(target). The graph fits the window until the user pans or zooms.
// Returns {fit(), zoomBy(factor), onClick, destroy()}.
function panZoom(svg, viewport, layout) {
  const state = { scale: 1, x: 0, y: 0 };
  let fitted = true;  // the view is fitted (not moved by the user): keep it fitted on resize
  let press = null;  // {id, startX, startY, fromX, fromY, moved, target}
  const api = { onClick: () => {}, fit, zoomBy, destroy };

  function apply() {
    viewport.setAttribute('transform', `translate(${state.x},${state.y}) scale(${state.scale})`);
  }

  function fit() {
    fitted = true;
    const { width, height } = svg.getBoundingClientRect();
    state.scale = clamp(Math.min(1, width / layout.width, height / layout.height), MIN_SCALE, MAX_SCALE);
    state.x = (width - layout.width * state.scale) / 2;
    state.y = Math.max(0, (height - layout.height * state.scale) / 2);
    apply();
  }

  function zoomAt(factor, px, py) {
    fitted = false;
    const scale = clamp(state.scale * factor, MIN_SCALE, MAX_SCALE);
    state.x = px - ((px - state.x) * scale) / state.scale;
    state.y = py - ((py - state.y) * scale) / state.scale;
    state.scale = scale;
    apply();
  }

  function zoomBy(factor) {
    const { width, height } = svg.getBoundingClientRect();
    zoomAt(factor, width / 2, height / 2);
  }

  function onWheel(event) {
    event.preventDefault();
    const box = svg.getBoundingClientRect();
    const delta = event.deltaMode === 1 ? event.deltaY * 16 : event.deltaY;
    zoomAt(Math.exp(-delta * 0.0015), event.clientX - box.left, event.clientY - box.top);
  }

  function onDown(event) {
    if (event.button !== 0 || press) return;
    press = {
      id: event.pointerId, startX: event.clientX, startY: event.clientY, fromX: state.x, fromY: state.y,
      moved: false, target: event.target,
    };
  }

  function onMove(event) {
    if (!press || event.pointerId !== press.id) return;
    const dx = event.clientX - press.startX;
    const dy = event.clientY - press.startY;
    if (!press.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD_PX) return;
    if (!press.moved) {
      press.moved = true;
      fitted = false;
      svg.setPointerCapture(press.id);
      svg.classList.add('deps-dragging');
    }
    state.x = press.fromX + dx;
    state.y = press.fromY + dy;
    apply();
  }

  function onUp(event) {
    if (!press || event.pointerId !== press.id) return;
    const { moved, target } = press;
    press = null;
    svg.classList.remove('deps-dragging');
    if (!moved) api.onClick(target instanceof Element ? target : null);
  }

  const listeners = [['wheel', onWheel, { passive: false }], ['pointerdown', onDown], ['pointermove', onMove],
    ['pointerup', onUp], ['pointercancel', onUp]];
  for (const [name, handler, options] of listeners) svg.addEventListener(name, handler, options);
  const resize = new ResizeObserver(() => { if (fitted) fit(); });
  resize.observe(svg);
  fit();

  function destroy() {
    resize.disconnect();
  }
  return api;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
