// The score-over-time race of the top teams, drawn in SVG: one step line per team (its
// score changes at the times GET .../history gives), its name and score at the line's
// end. A cursor time draws the race as it stood then (the scrubber and the replay).

import { formatNumber, formatTime, t } from "../lib/i18n.js";
import { s } from "../lib/svg.js";

const COLOURS = ["#ffd166", "#5ee08a", "#4cc9f0", "#f78c6b", "#c77dff", "#ff8fab", "#a3e635", "#f4a261", "#90e0ef", "#e9c46a"];
const MARGIN = { top: 12, right: 200, bottom: 28, left: 56 };
const NAME_CHARS = 15;
const LABEL_GAP = 17;

/** A team's score at time `at` (ms): its last point at or before then, 0 before any. */
export function scoreAt(points, at) {
  let score = 0;
  for (const [time, value] of points) {
    if (Date.parse(time) > at) break;
    score = value;
  }
  return score;
}

export function createRace(svg, { empty }) {
  let teams = [];
  let span = null; // [start, end] in ms
  let cursor = null; // ms, or null: up to the end of the span

  function domain() {
    let low = 0;
    let high = 1;
    for (const team of teams) {
      for (const [, score] of team.points) {
        low = Math.min(low, score);
        high = Math.max(high, score);
      }
    }
    return [low, high];
  }

  function spread(labels, top, bottom) {
    labels.sort((a, b) => a.y - b.y);
    for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + LABEL_GAP);
    const overflow = labels.length ? labels[labels.length - 1].y - bottom : 0;
    if (overflow > 0) for (const label of labels) label.y -= overflow;
    for (let i = labels.length - 2; i >= 0; i--) labels[i].y = Math.min(labels[i].y, labels[i + 1].y - LABEL_GAP);
    for (const label of labels) label.y = Math.max(label.y, top);
  }

  function render() {
    empty.hidden = teams.length > 0;
    svg.toggleAttribute("hidden", teams.length === 0); // no empty frame on the screen
    const width = svg.clientWidth;
    const height = svg.clientHeight;
    if (!span || !teams.length || width < 50 || height < 50) {
      svg.replaceChildren();
      svg.setAttribute("aria-label", t("board.noRace"));
      return;
    }
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    const [start, end] = span;
    const until = cursor === null ? end : Math.min(Math.max(cursor, start), end);
    const [low, high] = domain();
    const plotW = Math.max(10, width - MARGIN.left - MARGIN.right);
    const plotH = Math.max(10, height - MARGIN.top - MARGIN.bottom);
    const x = (ms) => MARGIN.left + ((ms - start) / Math.max(1, end - start)) * plotW;
    const y = (score) => MARGIN.top + plotH - ((score - low) / Math.max(1, high - low)) * plotH;

    const grid = [];
    for (const value of [low, Math.round((low + high) / 2), high]) {
      grid.push(
        s("line", { class: "grid", x1: MARGIN.left, x2: MARGIN.left + plotW, y1: y(value), y2: y(value) }),
        s("text", { class: "tick", x: MARGIN.left - 8, y: y(value) + 5, "text-anchor": "end" }, formatNumber(value)),
      );
    }
    const mid = start + (end - start) / 2;
    grid.push(
      s("text", { class: "tick", x: MARGIN.left, y: height - 6, "text-anchor": "start" }, formatTime(new Date(start).toISOString())),
      s("text", { class: "tick", x: x(mid), y: height - 6, "text-anchor": "middle" }, formatTime(new Date(mid).toISOString())),
      s("text", { class: "tick", x: MARGIN.left + plotW, y: height - 6, "text-anchor": "end" }, formatTime(new Date(end).toISOString())),
    );

    const lines = [];
    const labels = [];
    teams.forEach((team, index) => {
      const colour = COLOURS[index % COLOURS.length];
      let score = 0;
      const path = [`M${x(start).toFixed(1)},${y(0).toFixed(1)}`];
      for (const [time, value] of team.points) {
        const at = Date.parse(time);
        if (at > until) break;
        const px = x(Math.max(at, start)).toFixed(1);
        path.push(`H${px}`, `V${y(value).toFixed(1)}`);
        score = value;
      }
      path.push(`H${x(until).toFixed(1)}`);
      lines.push(s("path", { class: index === 0 ? "race-line leader" : "race-line", d: path.join(""), stroke: colour }));
      lines.push(s("circle", { cx: x(until), cy: y(score), r: 5, fill: colour }));
      labels.push({ team, score, colour, y: y(score) + 5 });
    });
    spread(labels, MARGIN.top + 10, MARGIN.top + plotH + 5);
    const names = labels.map((label) =>
      s(
        "text",
        { class: "race-label", x: x(until) + 12, y: label.y, fill: label.colour, "data-team": label.team.team_id },
        `${label.team.name.length > NAME_CHARS ? `${label.team.name.slice(0, NAME_CHARS - 1)}…` : label.team.name} ${formatNumber(label.score)}`,
      ),
    );
    const marks = [];
    if (cursor !== null) marks.push(s("line", { class: "cursor", x1: x(until), x2: x(until), y1: MARGIN.top, y2: MARGIN.top + plotH }));
    svg.replaceChildren(...grid, ...marks, ...lines, ...names);

    const leader = [...labels].sort((a, b) => b.score - a.score)[0];
    svg.setAttribute(
      "aria-label",
      t("board.raceLabel", { count: teams.length, leader: leader.team.name, score: leader.score, time: formatTime(new Date(until).toISOString()) }),
    );
  }

  new ResizeObserver(() => render()).observe(svg);

  return {
    /** The top teams' histories ({team_id, name, points: [[time, score], ...]}), in rank order. */
    setTeams(next) {
      teams = next;
      render();
    },
    setSpan(startMs, endMs) {
      span = [startMs, Math.max(endMs, startMs + 1000)];
      render();
    },
    setCursor(ms) {
      cursor = ms;
      render();
    },
    /** Who leads at time `at` and with what, in order: [{team_id, name, score}]. */
    standingsAt(at) {
      return teams
        .map((team) => ({ team_id: team.team_id, name: team.name, score: scoreAt(team.points, at) }))
        .sort((a, b) => b.score - a.score);
    },
  };
}
