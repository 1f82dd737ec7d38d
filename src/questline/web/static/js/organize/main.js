// The organizer console /organize: sign in once, pick or load a hunt, run it.

import { api } from "../lib/api.js";
import { $, clear, notify } from "../lib/dom.js";
import { followStream } from "../lib/sse.js";
import { forget, load, save } from "../lib/storage.js";
import { createActivity } from "./activity.js";
import { createAdjustments } from "./adjust.js";
import { setUpAnnouncements } from "./announce.js";
import { createHuntControls } from "./hunt-controls.js";
import { setUpEditor } from "./hunt-editor.js";
import { createReviews } from "./reviews.js";
import { createStats } from "./stats.js";

let token = load("organizerToken");
let huntId = null;
let stopStream = null;
const teams = new Map(); // team_id -> {team_id, name, score}

const getToken = () => token;
const getHunt = () => huntId;
const teamName = (id) => teams.get(id)?.name || id;

const controls = createHuntControls({ token: getToken });
const stats = createStats({ token: getToken });
const activity = createActivity({ teamName });
const adjustments = createAdjustments({ token: getToken, huntId: getHunt, teamName, onAdjusted: () => refreshSoon() });
const reviews = createReviews({ token: getToken, teamName, onDecided: () => refreshSoon() });
setUpAnnouncements({ token: getToken, huntId: getHunt });
setUpEditor({ token: getToken, onCreated: (hunt) => openHunt(hunt.id) });

async function loadTeams() {
  teams.clear();
  for (let offset = 0; ; offset += 1000) {
    const page = await api(`/api/hunts/${encodeURIComponent(huntId)}/leaderboard?limit=1000&offset=${offset}`, { token });
    for (const t of page.teams) teams.set(t.team_id, { team_id: t.team_id, name: t.name, score: t.score });
    if (page.teams.length < 1000) break;
  }
  adjustments.setTeams([...teams.values()]);
}

let statsTimer = null;
function refreshSoon() {
  clearTimeout(statsTimer);
  statsTimer = setTimeout(() => stats.load(), 400);
}

let teamsTimer = null;
function teamsChanged(rows) {
  for (const r of rows) teams.set(r.team_id, { team_id: r.team_id, name: r.name, score: r.score });
  clearTimeout(teamsTimer);
  teamsTimer = setTimeout(() => adjustments.setTeams([...teams.values()]), 300);
}

function onMessage(event, data) {
  if (event === "leaderboard") {
    teamsChanged(data.rows);
  } else if (event === "activity") {
    activity.add(data);
    if (data.type === "photo_waiting" || data.type === "photo_rejected" || data.type === "solved") reviews.load();
    refreshSoon();
  } else if (event === "state") {
    controls.refresh();
  } else if (event === "resync") {
    reviews.load();
    loadTeams().catch(() => {});
    refreshSoon();
  }
}

async function openHunt(id) {
  const message = $("#hunt-message");
  clear(message);
  let hunt;
  try {
    hunt = await api(`/api/hunts/${encodeURIComponent(id)}`, { token });
  } catch (error) {
    notify(message, "bad", error.status === 404 ? `There is no hunt “${id}”.` : error.message);
    return;
  }
  huntId = hunt.id;
  save("organizerHunt", huntId);
  $("#hunt-id").value = huntId;
  controls.show(hunt);
  activity.clear();
  teams.clear();
  if (stopStream) stopStream();
  stopStream = followStream(`/api/hunts/${encodeURIComponent(huntId)}/stream`, {
    token,
    onMessage,
    onStatus: (s) => {
      $("#stream-status").textContent = s === "live" ? "● Live" : s === "reconnecting" ? "Reconnecting…" : "";
    },
    onUnauthorized: () => signOut("The organizer token is no longer valid."),
  });
  await loadTeams().catch(() => {});
  await Promise.all([stats.load(huntId), reviews.load(huntId).catch((e) => notify($("#review-message"), "bad", e.message))]);
}

async function signIn(candidate) {
  // Any organizer-only route tells whether the token is an organizer's; a made-up hunt gives 404.
  try {
    await api("/api/hunts/-/reviews", { token: candidate });
  } catch (error) {
    if (error.status === 401) return "That token is not valid.";
    if (error.status === 403) return "That is a team token: the console needs an organizer token.";
    if (error.status !== 404) return error.message;
  }
  return null;
}

function signOut(reason) {
  if (stopStream) stopStream();
  forget("organizerToken");
  token = null;
  $("#console").hidden = true;
  $("#sign-out").hidden = true;
  $("#token-form").hidden = false;
  if (reason) notify($("#token-message"), "bad", reason);
  $("#token").focus();
}

function showConsole() {
  $("#token-form").hidden = true;
  $("#console").hidden = false;
  $("#sign-out").hidden = false;
  const last = load("organizerHunt");
  if (last) openHunt(last);
}

$("#token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const candidate = $("#token").value.trim();
  if (!candidate) return notify($("#token-message"), "bad", "Enter the organizer token.");
  const problem = await signIn(candidate);
  if (problem) return notify($("#token-message"), "bad", problem);
  token = candidate;
  save("organizerToken", token);
  $("#token").value = "";
  clear($("#token-message"));
  showConsole();
  $("#hunt-id").focus();
});
$("#sign-out").addEventListener("click", () => signOut(""));
$("#open-hunt").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("#hunt-id").value.trim();
  if (id) openHunt(id);
});

if (token) showConsole();
else $("#token-form").hidden = false;
