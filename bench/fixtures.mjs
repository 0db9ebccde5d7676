// The pages the benchmark journey runs on, served over HTTP on 127.0.0.1 at a random port.
import { createServer } from 'node:http';

/** Products the shop's search knows; a search for "shoes" finds exactly SHOE_NAMES. */
const PRODUCTS = [
  { name: 'Trail Runner Shoes', price: 89 },
  { name: 'Canvas Court Shoes', price: 54 },
  { name: 'Leather Oxford Shoes', price: 129 },
  { name: 'Wool Beanie', price: 19 },
  { name: 'Rain Jacket', price: 99 },
];
export const SEARCH_QUERY = 'shoes';
export const SHOE_NAMES = PRODUCTS.filter((p) => p.name.toLowerCase().includes(SEARCH_QUERY)).map((p) => p.name);
/**
 * How long the search API takes to answer: a local dev server's JSON endpoint (a few tens of ms).
 * The click -> results row measures the time a server adds on top of it; with a slow API the API
 * itself dominates every server's figure.
 */
export const SEARCH_DELAY_MS = 20;
export const CONSOLE_ERROR_TEXT = 'Add to cart failed';
export const EXCEPTION_TEXT = 'explodeNow';

const SHOP = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bench Shop</title>
<style>body{font:16px sans-serif;margin:24px} .card{border:1px solid #ccc;padding:8px;margin:6px 0;width:320px}</style>
</head><body>
<header><h1>Bench Shop</h1></header>
<main>
  <form role="search" onsubmit="return false">
    <label for="q">Search products</label>
    <input id="q" type="search" name="q">
    <button id="search" type="button">Search</button>
  </form>
  <section id="results" aria-label="Results"></section>
  <p id="status" role="status"></p>
  <button id="add" type="button">Add to cart</button>
  <button id="explode" type="button">Explode</button>
</main>
<script>
  const $ = (id) => document.getElementById(id);
  $('search').addEventListener('click', async () => {
    const response = await fetch('/api/search?q=' + encodeURIComponent($('q').value));
    const { results } = await response.json();
    $('results').replaceChildren(...results.map((p) => {
      const card = document.createElement('article');
      card.className = 'card';
      card.innerHTML = '<h2></h2><p></p>';
      card.querySelector('h2').textContent = p.name;
      card.querySelector('p').textContent = '$' + p.price;
      return card;
    }));
    $('status').textContent = results.length + ' results';
  });
  $('add').addEventListener('click', async () => {
    const response = await fetch('/api/cart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"id":1}' });
    if (!response.ok) {
      console.error('${CONSOLE_ERROR_TEXT}: HTTP ' + response.status);
      $('status').textContent = 'Could not add to cart';
    }
  });
  function ${EXCEPTION_TEXT}() { const cart = null; return cart.items.length; }
  $('explode').addEventListener('click', () => ${EXCEPTION_TEXT}());
</script>
</body></html>`;

/** Each row: a number, a name, a button "Open N" (its click makes it "Opened N") and a link "Details N". */
export function tablePage(rows) {
  const body = [];
  for (let i = 1; i <= rows; i++) {
    body.push(`<tr><td>${i}</td><td>Item ${i}</td><td><button type="button" data-n="${i}">Open ${i}</button> <a href="#details-${i}">Details ${i}</a></td></tr>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Table ${rows}</title></head><body>
<h1>Inventory (${rows} rows)</h1>
<table><thead><tr><th>#</th><th>Name</th><th>Actions</th></tr></thead><tbody>${body.join('')}</tbody></table>
<script>document.querySelector('tbody').addEventListener('click', (e) => {
  const b = e.target.closest('button[data-n]'); if (b) b.textContent = 'Opened ' + b.dataset.n;
});</script>
</body></html>`;
}

const ANIMATED = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Animated</title>
<style>body{margin:0;font:24px monospace;background:#fff} #box{position:absolute;top:120px;left:0;width:80px;height:80px;background:#c33}</style>
</head><body>
<h1 id="clock">0.000 s</h1>
<div id="box"></div>
<script>
  const start = performance.now();
  function frame(now) {
    const t = (now - start) / 1000;
    document.getElementById('clock').textContent = t.toFixed(3) + ' s';
    document.getElementById('box').style.transform = 'translateX(' + Math.round((Math.sin(t * 2) + 1) * 560) + 'px)';
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
</script>
</body></html>`;

/**
 * The animated page over a photograph-like background (smooth shapes and grain, drawn once on a
 * canvas): every frame the browser hands over then weighs what a real page with pictures weighs.
 */
const ANIMATED_PHOTO = ANIMATED.replace(
  '<h1 id="clock">',
  `<canvas id="photo" width="1280" height="720" style="position:absolute;top:0;left:0;z-index:-1"></canvas>
<script>
  const c = document.getElementById('photo').getContext('2d');
  const image = c.createImageData(1280, 720);
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  for (let y = 0; y < 720; y++)
    for (let x = 0; x < 1280; x++) {
      const i = (y * 1280 + x) * 4;
      const grain = (random() - 0.5) * 40;
      image.data[i] = 120 + 80 * Math.sin(x / 90) + grain;
      image.data[i + 1] = 110 + 70 * Math.cos(y / 70 + x / 200) + grain;
      image.data[i + 2] = 100 + 60 * Math.sin((x + y) / 130) + grain;
      image.data[i + 3] = 255;
    }
  c.putImageData(image, 0, 0);
</script>
<h1 id="clock">`,
);

/** A tiny page for many repeated actions: a text field and a button that counts its clicks. */
const COUNTER = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Counter</title></head><body>
<label for="note">Note</label> <input id="note" type="text">
<button id="inc" type="button">Increment</button>
<p id="count">Count: 0</p>
<script>
  let n = 0;
  document.getElementById('inc').addEventListener('click', () => { document.getElementById('count').textContent = 'Count: ' + (++n); });
</script>
</body></html>`;

/** The counter page with a CSS animation running (a spinner), so a recording gets frames all the time. */
const COUNTER_SPINNER = COUNTER.replace(
  '</body>',
  `<div id="spinner" style="width:40px;height:40px;border:6px solid #ccc;border-top-color:#36c;border-radius:50%;animation:spin 1s linear infinite"></div>
<style>@keyframes spin { to { transform: rotate(360deg) } }</style>
</body>`,
);

/** What the dashboard loads once, after its load event: the rows a navigate's answer (or the first snapshot) should show. */
export const DASHBOARD_ROWS = ['Orders today: 42', 'Refunds today: 3'];
export const DASHBOARD_DELAY_MS = 150;

/**
 * A dashboard that polls its live feed from the start (an answer takes 100 ms, and it asks again
 * 10 ms later, so a request of it is nearly always in flight) and loads its figures once, a moment
 * after it loaded.
 */
const DASHBOARD = `<!doctype html>
<html><head><meta charset="utf-8"><title>Dashboard</title></head>
<body>
<h1>Dashboard</h1>
<ul id="figures"><li>Loading…</li></ul>
<p id="live" role="status">Live: 0</p>
<script>
  let polls = 0;
  (async function poll() { await (await fetch('/api/live')).json(); document.getElementById('live').dataset.polls = ++polls; setTimeout(poll, 10); })();
  addEventListener('load', async () => {
    const { rows } = await (await fetch('/api/figures')).json();
    document.getElementById('figures').innerHTML = rows.map((row) => '<li>' + row + '</li>').join('');
  });
</script>
</body></html>`;

function send(res, status, type, body) {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function handle(req, res) {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  switch (url.pathname) {
    case '/shop':
      return send(res, 200, 'text/html; charset=utf-8', SHOP);
    case '/api/search': {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const results = PRODUCTS.filter((p) => p.name.toLowerCase().includes(q));
      setTimeout(() => send(res, 200, 'application/json', JSON.stringify({ results })), SEARCH_DELAY_MS);
      return;
    }
    case '/api/cart':
      req.resume();
      return send(res, 500, 'application/json', JSON.stringify({ error: 'cart service down' }));
    case '/table':
      return send(res, 200, 'text/html; charset=utf-8', tablePage(Math.min(20_000, Number(url.searchParams.get('rows') ?? 100))));
    case '/animated':
      return send(res, 200, 'text/html; charset=utf-8', url.searchParams.has('photo') ? ANIMATED_PHOTO : ANIMATED);
    case '/counter':
      return send(res, 200, 'text/html; charset=utf-8', url.searchParams.has('spinner') ? COUNTER_SPINNER : COUNTER);
    case '/dashboard':
      return send(res, 200, 'text/html; charset=utf-8', DASHBOARD);
    case '/api/live':
      setTimeout(() => send(res, 200, 'application/json', '{"ok":true}'), 100);
      return;
    case '/api/figures':
      setTimeout(() => send(res, 200, 'application/json', JSON.stringify({ rows: DASHBOARD_ROWS })), DASHBOARD_DELAY_MS);
      return;
    case '/favicon.ico':
      return send(res, 204, 'image/x-icon', '');
    default:
      return send(res, 404, 'text/plain', 'not found');
  }
}

/** Starts the fixture server; `url(path)` gives the absolute URL of a page. */
export async function startFixtures() {
  const server = createServer(handle);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    url: (path) => base + path,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
