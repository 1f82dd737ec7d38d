// The operations dashboard /ops: polls GET /api/ops/summary (operator or organizer token) and shows
// throughput, latency percentiles, errors, lag, dead letters, drift and hunt activity.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { forget, load, save } from "../lib/storage.js";
import { sparkline } from "./spark.js";

const POLL_MS = 2000;
const HISTORY = 90; // polls kept for the sparklines (3 minutes)

let token = load("organizerToken");
let timer = null;
const history = { commands: [], p95: [] };

const number = (value, digits = 1) =>
  value === null || value === undefined ? "–" : Number(value).toLocaleString(undefined, { maximumFractionDigits: digits });
const percent = (ratio) => (ratio === null || ratio === undefined ? "–" : `${(ratio * 100).toFixed(ratio < 0.01 && ratio > 0 ? 2 : 1)} %`);

function setValue(name, text) {
  for (const element of document.querySelectorAll(`[data-value="${name}"]`)) element.textContent = text;
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

function render(summary) {
  const { throughput, latency_ms: latency, errors, commands, lag, dead_letters: dead, drift } = summary;
  setValue("window", number(summary.window_seconds, 0));
  setValue("commands_per_second", number(throughput.commands_per_second));
  setValue("requests_per_second", number(throughput.requests_per_second));
  setValue("events_per_second", number(throughput.events_per_second));
  setValue("http_p50", number(latency.http.p50));
  setValue("http_p95", number(latency.http.p95));
  setValue("http_p99", number(latency.http.p99));
  setValue("error_rate", percent(errors.error_rate));
  setValue("server_error_rate", percent(errors.server_error_rate));
  setValue("commit_failures", number(errors.commit_failures, 0));
  setValue("queue_depth", number(commands.queue_depth, 0));
  setValue("conflicts", number(commands.conflicts, 0));
  setValue("idempotent_replays", number(commands.idempotent_replays, 0));
  setValue("rate_limited", number(commands.rate_limited, 0));
  setValue("batch_size_mean", number(commands.batch_size_mean));
  setValue("dead_letter_depth", number(dead.depth, 0));
  setValue("dead_letter_total", number(dead.total, 0));

  const lags = [
    ...lag.projections.map((p) => ({ what: "read models", partition: p.partition, behind: p.events })),
    ...lag.consumers.map((c) => ({ what: c.group, partition: c.partition, behind: c.messages })),
  ];
  const maxLag = lags.reduce((most, l) => Math.max(most, l.behind), 0);
  setValue("max_lag", number(maxLag, 0));

  setTile("tile-throughput", null);
  setTile("tile-latency", latency.http.p95 === null ? null : latency.http.p95 > 500 ? "bad" : latency.http.p95 > 100 ? "warn" : "ok");
  setTile("tile-errors", errors.server_error_rate > 0.01 || errors.commit_failures > 0 ? "bad" : errors.error_rate > 0.2 ? "warn" : "ok");
  setTile("tile-lag", maxLag > 1000 ? "bad" : maxLag > 0 ? "warn" : "ok");
  setTile("tile-dead-letters", dead.depth > 0 ? "bad" : "ok");

  const status = $("#drift-status");
  status.textContent = drift.status === "clean" ? "no drift" : drift.status === "drift" ? `${drift.differences} differences` : "unknown";
  status.className = `badge ${drift.status === "clean" ? "ok" : drift.status === "drift" ? "bad" : ""}`;
  setTile("tile-drift", drift.status === "clean" ? "ok" : drift.status === "drift" ? "bad" : null);
  const running = Object.entries(drift.progress).find(([, ratio]) => ratio < 1);
  $("#drift-detail").textContent = running
    ? `${running[0]} running: ${Math.round(running[1] * 100)} %`
    : drift.checked_at
      ? `checked at ${new Date(drift.checked_at * 1000).toLocaleTimeString()}`
      : "not verified yet";
  $("#verify").hidden = !summary.verify_available;

  fillTable(
    "#latency-table",
    [
      ["HTTP request", latency.http],
      ["Command accepted → acknowledged", latency.command],
      ["Commit (write + project)", latency.commit],
    ].map(([label, p]) => ({ cells: [label, number(p.p50, 2), number(p.p95, 2), number(p.p99, 2), number(p.count, 0)] })),
    "",
  );
  fillTable(
    "#lag-table",
    lags.map((l) => ({ bad: l.behind > 0, cells: [l.what, l.partition, number(l.behind, 0)] })),
    "no partitions reported",
  );
  fillTable(
    "#errors-table",
    Object.entries(errors.by_code)
      .sort((a, b) => b[1] - a[1])
      .map(([code, count]) => ({ bad: code === "internal_error" || code === "commit_failed", cells: [code, number(count, 0)] })),
    "no errors",
  );
  fillTable(
    "#events-table",
    Object.entries(throughput.events_by_type)
      .filter(([, rate]) => rate > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([type, rate]) => ({ cells: [type, number(rate, 2)] })),
    "no events in the window",
  );
  fillTable(
    "#hunts-table",
    summary.hunts.map((hunt) => ({ cells: [hunt.hunt_id, number(hunt.events_per_minute), number(hunt.events_total, 0)] })),
    "no hunt activity yet",
  );

  history.commands.push(throughput.commands_per_second);
  history.p95.push(latency.http.p95 ?? 0);
  for (const series of Object.values(history)) if (series.length > HISTORY) series.shift();
  sparkline($("#spark-throughput polyline"), history.commands);
  sparkline($("#spark-latency polyline"), history.p95);

  const health = $("#health");
  health.textContent = summary.ready ? "● Ready" : "● Not ready";
  health.className = `health ${summary.ready ? "ok" : "bad"}`;
  if (summary.reasons.length) notify($("#reasons"), "bad", `Not ready: ${summary.reasons.join("; ")}`);
  else clear($("#reasons"));
  $("#updated").textContent = `updated ${new Date(summary.generated_at * 1000).toLocaleTimeString()}`;
}

async function poll() {
  try {
    render(await api("/api/ops/summary", { token }));
  } catch (error) {
    if (error.status === 401 || error.status === 403) return signOut("That token cannot open the dashboard: sign in with an operator or organizer token.");
    const health = $("#health");
    health.textContent = "● Unreachable";
    health.className = "health bad";
  }
  timer = setTimeout(poll, POLL_MS);
}

function showDashboard() {
  $("#token-form").hidden = true;
  $("#dashboard").hidden = false;
  $("#sign-out").hidden = false;
  poll();
}

function signOut(reason) {
  clearTimeout(timer);
  forget("organizerToken");
  token = null;
  $("#dashboard").hidden = true;
  $("#sign-out").hidden = true;
  $("#token-form").hidden = false;
  if (reason) notify($("#token-message"), "bad", reason);
  $("#token").focus();
}

$("#token-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const candidate = $("#token").value.trim();
  if (!candidate) return notify($("#token-message"), "bad", "Enter an operator or organizer token.");
  try {
    await api("/api/ops/summary", { token: candidate });
  } catch (error) {
    return notify($("#token-message"), "bad", error.status === 401 ? "That token is not valid." : error.status === 403 ? "That is a team token: the dashboard needs an operator or organizer token." : error.message);
  }
  token = candidate;
  save("organizerToken", token);
  $("#token").value = "";
  clear($("#token-message"));
  showDashboard();
});
$("#sign-out").addEventListener("click", () => signOut(""));
$("#verify").addEventListener("click", async () => {
  const button = $("#verify");
  button.disabled = true;
  $("#drift-detail").textContent = "verifying…";
  try {
    const result = await api("/api/ops/verify", { method: "POST", token });
    $("#drift-detail").textContent = result.differences ? `${result.differences} differences found` : "no drift";
  } catch (error) {
    $("#drift-detail").textContent = error.message;
  } finally {
    button.disabled = false;
  }
});

if (token) showDashboard();
else $("#token-form").hidden = false;
