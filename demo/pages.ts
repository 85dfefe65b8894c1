/**
 * Server-rendered pages of the demo shop. Every element a journey touches has an accessible name and a
 * stable `data-testid`; dynamic parts (search results, cart, checkout, login) go through the JSON API
 * from inline scripts, so API faults show up in browser steps too.
 */
import { CATALOG, type Product } from './catalog.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

export function formatPrice(price: number, currency: string): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency }).format(price);
}

/** What every page needs from the request: the session's cart size and the signed-in user. */
export interface PageContext {
  cartCount: number;
  user?: string;
}

const CSS = `
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#1d2a24;background:#fbfaf7}
header{display:flex;gap:1.5rem;align-items:center;padding:.75rem 1.5rem;background:#243b30;color:#fff}
header a{color:#fff;text-decoration:none}header .brand{font-weight:700;font-size:1.2rem;margin-right:auto}
main{max-width:1100px;margin:0 auto;padding:1.5rem}
.hero{position:relative;border-radius:12px;overflow:hidden}.hero img{display:block;width:100%;height:auto}
.hero h1{position:absolute;left:2rem;bottom:1.5rem;margin:0;font-size:clamp(2rem,5vw,3.5rem);color:#fff;text-shadow:0 2px 8px #0008;max-width:70%}
.lede{font-size:1.2rem;max-width:60ch}
form.search{display:flex;gap:.5rem;margin:1.5rem 0}input,textarea{font:inherit;padding:.5rem .75rem;border:1px solid #9aa9a0;border-radius:6px}
form.search input{flex:1}button,.button{font:inherit;padding:.5rem 1rem;border:0;border-radius:6px;background:#d9622b;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button:disabled{background:#a9a9a9;cursor:not-allowed}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:1rem;padding:0;list-style:none}
.card{background:#fff;border:1px solid #e3e0d8;border-radius:10px;padding:.75rem}.card img{width:100%;height:auto;border-radius:6px}
.price{font-weight:700}.error{color:#a8200d}.ok{color:#1d6b3a}
ul.rows{list-style:none;padding:0}ul.rows li{display:flex;justify-content:space-between;padding:.5rem 0;border-bottom:1px solid #e3e0d8}
form.stack{display:grid;gap:.75rem;max-width:420px}form.stack label{display:grid;gap:.25rem}
`;

function layout(title: string, ctx: PageContext, body: string, script = ''): string {
  const account = ctx.user
    ? `<span data-testid="account">Signed in as ${escapeHtml(ctx.user)}</span>`
    : '<a href="/login" data-testid="login-link">Sign in</a>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)} · Trailhead Outfitters</title>
<style>${CSS}</style>
</head>
<body>
<header>
<a class="brand" href="/" data-testid="home-link">Trailhead Outfitters</a>
<a href="/search" data-testid="search-link">Search</a>
<a href="/cart" data-testid="cart-link" aria-label="Cart">Cart (<span data-testid="cart-count">${ctx.cartCount}</span>)</a>
${account}
</header>
<main>
${body}
</main>
${script ? `<script>\n${script}\n</script>` : ''}
</body>
</html>`;
}

/** Shared client helpers: JSON fetch with a useful error, price formatting with a shape check. */
const CLIENT_LIB = `
async function api(path, init) {
  const res = await fetch(path, Object.assign({ headers: { 'content-type': 'application/json', accept: 'application/json' }, credentials: 'same-origin' }, init || {}));
  let body;
  try { body = await res.json(); } catch (e) { throw new Error('unreadable response (HTTP ' + res.status + ')'); }
  if (!res.ok) throw new Error((body && body.error) || ('HTTP ' + res.status));
  return body;
}
function money(price, currency) {
  if (typeof price !== 'number' || typeof currency !== 'string') throw new Error('unexpected price format');
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency: currency }).format(price);
}
function setCartCount(n) { document.querySelector('[data-testid="cart-count"]').textContent = String(n); }
function el(tag, attrs, text) { const e = document.createElement(tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (text !== undefined) e.textContent = text; return e; }
`;

function searchForm(q = ''): string {
  return `<form class="search" role="search" action="/search" method="get" data-testid="search-form">
<input type="search" name="q" value="${escapeHtml(q)}" placeholder="Search shoes, jackets, lamps…" aria-label="Search products" data-testid="search-input">
<button type="submit" data-testid="search-submit">Search</button>
</form>`;
}

function productCard(p: Product, testId: string): string {
  return `<li class="card" data-testid="${testId}">
<a href="/product/${p.id}"><img src="/static/product-${p.id}.svg" width="320" height="240" alt="${escapeHtml(p.name)}" loading="lazy"></a>
<h3><a href="/product/${p.id}">${escapeHtml(p.name)}</a></h3>
<p class="price">${formatPrice(p.price, p.currency)}</p>
</li>`;
}

export function homePage(ctx: PageContext): string {
  const featured = CATALOG.slice(0, 4).map((p) => productCard(p, 'featured-product')).join('\n');
  return layout(
    'Home',
    ctx,
    `<section class="hero" data-testid="hero">
<img src="/static/hero.svg" width="1200" height="480" alt="Mountain trail at sunrise" fetchpriority="high">
<h1 data-testid="hero-title">Gear for the long way round</h1>
</section>
<p class="lede" data-testid="hero-text">Shoes, shells and lights tested on real trails by people who run them every week. Free returns for 60 days, and every order ships the same day when you order before noon.</p>
${searchForm()}
<h2>Featured</h2>
<ul class="grid" data-testid="featured">
${featured}
</ul>`,
  );
}

export function searchPage(ctx: PageContext, q: string): string {
  return layout(
    q ? `Search: ${q}` : 'Search',
    ctx,
    `<h1>Search</h1>
${searchForm(q)}
<p data-testid="result-count" aria-live="polite">Searching…</p>
<p class="error" role="alert" data-testid="search-error" hidden></p>
<ul class="grid" data-testid="results" aria-label="Search results" data-state="loading"></ul>`,
    `${CLIENT_LIB}
(async function () {
  const q = new URLSearchParams(location.search).get('q') || '';
  const list = document.querySelector('[data-testid="results"]');
  const count = document.querySelector('[data-testid="result-count"]');
  const error = document.querySelector('[data-testid="search-error"]');
  try {
    const body = await api('/api/products?q=' + encodeURIComponent(q));
    if (!Array.isArray(body.items) || typeof body.total !== 'number') throw new Error('unexpected search response');
    const rows = body.items.map(function (item) {
      const li = el('li', { 'class': 'card', 'data-testid': 'result-item' });
      const a = el('a', { href: '/product/' + item.id }, item.name);
      li.append(el('h3', {}), el('p', { 'class': 'price', 'data-testid': 'result-price' }, money(item.price, item.currency)));
      li.firstChild.append(a);
      return li;
    });
    list.replaceChildren.apply(list, rows);
    count.textContent = body.total === 1 ? '1 result' : body.total + ' results';
    list.dataset.state = 'loaded';
  } catch (e) {
    count.textContent = 'No results';
    error.textContent = 'Search is unavailable: ' + e.message;
    error.hidden = false;
    list.dataset.state = 'error';
  }
})();`,
  );
}

export function productPage(ctx: PageContext, p: Product): string {
  const inStock = p.stock > 0;
  return layout(
    p.name,
    ctx,
    `<article class="card" data-testid="product" data-product-id="${p.id}">
<img src="/static/product-${p.id}.svg" width="320" height="240" alt="${escapeHtml(p.name)}">
<h1 data-testid="product-name">${escapeHtml(p.name)}</h1>
<p>${escapeHtml(p.description)}</p>
<p class="price" data-testid="product-price">${formatPrice(p.price, p.currency)}</p>
<p data-testid="product-stock">${inStock ? `In stock (${p.stock})` : 'Out of stock'}</p>
<button type="button" data-testid="add-to-cart" data-product-id="${p.id}"${inStock ? '' : ' disabled'}>Add to cart</button>
<p role="status" data-testid="cart-status"></p>
</article>`,
    `${CLIENT_LIB}
document.querySelector('[data-testid="add-to-cart"]').addEventListener('click', async function (ev) {
  const button = ev.currentTarget;
  const status = document.querySelector('[data-testid="cart-status"]');
  button.disabled = true;
  status.className = '';
  status.textContent = 'Adding…';
  try {
    const cart = await api('/api/cart', { method: 'POST', body: JSON.stringify({ productId: Number(button.dataset.productId), qty: 1 }) });
    setCartCount(cart.count);
    status.className = 'ok';
    status.textContent = 'Added to cart';
  } catch (e) {
    status.className = 'error';
    status.textContent = 'Could not add to cart: ' + e.message;
  } finally {
    button.disabled = false;
  }
});`,
  );
}

export function cartPage(ctx: PageContext): string {
  return layout(
    'Cart',
    ctx,
    `<h1>Your cart</h1>
<p data-testid="cart-empty" hidden>Your cart is empty.</p>
<p class="error" role="alert" data-testid="cart-error" hidden></p>
<ul class="rows" data-testid="cart-items" aria-label="Cart items" data-state="loading"></ul>
<p>Total: <strong data-testid="cart-total">…</strong></p>
<a class="button" href="/checkout" data-testid="checkout-link">Checkout</a>`,
    `${CLIENT_LIB}
(async function () {
  const list = document.querySelector('[data-testid="cart-items"]');
  try {
    const cart = await api('/api/cart');
    const rows = cart.items.map(function (line) {
      const li = el('li', { 'data-testid': 'cart-item' });
      li.append(el('span', {}, line.qty + ' × ' + line.name), el('span', { 'class': 'price' }, money(line.lineTotal, line.currency)));
      return li;
    });
    list.replaceChildren.apply(list, rows);
    document.querySelector('[data-testid="cart-total"]').textContent = money(cart.total, cart.currency);
    document.querySelector('[data-testid="cart-empty"]').hidden = cart.items.length > 0;
    setCartCount(cart.count);
    list.dataset.state = 'loaded';
  } catch (e) {
    const error = document.querySelector('[data-testid="cart-error"]');
    error.textContent = 'Cart is unavailable: ' + e.message;
    error.hidden = false;
    list.dataset.state = 'error';
  }
})();`,
  );
}

export function checkoutPage(ctx: PageContext): string {
  return layout(
    'Checkout',
    ctx,
    `<h1>Checkout</h1>
<form class="stack" data-testid="checkout-form" action="/api/checkout" method="post">
<label>Name <input name="name" autocomplete="name" required data-testid="checkout-name"></label>
<label>Email <input name="email" type="email" autocomplete="email" required data-testid="checkout-email"></label>
<label>Address <textarea name="address" rows="3" autocomplete="street-address" required data-testid="checkout-address"></textarea></label>
<button type="submit" data-testid="place-order">Place order</button>
</form>
<p class="ok" role="status" data-testid="order-confirmation" hidden></p>
<p class="error" role="alert" data-testid="checkout-error" hidden></p>`,
    `${CLIENT_LIB}
document.querySelector('[data-testid="checkout-form"]').addEventListener('submit', async function (ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  const ok = document.querySelector('[data-testid="order-confirmation"]');
  const error = document.querySelector('[data-testid="checkout-error"]');
  ok.hidden = true; error.hidden = true;
  form.querySelector('button').disabled = true;
  try {
    const order = await api('/api/checkout', { method: 'POST', body: JSON.stringify(data) });
    ok.textContent = 'Order #' + order.orderId + ' confirmed';
    ok.hidden = false;
    setCartCount(0);
    form.hidden = true;
  } catch (e) {
    error.textContent = 'Order failed: ' + e.message;
    error.hidden = false;
  } finally {
    form.querySelector('button').disabled = false;
  }
});`,
  );
}

export function loginPage(ctx: PageContext): string {
  return layout(
    'Sign in',
    ctx,
    `<h1>Sign in</h1>
<form class="stack" data-testid="login-form" action="/api/login" method="post">
<label>Username <input name="username" autocomplete="username" required data-testid="login-username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required data-testid="login-password"></label>
<button type="submit" data-testid="login-submit">Sign in</button>
</form>
<p class="ok" role="status" data-testid="welcome" hidden></p>
<p class="error" role="alert" data-testid="login-error" hidden></p>`,
    `${CLIENT_LIB}
document.querySelector('[data-testid="login-form"]').addEventListener('submit', async function (ev) {
  ev.preventDefault();
  const form = ev.currentTarget;
  const data = Object.fromEntries(new FormData(form));
  const welcome = document.querySelector('[data-testid="welcome"]');
  const error = document.querySelector('[data-testid="login-error"]');
  welcome.hidden = true; error.hidden = true;
  try {
    const body = await api('/api/login', { method: 'POST', body: JSON.stringify(data) });
    welcome.textContent = 'Welcome, ' + body.user.username;
    welcome.hidden = false;
    form.hidden = true;
  } catch (e) {
    error.textContent = e.message === 'invalid credentials' ? 'Invalid username or password' : 'Sign-in failed: ' + e.message;
    error.hidden = false;
  }
});`,
  );
}

export function errorPage(ctx: PageContext, status: number, message: string): string {
  return layout(
    `Error ${status}`,
    ctx,
    `<h1 data-testid="error-title">Error ${status}</h1>
<p data-testid="error-message">${escapeHtml(message)}</p>
<p><a href="/">Back to the shop</a></p>`,
  );
}
