// What a dry run of a revision says, for people: the changes, the answers that rejudging
// turns into solves, and every team whose rank or score moves, in a sentence ("Night Owls
// gains 150 points and moves from rank 2 to 1") and in a table.

import { h } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";

function ordinalRank(rank) {
  return rank === null || rank === undefined ? "–" : formatNumber(rank);
}

/** "Night Owls gains 150 points and moves from rank 2 to 1." */
export function boardSentence(row) {
  const delta = row.score_after - row.score_before;
  const score =
    delta > 0
      ? t("organize.diff.gains", { team: row.name, points: formatNumber(delta) })
      : delta < 0
        ? t("organize.diff.loses", { team: row.name, points: formatNumber(-delta) })
        : t("organize.diff.keeps_score", { team: row.name });
  const rank =
    row.rank_before === row.rank_after
      ? t("organize.diff.keeps_rank", { rank: ordinalRank(row.rank_after) })
      : t("organize.diff.moves", { from: ordinalRank(row.rank_before), to: ordinalRank(row.rank_after) });
  return `${score} ${rank}`;
}

/** The nodes showing a PUT reply {changes, board, rejudged}. */
export function diffView(reply, { names, rejudging }) {
  const changes = reply.changes || [];
  // The teams that gain (or lose) most first: that is what an erratum is checked for.
  const board = (reply.board || []).slice().sort((a, b) => Math.abs(b.score_after - b.score_before) - Math.abs(a.score_after - a.score_before));
  const rejudged = reply.rejudged || [];
  return [
    h("h3", {}, t("organize.diff.changes")),
    changes.length ? h("ul", { class: "changes" }, ...changes.map((c) => h("li", {}, c))) : h("p", { class: "hint-text" }, t("organize.diff.no_changes")),
    h("h3", {}, t("organize.diff.rejudged")),
    rejudged.length
      ? h("ul", { class: "rejudged" }, ...rejudged.map((r) => h("li", {}, t("organize.diff.rejudged_one", { team: names.team(r.team_id), clue: names.clue(r.clue), version: r.version }))))
      : h("p", { class: "hint-text" }, t(rejudging ? "organize.diff.none_rejudged" : "organize.diff.not_rejudging")),
    h("h3", {}, t("organize.diff.board")),
    board.length
      ? h(
          "div",
          {},
          h("ul", { class: "board-sentences" }, ...board.map((row) => h("li", { dataset: { team: row.team_id } }, boardSentence(row)))),
          h(
            "div",
            { class: "table-scroll", role: "region", tabindex: "0", "aria-label": t("organize.diff.board") },
            h(
              "table",
              { class: "data-table" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ...["team", "rank_before", "rank_after", "score_before", "score_after"].map((k, i) => h("th", { scope: "col", class: i ? "num" : "" }, t(`organize.diff.${k}`))),
                ),
              ),
              h(
                "tbody",
                {},
                ...board.map((row) =>
                  h(
                    "tr",
                    {},
                    h("th", { scope: "row" }, row.name),
                    h("td", { class: "num" }, ordinalRank(row.rank_before)),
                    h("td", { class: "num" }, ordinalRank(row.rank_after)),
                    h("td", { class: "num" }, formatNumber(row.score_before)),
                    h("td", { class: "num" }, formatNumber(row.score_after)),
                  ),
                ),
              ),
            ),
          ),
        )
      : h("p", { class: "hint-text" }, t("organize.diff.no_board")),
  ];
}
