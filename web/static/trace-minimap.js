// The trace page's minimap: every visible row of the waterfall as a thin bar on a <canvas>
// (data-testid=trace-minimap), time across and rows down, with the waterfall's viewport framed on
// top. Clicking or dragging on it scrolls the waterfall there.
//
// createMinimap(trace, {onScrollTo(fraction)}) → {element, setRows(rows, count), setMatches(set),
// setViewport({first, last, count}), destroy()}. `element` holds the canvas; `rows` maps a row to a
// span index, as the waterfall's. The bars are drawn once per change of rows, matches or size; the
// viewport is an element over the canvas, so that scrolling only moves it (no canvas redraw).

import { h } from './dom.js';
import { serviceColor } from './colors.js';

const HEIGHT_PX = 64;
const MATCH_COLOR = '#e8590c';

export function createMinimap(trace, { onScrollTo }) {
  return new Minimap(trace, onScrollTo);
}

class Minimap {
  constructor(trace, onScrollTo) {
    this.trace = trace;
    this.onScrollTo = onScrollTo;
    this.rows = new Int32Array(0);
    this.count = 0;
    this.matches = new Set();
    this.port = { first: 0, last: 0, count: 0 };
    this.width = 0;
    this.ratio = 1;
    this.canvas = h('canvas', { class: 'trace-minimap', 'data-testid': 'trace-minimap' });
    this.frame = h('div', { class: 'trace-minimap-viewport', 'aria-hidden': 'true' });
    this.element = h('div', {
      class: 'trace-minimap-box',
      style: { height: `${HEIGHT_PX}px` },
      title: 'Click or drag to scroll the timeline',
      on: {
        pointerdown: (event) => this.startDrag(event),
        pointermove: (event) => this.drag(event),
        pointerup: (event) => this.endDrag(event),
        pointercancel: (event) => this.endDrag(event),
      },
    }, this.canvas, this.frame);
    this.dragging = false;
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(this.element);
  }

  destroy() {
    this.resizeObserver.disconnect();
  }

  setRows(rows, count) {
    this.rows = rows;
    this.count = count;
    this.drawBars();
  }

  setMatches(matches) {
    this.matches = matches;
    this.drawBars();
  }

  // Moves the frame over the rows in view, if they changed.
  setViewport(port) {
    const { first, last, count } = port;
    if (first === this.port.first && last === this.port.last && count === this.port.count) return;
    this.port = port;
    const top = count ? (first / count) * HEIGHT_PX : 0;
    const height = count ? Math.max(2, ((last - first) / count) * HEIGHT_PX) : HEIGHT_PX;
    this.frame.style.transform = `translateY(${top}px)`;
    this.frame.style.height = `${height}px`;
  }

  resize() {
    const width = this.element.clientWidth;
    const ratio = window.devicePixelRatio || 1;
    if (width === this.width && ratio === this.ratio) return;
    this.width = width;
    this.ratio = ratio;
    this.canvas.width = Math.max(1, Math.round(width * ratio));
    this.canvas.height = Math.round(HEIGHT_PX * ratio);
    this.drawBars();
  }

  // The bars, one path per service colour (a few fill calls instead of one per span).
  drawBars() {
    const context = this.canvas.getContext('2d');
    const { width, height } = this.canvas;
    context.clearRect(0, 0, width, height);
    if (this.count === 0 || this.width === 0) return;
    const spans = this.trace.spans;
    const total = this.trace.duration || 1;
    const rowHeight = height / this.count;
    const barHeight = Math.max(1, Math.min(rowHeight * 0.8, 6 * this.ratio));
    const paths = new Map();
    const matched = new Path2D();
    for (let row = 0; row < this.count; row++) {
      const span = spans[this.rows[row]];
      const x = (span.relStart / total) * width;
      const w = Math.max(1, (span.duration / total) * width);
      const y = row * rowHeight + (rowHeight - barHeight) / 2;
      const color = serviceColor(span.serviceName);
      let path = paths.get(color);
      if (!path) paths.set(color, path = new Path2D());
      path.rect(x, y, w, barHeight);
      if (this.matches.has(span.index)) matched.rect(x, y, w, Math.max(barHeight, 2 * this.ratio));
    }
    for (const [color, path] of paths) {
      context.fillStyle = color;
      context.fill(path);
    }
    if (this.matches.size) {
      context.fillStyle = MATCH_COLOR;
      context.fill(matched);
    }
  }

  startDrag(event) {
    if (event.button !== 0) return;
    this.dragging = true;
    this.element.setPointerCapture(event.pointerId);
    this.scrollToPointer(event);
  }

  drag(event) {
    if (this.dragging) this.scrollToPointer(event);
  }

  endDrag(event) {
    if (!this.dragging) return;
    this.dragging = false;
    if (this.element.hasPointerCapture(event.pointerId)) this.element.releasePointerCapture(event.pointerId);
  }

  scrollToPointer(event) {
    const box = this.element.getBoundingClientRect();
    const fraction = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    this.onScrollTo(fraction);
  }
}
