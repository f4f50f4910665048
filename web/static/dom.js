// Building DOM without innerHTML: every string from the API (span names, tag values, the server's
// error text) becomes a text node, so nothing a traced application sends can inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

// h('div', {class: 'row', title: 'x', on: {click: f}, dataset: {id: '1'}, style: {width: '3px'}},
//   'text', child, [more, children]) → an HTMLElement. `props` may be omitted or null. A prop
// whose value is null, undefined or false is left out; true sets an empty attribute.
export function h(tag, props, ...children) {
  return build(document.createElement(tag), props, children);
}

// The same for SVG elements (<svg>, <g>, <path>, <text>, …).
export function s(tag, props, ...children) {
  return build(document.createElementNS(SVG_NS, tag), props, children);
}

function build(element, props, children) {
  if (props && (typeof props !== 'object' || props instanceof Node || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  for (const [name, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'style' && typeof value === 'object') {
      Object.assign(element.style, value);
    } else if (name === 'value' || name === 'checked' || name === 'selected') {
      element[name] = value;  // the live property, not only the initial attribute
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

// Appends strings (as text), numbers, nodes, and arrays of them; skips null, undefined, false.
export function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(parent, child);
    else parent.append(child instanceof Node ? child : String(child));
  }
  return parent;
}

// Removes every child of `element`.
export function clear(element) {
  element.replaceChildren();
  return element;
}
