// The player page /play/{hunt}: join a team, then play its clues, with or without signal.

import { idempotencyKey } from "../lib/api.js";
import { $, clear, notify } from "../lib/dom.js";
import { languageSwitch, loadMessages, t } from "../lib/i18n.js";
import { followStream } from "../lib/sse.js";
import { createAnnouncements } from "./announcements.js";
import { createClueList } from "./clue-list.js";
import { createHuntClock } from "./hunt-clock.js";
import { checkSession, setUpJoin } from "./join.js";
import { createOfflineUi, forgetTeamViews, keepForOffline } from "./offline.js";
import { enqueue, forgetAnswered, itemsOf, startOutbox } from "./outbox.js";
import { sendOne } from "./outbox-send.js";
import { showProgress } from "./progress.js";
import { read } from "./reads.js";
import { setUpReceipt } from "./receipt.js";
import { forgetSession, loadSession, saveSession, sessionFromLink } from "./session.js";
import { setUpTeamPanel } from "./team-panel.js";
import { showTeamNews, toastTeamEvent } from "./team-news.js";

const huntId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const huntPath = `/api/hunts/${encodeURIComponent(huntId)}`;
let session = null;
let stopStream = null;
let teamView = null; // the last team view of the hunt
let announcements = null;
let clueList = null;
let offlineUi = null;
let clock = null;
let teamPanel = null;
const unshownOutcomes = [];

function clueTitle(id) {
  const all = [...(teamView?.clues || []), ...(teamView?.locked || [])];
  const clue = all.find((c) => c.id === id);
  return clue ? clue.title || clue.id : id;
}

const playable = () => !!session && clock.state() === "live";

async function refreshClues() {
  const { data: hunt, savedAt } = await read(huntPath, session.token);
  teamView = hunt;
  clock.show(hunt);
  offlineUi.setSavedAt(savedAt);
  const started = hunt.state !== "scheduled";
  $("#clues-section").hidden = !started;
  $("#locked-section").hidden = !started || !(hunt.locked || []).length;
  if (started) clueList.render(hunt);
  return hunt;
}

async function refreshProgress() {
  const { data: progress } = await read(`${huntPath}/teams/${encodeURIComponent(session.team_id)}`, session.token);
  showProgress(progress, teamView, (teamView?.clues || []).length);
  showTeamNews(progress, clueTitle);
  const pending = new Set(progress.pending_reviews.map((p) => p.clue));
  const lastReview = new Map();
  for (const review of progress.reviews || []) lastReview.set(review.clue, review);
  for (const card of clueList.cards.values()) card.setTeam({ pending: pending.has(card.id), review: lastReview.get(card.id) || null });
}

let refreshTimer = null;
let lastProgressAt = 0;
function scheduleRefresh(delay = 150) {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshAll, delay);
}

async function refreshAll() {
  refreshTimer = null;
  if (!session) return;
  const asked = session;
  try {
    await refreshClues();
    lastProgressAt = Date.now();
    await refreshProgress();
    await showOutbox();
  } catch (error) {
    if (session !== asked) return;
    if (error.status === 401 || error.status === 403) return signOut(t("play.join.token_gone"));
    if (error.status === 0) {
      if (!teamView) notify($("#hunt-state"), "warn", t("play.offline.nothing_kept"));
      return;
    }
    notify($("#hunt-state"), "bad", error.message);
  }
}

/** Queued items on their cards and in the count; answers no page has shown yet, shown. */
async function showOutbox() {
  if (!session) return;
  const items = await itemsOf(huntId, session.team_id);
  const queued = items.filter((i) => i.state === "queued");
  offlineUi.setCount(queued.length);
  for (const card of clueList.cards.values()) card.showQueued(queued.filter((i) => i.clue === card.id));
  for (const item of items) if (item.state !== "queued") await showOutcome(item);
  for (const item of unshownOutcomes.splice(0)) await showOutcome(item);
}

async function showOutcome(item) {
  const card = clueList.card(item.clue);
  if (!card) {
    unshownOutcomes.push(item); // its clue is not laid out yet
    return;
  }
  card.showOutcome(item);
  await forgetAnswered(item.seq);
}

function onOutbox(message) {
  if (!session) return;
  if (message.type === "outcome") {
    const item = message.item;
    if (item.hunt !== huntId || item.team !== session.team_id) return;
    showOutcome(item).then(showOutbox);
    if (item.state === "done") scheduleRefresh();
  } else {
    showOutbox();
  }
}

async function send(clue, body, extra) {
  const fields = { hunt: huntId, team: session.team_id, token: session.token, clue: clue.id, body, ...extra };
  try {
    await enqueue(fields);
  } catch (error) {
    // No IndexedDB here (an old private window): send at once, without keeping it.
    console.warn("the outbox is not available; sending directly", error);
    const item = { ...fields, body: { ...body, client_time: new Date().toISOString() }, key: idempotencyKey() };
    const outcome = await sendOne(item);
    if (outcome.kind === "done") clueList.card(clue.id)?.showOutcome({ ...item, state: "done", reply: outcome.reply });
    else if (outcome.kind === "refused") clueList.card(clue.id)?.showOutcome({ ...item, state: "refused", error: outcome.error });
    else throw new Error(t("play.outbox.no_storage"));
    scheduleRefresh();
  }
}

function onStream(event, data) {
  if (event === "announcement") announcements.arrived(data);
  else if (event === "state") {
    clock.stateChanged(data.state);
    scheduleRefresh();
  } else if (event === "team") {
    toastTeamEvent(data, clueTitle);
    if (data.type === "clue_opened") clueList.opened(data.clue);
    scheduleRefresh();
  } else if (event === "revised" || event === "resync") scheduleRefresh();
  else if (event === "leaderboard") {
    // Others' progress moves our rank: refresh it now and then, not on every change.
    const wait = Math.max(0, 2000 - (Date.now() - lastProgressAt));
    if (!refreshTimer || wait === 0) scheduleRefresh(wait || 300);
  }
}

let streamState = "";
function showStreamStatus() {
  const words = { live: "play.stream.live", reconnecting: "play.stream.reconnecting" }[streamState];
  $("#stream-status").textContent = !session ? "" : !navigator.onLine ? t("play.stream.offline") : words ? t(words) : "";
}
window.addEventListener("offline", showStreamStatus);
window.addEventListener("online", showStreamStatus);

function followTeamStream() {
  if (stopStream) stopStream();
  stopStream = followStream(`${huntPath}/stream`, {
    token: session.token,
    onMessage: onStream,
    onStatus: (s) => {
      streamState = s;
      showStreamStatus();
      if (s === "live") scheduleRefresh();
    },
    onUnauthorized: () => signOut(t("play.join.token_gone")),
  });
}

function startGame({ registered = false } = {}) {
  $("#join").hidden = true;
  $("#game").hidden = false;
  clear($("#join-message"));
  $("#team-name-heading").textContent = session.name || t("play.team.default_name");
  if (registered) {
    notify($("#game-message"), "ok", t("play.team.registered"));
    $("#team-name-heading").focus();
  } else {
    clear($("#game-message"));
  }
  followTeamStream();
  announcements.load();
  refreshAll();
}

function signOut(reason) {
  if (stopStream) stopStream();
  stopStream = null;
  forgetSession(huntId);
  forgetTeamViews();
  session = null;
  streamState = "";
  teamView = null;
  clueList.clear();
  teamPanel.hide();
  offlineUi.clear();
  $("#stream-status").textContent = "";
  $("#game").hidden = true;
  $("#join").hidden = false;
  if (reason) notify($("#join-message"), "bad", reason);
  else notify($("#join-message"), "info", t("play.leave.done"));
  $(clock.state() === "ended" ? "#join-team-id" : "#team-name").focus();
}

function joined(next, how) {
  session = next;
  saveSession(huntId, session);
  startGame({ registered: how === "registered" });
}

/** The hunt's own web app manifest: installing the page opens this hunt. */
function linkManifest() {
  const link = document.createElement("link");
  link.rel = "manifest";
  link.href = `/play/${encodeURIComponent(huntId)}/manifest.webmanifest`;
  document.head.append(link);
}

async function main() {
  if (huntId) linkManifest();
  await loadMessages("play");
  $("#lang-slot").append(languageSwitch());
  clock = createHuntClock({ onTimeUp: () => scheduleRefresh(0), refreshControls: () => clueList?.cards.forEach((c) => c.refreshControls()) });
  if (!huntId) return notify($("#hunt-state"), "bad", t("play.hunt.no_id"));
  offlineUi = createOfflineUi({ items: () => (session ? itemsOf(huntId, session.team_id) : Promise.resolve([])), clueTitle });
  clueList = createClueList({ huntId, session: () => session, send, playable, onChanged: () => scheduleRefresh() });
  clueList.onTimeUp(() => scheduleRefresh(500));
  announcements = createAnnouncements(huntId);
  try {
    clock.show((await read(huntPath)).data);
  } catch (error) {
    // Offline, a team that played here before still has its own view of the hunt kept.
    if (error.status === 0 && loadSession(huntId)) return boot();
    $("#hunt-title").textContent = t(error.status === 0 ? "play.hunt.offline_title" : "play.hunt.not_found_title");
    const text = error.status === 404 ? t("play.hunt.not_found", { hunt: huntId }) : error.status === 0 ? t("play.offline.nothing_kept") : error.message;
    return notify($("#hunt-state"), "bad", text);
  }
  return boot();
}

/** Wire the page's parts, then play as the team this phone knows, or offer to join. */
async function boot() {
  setUpJoin(huntId, joined);
  teamPanel = setUpTeamPanel({
    huntId,
    session: () => session,
    onNewToken: (token) => {
      session = { ...session, token };
      saveSession(huntId, session);
      followTeamStream();
    },
    onLeave: () => signOut(""),
    queuedCount: async () => (await itemsOf(huntId, session.team_id)).filter((i) => i.state === "queued").length,
  });
  setUpReceipt({ huntId, session: () => session, clueTitle });
  startOutbox(onOutbox);

  const fromLink = sessionFromLink(location);
  if (fromLink) {
    history.replaceState(null, "", location.pathname); // the token leaves the address bar
    const problem = await checkSession(huntId, fromLink);
    if (!problem) joined(fromLink, "joined");
    else notify($("#join-message"), "bad", problem);
  }
  if (!session) {
    session = loadSession(huntId);
    if (session) startGame();
    else $("#join").hidden = false;
  }

  if (await keepForOffline()) {
    // Now that the worker answers this page, read the views once more so it keeps them.
    await read(huntPath).catch(() => null);
    if (session) {
      await refreshAll();
      await announcements.load();
    }
    document.documentElement.dataset.offlineReady = "yes";
  }
}

main();
