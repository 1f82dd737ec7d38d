// The index page: the listed hunts (GET /api/hunts: anyone sees the hunts marked
// `listed: true`) with links to play and watch them, or any hunt by its id.

import { api } from "./lib/api.js";
import { $, h, notify } from "./lib/dom.js";
import { formatDateTime, formatNumber, languageSwitch, loadMessages, t } from "./lib/i18n.js";

function huntItem(hunt) {
  const id = encodeURIComponent(hunt.id);
  return h(
    "li",
    { class: "hunt-item" },
    h(
      "div",
      { class: "hunt-what" },
      h("h3", {}, hunt.title),
      h(
        "p",
        { class: "hint-text" },
        `${t(`index.state.${hunt.state}`)} · ${formatDateTime(hunt.starts_at)} – ${formatDateTime(hunt.ends_at)} · ${t(
          hunt.teams === 1 ? "index.teamsOne" : "index.teamsMany",
          { count: formatNumber(hunt.teams ?? 0) },
        )}`,
      ),
    ),
    h(
      "div",
      { class: "row" },
      h("a", { class: "button", href: `/play/${id}`, "aria-label": t("index.playHunt", { title: hunt.title }) }, t("index.play")),
      h("a", { class: "button secondary", href: `/board/${id}`, "aria-label": t("index.watchHunt", { title: hunt.title }) }, t("index.board")),
    ),
  );
}

async function listHunts() {
  let hunts;
  try {
    hunts = await api("/api/hunts");
  } catch {
    return; // an older server lists no hunts: the form below still works
  }
  if (!Array.isArray(hunts) || hunts.length === 0) return;
  const order = { live: 0, paused: 1, scheduled: 2, ended: 3 };
  hunts.sort((a, b) => (order[a.state] ?? 4) - (order[b.state] ?? 4) || (a.starts_at < b.starts_at ? -1 : 1));
  $("#hunt-list").replaceChildren(...hunts.map(huntItem));
  $("#hunts").hidden = false;
}

async function main() {
  await loadMessages("index");
  $("#language").append(languageSwitch());
  $("#go").addEventListener("submit", (event) => {
    event.preventDefault();
    const hunt = $("#hunt").value.trim();
    if (!/^[a-z0-9-]{1,64}$/.test(hunt)) {
      notify($("#go-message"), "bad", t("index.badId"));
      $("#hunt").focus();
      return;
    }
    const page = event.submitter?.value === "board" ? "board" : "play";
    location.assign(`/${page}/${encodeURIComponent(hunt)}`);
  });
  await listHunts();
}

main();
