// barChart draws values per day as an SVG bar chart (no library).
import { h } from './dom.js';

export function barChart(points, { label = '', height = 160, format = v => String(v) } = {}) {
  const W = 640, H = height, padL = 44, padB = 22, padT = 10;
  const max = Math.max(1, ...points.map(p => p.value));
  const step = (W - padL) / Math.max(1, points.length);
  const bw = Math.max(2, step * 0.7);
  const svg = h('svg:svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label });
  svg.append(h('svg:title', { text: label }));
  for (const frac of [0, 0.5, 1]) {
    const y = padT + (H - padB - padT) * (1 - frac);
    svg.append(h('svg:line', { x1: padL, x2: W, y1: y, y2: y, class: 'gridline' }));
    svg.append(h('svg:text', { x: padL - 6, y: y + 4, 'text-anchor': 'end', class: 'axis', text: format(Math.round(max * frac)) }));
  }
  points.forEach((p, i) => {
    const bh = (H - padB - padT) * (p.value / max);
    const x = padL + i * step + (step - bw) / 2;
    const bar = h('svg:rect', { x, y: H - padB - bh, width: bw, height: Math.max(0, bh), class: 'bar' });
    bar.append(h('svg:title', { text: `${p.label}: ${format(p.value)}${p.note ? ' · ' + p.note : ''}` }));
    svg.append(bar);
    if (points.length <= 12 || i % Math.ceil(points.length / 8) === 0) {
      svg.append(h('svg:text', { x: x + bw / 2, y: H - 6, 'text-anchor': 'middle', class: 'axis', text: p.label.slice(5) }));
    }
  });
  return svg;
}
