// Per-clue statistics (GET /api/hunts/{hunt}/stats) as four small bar charts.

import { api } from "../lib/api.js";
import { $, h } from "../lib/dom.js";
import { barChart } from "./charts.js";

const METRICS = [
  { key: "solves", title: "Solves", colour: "#0f6b2f" },
  { key: "wrong", title: "Wrong answers", colour: "#a11b1b" },
  { key: "keep_going", title: "Keep-going answers", colour: "#8a5a00" },
  { key: "hints_unlocked", title: "Hints unlocked", colour: "#0b5cad" },
];

export function createStats({ token }) {
  const charts = $("#charts");
  let huntId = null;

  async function load(nextHuntId) {
    if (nextHuntId) huntId = nextHuntId;
    if (!huntId) return;
    try {
      const stats = await api(`/api/hunts/${encodeURIComponent(huntId)}/stats`, { token: token() });
      if (!stats.clues.length) {
        charts.replaceChildren(h("p", { class: "hint-text" }, "This hunt has no clues."));
        return;
      }
      charts.replaceChildren(
        ...METRICS.map((m) =>
          barChart({
            title: m.title,
            colour: m.colour,
            items: stats.clues.map((c) => ({ label: c.clue_id, value: c[m.key] })),
          }),
        ),
      );
    } catch (error) {
      charts.replaceChildren(h("p", { class: "notice bad" }, `Statistics cannot be loaded: ${error.message}`));
    }
  }

  $("#reload-stats").addEventListener("click", () => load());
  return { load };
}
