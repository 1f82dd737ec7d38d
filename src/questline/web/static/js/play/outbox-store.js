// The outbox on this phone: submissions kept in IndexedDB until the server has answered
// them, so nothing made offline is lost when the page closes or the phone restarts.
// No DOM here: the page and the service worker both use it.
//
// An item: {seq (order made), key (Idempotency-Key), hunt, team, token, clue, kind
// (answer|part|code|geo|photo), body (the JSON fields, client_time included), photo (a
// Blob, photos only), accuracy (metres, check-ins only), made_at (ms), state
// (queued|done|refused), attempts, next_at (ms), sending_until (ms: a sender holds it),
// last_problem, reply | error}.

const DB_NAME = "questline-play";
const STORE = "outbox";
const LEASES = "leases";

let opening = null;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function openOutbox() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => {
        req.result.createObjectStore(STORE, { keyPath: "seq", autoIncrement: true });
        req.result.createObjectStore(LEASES, { keyPath: "name" });
      };
      req.onsuccess = () => {
        const db = req.result;
        db.onversionchange = () => db.close();
        resolve(db);
      };
      req.onerror = () => reject(req.error);
      req.onblocked = () => reject(new Error("the outbox database is blocked by another tab"));
    }).catch((error) => {
      opening = null;
      throw error;
    });
  }
  return opening;
}

/** Run fn(store) in one transaction; resolves with fn's result once it is committed. */
async function inTransaction(name, mode, fn) {
  const db = await openOutbox();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, mode);
    let result;
    tx.oncomplete = () => resolve(result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error("the outbox transaction was aborted"));
    Promise.resolve(fn(tx.objectStore(name))).then(
      (value) => {
        result = value;
      },
      (error) => {
        tx.abort();
        reject(error);
      },
    );
  });
}

/** Keep a new item; resolves with it, its seq filled in. */
export function addItem(item) {
  return inTransaction(STORE, "readwrite", async (store) => {
    const seq = await request(store.add(item));
    return { ...item, seq };
  });
}

export function allItems() {
  return inTransaction(STORE, "readonly", (store) => request(store.getAll()));
}

export function getItem(seq) {
  return inTransaction(STORE, "readonly", (store) => request(store.get(seq)));
}

/** Change an item in one step: change(item) returns the new item, or null to leave it. */
export function updateItem(seq, change) {
  return inTransaction(STORE, "readwrite", async (store) => {
    const item = await request(store.get(seq));
    if (!item) return null;
    const next = change(item);
    if (next) await request(store.put(next));
    return next;
  });
}

export function deleteItem(seq) {
  return inTransaction(STORE, "readwrite", (store) => request(store.delete(seq)));
}

/**
 * Delete a queued item unless a sender holds it right now; resolves true if deleted.
 * (The check and the delete are one transaction, which a sender's claim cannot split.)
 */
export function cancelItem(seq, now = Date.now()) {
  return inTransaction(STORE, "readwrite", async (store) => {
    const item = await request(store.get(seq));
    if (!item || item.state !== "queued") return false;
    if (item.sending_until && item.sending_until > now) return false;
    await request(store.delete(seq));
    return true;
  });
}

/**
 * A lease for browsers without the Web Locks API: the named lease is taken when it is
 * free, expired or already ours, in one transaction (IndexedDB runs overlapping
 * readwrite transactions one after the other). Resolves true when we hold it.
 */
export function takeLease(name, owner, ms, now = Date.now()) {
  return inTransaction(LEASES, "readwrite", async (store) => {
    const lease = await request(store.get(name));
    if (lease && lease.owner !== owner && lease.until > now) return false;
    await request(store.put({ name, owner, until: now + ms }));
    return true;
  });
}

export function dropLease(name, owner) {
  return inTransaction(LEASES, "readwrite", async (store) => {
    const lease = await request(store.get(name));
    if (lease && lease.owner === owner) await request(store.delete(name));
  });
}
