// The big-screen leaderboard /board/{hunt}?top=N: live over the stream, top N plus movers.

import { api } from "../lib/api.js";
import { $, h, timeOfDay } from "../lib/dom.js";
import { followStream } from "../lib/sse.js";
import { Standings } from "../lib/standings.js";
import { createMovers } from "./movers.js";
import { createTopList } from "./top-list.js";

const huntId = decodeURIComponent(location.pathname.split("/").filter(Boolean)[1] || "");
const huntPath = `/api/hunts/${encodeURIComponent(huntId)}`;
const params = new URLSearchParams(location.search);
const topN = Math.min(Math.max(Number.parseInt(params.get("top") || "20", 10) || 20, 1), 200);
const PAGE = 1000;
const CHECK_EVERY_MS = 20000;

const standings = new Standings();
const topList = createTopList($("#top"));
const movers = createMovers($("#movers"), $("#no-movers"));
let hunt = null;
let frozen = null;
let renderQueued = false;
let loading = null; // delta rows that arrive while a snapshot loads, applied after it

function queueRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    topList.render(standings.top(topN));
    movers.render(standings);
    $("#empty").hidden = standings.size > 0;
    $("#team-count").textContent = `${standings.size} team${standings.size === 1 ? "" : "s"}`;
  });
}

function showHunt(next) {
  hunt = next;
  $("#hunt-title").textContent = hunt.title;
  document.title = `${hunt.title} · Leaderboard`;
  const pill = $("#hunt-state");
  pill.textContent = hunt.state;
  pill.className = `state-pill ${hunt.state}`;
}

function showFrozen(isFrozen, asOf) {
  frozen = isFrozen;
  const banner = $("#frozen-banner");
  banner.hidden = !isFrozen;
  if (isFrozen) {
    banner.replaceChildren(
      `❄ Leaderboard frozen since ${timeOfDay(asOf)}`,
      h("small", {}, "Scores keep counting in secret. The final standings are revealed when the hunt ends."),
    );
  }
}

/** The whole board, page by page (a big hunt has thousands of teams). */
async function loadBoard() {
  loading = [];
  try {
    await loadPages();
  } finally {
    const buffered = loading;
    loading = null;
    if (buffered.length) movers.record(standings.apply(buffered));
    queueRender();
  }
}

async function loadPages() {
  const teams = [];
  let first = null;
  for (let offset = 0; ; offset += PAGE) {
    const page = await api(`${huntPath}/leaderboard?limit=${PAGE}&offset=${offset}`);
    first = first || page;
    teams.push(...page.teams);
    if (page.teams.length < PAGE || teams.length >= page.total) break;
  }
  standings.reset(teams);
  showFrozen(first.frozen, first.as_of);
}

async function loadHunt() {
  try {
    showHunt(await api(huntPath));
    return true;
  } catch (error) {
    $("#hunt-title").textContent = error.status === 404 ? `No hunt “${huntId}”` : "The board cannot be loaded";
    $("#stream-status").textContent = error.message;
    return false;
  }
}

/** Freeze, end and pause happen by the clock too: check now and then whether they did. */
async function checkPhase() {
  try {
    const [next, page] = await Promise.all([api(huntPath), api(`${huntPath}/leaderboard?limit=1`)]);
    const changed = next.state !== hunt?.state || page.frozen !== frozen;
    showHunt(next);
    if (changed) await loadBoard();
  } catch {
    /* the stream status shows trouble; try again later */
  }
}

function addNews(data) {
  const list = $("#news");
  list.prepend(h("li", {}, h("time", { datetime: data.time }, timeOfDay(data.time)), data.text));
  while (list.children.length > 5) list.lastElementChild.remove();
  $("#no-news").hidden = true;
}

function onMessage(event, data) {
  if (event === "leaderboard") {
    if (loading) return void loading.push(...data.rows);
    movers.record(standings.apply(data.rows));
    queueRender();
  } else if (event === "announcement") {
    addNews(data);
  } else if (event === "state") {
    checkPhase();
  } else if (event === "resync") {
    loadBoard();
  }
}

async function main() {
  if (!huntId) {
    $("#hunt-title").textContent = "This address names no hunt";
    return;
  }
  if (!(await loadHunt())) return;
  followStream(`${huntPath}/stream`, {
    onMessage,
    onStatus: (status) => {
      $("#stream-status").textContent = status === "live" ? "● Live" : status === "reconnecting" ? "Reconnecting…" : "";
      if (status === "live") loadBoard(); // the snapshot after subscribing: nothing falls between
    },
  });
  setInterval(checkPhase, CHECK_EVERY_MS);
  setInterval(queueRender, 30000); // movers fade out with time
}

main();
