// Activity: the hunt's log as it happens, starting from its recent history (read from the
// log, not only what arrived since the page opened), or only the events at some versions
// (a fair-play flag's evidence).

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { eventItem } from "./event-text.js";

const SHOWN = 100;

export function createActivity({ names, onShowAll }) {
  const list = $("#activity");
  const filter = $("#activity-filter");
  const allButton = $("#activity-all");
  let recent = []; // newest last
  let filtered = null; // events shown instead of the recent ones, or null

  function render() {
    const events = filtered ?? recent;
    list.replaceChildren(...events.slice(-SHOWN).reverse().map((e) => eventItem(e, names)));
    $("#no-activity").hidden = events.length > 0;
    allButton.hidden = filtered === null;
  }

  allButton.addEventListener("click", () => {
    showAll();
    onShowAll();
  });

  function showAll() {
    filtered = null;
    filter.textContent = "";
    render();
  }

  return {
    clear() {
      recent = [];
      filtered = null;
      filter.textContent = "";
      render();
    },
    /** New events in log order (older ones already shown are skipped). */
    add(events) {
      const newest = recent.length ? recent[recent.length - 1].version : 0;
      const fresh = events.filter((e) => e.version > newest);
      if (!fresh.length) return;
      recent = recent.concat(fresh).slice(-SHOWN);
      if (filtered === null) render();
    },
    /** Only these events (already read from the log), with a note saying why. */
    showOnly(events, versions) {
      filtered = events;
      filter.textContent = t("organize.activity.filtered", { versions: versions.map((v) => `v${v}`).join(", ") });
      render();
      list.closest("section").scrollIntoView({ block: "start" });
    },
    showAll,
    rerender: render,
  };
}
