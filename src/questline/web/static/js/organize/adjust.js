// Award or deduct points, with a reason the team sees.

import { api } from "../lib/api.js";
import { $, h, notify } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";

export function createAdjustments({ token, huntId, teamName, onAdjusted }) {
  const form = $("#adjust-form");
  const select = $("#adjust-team");
  const message = $("#adjust-message");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!huntId()) return;
    const points = Number($("#adjust-points").value);
    const reason = $("#adjust-reason").value.trim();
    if (!select.value) return notify(message, "bad", t("organize.adjust.choose"));
    if (!Number.isInteger(points) || points === 0) return notify(message, "bad", t("organize.adjust.whole"));
    if (!reason) return notify(message, "bad", t("organize.adjust.reason_needed"));
    try {
      const reply = await api(`/api/hunts/${encodeURIComponent(huntId())}/adjustments`, {
        method: "POST",
        token: token(),
        idempotent: true,
        json: { team_id: select.value, points, reason },
      });
      notify(message, "ok", t("organize.adjust.done", { team: teamName(reply.team_id), score: reply.score }));
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
        h("option", { value: "" }, teams.length ? t("organize.adjust.choose_option") : t("organize.adjust.no_teams")),
        ...teams
          .slice()
          .sort((a, b) => a.name.localeCompare(b.name))
          .map((team) =>
            h("option", { value: team.team_id, selected: team.team_id === chosen }, t("organize.adjust.option", { team: team.name, score: formatNumber(team.score) })),
          ),
      );
    },
  };
}
