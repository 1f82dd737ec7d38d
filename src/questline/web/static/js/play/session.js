// The team this browser plays as, per hunt: {team_id, token, name}, kept in localStorage.

import { forget, load, save } from "../lib/storage.js";

const key = (huntId) => `team.${huntId}`;

export function loadSession(huntId) {
  return load(key(huntId));
}

export function saveSession(huntId, session) {
  save(key(huntId), session);
}

export function forgetSession(huntId) {
  forget(key(huntId));
}

/** A join link carries the team in its fragment (never sent to the server): #team=..&token=.. */
export function sessionFromLink(location) {
  const params = new URLSearchParams(location.hash.slice(1));
  const teamId = params.get("team");
  const token = params.get("token");
  return teamId && token ? { team_id: teamId, token } : null;
}

export function joinLink(location, session) {
  const params = new URLSearchParams({ team: session.team_id, token: session.token });
  return `${location.origin}${location.pathname}#${params}`;
}
