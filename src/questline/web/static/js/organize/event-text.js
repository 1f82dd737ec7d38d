// A log event in the organizer's words, with the phone's client_time beside the decided time.

import { h } from "../lib/dom.js";
import { formatNumber, formatTime, t } from "../lib/i18n.js";
import { millis } from "./progress-fold.js";

const SECONDS = { hour: "2-digit", minute: "2-digit", second: "2-digit" };

export function clockTime(value) {
  const ms = millis(value);
  return ms === null ? "" : formatTime(new Date(ms).toISOString(), SECONDS);
}

function signed(points) {
  return points > 0 ? `+${formatNumber(points)}` : formatNumber(points);
}

/** names: {team(id) -> name, clue(id) -> title}. Returns text. */
export function describeEvent(event, names) {
  const p = event.payload || {};
  const team = p.team_id ? names.team(p.team_id) : "";
  const clue = p.clue_id ? names.clue(p.clue_id) : "";
  switch (event.type) {
    case "hunt_created":
      return t("organize.event.hunt_created");
    case "hunt_revised":
      return t("organize.event.hunt_revised", { revision: p.revision, changes: (p.changes || []).join("; ") || "–" });
    case "team_registered":
      return t("organize.event.team_registered", { team });
    case "token_issued":
      return t(p.revoke_others ? "organize.event.token_revoking" : "organize.event.token_issued", { team });
    case "clue_solved": {
      const key = p.review_id ? "organize.event.photo_approved" : p.counts_at ? "organize.event.rejudged" : "organize.event.solved";
      const bonus = p.bonus ? t("organize.event.bonus", { bonus: p.bonus }) : "";
      return t(key, { team, clue, points: signed(p.points), bonus, version: p.counts_at ?? "" });
    }
    case "part_solved":
      return t("organize.event.part_solved", { team, clue, part: p.part_id, points: signed(p.points) });
    case "answer_wrong":
      if (p.answer === null || p.answer === undefined) return t("organize.event.wrong_place", { team, clue });
      return t(p.part_id ? "organize.event.wrong_part" : "organize.event.wrong", { team, clue, part: p.part_id || "", answer: p.answer });
    case "kept_going":
      return t("organize.event.kept_going", { team, clue });
    case "photo_submitted":
      return t("organize.event.photo_submitted", { team, clue });
    case "photo_rejected":
      return t("organize.event.photo_rejected", { team, clue, reason: p.reason });
    case "hint_unlocked":
      return t("organize.event.hint_unlocked", { team, clue, hint: p.hint_id, cost: p.cost ?? 0 });
    case "score_adjusted":
      return t("organize.event.adjusted", { team, points: signed(p.points ?? p.delta ?? 0), reason: p.reason });
    case "hunt_paused":
      return t("organize.event.paused");
    case "hunt_resumed":
      return t("organize.event.resumed");
    case "announcement_made":
      return t("organize.event.announcement", { text: p.text });
    case "team_messaged":
      return t("organize.event.message", { team, text: p.text });
    default:
      return team ? `${team}: ${event.type}` : event.type;
  }
}

/** "sent 18:39:55 on the phone (2 min 15 s before)" for a submission that carries client_time. */
export function clientTimeNote(event) {
  const sent = event.payload?.client_time;
  if (sent === null || sent === undefined) return null;
  const decided = millis(event.time);
  const phone = millis(sent);
  if (phone === null) return null;
  const seconds = Math.round((decided - phone) / 1000);
  return h(
    "span",
    { class: "client-time" },
    t("organize.event.client_time", { time: clockTime(sent) }),
    Math.abs(seconds) >= 1 ? ` (${t(seconds >= 0 ? "organize.event.earlier" : "organize.event.later", { duration: shortDuration(Math.abs(seconds)) })})` : "",
  );
}

export function shortDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return t("organize.duration.s", { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t("organize.duration.ms", { m, s: s % 60 });
  return t("organize.duration.hm", { h: Math.floor(m / 60), m: m % 60 });
}

/** One list item for an event: decided time, what happened, client_time, version. */
export function eventItem(event, names) {
  return h(
    "li",
    { dataset: { version: event.version, type: event.type } },
    h("time", { datetime: event.time, title: t("organize.event.decided") }, clockTime(event.time)),
    h(
      "span",
      { class: "what" },
      event.payload?.team_id ? h("a", { href: `#progress:${encodeURIComponent(event.payload.team_id)}`, class: "team-link" }, names.team(event.payload.team_id)) : null,
      event.payload?.team_id ? " " : null,
      describeEvent(event, names),
      clientTimeNote(event),
    ),
    h("span", { class: "version" }, `v${event.version}`),
  );
}
