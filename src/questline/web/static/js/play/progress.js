// The team's score, rank and progress (GET /api/hunts/{hunt}/teams/{team}), and why the
// rank shows "–" or an older place during a freeze.

import { $ } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";
import { clockTime } from "./time.js";

export function showProgress(progress, hunt, clueCount) {
  $("#team-name-heading").textContent = progress.name;
  $("#team-score").textContent = formatNumber(progress.score);
  $("#team-rank").textContent = progress.rank ? `#${formatNumber(progress.rank)}` : "–";
  const solved = progress.solved.length;
  $("#team-solved").textContent = formatNumber(solved);
  const open = progress.open_clues.length;
  const known = Math.max(clueCount, solved + open);
  $("#progress-bar").style.width = known ? `${Math.round((100 * solved) / known)}%` : "0";
  const pending = progress.pending_reviews.length;
  const parts = [t("play.progress.solved", { n: solved }), t("play.progress.open", { n: open })];
  if (pending) parts.push(t(pending === 1 ? "play.progress.waiting_one" : "play.progress.waiting", { n: pending }));
  if (progress.hint_costs) parts.push(t("play.progress.hints", { n: progress.hint_costs }));
  if (progress.penalties) parts.push(t("play.progress.penalties", { n: progress.penalties }));
  if (progress.division) parts.push(t("play.progress.division", { division: progress.division }));
  $("#progress-text").textContent = parts.join(" · ");
  $("#rank-note").textContent = rankNote(progress, hunt);
}

function rankNote(progress, hunt) {
  if (!hunt || !hunt.freeze_at) return "";
  const now = Date.now();
  const frozen = Date.parse(hunt.freeze_at) <= now && now < Date.parse(hunt.ends_at);
  if (!frozen) return "";
  const times = { freeze: clockTime(hunt.freeze_at), end: clockTime(hunt.ends_at) };
  return progress.rank ? t("play.rank.frozen", times) : t("play.rank.frozen_unranked", times);
}
