// The search results' scatter plot: one circle per trace, x = start time, y = duration, the area
// growing with the span count, red when the trace has errors. Hovering a circle shows the trace's
// title and duration; a circle is a link to its trace.
//
// layoutScatter(summaries, width, height) → {points: [{summary, x, y, r}], xTicks, yTicks, plot}
//   is pure (node-tested): pixel positions inside a width × height SVG; ticks are [{at, label}].
// createScatter({hrefOf(traceID), onOpen(traceID)}) → {element, render(summaries),
//   highlight(traceID | null), destroy()}. The element sizes itself to its container's width;
//   destroy() stops watching it. onOpen is called for a plain left click (other clicks keep the
//   link's meaning, e.g. open in a new tab).

import { h, s, clear } from './dom.js';
import { formatDuration, formatTimestamp } from './format.js';
import { summaryTitle } from './search-summary.js';

const HEIGHT = 190;
const MARGIN = { left: 64, right: 20, top: 14, bottom: 26 };
const MIN_RADIUS = 3;
const MAX_RADIUS = 12;
const LABEL_CHAR_WIDTH = 7;  // px, about, of the 11px axis labels
const US_PER_MS = 1000;
const US_PER_S = 1000 * US_PER_MS;
const US_PER_MIN = 60 * US_PER_S;
const US_PER_HOUR = 60 * US_PER_MIN;
const US_PER_DAY = 24 * US_PER_HOUR;
const MIN_TIME_RANGE = 10 * US_PER_MS;
const TIME_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000,
].map((ms) => ms * US_PER_MS).concat(
  [1, 2, 5, 10, 15, 30].map((m) => m * US_PER_MIN),
  [1, 2, 3, 6, 12].map((hours) => hours * US_PER_HOUR),
  [1, 2, 7].map((days) => days * US_PER_DAY));

export function layoutScatter(summaries, width, height) {
  const plot = { left: MARGIN.left, top: MARGIN.top, right: width - MARGIN.right, bottom: height - MARGIN.bottom };
  const inner = MAX_RADIUS;  // keeps the largest circle inside the plot
  const x = timeScale(summaries, plot.left + inner, plot.right - inner);
  const y = durationScale(summaries, plot.bottom, plot.top + inner);
  const points = summaries
    .map((summary) => ({
      summary, x: x.at(summary.startTime), y: y.at(summary.duration), r: radius(summary.spanCount),
    }))
    .sort((a, b) => b.r - a.r);  // small circles on top of large ones
  const xTicks = x.ticks.filter((tick) => {
    const half = tick.label.length * LABEL_CHAR_WIDTH / 2;
    return tick.at - half >= 0 && tick.at + half <= width;  // labels cut by the edge are left out
  });
  return { plot, points, xTicks, yTicks: y.ticks };
}

// The radius grows with the logarithm of the span count, so 10,000 spans stay readable beside 10.
function radius(spanCount) {
  return Math.min(MAX_RADIUS, MIN_RADIUS + 1.5 * Math.log2(Math.max(1, spanCount)));
}

function timeScale(summaries, from, to) {
  let min = Infinity;
  let max = -Infinity;
  for (const summary of summaries) {
    min = Math.min(min, summary.startTime);
    max = Math.max(max, summary.startTime);
  }
  if (!Number.isFinite(min)) min = max = 0;
  if (max - min < MIN_TIME_RANGE) {  // one trace, or all at once: a range around them
    const middle = (min + max) / 2;
    min = middle - MIN_TIME_RANGE / 2;
    max = middle + MIN_TIME_RANGE / 2;
  }
  const at = (value) => from + ((value - min) / (max - min)) * (to - from);
  const step = TIME_STEPS.find((candidate) => (max - min) / candidate <= 6) || US_PER_DAY * 30;
  const offset = localOffsetUs(min);
  const ticks = [];
  for (let t = Math.ceil((min + offset) / step) * step - offset; t <= max; t += step) {
    ticks.push({ at: at(t), label: timeLabel(t, step) });
  }
  return { at, ticks };
}

// How far the local time zone is ahead of UTC at `us`, so ticks of hours and days fall on local
// midnights and hours.
function localOffsetUs(us) {
  return -new Date(us / US_PER_MS).getTimezoneOffset() * US_PER_MIN;
}

function timeLabel(us, step) {
  const stamp = formatTimestamp(us);  // "YYYY-MM-DD HH:MM:SS.mmm"
  if (step >= US_PER_DAY) return stamp.slice(5, 10);
  if (step >= US_PER_MIN) return stamp.slice(11, 16);
  if (step >= US_PER_S) return stamp.slice(11, 19);
  return stamp.slice(11, 23);
}

function durationScale(summaries, from, to) {
  const longest = summaries.reduce((max, summary) => Math.max(max, summary.duration), 0);
  const step = niceStep(Math.max(longest, 1) / 4);
  const top = Math.max(step, Math.ceil(longest / step) * step);
  const at = (value) => from + (value / top) * (to - from);
  const ticks = [];
  for (let value = 0; value <= top; value += step) ticks.push({ at: at(value), label: formatDuration(value) });
  return { at, ticks };
}

// The 1, 2 or 5 × 10^k at or above `rough`.
function niceStep(rough) {
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= rough);
}

// ---- the DOM -------------------------------------------------------------------------------------

export function createScatter({ hrefOf, onOpen }) {
  const svg = s('svg', { class: 'search-scatter', 'data-testid': 'search-scatter', height: HEIGHT, role: 'img',
    'aria-label': 'Trace durations over time' });
  const tooltip = h('div', { class: 'search-tooltip', hidden: true });
  const element = h('div', { class: 'search-scatter-box' }, svg, tooltip);
  const circles = new Map();  // traceID → <circle>
  const summaries = new Map();  // traceID → Summary
  let current = [];
  let highlighted = null;

  const draw = () => {
    const width = element.clientWidth;
    if (width <= 0) return;
    svg.setAttribute('width', width);
    clear(svg);
    circles.clear();
    const layout = layoutScatter(current, width, HEIGHT);
    svg.append(axes(layout), ...layout.points.map(dot));
    if (highlighted) circles.get(highlighted)?.classList.add('hovered');
  };

  const dot = ({ summary, x, y, r }) => {
    const circle = s('circle', {
      class: summary.errorCount > 0 ? 'search-dot search-dot-error' : 'search-dot',
      cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1), 'data-trace-id': summary.traceID,
    });
    circles.set(summary.traceID, circle);
    return s('a', { href: hrefOf(summary.traceID), 'aria-label': summaryTitle(summary) }, circle);
  };

  svg.addEventListener('mouseover', (event) => {
    const circle = event.target.closest?.('circle');
    if (circle) showTooltip(tooltip, summaries.get(circle.dataset.traceId), circle);
  });
  svg.addEventListener('mouseout', (event) => {
    if (event.target.closest?.('circle')) tooltip.hidden = true;
  });
  svg.addEventListener('click', (event) => {
    const circle = event.target.closest?.('circle');
    if (!circle || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    onOpen(circle.dataset.traceId);
  });

  const observer = new ResizeObserver(draw);
  observer.observe(element);

  return {
    element,
    render(list) {
      current = list;
      summaries.clear();
      for (const summary of list) summaries.set(summary.traceID, summary);
      tooltip.hidden = true;
      draw();
    },
    highlight(traceID) {
      if (highlighted) circles.get(highlighted)?.classList.remove('hovered');
      highlighted = traceID;
      if (traceID) circles.get(traceID)?.classList.add('hovered');
    },
    destroy() {
      observer.disconnect();
    },
  };
}

function axes({ plot, xTicks, yTicks }) {
  return s('g', { class: 'search-axes' },
    yTicks.map((tick) => s('g', null,
      s('line', { class: 'search-grid', x1: plot.left, x2: plot.right, y1: tick.at, y2: tick.at }),
      s('text', { x: plot.left - 8, y: tick.at, 'text-anchor': 'end', 'dominant-baseline': 'middle' }, tick.label))),
    xTicks.map((tick) => s('text', { x: tick.at, y: plot.bottom + 17, 'text-anchor': 'middle' }, tick.label)),
    s('line', { class: 'search-axis', x1: plot.left, x2: plot.right, y1: plot.bottom, y2: plot.bottom }));
}

function showTooltip(tooltip, summary, circle) {
  if (!summary) return;
  const counts = [formatDuration(summary.duration), plural(summary.spanCount, 'span')];
  if (summary.errorCount > 0) counts.push(plural(summary.errorCount, 'error'));
  tooltip.replaceChildren(
    h('div', { class: 'search-tooltip-title' }, summaryTitle(summary)),
    h('div', counts.join(' · ')),
    h('div', { class: 'search-tooltip-time' }, formatTimestamp(summary.startTime)));
  tooltip.hidden = false;
  const x = Number(circle.getAttribute('cx'));
  const y = Number(circle.getAttribute('cy'));
  const box = tooltip.parentElement.clientWidth;
  const flip = x > box - 240;  // keep the tooltip inside the plot on the right-hand side
  tooltip.style.left = flip ? '' : `${x + 14}px`;
  tooltip.style.right = flip ? `${box - x + 14}px` : '';
  tooltip.style.top = `${Math.max(0, y - 20)}px`;
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
