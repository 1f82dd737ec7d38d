// The team's score, rank and progress (GET /api/hunts/{hunt}/teams/{team}).

import { api } from "../lib/api.js";
import { $ } from "../lib/dom.js";

export async function refreshProgress(huntId, session, clueCount) {
  const progress = await api(
    `/api/hunts/${encodeURIComponent(huntId)}/teams/${encodeURIComponent(session.team_id)}`,
    { token: session.token },
  );
  showProgress(progress, clueCount);
  return progress;
}

export function showProgress(progress, clueCount) {
  $("#team-name-heading").textContent = progress.name;
  $("#team-score").textContent = String(progress.score);
  $("#team-rank").textContent = progress.rank ? `#${progress.rank}` : "–";
  const solved = progress.solved.length;
  $("#team-solved").textContent = String(solved);
  const open = progress.open_clues.length;
  const known = Math.max(clueCount, solved + open);
  $("#progress-bar").style.width = known ? `${Math.round((100 * solved) / known)}%` : "0";
  const pending = progress.pending_reviews.length;
  const parts = [`${solved} solved`, `${open} open`];
  if (pending) parts.push(`${pending} photo${pending > 1 ? "s" : ""} waiting for review`);
  if (progress.hint_costs) parts.push(`${progress.hint_costs} points spent on hints`);
  if (progress.adjustments) parts.push(`adjustments ${progress.adjustments > 0 ? "+" : ""}${progress.adjustments}`);
  $("#progress-text").textContent = parts.join(" · ");
}
