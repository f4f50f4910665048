// Any path the router does not know (a menu entry pointing at a page this UI does not have, an old
// bookmark): says so and offers the way back.

import { h } from './dom.js';

export function mount(root, ctx) {
  ctx.setTitle('Not found');
  root.append(h('div', { class: 'state state-empty' },
    h('h1', 'No such page'),
    h('p', `Nothing lives at "${ctx.route.params.path}" in this UI.`),
    h('p', h('a', { href: ctx.href('search') }, 'Search for traces'))));
  return {};
}
