// What the server's answer to a submission means for the team, in words, on the clue's
// card: a verdict (2xx) or a refusal (a final 4xx), for an answer sent at once or one
// that waited in the outbox.

import { formatNumber, t } from "../lib/i18n.js";
import { formatDuration } from "./time.js";

/** [kind, text] for a reply; item: the outbox item (its kind, part, accuracy). */
export function verdict(reply, item = {}) {
  const { result, points, bonus, score } = reply;
  if (result === "correct") {
    const key = item.kind === "part" ? "play.result.part_correct" : bonus ? "play.result.correct_bonus" : "play.result.correct";
    return ["ok", t(key, { points, bonus, score, part: item.part_title || item.part || "" })];
  }
  if (result === "keep_going") return ["warn", t("play.result.keep_going")];
  if (result === "incorrect") {
    const parts = [];
    if (typeof reply.distance_m === "number") {
      parts.push(t("play.result.geo_missed", { distance: formatNumber(reply.distance_m) }));
      if (typeof item.accuracy === "number") parts.push(t("play.result.geo_accuracy", { accuracy: Math.round(item.accuracy) }));
    } else {
      parts.push(t("play.result.incorrect"));
    }
    if (points < 0) parts.push(t("play.result.penalty", { points: -points, score }));
    return ["bad", parts.join(" ")];
  }
  if (result === "already_solved") return ["info", t("play.result.already_solved")];
  if (result === "pending_review") return ["info", t("play.result.pending_review")];
  return ["info", t("play.result.other", { result })];
}

/** [kind, text] for a refusal ({status, code, message, details, retry_after}). */
export function refusal(error) {
  if (error.status === 429) return ["warn", t("play.refusal.rate_limited", { wait: formatDuration(error.retry_after || 1) })];
  if (error.code === "clue_locked") return ["bad", t("play.refusal.clue_locked")];
  if (error.code === "photo_pending") return ["info", t("play.refusal.photo_pending")];
  if (error.code === "clue_not_open") return ["bad", t("play.refusal.clue_not_open", { message: error.message })];
  if (error.status === 423) {
    const state = error.details?.state;
    const key = state === "paused" ? "play.refusal.paused" : state === "ended" ? "play.refusal.ended" : "play.refusal.not_live";
    return ["warn", t(key, { message: error.message })];
  }
  if (error.status === 401 || error.status === 403) return ["bad", t("play.refusal.token")];
  if (error.status === 413) return ["bad", t("play.refusal.too_large")];
  return ["bad", t("play.refusal.other", { message: error.message })];
}
