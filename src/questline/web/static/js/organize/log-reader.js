// Reading a hunt's log (GET /api/hunts/{hunt}/events?after=position&limit=n) from the
// console: its newest events, the events at given versions, and what came after.
//
// The route pages forward by the log's global position, and a hunt's versions are
// contiguous, so the event at a version is found by searching positions: every answer
// tells a (position, version) pair, kept as anchors that narrow the next search.

import { api } from "../lib/api.js";

const PAGE = 1000;

export function createLogReader({ token, huntId }) {
  const path = `/api/hunts/${encodeURIComponent(huntId)}/events`;
  const anchors = new Map(); // version -> position
  let head = null; // {position, version} of the newest event seen

  async function page(after, limit) {
    const { events } = await api(`${path}?after=${after}&limit=${limit}`, { token });
    for (const e of events) anchors.set(e.version, e.position);
    if (events.length) {
      const last = events[events.length - 1];
      if (!head || last.version > head.version) head = { position: last.position, version: last.version };
    }
    return events;
  }

  /** The first event after a position, or null. */
  async function probe(after) {
    const [event] = await page(after, 1);
    return event || null;
  }

  /** The newest event: an exponential search for a position past the end, then bisection. */
  async function findHead() {
    const first = head ?? (await probe(0));
    if (!first) return null;
    let low = first.position; // an event is known to be here
    let step = 1024;
    for (;;) {
      const next = await probe(low + step);
      if (!next) break;
      low = next.position;
      step *= 4;
    }
    let high = low + step; // nothing after here
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      const next = await probe(middle);
      if (next) low = next.position;
      else high = middle;
    }
    await probe(low); // an event may sit at `high` itself: nothing is after it
    return head;
  }

  /**
   * A position after which the next event of this hunt is the one at `version`, or null.
   * With f(p) the version of the first event after p (rising with p): keep f(low) <= version
   * < f(high), guessing by interpolation and halving in turn.
   */
  async function positionBefore(version) {
    if (version <= 1) return 0;
    if (anchors.has(version - 1)) return anchors.get(version - 1);
    let low = { position: 0, version: 0 };
    let high = null;
    for (const [v, p] of anchors) {
      if (v < version && v > low.version) low = { position: p, version: v };
      if (v >= version && (!high || v < high.version)) high = { position: p, version: v };
    }
    if (!high) {
      const newest = await findHead();
      if (!newest || newest.version < version) return null;
      high = { position: newest.position, version: newest.version };
    }
    for (let round = 0; high.position - low.position > 1; round++) {
      const span = high.position - low.position;
      const share = (version - 1 - low.version) / Math.max(1, high.version - low.version);
      const guess = round % 2 === 0 ? low.position + Math.round(share * span) : low.position + Math.floor(span / 2);
      const middle = Math.min(high.position - 1, Math.max(low.position + 1, guess));
      const next = await probe(middle);
      if (next && next.version === version) return middle;
      if (next && next.version < version) low = { position: next.position, version: next.version };
      else high = { position: middle, version: next ? next.version : high.version };
    }
    return anchors.has(version - 1) ? anchors.get(version - 1) : null;
  }

  return {
    page,
    /** The newest `count` events, oldest first. */
    async newest(count) {
      const newest = await findHead();
      if (!newest) return [];
      const from = Math.max(1, newest.version - count + 1);
      const after = await positionBefore(from);
      return page(after ?? 0, Math.min(count, PAGE));
    },
    /** The events at these versions (those that exist), in version order. */
    async atVersions(versions) {
      const found = [];
      for (const version of [...new Set(versions)].sort((a, b) => a - b)) {
        if (found.some((e) => e.version === version)) continue;
        const after = await positionBefore(version);
        if (after === null) continue;
        for (const e of await page(after, 1)) if (e.version === version) found.push(e);
      }
      return found;
    },
    /** Every event after a position, page by page: onPage(events) for each. */
    async readAfter(after, onPage) {
      let cursor = after;
      for (;;) {
        const events = await page(cursor, PAGE);
        if (events.length) {
          cursor = events[events.length - 1].position;
          await onPage(events);
        }
        if (events.length < PAGE) return cursor;
      }
    },
  };
}
