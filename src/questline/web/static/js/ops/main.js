// The operations dashboard /ops: polls GET /api/ops/summary (operator or organizer token) and shows
// throughput, latency percentiles, errors, lag, dead letters, drift and hunt activity. Once
// traffic stops, the tiles show the last 15 minutes instead of 0.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { formatTime, languageSwitch, loadMessages, t } from "../lib/i18n.js";
import { forget, load, save } from "../lib/storage.js";
import { sparkline } from "./spark.js";

const POLL_MS = 2000;
const HISTORY = 90; // polls kept for the sparklines (3 minutes)
const FULL_WINDOW_S = 15 * 60;

// A token typed here is the dashboard's own; the organizer console's is used when there is none.
let token = load("opsToken") ?? load("organizerToken");
let timer = null;
const history = { commands: [], p95: [] };

const number = (value, digits = 1) =>
  value === null || value === undefined ? "–" : new Intl.NumberFormat(document.documentElement.lang, { maximumFractionDigits: digits }).format(value);
const percent = (ratio) =>
  ratio === null || ratio === undefined
    ? "–"
    : new Intl.NumberFormat(document.documentElement.lang, { style: "percent", maximumFractionDigits: ratio < 0.01 && ratio > 0 ? 2 : 1 }).format(ratio);

function setValue(name, text) {
  for (const element of document.querySelectorAll(`[data-value="${name}"]`)) element.textContent = text;
}

function setLine(name, text) {
  for (const element of document.querySelectorAll(`[data-line="${name}"]`)) element.textContent = text;
}

function setRecent(name, text) {
  $(`[data-recent="${name}"]`).textContent = text;
}

function setUnit(name, text) {
  $(`[data-unit="${name}"]`).textContent = text;
}

function setTile(id, state) {
  const tile = $(`#${id}`);
  tile.classList.remove("ok", "warn", "bad");
  if (state) tile.classList.add(state);
}

function fillTable(selector, rows, emptyText) {
  const body = $(`${selector} tbody`);
  const columns = $(`${selector} thead tr`).children.length;
  body.replaceChildren(
    ...(rows.length
      ? rows.map((row) => h("tr", { class: row.bad ? "bad" : undefined }, ...row.cells.map((cell) => h("td", {}, cell))))
      : [h("tr", {}, h("td", { class: "empty", colspan: columns }, emptyText))]),
  );
}

/** "last 15 min" or, for a younger process, "since start (12 min)". */
function recentLabel(recent) {
  return recent.window_seconds >= FULL_WINDOW_S - 1
    ? t("ops.last15")
    : t("ops.sinceStartMinutes", { minutes: Math.max(1, Math.round(recent.window_seconds / 60)) });
}

/** The three traffic tiles: now, or the last 15 minutes when nothing happens now. */
function renderTraffic(summary) {
  const { throughput, latency_ms: latency, errors } = summary;
  const recent = summary.last_15_minutes;
  const label = recentLabel(recent);
  // Idle: no commands and no events now (the dashboard's own requests do not count).
  const idle = throughput.commands_per_second === 0 && throughput.events_per_second === 0;
  const useRecent = idle && recent.commands > 0;
  for (const tile of ["tile-throughput", "tile-latency", "tile-errors"]) $(`#${tile}`).classList.toggle("recent-shown", useRecent);

  const commandRate = useRecent ? recent.commands_per_second : throughput.commands_per_second;
  setValue("commands_per_second", number(commandRate, commandRate < 1 ? 2 : 1));
  setUnit("commands", useRecent ? t("ops.commandsPerSecondOver", { window: label }) : t("ops.commandsPerSecond"));
  setLine(
    "throughput",
    t("ops.throughputLine", {
      requests: number(useRecent ? recent.requests_per_second : throughput.requests_per_second),
      events: number(useRecent ? recent.events_per_second : throughput.events_per_second),
    }),
  );
  setRecent("throughput", t("ops.recentThroughput", { window: label, commands: number(recent.commands, 0), requests: number(recent.requests, 0) }));

  const http = useRecent || latency.http.p95 === null ? recent.http : latency.http;
  const latencyRecent = http === recent.http && recent.http.p95 !== null;
  setValue("http_p95", number(http.p95));
  setUnit("latency", latencyRecent ? t("ops.p95Over", { window: label }) : t("ops.p95"));
  setLine("latency", t("ops.latencyLine", { p50: number(http.p50), p99: number(http.p99) }));
  setRecent("latency", t("ops.recentLatency", { window: label, p95: number(recent.http.p95), count: number(recent.requests, 0) }));

  setValue("error_rate", percent(useRecent ? recent.error_rate : errors.error_rate));
  setUnit("errors", useRecent ? t("ops.ofRequestsOver", { window: label }) : t("ops.ofRequests"));
  setLine(
    "errors",
    t("ops.errorsLine", { rate: percent(useRecent ? recent.server_error_rate : errors.server_error_rate), failures: number(errors.commit_failures, 0) }),
  );
  setRecent("errors", t("ops.recentErrors", { window: label, errors: number(recent.errors, 0), rate: percent(recent.error_rate) }));

  setTile("tile-throughput", null);
  setTile("tile-latency", http.p95 === null ? null : http.p95 > 500 ? "bad" : http.p95 > 100 ? "warn" : "ok");
  const rates = useRecent ? recent : errors;
  setTile("tile-errors", rates.server_error_rate > 0.01 || errors.commit_failures > 0 ? "bad" : rates.error_rate > 0.2 ? "warn" : "ok");
}

function huntCell(id) {
  return h(
    "span",
    { class: "hunt-links" },
    h("a", { href: `/board/${encodeURIComponent(id)}` }, id),
    h("a", { href: `/organize?hunt=${encodeURIComponent(id)}`, class: "console-link", "aria-label": t("ops.consoleFor", { hunt: id }) }, t("ops.console")),
  );
}

function render(summary) {
  const { throughput, latency_ms: latency, errors, commands, lag, dead_letters: dead, drift } = summary;
  setLine("window", t("ops.windowNote", { seconds: number(summary.window_seconds, 0) }));
  renderTraffic(summary);
  setValue("commit_failures", number(errors.commit_failures, 0));
  setLine("queue", t("ops.queueLine", { count: number(commands.queue_depth, 0) }));
  setValue("conflicts", number(commands.conflicts, 0));
  setValue("idempotent_replays", number(commands.idempotent_replays, 0));
  setValue("rate_limited", number(commands.rate_limited, 0));
  setValue("batch_size_mean", number(commands.batch_size_mean));
  setValue("dead_letter_depth", number(dead.depth, 0));
  setLine("dead", t("ops.deadLine", { count: number(dead.total, 0) }));

  const lags = [
    ...lag.projections.map((p) => ({ what: t("ops.readModels"), partition: p.partition, behind: p.events })),
    ...lag.consumers.map((c) => ({ what: c.group, partition: c.partition, behind: c.messages })),
  ];
  const maxLag = lags.reduce((most, l) => Math.max(most, l.behind), 0);
  setValue("max_lag", number(maxLag, 0));
  setTile("tile-lag", maxLag > 1000 ? "bad" : maxLag > 0 ? "warn" : "ok");
  setTile("tile-dead-letters", dead.depth > 0 ? "bad" : "ok");

  const status = $("#drift-status");
  status.textContent = drift.status === "clean" ? t("ops.noDrift") : drift.status === "drift" ? t("ops.differences", { count: drift.differences }) : t("ops.driftUnknown");
  status.className = `badge ${drift.status === "clean" ? "ok" : drift.status === "drift" ? "bad" : ""}`;
  setTile("tile-drift", drift.status === "clean" ? "ok" : drift.status === "drift" ? "bad" : null);
  const running = Object.entries(drift.progress).find(([, ratio]) => ratio < 1);
  $("#drift-detail").textContent = running
    ? t("ops.verifyRunning", { what: running[0], percent: Math.round(running[1] * 100) })
    : drift.checked_at
      ? t("ops.checkedAt", { time: formatTime(new Date(drift.checked_at * 1000).toISOString(), { timeStyle: "medium" }) })
      : t("ops.notVerified");
  $("#verify").hidden = !summary.verify_available;

  fillTable(
    "#latency-table",
    [
      [t("ops.stageHttp"), latency.http],
      [t("ops.stageCommand"), latency.command],
      [t("ops.stageCommit"), latency.commit],
    ].map(([label, p]) => ({ cells: [label, number(p.p50, 2), number(p.p95, 2), number(p.p99, 2), number(p.count, 0)] })),
    "",
  );
  fillTable(
    "#lag-table",
    lags.map((l) => ({ bad: l.behind > 0, cells: [l.what, l.partition, number(l.behind, 0)] })),
    t("ops.noPartitions"),
  );
  fillTable(
    "#errors-table",
    Object.entries(errors.by_code)
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => ({ bad: code === "internal_error" || code === "commit_failed", cells: [code, number(count, 0)] })),
    t("ops.noErrors"),
  );
  fillTable(
    "#events-table",
    Object.entries(throughput.events_by_type)
      .filter(([, rate]) => rate > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([type, rate]) => ({ cells: [type, number(rate, 2)] })),
    t("ops.noEvents"),
  );
  fillTable(
    "#hunts-table",
    summary.hunts.map((hunt) => ({ cells: [huntCell(hunt.hunt_id), number(hunt.events_per_minute), number(hunt.events_total, 0)] })),
    t("ops.noHunts"),
  );

  history.commands.push(throughput.commands_per_second);
  history.p95.push(latency.http.p95 ?? 0);
  for (const series of Object.values(history)) if (series.length > HISTORY) series.shift();
  sparkline($("#spark-throughput polyline"), history.commands);
  sparkline($("#spark-latency polyline"), history.p95);

  const health = $("#health");
  health.textContent = summary.ready ? t("ops.ready") : t("ops.notReady");
  health.className = `health ${summary.ready ? "ok" : "bad"}`;
  if (summary.reasons.length) notify($("#reasons"), "bad", t("ops.notReadyBecause", { reasons: summary.reasons.join("; ") }));
  else clear($("#reasons"));
  $("#updated").textContent = t("ops.updated", { time: formatTime(new Date(summary.generated_at * 1000).toISOString(), { timeStyle: "medium" }) });
}

async function poll() {
  let summary = null;
  try {
    summary = await api("/api/ops/summary", { token });
  } catch (error) {
    if (error.status === 401 || error.status === 403) return signOut(t("ops.tokenRefused"));
    const health = $("#health");
    health.textContent = t("ops.unreachable");
    health.className = "health bad";
  }
  timer = setTimeout(poll, POLL_MS);
  if (summary) render(summary);
}

function showDashboard() {
  $("#token-form").hidden = true;
  $("#dashboard").hidden = false;
  $("#sign-out").hidden = false;
  poll();
}

function signOut(reason) {
  clearTimeout(timer);
  forget("opsToken"); // the console's organizer token stays the console's
  token = null;
  $("#dashboard").hidden = true;
  $("#sign-out").hidden = true;
  $("#token-form").hidden = false;
  if (reason) notify($("#token-message"), "bad", reason);
  $("#token").focus();
}

async function main() {
  await loadMessages("ops");
  $("#language").append(languageSwitch());
  $("#token-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = $("#token").value.trim();
    if (!candidate) return notify($("#token-message"), "bad", t("ops.tokenMissing"));
    try {
      await api("/api/ops/summary", { token: candidate });
    } catch (error) {
      return notify(
        $("#token-message"),
        "bad",
        error.status === 401 ? t("ops.tokenInvalid") : error.status === 403 ? t("ops.tokenTeam") : error.message,
      );
    }
    token = candidate;
    save("opsToken", token);
    $("#token").value = "";
    clear($("#token-message"));
    showDashboard();
  });
  $("#sign-out").addEventListener("click", () => signOut(""));
  $("#verify").addEventListener("click", async () => {
    const button = $("#verify");
    button.disabled = true;
    $("#drift-detail").textContent = t("ops.verifying");
    try {
      const result = await api("/api/ops/verify", { method: "POST", token });
      $("#drift-detail").textContent = result.differences ? t("ops.differencesFound", { count: result.differences }) : t("ops.noDrift");
    } catch (error) {
      $("#drift-detail").textContent = error.message;
    } finally {
      button.disabled = false;
    }
  });
  if (token) showDashboard();
  else $("#token-form").hidden = false;
}

main();
