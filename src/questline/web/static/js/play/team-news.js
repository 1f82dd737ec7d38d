// What the organizers told this team, kept in its progress so a reload or a team mate's
// phone shows it too: messages, score adjustments with their reasons, and photo reviews
// with theirs. New ones arriving on the stream also pop up as a toast.

import { $, h } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";
import { toast } from "./toasts.js";
import { clockTime } from "./time.js";

function signed(points) {
  return `${points > 0 ? "+" : "−"}${formatNumber(Math.abs(points))}`;
}

/** The list, newest first, from the team's progress; clueTitle(id) names a clue. */
export function showTeamNews(progress, clueTitle) {
  const items = [
    ...(progress.messages || []).map((m) => ({ time: m.time, kind: "info", text: t("play.news.message", { text: m.text }) })),
    ...(Array.isArray(progress.adjustments) ? progress.adjustments : []).map((a) => ({
      time: a.time,
      kind: a.points >= 0 ? "ok" : "bad",
      text: t("play.news.adjusted", { points: signed(a.points), reason: a.reason }),
    })),
    ...(progress.reviews || []).map((r) => ({
      time: r.time,
      kind: r.approved ? "ok" : "bad",
      text: t(r.approved ? "play.news.approved" : "play.news.rejected", { clue: clueTitle(r.clue), reason: r.reason || "–" }),
    })),
  ].sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  $("#news-section").hidden = !items.length;
  $("#news").replaceChildren(
    ...items.map((item) => h("li", { class: `news-item ${item.kind}` }, h("time", { datetime: item.time }, clockTime(item.time)), item.text)),
  );
}

/** A team event from the stream that the team should notice wherever it is on the page. */
export function toastTeamEvent(data, clueTitle) {
  if (data.type === "message") toast("info", t("play.toast.message"), data.text);
  else if (data.type === "adjusted") toast(data.points >= 0 ? "ok" : "bad", t("play.toast.adjusted", { points: signed(data.points) }), data.reason);
  else if (data.type === "photo_rejected") toast("bad", t("play.toast.photo_rejected", { clue: clueTitle(data.clue) }), data.reason);
  else if (data.type === "photo_approved") toast("ok", t("play.toast.photo_approved", { clue: clueTitle(data.clue) }), data.reason);
  else if (data.type === "clue_opened") toast("info", t("play.toast.clue_opened"), data.title || clueTitle(data.clue));
}
