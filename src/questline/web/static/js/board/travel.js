// Time travel on the big screen (log-features.md): after the end (organizers at any time)
// a scrubber over the hunt's versions shows the board as it stood then
// (GET leaderboard?version=v), and a replay plays the race from the start to the final
// standings (the race's cursor glides while the board steps through ?time= frames).

import { api } from "../lib/api.js";
import { $ } from "../lib/dom.js";
import { formatTime, t } from "../lib/i18n.js";
import { load } from "../lib/storage.js";
import { asOf } from "./as-of.js";

const TOKEN_KEY = "questline.organizerToken";
const FRAMES = 24;
const FETCHING_AT_ONCE = 4;

/** The organizer token of this browser session (the console keeps it), or null. */
function storedToken() {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    if (raw) return JSON.parse(raw);
  } catch {
    /* no session storage: fall through */
  }
  return load("organizerToken");
}

function keepToken(token) {
  try {
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify(token));
  } catch {
    /* kept for this page only */
  }
}

export function createTravel({ huntPath, boardPath, race, replaySeconds, onPast, onLive }) {
  let hunt = null;
  let token = null;
  let latest = null; // the hunt's last version
  let scrubTimer = null;
  let replaying = null; // the running replay's frame request id
  const scrubber = $("#scrubber");

  const ended = () => hunt && (hunt.state === "ended" || Date.now() >= Date.parse(hunt.ends_at));
  const options = () => (token ? { token } : {});

  function describe(point) {
    return t("board.asOf", { time: formatTime(point.time, { hour: "2-digit", minute: "2-digit", second: "2-digit" }), version: point.version });
  }

  async function open() {
    const allowed = ended() || token !== null;
    $("#travel").hidden = !allowed;
    $("#organizer-access").hidden = ended() && token === null;
    if (!allowed) return;
    try {
      const future = new Date(Math.max(Date.now(), Date.parse(hunt.ends_at)) + 86400000).toISOString();
      const point = asOf(await api(boardPath({ time: future, limit: 1 }), options()));
      if (point.version === null) {
        $("#travel").hidden = true; // a server without time travel
        return;
      }
      const atEnd = Number(scrubber.value) === latest || latest === null;
      latest = point.version;
      scrubber.max = String(latest);
      if (atEnd) scrubber.value = String(latest);
      $("#scrub-as-of").textContent = describe(point);
    } catch (error) {
      $("#replay-status").textContent = error.message;
    }
  }

  async function showVersion(version) {
    try {
      const board = await api(boardPath({ version, limit: 1000 }), options());
      const point = asOf(board);
      $("#scrub-as-of").textContent = describe(point);
      race.setCursor(point.time ? Date.parse(point.time) : null);
      if (version >= latest) onLive();
      else onPast(board.teams, describe(point));
    } catch (error) {
      $("#scrub-as-of").textContent = error.message;
    }
  }

  scrubber.addEventListener("input", () => {
    stopReplay();
    clearTimeout(scrubTimer);
    scrubTimer = setTimeout(() => showVersion(Number(scrubber.value)), 120);
  });

  async function frames(times) {
    const boards = new Array(times.length);
    let next = 0;
    async function worker() {
      while (next < times.length) {
        const index = next++;
        boards[index] = await api(boardPath({ time: new Date(times[index]).toISOString(), limit: 1000 }), options());
      }
    }
    await Promise.all(Array.from({ length: FETCHING_AT_ONCE }, worker));
    return boards;
  }

  function stopReplay() {
    if (replaying !== null) cancelAnimationFrame(replaying);
    replaying = null;
    $("#replay").disabled = false;
  }

  async function replay(span) {
    stopReplay();
    const button = $("#replay");
    button.disabled = true;
    $("#replay-status").textContent = t("board.replayLoading");
    const [start, end] = span;
    const times = Array.from({ length: FRAMES }, (_, i) => start + ((end - start) * (i + 1)) / FRAMES);
    let boards;
    try {
      boards = await frames(times);
    } catch (error) {
      $("#replay-status").textContent = error.message;
      button.disabled = false;
      return;
    }
    $("#replay-status").textContent = t("board.replayPlaying");
    const began = performance.now();
    const length = replaySeconds * 1000;
    let shown = -1;
    const step = (now) => {
      const progress = Math.min(1, (now - began) / length);
      race.setCursor(start + (end - start) * progress);
      const frame = Math.min(FRAMES - 1, Math.floor(progress * FRAMES));
      if (frame !== shown && progress < 1) {
        shown = frame;
        const board = boards[frame];
        const point = asOf(board);
        scrubber.value = String(point.version ?? scrubber.value);
        $("#scrub-as-of").textContent = describe(point);
        onPast(board.teams, describe(point));
      }
      if (progress < 1) {
        replaying = requestAnimationFrame(step);
        return;
      }
      replaying = null;
      button.disabled = false;
      race.setCursor(null);
      scrubber.value = String(latest);
      const last = asOf(boards[FRAMES - 1]);
      $("#scrub-as-of").textContent = describe(last);
      onLive();
      $("#replay-status").textContent = t("board.replayDone");
    };
    replaying = requestAnimationFrame(step);
  }

  $("#organizer-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = $("#organizer-token").value.trim();
    const message = $("#organizer-message");
    if (!candidate) return void (message.textContent = t("board.tokenMissing"));
    try {
      await api(`${huntPath}/events?limit=1`, { token: candidate });
    } catch (error) {
      message.textContent = error.status === 401 ? t("board.tokenInvalid") : error.status === 403 ? t("board.tokenNotOrganizer") : error.message;
      return;
    }
    token = candidate;
    keepToken(token);
    $("#organizer-token").value = "";
    message.textContent = t("board.tokenAccepted");
    $("#organizer-access").open = false;
    $("#replay-status").textContent = t("board.tokenAccepted");
    open();
  });

  return {
    /** The hunt changed (or was read first): offer time travel if it may be. */
    async setHunt(next) {
      hunt = next;
      if (token === null) {
        const stored = storedToken();
        if (stored) {
          try {
            await api(`${huntPath}/events?limit=1`, { token: stored });
            token = stored;
          } catch {
            /* not an organizer's token for this hunt: the public view */
          }
        }
      }
      await open();
    },
    /** After new events: the scrubber reaches the new last version. */
    refresh: () => (hunt ? open() : Promise.resolve()),
    replay,
    bindReplay(getSpan) {
      $("#replay").addEventListener("click", () => replay(getSpan()));
    },
    backToLive() {
      stopReplay();
      if (latest !== null) scrubber.value = String(latest);
      race.setCursor(null);
      onLive();
    },
  };
}
