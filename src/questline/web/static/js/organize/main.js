// The organizer console /organize: sign in once, pick a hunt from the list (or load a new
// one), then run it: live board, reviews, activity from the log, the team x clue grid,
// the hunt editor with dry runs, statistics and fair-play flags. /organize?hunt=<id> opens
// a hunt directly; the fragment picks a section (see tabs.js).

import { api } from "../lib/api.js";
import { $, clear, notify } from "../lib/dom.js";
import { languageSwitch, loadMessages, t } from "../lib/i18n.js";
import { followStream } from "../lib/sse.js";
import { forget, load, save } from "../lib/storage.js";
import { createActivity } from "./activity.js";
import { createAdjustments } from "./adjust.js";
import { setUpAnnouncements } from "./announce.js";
import { setUpCreate } from "./create-hunt.js";
import { createFairPlay } from "./fairplay.js";
import { createHuntControls } from "./hunt-controls.js";
import { createHuntList } from "./hunt-list.js";
import { setUpImageUpload } from "./image-upload.js";
import { createLeaderboard } from "./leaderboard.js";
import { createLogFollower } from "./log-follower.js";
import { createProgressFold } from "./progress-fold.js";
import { createProgressGrid } from "./progress-grid.js";
import { createReviser } from "./revise-hunt.js";
import { createReviews } from "./reviews.js";
import { createStats } from "./stats.js";
import { createTabs } from "./tabs.js";
import { createTeamPanel } from "./team-panel.js";

await loadMessages("organize");
document.title = t("organize.title");
$("#language").append(languageSwitch());

let token = load("organizerToken");
let huntId = null;
let definition = null; // the organizer's document (GET .../definition)
let stopStream = null;
let follower = null; // the log of the open hunt, followed
const noFold = createProgressFold();
const fold = () => follower?.fold ?? noFold;
const teams = new Map(); // team_id -> {team_id, name, score}
const ranks = new Map(); // team_id -> rank on the board shown

const getToken = () => token;
const getHunt = () => huntId;
const names = {
  team: (id) => teams.get(id)?.name || fold().teams.get(id)?.name || id,
  clue: (id) => definition?.clues?.find((c) => c.id === id)?.title || id,
  division: (id) => definition?.hunt?.divisions?.find((d) => d.id === id)?.title || id,
};
const clueOf = (id) => {
  const clue = definition?.clues?.find((c) => c.id === id);
  return { id, title: clue?.title || id, text: clue?.text || "" };
};

const huntList = createHuntList({ token: getToken, onOpen: (id) => openHunt(id) });
const controls = createHuntControls({ token: getToken, onChange: (hunt) => board.setHunt(hunt) });
const board = createLeaderboard({
  token: getToken,
  onTeams: (rows) => {
    ranks.clear();
    for (const row of rows) ranks.set(row.team_id, row.rank);
    gridSoon();
  },
});
const stats = createStats({ token: getToken, definition: () => definition, fold });
const activity = createActivity({ names, onShowAll: () => history.replaceState(null, "", "#live") });
const adjustments = createAdjustments({ token: getToken, huntId: getHunt, teamName: names.team, onAdjusted: () => refreshSoon() });
const reviews = createReviews({
  token: getToken,
  teamName: names.team,
  clueOf,
  clientTimeOf: (reviewId) => fold().clientTimes.get(reviewId),
  onDecided: () => refreshSoon(),
});
const grid = createProgressGrid({ definition: () => definition, fold, rankOf: (id) => ranks.get(id) });
const teamPanel = createTeamPanel({ token: getToken, huntId: getHunt, names, fold, onChanged: () => catchUp() });
const fairPlay = createFairPlay({ token: getToken, huntId: getHunt, names });
const reviser = createReviser({
  token: getToken,
  huntId: getHunt,
  names,
  onApplied: async () => {
    await loadDefinition();
    refreshSoon();
  },
});
setUpImageUpload({ token: getToken, huntId: getHunt, editor: reviser.editor });
setUpAnnouncements({ token: getToken, huntId: getHunt });
setUpCreate({ token: getToken, onCreated: (hunt) => openHunt(hunt.id) });
const tabs = createTabs({ onRoute: route });

function route({ tab, team, versions }) {
  if (!huntId) return;
  if (versions && versions.length) showVersions(versions);
  if (tab === "progress") {
    grid.render();
    if (team) teamPanel.open(team);
  } else if (tab === "fairplay") {
    fairPlay.load(); // flags are found as the log grows: fresh ones on each visit
  }
}

async function showVersions(versions) {
  try {
    activity.showOnly(await follower.reader.atVersions(versions), versions);
  } catch (error) {
    notify($("#activity-filter"), "bad", error.message);
  }
}

let gridTimer = null;
function gridSoon() {
  clearTimeout(gridTimer);
  gridTimer = setTimeout(() => {
    if (!$("#panel-progress").hidden) grid.render();
    stats.renderParts();
  }, 250);
}

const catchUp = () => follower?.catchUp();

// -- the hunt ------------------------------------------------------------------------------

async function loadTeams() {
  teams.clear();
  for (let offset = 0; ; offset += 1000) {
    const page = await api(`/api/hunts/${encodeURIComponent(huntId)}/leaderboard?limit=1000&offset=${offset}`, { token });
    for (const row of page.teams) teams.set(row.team_id, { team_id: row.team_id, name: row.name, score: row.score });
    if (page.teams.length < 1000) break;
  }
  adjustments.setTeams([...teams.values()]);
}

async function loadDefinition() {
  try {
    definition = await api(`/api/hunts/${encodeURIComponent(huntId)}/definition`, { token });
  } catch {
    definition = null; // titles fall back to ids
  }
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
  follower?.catchUpSoon();
  if (event === "leaderboard") {
    teamsChanged(data.rows || []);
    board.refreshSoon();
  } else if (event === "activity") {
    if (["photo_waiting", "photo_rejected", "solved"].includes(data.type)) reviews.load().catch(() => {});
    refreshSoon();
  } else if (event === "state") {
    controls.refresh().catch(() => {});
  } else if (event === "revised") {
    loadDefinition().then(() => {
      reviser.revised(data.revision);
      reviews.render();
      refreshSoon();
      gridSoon();
    });
    controls.refresh().catch(() => {});
  } else if (event === "resync") {
    reviews.load().catch(() => {});
    loadTeams().catch(() => {});
    board.refreshSoon();
    refreshSoon();
  }
}

function setHuntActions(enabled) {
  for (const fieldset of document.querySelectorAll("#announce-form fieldset, #adjust-form fieldset")) fieldset.disabled = !enabled;
}

async function openHunt(id) {
  const message = $("#hunts-message");
  clear(message);
  let hunt;
  try {
    hunt = await api(`/api/hunts/${encodeURIComponent(id)}`, { token });
  } catch (error) {
    notify(message, "bad", error.status === 404 ? t("organize.hunts.unknown", { id }) : error.message);
    showHunts();
    return;
  }
  huntId = hunt.id;
  save("organizerHunt", huntId);
  if (new URLSearchParams(location.search).get("hunt") !== huntId) {
    history.pushState(null, "", `/organize?hunt=${encodeURIComponent(huntId)}${location.hash}`);
  }
  $("#hunts-view").hidden = true;
  $("#hunt-view").hidden = false;
  setHuntActions(true);
  clear($("#hunt-message"));
  teams.clear();
  ranks.clear();
  activity.clear();
  follower?.stop();
  follower = createLogFollower({ token, huntId, activity, onFolded: gridSoon });
  teamPanel.close();
  await loadDefinition();
  controls.show(hunt);
  if (stopStream) stopStream();
  stopStream = followStream(`/api/hunts/${encodeURIComponent(huntId)}/stream`, {
    token,
    onMessage,
    onStatus: (s) => {
      $("#stream-status").textContent = s === "live" ? t("organize.stream.live") : s === "reconnecting" ? t("organize.stream.reconnecting") : "";
    },
    onUnauthorized: () => signOut(t("organize.sign_in.expired")),
  });
  tabs.route();
  await Promise.all([
    board.open(hunt, definition).catch(() => {}),
    loadTeams().catch(() => {}),
    stats.load(huntId),
    reviews.load(huntId).catch((e) => notify($("#review-message"), "bad", e.message)),
    fairPlay.load(),
    reviser.load(),
    follower.start().catch((e) => notify($("#activity-filter"), "bad", t("organize.activity.failed", { message: e.message }))),
  ]);
}

function showHunts() {
  if (stopStream) stopStream();
  stopStream = null;
  follower?.stop();
  follower = null;
  huntId = null;
  setHuntActions(false);
  $("#stream-status").textContent = "";
  $("#hunt-view").hidden = true;
  $("#hunts-view").hidden = false;
  huntList.load();
}

async function signIn(candidate) {
  // Any organizer-only route tells whether the token is an organizer's; a made-up hunt gives 404.
  try {
    await api("/api/hunts/-/reviews", { token: candidate });
  } catch (error) {
    if (error.status === 401) return t("organize.sign_in.invalid");
    if (error.status === 403) return t("organize.sign_in.team_token");
    if (error.status !== 404) return error.message;
  }
  return null;
}

function signOut(reason) {
  if (stopStream) stopStream();
  stopStream = null;
  forget("organizerToken");
  token = null;
  huntId = null;
  setHuntActions(false);
  $("#hunts-view").hidden = true;
  $("#hunt-view").hidden = true;
  $("#sign-out").hidden = true;
  $("#token-form").hidden = false;
  if (reason) notify($("#token-message"), "bad", reason);
  $("#token").focus();
}

function showConsole() {
  $("#token-form").hidden = true;
  $("#sign-out").hidden = false;
  const wanted = new URLSearchParams(location.search).get("hunt");
  if (wanted) openHunt(wanted);
  else showHunts();
}

$("#token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const candidate = $("#token").value.trim();
  if (!candidate) return notify($("#token-message"), "bad", t("organize.sign_in.empty"));
  const problem = await signIn(candidate);
  if (problem) return notify($("#token-message"), "bad", problem);
  token = candidate;
  save("organizerToken", token);
  $("#token").value = "";
  clear($("#token-message"));
  showConsole();
});
$("#sign-out").addEventListener("click", () => signOut(""));
$("#all-hunts").addEventListener("click", () => {
  history.pushState(null, "", "/organize");
  showHunts();
});
window.addEventListener("popstate", () => {
  if (!token) return;
  const wanted = new URLSearchParams(location.search).get("hunt");
  if (wanted && wanted !== huntId) openHunt(wanted);
  else if (!wanted && huntId) showHunts();
});
setInterval(() => {
  if (!huntId) return;
  catchUp();
  if (!$("#panel-progress").hidden) grid.render();
}, 20000);

if (token) showConsole();
else $("#token-form").hidden = false;
