// Statistics of the hunt: per clue (by title) from GET /api/hunts/{hunt}/stats, summed per
// round, and per part from the log (the stats route counts whole clues).

import { api } from "../lib/api.js";
import { $, h } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";
import { barChart } from "./charts.js";

const METRICS = [
  { key: "solves", tone: "ok" },
  { key: "wrong", tone: "bad" },
  { key: "keep_going", tone: "warn" },
  { key: "hints_unlocked", tone: "accent" },
];

function table(caption, headers, rows) {
  return h(
    "div",
    { class: "table-scroll", role: "region", tabindex: "0", "aria-label": caption },
    h(
      "table",
      { class: "data-table" },
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...headers.map((text, i) => h("th", { scope: "col", class: i ? "num" : "" }, text)))),
      h("tbody", {}, ...rows.map(([head, ...cells]) => h("tr", {}, h("th", { scope: "row" }, head), ...cells.map((c) => h("td", { class: "num" }, formatNumber(c)))))),
    ),
  );
}

export function createStats({ token, definition, fold }) {
  const charts = $("#charts");
  let huntId = null;
  let clueRows = [];

  function renderParts() {
    const doc = definition();
    const rows = [];
    for (const clue of doc?.clues || []) {
      for (const part of clue.answer?.parts || []) {
        const s = fold().parts.get(`${clue.id}/${part.id}`) || { solves: 0, wrong: 0, keep_going: 0 };
        rows.push([`${clue.title} › ${part.title || part.id}`, s.solves, s.wrong, s.keep_going]);
      }
    }
    $("#part-stats").replaceChildren(
      rows.length ? table(t("organize.stats.per_part"), [t("organize.stats.part"), t("organize.stats.solves"), t("organize.stats.wrong"), t("organize.stats.keep_going")], rows) : "",
    );
  }

  function renderRounds() {
    const doc = definition();
    const rounds = doc?.rounds || [];
    if (!rounds.length) return $("#round-stats").replaceChildren();
    const roundOf = new Map((doc.clues || []).map((c) => [c.id, c.round ?? null]));
    const sums = new Map(rounds.map((r) => [r.id, { title: r.title, clues: 0, solves: 0, wrong: 0, keep_going: 0, hints_unlocked: 0 }]));
    const none = { title: t("organize.stats.no_round"), clues: 0, solves: 0, wrong: 0, keep_going: 0, hints_unlocked: 0 };
    for (const row of clueRows) {
      const sum = sums.get(roundOf.get(row.clue_id)) || none;
      sum.clues += 1;
      for (const m of METRICS) sum[m.key] += row[m.key];
    }
    const all = [...sums.values(), ...(none.clues ? [none] : [])];
    $("#round-stats").replaceChildren(
      table(
        t("organize.stats.per_round"),
        [t("organize.stats.round"), t("organize.stats.clues"), ...METRICS.map((m) => t(`organize.stats.${m.key}`))],
        all.map((s) => [s.title, s.clues, ...METRICS.map((m) => s[m.key])]),
      ),
    );
  }

  async function load(nextHuntId) {
    if (nextHuntId) huntId = nextHuntId;
    if (!huntId) return;
    try {
      const stats = await api(`/api/hunts/${encodeURIComponent(huntId)}/stats`, { token: token() });
      clueRows = stats.clues;
      if (!clueRows.length) {
        charts.replaceChildren(h("p", { class: "hint-text" }, t("organize.stats.no_clues")));
        return;
      }
      const titles = new Map((definition()?.clues || []).map((c) => [c.id, c.title]));
      charts.replaceChildren(
        ...METRICS.map((m) =>
          barChart({
            title: t(`organize.stats.${m.key}`),
            tone: m.tone,
            items: clueRows.map((c) => ({ label: titles.get(c.clue_id) || c.clue_id, detail: c.clue_id, value: c[m.key] })),
          }),
        ),
      );
      renderRounds();
      renderParts();
    } catch (error) {
      charts.replaceChildren(h("p", { class: "notice bad" }, t("organize.stats.failed", { message: error.message })));
    }
  }

  $("#reload-stats").addEventListener("click", () => load());
  return { load, renderParts };
}
