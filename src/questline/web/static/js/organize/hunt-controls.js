// The hunt being organized: its summary, pause (after asking) and resume, links to its pages.

import { api } from "../lib/api.js";
import { confirmDialog } from "../lib/confirm.js";
import { $, notify } from "../lib/dom.js";
import { formatDateTime, formatTime, t } from "../lib/i18n.js";

export function createHuntControls({ token, onChange }) {
  let hunt = null;

  function show(next) {
    hunt = next;
    $("#hunt-title").textContent = hunt.title;
    const state = $("#hunt-state");
    state.textContent = t(`organize.state.${hunt.state}`);
    state.dataset.state = hunt.state;
    state.className = `badge ${hunt.state === "live" ? "ok" : hunt.state === "paused" ? "warn" : ""}`;
    const freeze = hunt.freeze_at ? t("organize.hunt.freezes", { time: formatTime(hunt.freeze_at) }) : "";
    $("#hunt-times").textContent = t("organize.hunt.times", { start: formatDateTime(hunt.starts_at), end: formatTime(hunt.ends_at) }) + freeze;
    $("#pause").hidden = hunt.state === "paused" || hunt.state === "ended";
    $("#resume").hidden = hunt.state !== "paused";
    $("#board-link").href = `/board/${encodeURIComponent(hunt.id)}`;
    $("#play-link").href = `/play/${encodeURIComponent(hunt.id)}`;
    onChange(hunt);
  }

  async function change(action) {
    if (action === "pause") {
      const sure = await confirmDialog({
        title: t("organize.pause.title"),
        text: t("organize.pause.text"),
        yes: t("organize.pause.yes"),
        no: t("organize.pause.no"),
      });
      if (!sure) return $("#pause").focus();
    }
    try {
      show(await api(`/api/hunts/${encodeURIComponent(hunt.id)}/${action}`, { method: "POST", token: token() }));
      notify($("#hunt-message"), action === "pause" ? "warn" : "ok", t(action === "pause" ? "organize.pause.done" : "organize.resume.done"));
      (action === "pause" ? $("#resume") : $("#pause")).focus();
    } catch (error) {
      notify($("#hunt-message"), "bad", error.message);
    }
  }

  $("#pause").addEventListener("click", () => change("pause"));
  $("#resume").addEventListener("click", () => change("resume"));

  return {
    show,
    get hunt() {
      return hunt;
    },
    async refresh() {
      if (hunt) show(await api(`/api/hunts/${encodeURIComponent(hunt.id)}`, { token: token() }));
    },
  };
}
