// The page's side of the outbox: every answer, code, check-in and photo is kept on the
// phone first (with its Idempotency-Key and client_time), then sent: at once when the
// signal is there, otherwise when it returns (the `online` event, the next page start,
// Background Sync where the browser has it, and a timer for items waiting on backoff).

import { idempotencyKey } from "../lib/api.js";
import { addItem, allItems, cancelItem, deleteItem } from "./outbox-store.js";
import { announceChange, flush, listen, withoutSecrets } from "./outbox-send.js";

const SYNC_TAG = "questline-outbox";

let running = null;
let again = false;
let wakeTimer = null;

/** Send what is due; overlapping calls in this tab fold into one more round. */
export function kick() {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        const { wakeAt } = await flush();
        clearTimeout(wakeTimer);
        if (wakeAt !== null && wakeAt !== -1) {
          wakeTimer = setTimeout(kick, Math.max(0, wakeAt - Date.now()) + 50);
        }
      } while (again);
    } catch (error) {
      console.warn("the outbox could not be sent", error);
    } finally {
      running = null;
    }
  })();
  return running;
}

async function askForBackgroundSync() {
  try {
    const registration = await navigator.serviceWorker?.getRegistration("/play/");
    if (registration && "sync" in registration) await registration.sync.register(SYNC_TAG);
  } catch {
    /* no Background Sync here: the online event and the next page start do it */
  }
}

/**
 * Keep a submission and start sending it. fields: {hunt, team, token, clue, kind, body,
 * photo?, photo_name?, accuracy?}; body holds the JSON fields (client_time is added).
 */
export async function enqueue(fields) {
  const clientTime = new Date().toISOString();
  const item = await addItem({
    ...fields,
    body: { ...fields.body, client_time: clientTime },
    key: idempotencyKey(),
    client_time: clientTime,
    made_at: Date.now(),
    state: "queued",
    attempts: 0,
    next_at: 0,
    sending_until: 0,
  });
  announceChange();
  if (fields.photo && navigator.storage?.persist) navigator.storage.persist().catch(() => {});
  askForBackgroundSync();
  kick();
  return withoutSecrets(item);
}

/** The items of one team in one hunt, oldest first, without token or photo bytes. */
export async function itemsOf(hunt, team) {
  let items;
  try {
    items = await allItems();
  } catch {
    return []; // no IndexedDB here: nothing can be waiting
  }
  return items
    .filter((i) => i.hunt === hunt && i.team === team)
    .sort((a, b) => a.seq - b.seq)
    .map(withoutSecrets);
}

export async function cancel(seq) {
  const cancelled = await cancelItem(seq);
  if (cancelled) announceChange();
  return cancelled;
}

/** An answered item has been shown: it leaves the outbox. */
export async function forgetAnswered(seq) {
  await deleteItem(seq);
}

/** onMessage({type: "changed"} | {type: "outcome", item}) from this tab, other tabs and the worker. */
export function startOutbox(onMessage) {
  listen(onMessage);
  window.addEventListener("online", () => kick());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") kick();
  });
  kick();
}
