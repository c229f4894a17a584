import { h } from '../dom.js';
import { get } from '../api.js';
import { page, failure } from '../ui.js';
import { barChart } from '../chart.js';

function tile(label, value, href) {
  const v = h('strong', { text: value === undefined || value === null ? '—' : String(value) });
  return h(href ? 'a' : 'div', { class: 'tile', href }, h('span', { class: 'muted', text: label }), v);
}

// days fills in the days the answer skips, oldest first.
function days(n, rows, key) {
  const by = new Map(rows.map(r => [r.day, r]));
  const out = [];
  const last = rows.length ? new Date(rows.map(r => r.day).sort().at(-1) + 'T00:00:00Z') : new Date();
  for (let i = n - 1; i >= 0; i--) {
    const d = new Date(last.getTime() - i * 86400000).toISOString().slice(0, 10);
    out.push({ label: d, value: by.has(d) ? Number(by.get(d)[key]) : 0, note: by.has(d) && by.get(d).count !== undefined && key !== 'count' ? by.get(d).count + ' orders' : '' });
  }
  return out;
}

export default async function ({ query }) {
  const n = Number(query.get('days')) || 30;
  let d;
  try {
    d = await get('/dashboard?days=' + n);
  } catch (e) {
    return page('Dashboard', failure(e, 'The dashboard'));
  }
  const currencies = [...new Set((d.orders_per_day || []).map(r => r.currency))].sort();
  return page('Dashboard',
    h('div', { class: 'tiles' },
      tile('Users', d.users_total, '/admin/users'),
      tile('Active rooms', d.active_rooms),
      tile('Open feedback', d.open_feedback, '/admin/feedback'),
      tile('Pushes sent', d.pushes_sent, '/admin/pushes')),
    h('div', { class: 'card' }, h('h2', { text: `Sign-ups per day (last ${n} days)` }),
      barChart(days(n, d.signups_per_day || [], 'count'), { label: 'sign-ups per day' })),
    currencies.length ? currencies.map(c => h('div', { class: 'card' },
      h('h2', { text: `Revenue per day, ${c}` }),
      barChart(days(n, (d.orders_per_day || []).filter(r => r.currency === c), 'revenue'), { label: `revenue per day in ${c}` }),
      h('h2', { text: `Orders per day, ${c}` }),
      barChart(days(n, (d.orders_per_day || []).filter(r => r.currency === c), 'count'), { label: `orders per day in ${c}`, height: 110 })))
      : h('div', { class: 'card' }, h('h2', {}, 'Orders and revenue'), h('p', { class: 'muted' }, 'No orders in this period.')));
}
