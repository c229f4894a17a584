// The collections' description, GET /admin/v1/catalog, read once.
import { get } from './api.js';

let cached;
export async function collections() {
  if (!cached) cached = get('/catalog').then(r => r.collections).catch(e => { cached = undefined; throw e; });
  return cached;
}

export const titles = {
  masters: 'Masters', merchants: 'Merchants', clothes: 'Clothes', games: 'Games', projects: 'Projects', tickets: 'Tickets',
  banners: 'Banners', goods: 'Goods', 'exchange-products': 'Exchange products', faqs: 'FAQ', 'feedback-categories': 'Feedback categories',
};
export const title = name => titles[name] || name;
