// Registering a new team, or joining one with its id and token.

import { api } from "../lib/api.js";
import { $, clear, notify } from "../lib/dom.js";

/** Wire the two forms; onJoined(session) runs once the team is known to be valid. */
export function setUpJoin(huntId, onJoined) {
  const register = $("#register-form");
  const registerMessage = $("#register-message");
  register.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear(registerMessage);
    const name = $("#team-name").value.trim();
    if (!name) {
      notify(registerMessage, "bad", "Give your team a name first.");
      $("#team-name").focus();
      return;
    }
    const button = register.querySelector("button");
    button.disabled = true;
    try {
      const reply = await api(`/api/hunts/${encodeURIComponent(huntId)}/teams`, {
        method: "POST",
        json: { name },
      });
      onJoined({ team_id: reply.team_id, token: reply.token, name });
    } catch (error) {
      const text =
        error.status === 409
          ? `The name “${name}” is taken in this hunt. Pick another one.`
          : error.status === 423
            ? "This hunt has ended: teams can no longer register."
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
      notify(joinMessage, "bad", "Both the team id and the team token are needed.");
      return;
    }
    const problem = await checkSession(huntId, session);
    if (problem) notify(joinMessage, "bad", problem);
    else onJoined(session);
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
    if (error.status === 401) return "That token is not valid. Check it with your team mates.";
    if (error.status === 403) return "That token belongs to another team or hunt.";
    if (error.status === 404) return "This hunt has no team with that id.";
    return error.message;
  }
}
