// The big-screen leaderboard /board/{hunt}?top=N&division=id: the live standings page by
// page, the race of the top teams, movers, first solves, announcements and countdowns;
// after the end a scrubber and a replay over the hunt's log.

import { api } from "../lib/api.js";
import { $, h } from "../lib/dom.js";
import { formatTime, languageSwitch, loadMessages, t } from "../lib/i18n.js";
import { followStream } from "../lib/sse.js";
import { Standings } from "../lib/standings.js";
import { createCountdowns } from "./countdown.js";
import { createFirstSolves } from "./first-solves.js";
import { createMovers } from "./movers.js";
import { createNews } from "./news.js";
import { createPager } from "./pager.js";
import { createRace } from "./race.js";
import { createTopList } from "./top-list.js";
import { createTravel } from "./travel.js";

const huntId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const huntPath = `/api/hunts/${encodeURIComponent(huntId)}`;
const params = new URLSearchParams(location.search);
const numberParam = (name, fallback, low, high) =>
  Math.min(Math.max(Number.parseFloat(params.get(name) || "") || fallback, low), high);
const topN = Math.round(numberParam("top", 20, 1, 1000));
const raceTop = Math.round(numberParam("race", 8, 1, 50));
const division = params.get("division") || null;
const PAGE = 1000;
const CHECK_EVERY_MS = 20000;
const RACE_EVERY_MS = 60000;
const RACE_SOON_MS = 4000;

/** A leaderboard address with this board's division and the given query. */
function boardPath(query) {
  const search = new URLSearchParams();
  if (division) search.set("division", division);
  for (const [name, value] of Object.entries(query)) search.set(name, String(value));
  return `${huntPath}/leaderboard?${search}`;
}

let standings = new Standings();
let hunt = null;
let frozen = null;
let past = null; // rows shown instead of the live board (scrubber, replay)
let renderQueued = false;
let loading = null; // delta rows that arrive while a snapshot loads, applied after it
let raceTimer = null;
let raceDue = null; // when the race loads next
let travelTimer = null;

let topList;
let pager;
let movers;
let news;
let firstSolves;
let race;
let travel;
let countdowns;

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  const rows = past ?? standings.top(topN);
  let page = pager.slice(rows);
  topList.render(page.rows, page.firstRank);
  if (pager.fit()) {
    page = pager.slice(rows);
    topList.render(page.rows, page.firstRank);
  }
  if (!past) movers.render(standings);
  $("#empty").hidden = rows.length > 0;
  $("#team-count").textContent = t(standings.size === 1 ? "board.teamsOne" : "board.teamsMany", { count: standings.size });
}

function showHunt(next) {
  hunt = next;
  $("#hunt-title").textContent = hunt.title;
  document.title = `${hunt.title} · ${t("board.eyebrow")}`;
  const pill = $("#hunt-state");
  pill.textContent = t(`board.state.${hunt.state}`);
  pill.className = `state-pill ${hunt.state}`;
  countdowns.setHunt(hunt);
  showDivisions();
}

function showDivisions() {
  const divisions = Array.isArray(hunt.divisions) ? hunt.divisions : [];
  const current = divisions.find((d) => d.id === division);
  $("#division-name").textContent = division ? `· ${current?.title ?? division}` : "";
  const nav = $("#divisions");
  nav.hidden = divisions.length === 0;
  const link = (id, label) => {
    const search = new URLSearchParams(params);
    if (id) search.set("division", id);
    else search.delete("division");
    const query = search.toString();
    return h("a", { href: `${location.pathname}${query ? `?${query}` : ""}`, "aria-current": id === division ? "page" : undefined }, label);
  };
  nav.replaceChildren(link(null, t("board.allDivisions")), ...divisions.map((d) => link(d.id, d.title)));
}

function showFrozen(isFrozen, asOfTime) {
  frozen = isFrozen;
  const banner = $("#frozen-banner");
  banner.hidden = !isFrozen;
  if (isFrozen) {
    banner.replaceChildren(t("board.frozenSince", { time: formatTime(asOfTime) }), h("small", {}, t("board.frozenNote")));
  }
}

/** Under `ranking: finish` finished teams lead: seen in the hunt, or in the board itself. */
function rankingOf(teams) {
  if (hunt?.ranking) return hunt.ranking;
  for (let i = 0; i < teams.length; i++) {
    if (!teams[i].finished_at) continue;
    for (let j = i + 1; j < teams.length; j++) if (!teams[j].finished_at && teams[j].score > teams[i].score) return "finish";
  }
  return "score";
}

/** The whole board, page by page (a big hunt has thousands of teams). */
async function loadBoard() {
  loading = [];
  try {
    await loadPages();
  } finally {
    const buffered = loading;
    loading = null;
    if (buffered.length) standings.apply(buffered);
    queueRender();
  }
}

async function loadPages() {
  const teams = [];
  let first = null;
  for (let offset = 0; ; offset += PAGE) {
    const page = await api(boardPath({ limit: PAGE, offset }));
    first = first || page;
    teams.push(...page.teams);
    if (page.teams.length < PAGE || teams.length >= page.total) break;
  }
  standings.setRanking(rankingOf(teams));
  standings.reset(teams);
  showFrozen(first.frozen, first.as_of);
  movers.refresh(standings).then(queueRender);
}

async function loadHunt() {
  try {
    showHunt(await api(huntPath));
    return true;
  } catch (error) {
    $("#hunt-title").textContent = error.status === 404 ? t("board.noHunt", { id: huntId }) : t("board.cannotLoad");
    $("#stream-status").textContent = error.message;
    return false;
  }
}

/** Freeze, end and pause happen by the clock too: check now and then whether they did. */
async function checkPhase() {
  try {
    const [next, page] = await Promise.all([api(huntPath), api(boardPath({ limit: 1 }))]);
    const changed = next.state !== hunt?.state || page.frozen !== frozen;
    showHunt(next);
    if (changed) {
      await loadBoard();
      loadRace();
      travel.setHunt(next);
    }
  } catch {
    /* the stream status shows trouble; try again later */
  }
}

function raceSpan(toTheEnd) {
  const start = Date.parse(hunt.starts_at);
  const ends = Date.parse(hunt.ends_at);
  const end = toTheEnd || Date.now() >= ends ? ends : Math.max(Date.now(), start + 60000);
  return [start, end];
}

async function loadRace() {
  clearTimeout(raceTimer);
  raceDue = Date.now() + RACE_EVERY_MS;
  raceTimer = setTimeout(loadRace, RACE_EVERY_MS);
  try {
    const search = new URLSearchParams({ top: String(raceTop) });
    if (division) search.set("division", division);
    const body = await api(`${huntPath}/history?${search}`);
    race.setSpan(...raceSpan(false));
    race.setTeams(body.teams.filter((team) => team.points.length > 0));
  } catch {
    /* an older server has no history: the race stays empty */
  }
}

/** Load the race again within RACE_SOON_MS (a busy hunt's deltas never postpone it). */
function raceSoon() {
  if (raceDue !== null && raceDue <= Date.now() + RACE_SOON_MS) return;
  clearTimeout(raceTimer);
  raceDue = Date.now() + RACE_SOON_MS;
  raceTimer = setTimeout(loadRace, RACE_SOON_MS);
}

/** The scrubber's end follows new events, at most every few seconds. */
function travelSoon() {
  if (travelTimer !== null) return;
  travelTimer = setTimeout(() => {
    travelTimer = null;
    travel.refresh();
  }, RACE_SOON_MS);
}

function onDelta(rows) {
  const mine = division ? rows.filter((row) => row.division === undefined || row.division === division) : rows;
  if (!mine.length) return;
  if (mine.some((row) => row.solved > (standings.byId.get(row.team_id)?.solved ?? 0))) firstSolves.maybeChanged();
  if (loading) return void loading.push(...mine);
  // A team just finished: the server's order tells whether finishing ranks first.
  const finishing = mine.some((row) => row.finished_at && !standings.byId.get(row.team_id)?.finished_at);
  movers.note(standings.apply(mine));
  if (finishing && !hunt?.ranking) loadBoard();
  raceSoon();
  travelSoon();
  queueRender();
}

function onMessage(event, data) {
  if (event === "leaderboard") onDelta(data.rows);
  else if (event === "announcement") news.add(data);
  else if (event === "state") checkPhase();
  else if (event === "resync") loadBoard();
}

function showPast(rows, text) {
  past = rows;
  $("#past-banner").hidden = false;
  $("#past-text").textContent = t("board.pastBoard", { asOf: text });
  queueRender();
}

function showLive() {
  past = null;
  $("#past-banner").hidden = true;
  queueRender();
}

async function main() {
  await loadMessages("board");
  $("#language").append(languageSwitch());
  standings = new Standings();
  topList = createTopList($("#top"));
  pager = createPager({ list: $("#top"), onChange: queueRender, turnSeconds: numberParam("page_seconds", 12, 1, 600) });
  movers = createMovers({ list: $("#movers"), empty: $("#no-movers"), boardPath });
  news = createNews({ list: $("#news"), empty: $("#no-news"), huntPath });
  firstSolves = createFirstSolves({ list: $("#first-solves"), empty: $("#no-first"), huntPath });
  race = createRace($("#race-chart"), { empty: $("#no-race") });
  countdowns = createCountdowns($("#countdowns"), { onZero: () => setTimeout(checkPhase, 1000) });
  travel = createTravel({
    huntPath,
    boardPath,
    race,
    replaySeconds: numberParam("replay_seconds", 12, 1, 600),
    onPast: showPast,
    onLive: showLive,
  });
  travel.bindReplay(() => raceSpan(true));
  $("#back-to-live").addEventListener("click", () => travel.backToLive());

  if (!huntId) {
    $("#hunt-title").textContent = t("board.noHuntInAddress");
    return;
  }
  if (!(await loadHunt())) return;
  news.load();
  firstSolves.load();
  loadRace();
  travel.setHunt(hunt);
  followStream(`${huntPath}/stream`, {
    onMessage,
    onStatus: (status) => {
      $("#stream-status").textContent = status === "live" ? t("board.live") : status === "reconnecting" ? t("board.reconnecting") : "";
      if (status === "live") {
        loadBoard(); // the snapshot after subscribing: nothing falls between
        news.load(); // and what was said while the stream was away
      }
    },
  });
  setInterval(checkPhase, CHECK_EVERY_MS);
  setInterval(() => movers.refresh(standings).then(queueRender), movers.every);
}

main();
