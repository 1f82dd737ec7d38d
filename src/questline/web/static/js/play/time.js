// Durations and clock times in the reader's language, and one shared ticking second
// for every countdown on the page (start, freeze, end, timed clue openings, retries).

import { formatTime, t } from "../lib/i18n.js";

/** "45 s", "12 min 03 s", "3 h 05 min", "2 d 4 h" for a number of seconds. */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("play.duration.s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("play.duration.ms", { m, s: String(s % 60).padStart(2, "0") });
  const hours = Math.floor(m / 60);
  if (hours < 48) return t("play.duration.hm", { h: hours, m: String(m % 60).padStart(2, "0") });
  return t("play.duration.dh", { d: Math.floor(hours / 24), h: hours % 24 });
}

/** Seconds from now until an RFC 3339 time (negative once it has passed). */
export function secondsUntil(iso) {
  return (Date.parse(iso) - Date.now()) / 1000;
}

/** "18:00" today, or the date too when it is not today. */
export function clockTime(iso) {
  const when = new Date(iso);
  const sameDay = when.toDateString() === new Date().toDateString();
  return sameDay
    ? formatTime(iso)
    : formatTime(iso, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
}

const tickers = new Set();
let timer = null;

/** Call fn now and every second until the returned function is called. */
export function everySecond(fn) {
  tickers.add(fn);
  fn();
  if (!timer) {
    timer = setInterval(() => {
      for (const tick of [...tickers]) tick();
    }, 1000);
  }
  return () => {
    tickers.delete(fn);
    if (!tickers.size) {
      clearInterval(timer);
      timer = null;
    }
  };
}
