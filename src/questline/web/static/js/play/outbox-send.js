// Sending the outbox: one sender at a time across this phone's tabs and its service
// worker (a Web Lock, or a lease in IndexedDB where there is none), items in the order
// they were made (a later item of a clue never overtakes an earlier one), each with the
// Idempotency-Key it was made with, so a resend after a lost reply has one effect.
// 2xx: done. 5xx, 503 and network errors: sent again later, with backoff and jitter (at
// least Retry-After). Any other 4xx is final and shown. No DOM: the page and the service
// worker both run this.

import { allItems, dropLease, takeLease, updateItem } from "./outbox-store.js";

export const CHANNEL = "questline-outbox";
const LOCK = "questline-outbox-sender";
const BACKOFF_BASE_MS = 1000;
const BACKOFF_CAP_MS = 60000;
const HOLD_MS = 150000; // longer than any send: a holder that died frees its items by then
const TIMEOUT_MS = { json: 30000, photo: 120000 };

const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(CHANNEL) : null;
const listeners = new Set();

/** Tell this context (listen) and every other tab and the service worker (the channel). */
function tell(message) {
  for (const listener of listeners) listener(message);
  if (channel) channel.postMessage(message);
}

/** listener(message): {type: "changed"} | {type: "outcome", item}. Returns an unsubscribe. */
export function listen(listener) {
  listeners.add(listener);
  const fromOthers = (event) => listener(event.data);
  if (channel) channel.addEventListener("message", fromOthers);
  return () => {
    listeners.delete(listener);
    if (channel) channel.removeEventListener("message", fromOthers);
  };
}

export function announceChange() {
  tell({ type: "changed" });
}

/** The wait before try number `attempts` (1 = first retry): full jitter, never under Retry-After. */
export function backoff(attempts, retryAfterSeconds, random = Math.random) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.max(250, Math.round(random() * ceiling));
  return Math.max(jittered, (retryAfterSeconds || 0) * 1000);
}

async function withSenderLock(fn) {
  const locks = globalThis.navigator?.locks;
  if (locks) return locks.request(LOCK, fn);
  const owner = `${Date.now()}-${Math.random()}`;
  if (!(await takeLease(LOCK, owner, HOLD_MS))) return { sent: 0, wakeAt: Date.now() + 2000 };
  try {
    return await fn();
  } finally {
    await dropLease(LOCK, owner);
  }
}

/** The next item to send: the earliest queued one that is due and has no earlier queued item of its clue. */
export function nextDue(items, now) {
  const queued = items.filter((i) => i.state === "queued").sort((a, b) => a.seq - b.seq);
  const blocked = new Set();
  let wakeAt = null;
  for (const item of queued) {
    const clue = `${item.hunt}\u0000${item.clue}`;
    if (blocked.has(clue)) continue;
    blocked.add(clue);
    if ((item.next_at || 0) <= now) return { item, wakeAt: null };
    wakeAt = wakeAt === null ? item.next_at : Math.min(wakeAt, item.next_at);
  }
  return { item: null, wakeAt };
}

function isOnline() {
  return globalThis.navigator?.onLine !== false;
}

/**
 * Send every due item, one at a time. Resolves {sent, wakeAt}: wakeAt (ms) is when the
 * earliest item held back by backoff falls due (null when nothing waits), or -1 when
 * the network is down (wait for it to come back).
 */
export function flush() {
  return withSenderLock(async () => {
    let sent = 0;
    for (;;) {
      if (!isOnline()) return { sent, wakeAt: -1 };
      const now = Date.now();
      const { item, wakeAt } = nextDue(await allItems(), now);
      if (!item) return { sent, wakeAt };
      const claimed = await updateItem(item.seq, (i) =>
        i.state === "queued" ? { ...i, sending_until: now + HOLD_MS } : null,
      );
      if (!claimed) continue; // cancelled meanwhile
      tell({ type: "changed" });
      const outcome = await sendOne(claimed);
      const settled = await updateItem(claimed.seq, (i) => settle(i, outcome));
      sent += 1;
      if (settled && settled.state !== "queued") tell({ type: "outcome", item: withoutSecrets(settled) });
      else tell({ type: "changed" });
      if (outcome.kind === "network") return { sent, wakeAt: settled ? settled.next_at : null };
    }
  });
}

function settle(item, outcome) {
  const base = { ...item, sending_until: 0 };
  if (outcome.kind === "done") return { ...base, state: "done", reply: outcome.reply, photo: null };
  if (outcome.kind === "refused") return { ...base, state: "refused", error: outcome.error, photo: null };
  const attempts = (item.attempts || 0) + 1;
  return {
    ...base,
    attempts,
    next_at: Date.now() + backoff(attempts, outcome.retryAfter),
    last_problem: outcome.kind === "network" ? "network" : `status ${outcome.status}`,
  };
}

/** What pages get told: never the token or the photo's bytes. */
export function withoutSecrets(item) {
  const { token, photo, ...rest } = item;
  return rest;
}

/** One request for an item: {kind: done|refused|retry|network, ...}. */
export async function sendOne(item) {
  const headers = {
    Accept: "application/json",
    Authorization: `Bearer ${item.token}`,
    "Idempotency-Key": item.key,
  };
  let body;
  if (item.kind === "photo") {
    body = new FormData();
    body.append("clue", item.clue);
    body.append("client_time", item.body.client_time);
    body.append("photo", item.photo, item.photo_name || "photo");
  } else {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(item.body);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS[item.kind === "photo" ? "photo" : "json"]);
  let response;
  try {
    response = await fetch(`/api/hunts/${encodeURIComponent(item.hunt)}/submissions`, {
      method: "POST",
      headers,
      body,
      signal: controller.signal,
      cache: "no-store",
    });
  } catch {
    return { kind: "network" };
  } finally {
    clearTimeout(timer);
  }
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  let data = null;
  try {
    data = await response.json();
  } catch {
    /* not JSON: the status says enough */
  }
  if (response.ok) return { kind: "done", reply: data };
  if (response.status >= 500 || response.status === 408) {
    return { kind: "retry", status: response.status, retryAfter: Number.isFinite(retryAfter) ? retryAfter : 0 };
  }
  const error = (data && data.error) || {};
  return {
    kind: "refused",
    error: {
      status: response.status,
      code: error.code || "http_error",
      message: error.message || `HTTP ${response.status}`,
      details: error.details ?? null,
      retry_after: Number.isFinite(retryAfter) ? retryAfter : null,
    },
  };
}
