// One team's progress for the organizer (GET /api/hunts/{hunt}/teams/{team}): score,
// solves, reviews with their reasons, adjustments, messages, its latest events with the
// phone's client_time; and two actions: a message to the team, a new token (shown once).

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { formatNumber, formatTime, t } from "../lib/i18n.js";
import { eventItem } from "./event-text.js";

function section(title, items, empty) {
  return h("section", { class: "team-section" }, h("h3", {}, title), items.length ? h("ul", { class: "plain-list" }, ...items) : h("p", { class: "hint-text" }, empty));
}

export function createTeamPanel({ token, huntId, names, fold, onChanged }) {
  const card = $("#team-card");
  let teamId = null;

  async function open(id) {
    const another = id !== teamId || card.hidden;
    teamId = id;
    card.hidden = false;
    if (another) {
      // A token shown for one team must not stay on screen for the next.
      clear($("#message-result"));
      $("#token-result").replaceChildren();
      $("#team-heading").textContent = names.team(id);
      $("#team-summary").replaceChildren(h("p", { class: "hint-text" }, t("organize.team.loading")));
      $("#team-details").replaceChildren();
    }
    let progress;
    try {
      progress = await api(`/api/hunts/${encodeURIComponent(huntId())}/teams/${encodeURIComponent(id)}`, { token: token() });
    } catch (error) {
      $("#team-summary").replaceChildren(h("p", { class: "notice bad" }, error.status === 404 ? t("organize.team.unknown", { team: id }) : error.message));
      return;
    }
    if (teamId !== id) return;
    render(progress);
    if (another) $("#team-heading").focus();
  }

  function render(p) {
    $("#team-heading").textContent = p.name;
    const time = (iso) => h("time", { datetime: iso }, formatTime(iso));
    $("#team-summary").replaceChildren(
      h(
        "dl",
        { class: "team-figures" },
        h("div", {}, h("dt", {}, t("organize.team.score")), h("dd", { id: "team-score" }, formatNumber(p.score))),
        h("div", {}, h("dt", {}, t("organize.team.rank")), h("dd", {}, p.rank ? formatNumber(p.rank) : "–")),
        h("div", {}, h("dt", {}, t("organize.team.solved")), h("dd", {}, formatNumber(p.solved.length))),
        h("div", {}, h("dt", {}, t("organize.team.penalties")), h("dd", {}, formatNumber(p.penalties ?? 0))),
      ),
      p.division ? h("p", {}, t("organize.team.division", { division: names.division(p.division) })) : "",
      h("p", { class: "hint-text" }, h("code", {}, p.team_id)),
    );
    const recent = (fold().teams.get(p.team_id)?.recent || []).slice().reverse();
    $("#team-details").replaceChildren(
      section(
        t("organize.team.solves"),
        p.solved.map((s) => h("li", {}, names.clue(s.clue), ` (+${formatNumber(s.points)}${s.bonus ? `, ${t("organize.team.bonus", { bonus: s.bonus })}` : ""})`)),
        t("organize.team.none_solved"),
      ),
      section(t("organize.team.open"), p.open_clues.map((c) => h("li", {}, names.clue(c))), t("organize.team.none_open")),
      section(
        t("organize.team.reviews"),
        (p.reviews || []).map((r) =>
          h("li", {}, time(r.time), " ", names.clue(r.clue), ": ", h("strong", {}, t(r.approved ? "organize.team.approved" : "organize.team.rejected")), r.reason ? ` – ${r.reason}` : ""),
        ),
        t("organize.team.none_reviews"),
      ),
      section(
        t("organize.team.adjustments"),
        (p.adjustments || []).map((a) => h("li", {}, time(a.time), " ", h("strong", {}, `${a.points > 0 ? "+" : ""}${formatNumber(a.points)}`), ` – ${a.reason}`)),
        t("organize.team.none_adjustments"),
      ),
      section(t("organize.team.messages"), (p.messages || []).map((m) => h("li", {}, time(m.time), ` ${m.text}`)), t("organize.team.none_messages")),
      h(
        "section",
        { class: "team-section" },
        h("h3", {}, t("organize.team.recent")),
        recent.length ? h("ol", { class: "activity" }, ...recent.map((e) => eventItem(e, names))) : h("p", { class: "hint-text" }, t("organize.team.none_recent")),
      ),
    );
  }

  $("#close-team").addEventListener("click", () => {
    card.hidden = true;
    teamId = null;
    if (location.hash.startsWith("#progress:")) history.replaceState(null, "", "#progress");
  });

  $("#message-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("#message-text").value.trim();
    const result = $("#message-result");
    if (!text) {
      notify(result, "bad", t("organize.team.message_empty"));
      return $("#message-text").focus();
    }
    try {
      await api(`/api/hunts/${encodeURIComponent(huntId())}/teams/${encodeURIComponent(teamId)}/messages`, { method: "POST", token: token(), json: { text } });
      $("#message-text").value = "";
      notify(result, "ok", t("organize.team.message_sent", { team: names.team(teamId) }));
      onChanged();
      open(teamId).catch(() => {});
    } catch (error) {
      notify(result, "bad", error.message);
    }
  });

  $("#token-issue-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = $("#token-result");
    const revoke = $("#revoke-others").checked;
    let reply;
    try {
      reply = await api(`/api/hunts/${encodeURIComponent(huntId())}/teams/${encodeURIComponent(teamId)}/tokens`, {
        method: "POST",
        token: token(),
        json: revoke ? { revoke_others: true } : {},
      });
    } catch (error) {
      result.replaceChildren(h("p", { class: "notice bad" }, error.message));
      return;
    }
    $("#revoke-others").checked = false;
    const params = new URLSearchParams({ team: teamId, token: reply.token });
    const link = `${location.origin}/play/${encodeURIComponent(huntId())}#${params}`;
    const copy = async (value, button) => {
      try {
        await navigator.clipboard.writeText(value);
        button.textContent = t("organize.team.copied");
      } catch {
        button.textContent = t("organize.team.copy_failed");
      }
    };
    const tokenButton = h("button", { type: "button", class: "secondary small", onclick: () => copy(reply.token, tokenButton) }, t("organize.team.copy_token"));
    const linkButton = h("button", { type: "button", class: "secondary small", onclick: () => copy(link, linkButton) }, t("organize.team.copy_link"));
    result.replaceChildren(
      h(
        "div",
        { class: "token-once notice ok" },
        h("p", {}, t(revoke ? "organize.team.token_revoked" : "organize.team.token_new", { team: names.team(teamId) })),
        h("p", {}, h("code", { id: "new-token", class: "token-text" }, reply.token)),
        h("div", { class: "row" }, tokenButton, linkButton),
      ),
    );
    onChanged();
  });

  return {
    open,
    close() {
      card.hidden = true;
      teamId = null;
    },
    get teamId() {
      return teamId;
    },
  };
}
