/** The demo shop's fixed catalogue: small, deterministic, enough for search and cart journeys. */

export interface Product {
  /** Stable numeric id, used in `/product/:id` and `/api/products/:id`. */
  id: number;
  name: string;
  /** Unit price in `currency`, two decimals. */
  price: number;
  currency: 'EUR';
  /** Units on hand (integer). */
  stock: number;
  description: string;
  /** Hue (0-360) of the product's generated SVG image. */
  hue: number;
}

export const CATALOG: readonly Product[] = Object.freeze([
  { id: 1, name: 'Trail Running Shoes', price: 89.9, currency: 'EUR', stock: 14, hue: 12, description: 'Grippy outsole, light mesh upper, made for muddy mornings.' },
  { id: 2, name: 'Merino Running Socks', price: 14.5, currency: 'EUR', stock: 120, hue: 200, description: 'Soft, warm when wet, and they do not smell after a week.' },
  { id: 3, name: 'Waterproof Shell Jacket', price: 149, currency: 'EUR', stock: 6, hue: 160, description: 'Three-layer shell that packs into its own pocket.' },
  { id: 4, name: 'Insulated Water Bottle', price: 24.99, currency: 'EUR', stock: 48, hue: 280, description: 'Keeps coffee hot for twelve hours and water cold for a day.' },
  { id: 5, name: 'Headlamp 400 Lumen', price: 39, currency: 'EUR', stock: 0, hue: 50, description: 'Rechargeable, red light mode, survives a drop on rock.' },
  { id: 6, name: 'Running Vest 12L', price: 99.95, currency: 'EUR', stock: 9, hue: 320, description: 'Two soft flasks included, room for a jacket and lunch.' },
  { id: 7, name: 'Trail Running Poles', price: 74, currency: 'EUR', stock: 21, hue: 100, description: 'Carbon, folding, 275 grams the pair.' },
  { id: 8, name: 'Running Cap', price: 19.9, currency: 'EUR', stock: 60, hue: 230, description: 'Quick-dry, reflective logo, adjustable strap.' },
]);

/** Case-insensitive substring search over name and description; an empty query lists everything. */
export function searchProducts(query: string): Product[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...CATALOG];
  return CATALOG.filter((p) => p.name.toLowerCase().includes(q) || p.description.toLowerCase().includes(q));
}

export function findProduct(id: number): Product | undefined {
  return CATALOG.find((p) => p.id === id);
}

/** The public JSON shape of a product (no presentation fields). */
export interface ProductJson {
  id: number;
  name: string;
  price: number;
  currency: string;
  stock: number;
}

export function toJson(p: Product): ProductJson {
  return { id: p.id, name: p.name, price: p.price, currency: p.currency, stock: p.stock };
}

/** The product image: a small SVG, served from `/static/product-:id.svg` (no external network). */
export function productSvg(p: Product): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240" viewBox="0 0 320 240" role="img" aria-label="${p.name}">
<rect width="320" height="240" fill="hsl(${p.hue} 60% 88%)"/>
<circle cx="160" cy="120" r="70" fill="hsl(${p.hue} 65% 55%)"/>
<rect x="95" y="176" width="130" height="14" rx="7" fill="hsl(${p.hue} 40% 35%)"/>
</svg>`;
}

/** The home page hero image (the LCP element together with the hero headline). */
export const HERO_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="480" viewBox="0 0 1200 480" role="img" aria-label="Mountain trail at sunrise">
<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#ffb36b"/><stop offset="1" stop-color="#ffe7c2"/></linearGradient></defs>
<rect width="1200" height="480" fill="url(#sky)"/>
<circle cx="880" cy="170" r="80" fill="#fff4d6"/>
<path d="M0 400 L220 180 L380 320 L560 120 L760 330 L940 220 L1200 420 L1200 480 L0 480 Z" fill="#3c5a4a"/>
<path d="M0 440 L300 300 L520 420 L800 300 L1200 460 L1200 480 L0 480 Z" fill="#243b30"/>
</svg>`;
