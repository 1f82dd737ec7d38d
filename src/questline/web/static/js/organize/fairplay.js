// Fair-play flags (GET /api/hunts/{hunt}/fairplay): advice for a person, each with links to
// the events that show it (Activity filtered to those versions) and to each team's progress.

import { api } from "../lib/api.js";
import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

export function createFairPlay({ token, huntId, names }) {
  const list = $("#flags");

  async function load() {
    let flags;
    try {
      ({ flags } = await api(`/api/hunts/${encodeURIComponent(huntId())}/fairplay`, { token: token() }));
    } catch (error) {
      list.replaceChildren(h("li", { class: "notice bad" }, t("organize.fairplay.failed", { message: error.message })));
      $("#flag-count").textContent = "";
      return;
    }
    $("#flag-count").textContent = flags.length ? String(flags.length) : "";
    if (!flags.length) {
      list.replaceChildren(h("li", { class: "hint-text" }, t("organize.fairplay.none")));
      return;
    }
    list.replaceChildren(
      ...flags.map((flag) =>
        h(
          "li",
          { class: "flag", dataset: { kind: flag.kind } },
          h("h3", {}, t(`organize.fairplay.kind.${flag.kind}`), flag.clue ? h("span", { class: "hint-text" }, ` · ${names.clue(flag.clue)}`) : ""),
          h("p", {}, flag.detail),
          h(
            "p",
            { class: "flag-links" },
            h("a", { href: `#log:${flag.versions.join(",")}`, class: "button secondary small" }, t("organize.fairplay.events", { count: flag.versions.length })),
            ...flag.teams.map((team) =>
              h("a", { href: `#progress:${encodeURIComponent(team)}`, class: "button secondary small" }, t("organize.fairplay.progress", { team: names.team(team) })),
            ),
          ),
        ),
      ),
    );
  }

  $("#reload-fairplay").addEventListener("click", load);
  return { load };
}
