// The "movers": teams that climbed the most places over the last 10 minutes. Each team's
// rank now is compared with its rank on the board as it stood 10 minutes ago (read by
// time travel, GET leaderboard?time=, so a board opened a minute ago knows it too), and
// the comparison moves forward with the clock: a climb drops out once it is 10 minutes old.
// A team that registered since then climbs from the rank this board first saw it at.
// A server without time travel: the board's own snapshots, taken every half minute.

import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";
import { asOf } from "./as-of.js";

export const WINDOW_MS = 10 * 60 * 1000;
const BASELINE_EVERY_MS = 30 * 1000;
const SHOWN = 5;
const PAGE = 1000; // the board then, as far as it matters for a climb into view

export function createMovers({ list, empty, boardPath }) {
  let baseline = null; // team_id -> rank WINDOW_MS ago
  let travel = true; // whether the server answers ?time=
  const snapshots = []; // [{at, ranks}] the board's own, for servers without time travel
  const arrivals = new Map(); // team_id -> {at, rank}: teams first seen by this board

  async function pastRanks(at) {
    if (travel) {
      let then;
      try {
        then = await api(boardPath({ time: new Date(at).toISOString(), limit: PAGE }));
      } catch (error) {
        // No board then (before the hunt began): nobody had a rank to climb from.
        return error.status >= 400 && error.status < 500 ? new Map() : baseline;
      }
      if (asOf(then).version !== null) return new Map(then.teams.map((team) => [team.team_id, team.rank]));
      travel = false; // the server answered the live board: it does not travel
    }
    const old = snapshots.find((snapshot) => snapshot.at >= at) || snapshots[0];
    return old ? old.ranks : null;
  }

  function before(teamId, now) {
    const then = baseline?.get(teamId);
    if (then !== undefined) return then;
    const arrival = arrivals.get(teamId);
    return arrival && arrival.at > now - WINDOW_MS ? arrival.rank : undefined;
  }

  return {
    /** Moves from Standings.apply: a team new to the board arrives at its rank. */
    note(moves) {
      const now = Date.now();
      for (const { team_id, from, to } of moves) if (from === null && !arrivals.has(team_id)) arrivals.set(team_id, { at: now, rank: to });
      for (const [id, arrival] of arrivals) if (arrival.at <= now - WINDOW_MS) arrivals.delete(id);
    },
    /** Refresh the rank each team had WINDOW_MS ago; `standings` is the live board now. */
    async refresh(standings) {
      const now = Date.now();
      snapshots.push({ at: now, ranks: new Map(standings.order.slice(0, PAGE).map((e, i) => [e.team_id, i + 1])) });
      while (snapshots.length > 1 && snapshots[1].at <= now - WINDOW_MS) snapshots.shift();
      baseline = await pastRanks(now - WINDOW_MS);
    },
    every: BASELINE_EVERY_MS,
    render(standings) {
      const climbs = [];
      const now = Date.now();
      standings.order.forEach((entry, index) => {
        const then = before(entry.team_id, now);
        if (then !== undefined && then > index + 1) climbs.push({ entry, gained: then - (index + 1), rank: index + 1 });
      });
      climbs.sort((a, b) => b.gained - a.gained || a.rank - b.rank);
      const items = climbs.slice(0, SHOWN).map(({ entry, gained, rank }) =>
        h(
          "li",
          { "aria-label": t("board.moverLabel", { name: entry.name, gained, rank }) },
          h("span", { class: "gain" }, `▲ ${formatNumber(gained)}`),
          h("span", { class: "who" }, entry.name),
          h("span", { class: "now" }, `#${formatNumber(rank)}`),
        ),
      );
      list.replaceChildren(...items);
      empty.hidden = items.length > 0;
    },
  };
}
