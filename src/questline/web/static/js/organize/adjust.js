// Award or deduct points, with a reason.

import { api } from "../lib/api.js";
import { $, h, notify } from "../lib/dom.js";

export function createAdjustments({ token, huntId, teamName, onAdjusted }) {
  const form = $("#adjust-form");
  const select = $("#adjust-team");
  const message = $("#adjust-message");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const points = Number($("#adjust-points").value);
    const reason = $("#adjust-reason").value.trim();
    if (!select.value) return notify(message, "bad", "Choose a team.");
    if (!Number.isInteger(points) || points === 0) return notify(message, "bad", "Points must be a whole number other than 0.");
    if (!reason) return notify(message, "bad", "Give a reason: the team sees it.");
    try {
      const reply = await api(`/api/hunts/${encodeURIComponent(huntId())}/adjustments`, {
        method: "POST",
        token: token(),
        idempotent: true,
        json: { team_id: select.value, points, reason },
      });
      notify(message, "ok", `${teamName(reply.team_id)} now has ${reply.score} points.`);
      $("#adjust-points").value = "";
      $("#adjust-reason").value = "";
      onAdjusted();
    } catch (error) {
      notify(message, "bad", error.message);
    }
  });

  return {
    /** teams: [{team_id, name, score}] */
    setTeams(teams) {
      const chosen = select.value;
      select.replaceChildren(
        h("option", { value: "" }, teams.length ? "Choose a team…" : "No teams yet"),
        ...teams
          .slice()
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((t) => h("option", { value: t.team_id, selected: t.team_id === chosen }, `${t.name} (${t.score} pts)`)),
      );
    },
  };
}
