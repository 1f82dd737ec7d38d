// The "movers" strip: teams that climbed the most places recently.

import { h } from "../lib/dom.js";

const WINDOW_MS = 3 * 60 * 1000;
const SHOWN = 6;

export function createMovers(list, empty) {
  const recent = new Map(); // team_id -> {gained, at}

  return {
    /** moves: [{team_id, from, to}] from Standings.apply */
    record(moves) {
      const now = Date.now();
      for (const { team_id, from, to } of moves) {
        if (from === null || to >= from) continue;
        const known = recent.get(team_id);
        const gained = (known && now - known.at < WINDOW_MS ? known.gained : 0) + (from - to);
        recent.set(team_id, { gained, at: now });
      }
    },
    render(standings) {
      const now = Date.now();
      for (const [id, m] of recent) if (now - m.at > WINDOW_MS) recent.delete(id);
      const best = [...recent.entries()]
        .sort((a, b) => b[1].gained - a[1].gained || b[1].at - a[1].at)
        .slice(0, SHOWN);
      const items = best.map(([id, m]) => {
        const team = standings.byId.get(id);
        const rank = standings.rankOf(id);
        return h(
          "li",
          { "aria-label": `${team.name} climbed ${m.gained} places to rank ${rank}` },
          h("span", { class: "gain" }, `▲ ${m.gained}`),
          h("span", { class: "who" }, team.name),
          h("span", { class: "now" }, `#${rank}`),
        );
      });
      list.replaceChildren(...items);
      empty.hidden = items.length > 0;
    },
  };
}
