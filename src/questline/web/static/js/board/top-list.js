// The rows of one page of the standings, keyed by team, reordered with a FLIP animation.
// A finished team (ranking by finish) is marked with the time it finished.

import { h } from "../lib/dom.js";
import { enter, measure, play } from "../lib/flip.js";
import { formatNumber, formatTime, t } from "../lib/i18n.js";

export function createTopList(list) {
  const rows = new Map(); // team_id -> {element, score, fresh}

  function rowFor(team) {
    let row = rows.get(team.team_id);
    if (!row) {
      const element = h(
        "li",
        { dataset: { team: team.team_id } },
        h("span", { class: "rank" }),
        h("span", { class: "name" }, h("span", { class: "team-name" }), h("span", { class: "finished-mark" })),
        h("span", { class: "solved" }),
        h("span", { class: "score" }),
      );
      row = { element, score: team.score, fresh: true };
      rows.set(team.team_id, row);
    }
    return row;
  }

  function fill(row, team, rank) {
    const [rankCell, nameCell, solved, score] = row.element.children;
    const [name, finished] = nameCell.children;
    rankCell.textContent = String(rank);
    name.textContent = team.name;
    name.title = team.name;
    finished.textContent = team.finished_at ? t("board.finishedAt", { time: formatTime(team.finished_at) }) : "";
    solved.textContent = formatNumber(team.solved);
    score.textContent = formatNumber(team.score);
    row.element.className = [rank <= 3 ? `podium-${rank}` : "", team.finished_at ? "finished" : ""].join(" ").trim();
    const label = t("board.rowLabel", { rank, name: team.name, score: team.score, solved: team.solved });
    row.element.setAttribute(
      "aria-label",
      team.finished_at ? `${label}, ${t("board.finishedAt", { time: formatTime(team.finished_at) })}` : label,
    );
  }

  return {
    /** Show these teams (in rank order, the first at rank firstRank); animates moves and score changes. */
    render(teams, firstRank = 1) {
      const before = measure([...rows.values()].map((r) => r.element));
      const keep = new Set();
      teams.forEach((team, index) => {
        const row = rowFor(team);
        keep.add(team.team_id);
        fill(row, team, firstRank + index);
        if (row.score !== team.score && !row.fresh) {
          row.element.classList.remove("bumped");
          void row.element.offsetWidth; // restart the animation
          row.element.classList.add("bumped");
        }
        row.score = team.score;
        if (list.children[index] !== row.element) list.insertBefore(row.element, list.children[index] || null);
      });
      for (const [id, row] of rows) {
        if (!keep.has(id)) {
          row.element.remove();
          rows.delete(id);
        }
      }
      play(before);
      for (const row of rows.values()) {
        if (row.fresh) {
          enter(row.element);
          row.fresh = false;
        }
      }
    },
  };
}
