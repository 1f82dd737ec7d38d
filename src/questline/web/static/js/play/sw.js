// The player page's service worker (served as /play/sw.js, scope /play/): the page, its
// scripts, styles and catalogues, and the team's last clue view, progress, receipt and
// announcements stay on the phone, so the page opens and shows its clues without signal.
// Everything is fetched from the network first (the newest when there is signal) and
// kept; the kept copy answers when the network cannot. The hunt's uploaded images in
// clue text are named by their digest and never change: the kept copy answers first.
// Submissions are never cached: they go through the outbox, which this worker also
// sends on Background Sync.

import { flush } from "/static/js/play/outbox-send.js";

const PAGES = "questline-play-pages-v1";
const DATA = "questline-play-data-v1";
const IMAGES = "questline-play-images-v1";
const SAVED_AT = "X-Questline-Saved-At";
const SLOW_NETWORK_MS = 4000;
const PAGE_KEY = "/play/"; // every hunt's player page is the same document
const API_KEPT = /^\/api\/hunts\/[^/]+(\/announcements|\/teams\/[^/]+(\/receipt)?)?$/;
const HUNT_IMAGE = /^\/api\/hunts\/[^/]+\/images\/[0-9a-f]{64}$/;

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("questline-play-") && ![PAGES, DATA, IMAGES].includes(name)) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

/**
 * The cache key of an API read: a team's view differs from the public one at the same
 * URL, and a kept view answers only the token it was fetched with (by a digest of it).
 */
async function dataKey(request) {
  const url = new URL(request.url);
  const authorization = request.headers.get("Authorization");
  let as = "anyone";
  if (authorization) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(authorization));
    as = `team-${Array.from(new Uint8Array(digest).slice(0, 12), (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  url.searchParams.set("as", as);
  return url.href;
}

async function keep(cacheName, key, response) {
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  const body = await response.blob();
  await (await caches.open(cacheName)).put(key, new Response(body, { status: response.status, headers }));
}

/** Network first; keep a good answer; the kept copy when the network fails (or is slow, if slowMs). */
async function networkFirst(event, cacheName, keys, slowMs) {
  const fromNetwork = fetch(event.request).then((response) => {
    if (response.ok) event.waitUntil(Promise.all(keys.map((key) => keep(cacheName, key, response.clone()))));
    return response;
  });
  fromNetwork.catch(() => {}); // a late failure after the kept copy answered is no error
  const kept = async () => {
    const cache = await caches.open(cacheName);
    for (const key of keys) {
      const hit = await cache.match(key);
      if (hit) return hit;
    }
    return null;
  };
  if (!slowMs) {
    try {
      return await fromNetwork;
    } catch (error) {
      const hit = await kept();
      if (hit) return hit;
      throw error;
    }
  }
  let timer;
  const slow = new Promise((resolve) => {
    timer = setTimeout(() => resolve("slow"), slowMs);
  });
  try {
    const first = await Promise.race([fromNetwork, slow]);
    if (first !== "slow") return first;
    return (await kept()) || (await fromNetwork);
  } catch (error) {
    const hit = await kept();
    if (hit) return hit;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Cache first: what a digest names never changes, so a kept copy is always right. */
async function cacheFirst(event, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(event.request.url);
  if (hit) return hit;
  const response = await fetch(event.request);
  if (response.ok) event.waitUntil(cache.put(event.request.url, response.clone()));
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname.startsWith("/play/")) {
    const exact = new URL(url.pathname, url.origin).href;
    event.respondWith(networkFirst(event, PAGES, [exact, new URL(PAGE_KEY, url.origin).href], SLOW_NETWORK_MS));
  } else if (url.pathname.startsWith("/static/") || url.pathname.endsWith("/manifest.webmanifest")) {
    event.respondWith(networkFirst(event, PAGES, [url.href], SLOW_NETWORK_MS));
  } else if (HUNT_IMAGE.test(url.pathname) && !url.search) {
    event.respondWith(cacheFirst(event, IMAGES));
  } else if (API_KEPT.test(url.pathname) && !url.search) {
    event.respondWith(dataKey(request).then((key) => networkFirst(event, DATA, [key], 0)));
  }
});

self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "keep") {
    // The page tells what it loaded before this worker controlled it: keep those too.
    event.waitUntil(
      (async () => {
        const cache = await caches.open(PAGES);
        for (const path of message.urls || []) {
          const url = new URL(path, self.location.origin);
          if (url.origin !== self.location.origin) continue;
          try {
            const response = await fetch(url.href, { cache: "no-cache" });
            if (!response.ok) continue;
            if (url.pathname.startsWith("/play/") && !url.pathname.includes(".")) {
              await keep(PAGES, new URL(url.pathname, url.origin).href, response.clone());
              await keep(PAGES, new URL(PAGE_KEY, url.origin).href, response);
            } else {
              await keep(PAGES, url.href, response);
            }
          } catch {
            /* offline already: what is kept stays */
          }
        }
        if (event.source) event.source.postMessage({ type: "kept", count: (await cache.keys()).length });
      })(),
    );
  } else if (message.type === "forget-team") {
    // A team left this phone: its kept views go with it.
    event.waitUntil(
      (async () => {
        const cache = await caches.open(DATA);
        for (const request of await cache.keys()) {
          const url = new URL(request.url);
          if ((url.searchParams.get("as") || "").startsWith("team-")) await cache.delete(request);
        }
        if (event.source) event.source.postMessage({ type: "forgot" });
      })(),
    );
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag !== "questline-outbox") return;
  event.waitUntil(
    flush().then(({ wakeAt }) => {
      // Items still waiting: fail this sync, so the browser tries it again later.
      if (wakeAt !== null) throw new Error("the outbox still has items to send");
    }),
  );
});
