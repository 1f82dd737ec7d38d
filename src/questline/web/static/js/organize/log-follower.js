// Following a hunt's log in the console: Activity starts from the newest events (read
// from the log, so history from before the page opened is there), the progress fold reads
// the whole log once in the background, and both then take what the log gains, read when
// the stream says something happened (and on a slow tick, in case a message was missed).

import { createLogReader } from "./log-reader.js";
import { createProgressFold } from "./progress-fold.js";

const RECENT = 50;

export function createLogFollower({ token, huntId, activity, onFolded }) {
  const reader = createLogReader({ token, huntId });
  const fold = createProgressFold();
  let stopped = false;
  let foldReady = false;
  let buffered = []; // events that came in while the fold was still reading history
  let cursor = 0; // the position of the newest event given to Activity
  let catching = Promise.resolve();
  let timer = null;

  function foldEvents(events) {
    if (!foldReady) {
      buffered.push(...events);
      return;
    }
    if (fold.add(events)) onFolded();
  }

  /** Recent history first, then the whole log for the fold. */
  async function start() {
    const tail = (async () => {
      const recent = await reader.newest(RECENT);
      if (stopped) return;
      activity.add(recent);
      cursor = Math.max(cursor, recent.length ? recent[recent.length - 1].position : 0);
    })();
    catching = tail.catch(() => {}); // catching up starts from the newest events, not from 0
    await tail;
    if (stopped) return;
    await reader.readAfter(0, (page) => {
      if (!stopped) fold.add(page);
    });
    if (stopped) return;
    foldReady = true;
    fold.add(buffered);
    buffered = [];
    activity.rerender();
    onFolded();
  }

  /** Read what the log gained since the newest event shown (one read at a time). */
  function catchUp() {
    catching = catching.then(async () => {
      if (stopped) return;
      try {
        cursor = await reader.readAfter(cursor, (events) => {
          if (stopped) return;
          activity.add(events);
          foldEvents(events);
        });
      } catch {
        /* the next message or tick tries again */
      }
    });
    return catching;
  }

  return {
    fold,
    reader,
    start,
    catchUp,
    catchUpSoon() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        catchUp();
      }, 250);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
