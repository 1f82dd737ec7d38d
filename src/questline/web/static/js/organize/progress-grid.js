// The team x clue grid: solved, locked, or open and coloured by how long the team has
// been stuck on it (puzzlehunt_server's progress page). Rows follow the leaderboard.

import { $, h } from "../lib/dom.js";
import { formatNumber, formatTime, t } from "../lib/i18n.js";
import { clueStates } from "./openness.js";

const STUCK_MINUTES = [15, 30, 60, 120]; // bands 0..4
const MAX_ROWS = 200;

export function stuckBand(minutes) {
  let band = 0;
  for (const limit of STUCK_MINUTES) if (minutes >= limit) band++;
  return band;
}

export function createProgressGrid({ definition, fold, rankOf }) {
  const grid = $("#grid");

  $("#grid-legend").replaceChildren(
    h("li", {}, h("span", { class: "swatch cell-solved" }, "✓"), t("organize.grid.solved")),
    ...STUCK_MINUTES.map((limit, band) =>
      h(
        "li",
        {},
        h("span", { class: `swatch stuck-${band}` }),
        band === 0 ? t("organize.grid.under", { minutes: limit }) : t("organize.grid.between", { from: STUCK_MINUTES[band - 1], to: limit }),
      ),
    ),
    h("li", {}, h("span", { class: "swatch stuck-4" }), t("organize.grid.over", { minutes: STUCK_MINUTES.at(-1) })),
    h("li", {}, h("span", { class: "swatch cell-locked" }, "–"), t("organize.grid.locked")),
  );

  function cell(teamName, clue, state, team, now) {
    const wrong = team.wrong.get(clue.id) || 0;
    const hints = team.hints.get(clue.id) || 0;
    const extra = [
      wrong ? t("organize.grid.wrong", { count: wrong }) : "",
      hints ? t("organize.grid.hints", { count: hints }) : "",
      [...team.waiting.values()].includes(clue.id) ? t("organize.grid.photo_waiting") : "",
    ].filter(Boolean);
    let text;
    let label;
    let kind;
    if (state.state === "solved") {
      kind = "cell-solved";
      text = "✓";
      label = t("organize.grid.cell_solved", { time: formatTime(new Date(state.since).toISOString()) });
    } else if (state.state === "open") {
      const minutes = Math.max(0, Math.floor((now - state.since) / 60000));
      kind = `stuck-${stuckBand(minutes)}`;
      text = t("organize.grid.minutes", { minutes });
      label = t("organize.grid.cell_open", { minutes });
    } else {
      kind = "cell-locked";
      text = "–";
      label = state.since ? t("organize.grid.cell_opens", { time: formatTime(new Date(state.since).toISOString()) }) : t("organize.grid.cell_locked");
    }
    const title = [`${teamName} · ${clue.title}`, label, ...extra].join(" · ");
    return h(
      "td",
      { class: kind, title, dataset: { clue: clue.id, state: state.state } },
      h("span", { "aria-hidden": "true" }, text, wrong ? h("sup", {}, `✗${wrong}`) : ""),
      h("span", { class: "visually-hidden" }, [label, ...extra].join(", ")),
    );
  }

  function render() {
    const doc = definition();
    if (!doc) return;
    const clues = doc.clues || [];
    const now = Date.now();
    const teams = [...fold().teams.values()].filter((team) => team.registeredAt !== null);
    teams.sort((a, b) => (rankOf(a.id) ?? 1e9) - (rankOf(b.id) ?? 1e9) || a.name.localeCompare(b.name));
    const shown = teams.slice(0, MAX_ROWS);
    const rounds = doc.rounds || [];
    const head = [];
    if (rounds.length) {
      const spans = [];
      for (const clue of clues) {
        const last = spans.at(-1);
        if (last && last.round === (clue.round ?? null)) last.count++;
        else spans.push({ round: clue.round ?? null, count: 1 });
      }
      const titles = new Map(rounds.map((r) => [r.id, r.title]));
      head.push(
        h(
          "tr",
          { class: "round-row" },
          h("td", {}),
          ...spans.map((s) => h("th", { scope: "colgroup", colspan: s.count }, s.round ? titles.get(s.round) || s.round : "")),
        ),
      );
    }
    head.push(
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("organize.grid.team")),
        ...clues.map((c) => h("th", { scope: "col", title: c.title, class: c.meta ? "meta" : "" }, h("span", { class: "clue-head" }, c.title))),
      ),
    );
    grid.replaceChildren(
      h("thead", {}, ...head),
      h(
        "tbody",
        {},
        ...shown.map((team) => {
          const states = clueStates(doc, team, now);
          return h(
            "tr",
            { dataset: { team: team.id } },
            h("th", { scope: "row" }, h("a", { href: `#progress:${encodeURIComponent(team.id)}` }, team.name)),
            ...clues.map((c) => cell(team.name, c, states.get(c.id), team, now)),
          );
        }),
      ),
    );
    $("#grid-status").textContent =
      teams.length > shown.length ? t("organize.grid.first", { shown: formatNumber(shown.length), total: formatNumber(teams.length) }) : t("organize.grid.count", { count: teams.length });
  }

  return { render };
}
