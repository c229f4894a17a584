import { h } from '../dom.js';
import { page } from '../ui.js';

export default async function () {
  return page('Not found', h('p', {}, 'No such page. ', h('a', { href: '/admin/' }, 'Back to the dashboard.')));
}
