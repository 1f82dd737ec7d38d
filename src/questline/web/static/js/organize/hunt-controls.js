// The hunt being organized: its summary, pause and resume, links to its pages.

import { api } from "../lib/api.js";
import { $, notify, timeOfDay } from "../lib/dom.js";

export function createHuntControls({ token }) {
  let huntId = null;

  function show(hunt) {
    huntId = hunt.id;
    $("#hunt-summary").hidden = false;
    $("#hunt-title").textContent = hunt.title;
    const state = $("#hunt-state");
    state.textContent = hunt.state;
    state.className = `badge ${hunt.state === "live" ? "ok" : hunt.state === "paused" ? "warn" : ""}`;
    const day = new Date(hunt.starts_at).toLocaleDateString();
    const freeze = hunt.freeze_at ? `, board freezes at ${timeOfDay(hunt.freeze_at)}` : "";
    $("#hunt-times").textContent = `${day}: ${timeOfDay(hunt.starts_at)} to ${timeOfDay(hunt.ends_at)}${freeze}`;
    $("#pause").hidden = hunt.state === "paused" || hunt.state === "ended";
    $("#resume").hidden = hunt.state !== "paused";
    $("#board-link").href = `/board/${encodeURIComponent(hunt.id)}`;
    $("#play-link").href = `/play/${encodeURIComponent(hunt.id)}`;
  }

  async function change(action) {
    try {
      show(await api(`/api/hunts/${encodeURIComponent(huntId)}/${action}`, { method: "POST", token: token() }));
      notify($("#hunt-message"), action === "pause" ? "warn" : "ok", action === "pause" ? "The hunt is paused: answers are refused until you resume it." : "The hunt is running again.");
      (action === "pause" ? $("#resume") : $("#pause")).focus();
    } catch (error) {
      notify($("#hunt-message"), "bad", error.message);
    }
  }

  $("#pause").addEventListener("click", () => change("pause"));
  $("#resume").addEventListener("click", () => change("resume"));

  return {
    show,
    async refresh() {
      if (huntId) show(await api(`/api/hunts/${encodeURIComponent(huntId)}`, { token: token() }));
    },
  };
}
