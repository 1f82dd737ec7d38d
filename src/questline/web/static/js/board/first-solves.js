// The feed of first solves: the first team to solve each clue, newest first
// (GET .../first-solves), fetched when the board opens and soon after a team's solved
// count grows.

import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { formatTime, t } from "../lib/i18n.js";

const SHOWN = 5;
const SOON_MS = 1500;

export function createFirstSolves({ list, empty, huntPath }) {
  let timer = null;
  let available = true;

  function render(items) {
    list.replaceChildren(
      ...items.slice(0, SHOWN).map((item) =>
        h(
          "li",
          { "aria-label": t("board.firstSolveLabel", { name: item.name, clue: item.title }) },
          h("span", { class: "first-clue" }, item.title),
          h("span", { class: "first-who" }, item.name),
          item.time ? h("time", { datetime: item.time }, formatTime(item.time)) : null,
        ),
      ),
    );
    empty.hidden = items.length > 0;
  }

  async function load() {
    if (!available) return;
    try {
      const body = await api(`${huntPath}/first-solves`);
      render(body.first_solves);
    } catch (error) {
      if (error.status === 404 && error.code !== "unknown_hunt") available = false; // an older server
    }
  }

  return {
    load,
    /** A delta arrived: look again shortly if some team solved more than before. */
    maybeChanged() {
      if (timer !== null) return; // one look per SOON_MS, however busy the hunt
      timer = setTimeout(() => {
        timer = null;
        load();
      }, SOON_MS);
    },
  };
}
