// The hunts this organizer runs (GET /api/hunts): where the console opens.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { formatDateTime, formatNumber, formatTime, t } from "../lib/i18n.js";

const STATE_ORDER = { live: 0, paused: 1, scheduled: 2, ended: 3 };

export function stateBadge(state) {
  const kind = state === "live" ? "ok" : state === "paused" ? "warn" : "";
  return h("span", { class: `badge ${kind}` }, t(`organize.state.${state}`));
}

export function createHuntList({ token, onOpen }) {
  const body = $("#hunt-list tbody");
  const message = $("#hunts-message");

  async function load() {
    clear(message);
    let hunts;
    try {
      hunts = await api("/api/hunts", { token: token() });
    } catch (error) {
      notify(message, "bad", t("organize.hunts.failed", { message: error.message }));
      return;
    }
    hunts.sort((a, b) => (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || a.starts_at.localeCompare(b.starts_at));
    $("#no-hunts").hidden = hunts.length > 0;
    body.replaceChildren(
      ...hunts.map((hunt) =>
        h(
          "tr",
          { dataset: { hunt: hunt.id } },
          h("th", { scope: "row" }, h("span", { class: "hunt-name" }, hunt.title), h("code", { class: "hunt-id" }, hunt.id)),
          h("td", {}, stateBadge(hunt.state)),
          h("td", {}, `${formatDateTime(hunt.starts_at)} – ${formatTime(hunt.ends_at)}`),
          h("td", { class: "num" }, formatNumber(hunt.teams ?? 0)),
          h(
            "td",
            {},
            h("button", { type: "button", class: "small", onclick: () => onOpen(hunt.id), "aria-label": t("organize.hunts.open_named", { title: hunt.title }) }, t("organize.hunts.open")),
          ),
        ),
      ),
    );
  }

  $("#reload-hunts").addEventListener("click", load);
  return { load };
}
