// The player page /play/{hunt}: join a team, then play its open clues.

import { api } from "../lib/api.js";
import { $, notify, timeOfDay } from "../lib/dom.js";
import { followStream } from "../lib/sse.js";
import { createAnnouncements } from "./announcements.js";
import { createClueCard } from "./clue-card.js";
import { checkSession, setUpJoin } from "./join.js";
import { refreshProgress } from "./progress.js";
import { forgetSession, joinLink, loadSession, saveSession, sessionFromLink } from "./session.js";

const huntId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const huntPath = `/api/hunts/${encodeURIComponent(huntId)}`;
let session = null;
let stopStream = null;
const cards = new Map();

function showHuntState(hunt) {
  $("#hunt-title").textContent = hunt.title;
  document.title = `${hunt.title} · Questline`;
  const box = $("#hunt-state");
  if (hunt.state === "scheduled") notify(box, "info", `The hunt starts at ${timeOfDay(hunt.starts_at)}. Clues open then.`);
  else if (hunt.state === "paused") notify(box, "warn", "The organizers paused the hunt. Answers are accepted again when it resumes.");
  else if (hunt.state === "ended") notify(box, "info", "The hunt has ended. Thanks for playing!");
  else {
    box.className = "notice";
    box.textContent = "";
  }
}

async function refreshClues() {
  const hunt = await api(huntPath, { token: session.token });
  showHuntState(hunt);
  const container = $("#clues");
  const seen = new Set();
  let index = 0;
  for (const clue of hunt.clues || []) {
    seen.add(clue.id);
    let card = cards.get(clue.id);
    if (!card) {
      card = createClueCard(clue, { huntId, session, onChanged: scheduleRefresh });
      cards.set(clue.id, card);
    } else {
      card.update(clue);
    }
    // Definition order. Only a card out of place is moved: moving one takes the focus
    // from a player typing in it (and a refresh comes with every board change).
    const here = container.children[index] || null;
    if (here !== card.element) container.insertBefore(card.element, here);
    index += 1;
  }
  for (const [id, card] of cards) {
    if (!seen.has(id)) {
      card.element.remove();
      cards.delete(id);
    }
  }
  return hunt;
}

let refreshTimer = null;
let lastProgressAt = 0;
function scheduleRefresh(delay = 150) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshAll, delay);
}

async function refreshAll() {
  refreshTimer = null;
  try {
    const hunt = await refreshClues();
    lastProgressAt = Date.now();
    await refreshProgress(huntId, session, (hunt.clues || []).length);
  } catch (error) {
    if (error.status === 401 || error.status === 403) return signOut("This team token is no longer valid here.");
    notify($("#hunt-state"), "bad", error.message);
  }
}

function onStream(announcements) {
  return (event, data) => {
    if (event === "announcement") announcements.add(data);
    else if (event === "team" || event === "state" || event === "resync") scheduleRefresh();
    else if (event === "leaderboard") {
      // Others' progress moves our rank: refresh it now and then, not on every change.
      const wait = Math.max(0, 2000 - (Date.now() - lastProgressAt));
      if (!refreshTimer || wait === 0) scheduleRefresh(wait || 300);
    }
  };
}

function startGame() {
  $("#join").hidden = true;
  $("#game").hidden = false;
  $("#share-link").value = joinLink(location, session);
  $("#share-team-id").textContent = session.team_id;
  if (session.name) $("#team-name-heading").textContent = session.name;
  const announcements = createAnnouncements(huntId);
  const status = $("#stream-status");
  stopStream = followStream(`${huntPath}/stream`, {
    token: session.token,
    onMessage: onStream(announcements),
    onStatus: (s) => {
      status.textContent = s === "live" ? "● Live" : s === "reconnecting" ? "Reconnecting…" : "";
      if (s === "live") scheduleRefresh();
    },
    onUnauthorized: () => signOut("This team token is no longer valid here."),
  });
  refreshAll();
}

function signOut(reason) {
  if (stopStream) stopStream();
  forgetSession(huntId);
  session = null;
  for (const card of cards.values()) card.element.remove();
  cards.clear();
  $("#game").hidden = true;
  $("#join").hidden = false;
  if (reason) notify($("#join-message"), "bad", reason);
  $("#team-name").focus();
}

async function main() {
  if (!huntId) return notify($("#hunt-state"), "bad", "This address names no hunt.");
  try {
    showHuntState(await api(huntPath));
  } catch (error) {
    $("#hunt-title").textContent = "Hunt not found";
    return notify($("#hunt-state"), "bad", error.status === 404 ? `There is no hunt “${huntId}”. Check the address.` : error.message);
  }
  $("#leave").addEventListener("click", () => signOut(""));
  $("#copy-link").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText($("#share-link").value);
      $("#copy-link").textContent = "Copied";
    } catch {
      $("#share-link").select();
    }
  });
  setUpJoin(huntId, (joined) => {
    session = joined;
    saveSession(huntId, session);
    startGame();
  });
  const fromLink = sessionFromLink(location);
  if (fromLink) {
    history.replaceState(null, "", location.pathname); // the token leaves the address bar
    const problem = await checkSession(huntId, fromLink);
    if (!problem) {
      session = fromLink;
      saveSession(huntId, session);
      return startGame();
    }
    notify($("#join-message"), "bad", problem);
  }
  session = loadSession(huntId);
  if (session) startGame();
  else $("#join").hidden = false;
}

main();
