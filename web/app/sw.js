// The practitioners' pages' service worker (served as /app/sw.js, scope /app). It keeps the page
// and its files so that the page opens without signal; it never keeps or answers API calls (/v1),
// which the pages themselves keep and queue where working offline is allowed.
//
// The page and its files: from the network while there is one (so that a new version is seen at
// once), falling back to the kept copy when the network fails or takes longer than a few seconds.

const CACHE = 'ij-app-v1';
const NETWORK_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/app'])).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

// The page tells the worker which files it loaded; they are kept for the next time without signal.
self.addEventListener('message', (event) => {
  const keep = Array.isArray(event.data?.keep) ? event.data.keep : [];
  const mine = keep.filter((u) => typeof u === 'string' && isShellUrl(new URL(u, self.location.origin)));
  event.waitUntil(caches.open(CACHE).then((c) => Promise.all(mine.map((u) => c.add(u).catch(() => {})))));
});

function isShellUrl(url) {
  return url.origin === self.location.origin &&
    (url.pathname === '/app' || url.pathname.startsWith('/app/assets/') || url.pathname.startsWith('/dashboard/assets/'));
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (!isShellUrl(url)) return; // the API and everything else: straight to the network
  event.respondWith(networkThenKept(req, url));
});

async function networkThenKept(req, url) {
  const cache = await caches.open(CACHE);
  const key = url.pathname === '/app' ? '/app' : req;
  const timeout = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS, null));
  const network = fetch(req).then(async (res) => {
    if (res.ok) await cache.put(key, res.clone());
    return res;
  }).catch(() => null);
  const res = await Promise.race([network, timeout]);
  if (res) return res;
  const kept = await cache.match(key);
  if (kept) return kept;
  const late = await network; // nothing kept: wait for the network after all
  return late || new Response('This page is not available without signal yet.', { status: 503, headers: { 'Content-Type': 'text/plain' } });
}
