// Registering a new team, or joining one with its id and token. A hunt with divisions
// needs one at registration; the public hunt view does not list them, so the page learns
// them from the server's refusal (422 with details.divisions) and then asks with a select.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

function showDivisions(divisions) {
  const field = $("#division-field");
  const select = $("#division");
  const current = select.value;
  select.replaceChildren(
    h("option", { value: "" }, t("play.join.division_pick")),
    ...divisions.map((d) => {
      const id = typeof d === "string" ? d : d.id;
      const title = typeof d === "string" ? d : d.title || d.id;
      return h("option", { value: id, selected: id === current }, title);
    }),
  );
  field.hidden = false;
}

/** Wire the two forms; onJoined(session, how) runs once the team is known to be valid. */
export function setUpJoin(huntId, onJoined) {
  const register = $("#register-form");
  const registerMessage = $("#register-message");
  register.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(registerMessage);
    const name = $("#team-name").value.trim();
    if (!name) {
      notify(registerMessage, "bad", t("play.join.name_missing"));
      $("#team-name").focus();
      return;
    }
    const body = { name };
    const divisionField = $("#division-field");
    if (!divisionField.hidden) {
      if (!$("#division").value) {
        notify(registerMessage, "bad", t("play.join.division_missing"));
        $("#division").focus();
        return;
      }
      body.division = $("#division").value;
    }
    const button = register.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const reply = await api(`/api/hunts/${encodeURIComponent(huntId)}/teams`, { method: "POST", json: body });
      onJoined({ team_id: reply.team_id, token: reply.token, name }, "registered");
    } catch (error) {
      if (error.status === 422 && Array.isArray(error.details?.divisions)) {
        showDivisions(error.details.divisions);
        notify(registerMessage, "info", t("play.join.division_needed"));
        $("#division").focus();
        return;
      }
      const text =
        error.status === 409
          ? t("play.join.name_taken", { name })
          : error.status === 423
            ? t("play.join.closed")
            : error.status === 0
              ? t("play.join.offline")
              : error.message;
      notify(registerMessage, "bad", text);
    } finally {
      button.disabled = false;
    }
  });

  const join = $("#join-form");
  const joinMessage = $("#join-message");
  join.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(joinMessage);
    const session = { team_id: $("#join-team-id").value.trim(), token: $("#join-token").value.trim() };
    if (!session.team_id || !session.token) {
      notify(joinMessage, "bad", t("play.join.both_needed"));
      return;
    }
    const problem = await checkSession(huntId, session);
    if (problem) notify(joinMessage, "bad", problem);
    else onJoined(session, "joined");
  });
}

/** null when the session works for this hunt, or a sentence saying why not. */
export async function checkSession(huntId, session) {
  try {
    const progress = await api(
      `/api/hunts/${encodeURIComponent(huntId)}/teams/${encodeURIComponent(session.team_id)}`,
      { token: session.token },
    );
    session.name = progress.name;
    return null;
  } catch (error) {
    if (error.status === 401) return t("play.join.bad_token");
    if (error.status === 403) return t("play.join.other_team");
    if (error.status === 404) return t("play.join.no_team");
    if (error.status === 0) return t("play.join.offline");
    return error.message;
  }
}
