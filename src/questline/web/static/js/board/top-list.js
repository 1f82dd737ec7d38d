// The top N teams as DOM rows keyed by team, reordered with a FLIP animation.

import { h } from "../lib/dom.js";
import { enter, measure, play } from "../lib/flip.js";

export function createTopList(list) {
  const rows = new Map(); // team_id -> {element, score}

  function rowFor(team) {
    let row = rows.get(team.team_id);
    if (!row) {
      const element = h(
        "li",
        { dataset: { team: team.team_id } },
        h("span", { class: "rank" }),
        h("span", { class: "name" }),
        h("span", { class: "solved" }),
        h("span", { class: "score" }),
      );
      row = { element, score: team.score, fresh: true };
      rows.set(team.team_id, row);
    }
    return row;
  }

  return {
    /** Show these teams (already in rank order); animates moves, entries and score changes. */
    render(teams) {
      const before = measure([...rows.values()].map((r) => r.element));
      const keep = new Set();
      teams.forEach((team, index) => {
        const row = rowFor(team);
        keep.add(team.team_id);
        const [rank, name, solved, score] = row.element.children;
        rank.textContent = String(index + 1);
        name.textContent = team.name;
        name.title = team.name;
        solved.textContent = String(team.solved);
        score.textContent = String(team.score);
        row.element.className = index < 3 ? `podium-${index + 1}` : "";
        row.element.setAttribute("aria-label", `Rank ${index + 1}: ${team.name}, ${team.score} points, ${team.solved} solved`);
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
