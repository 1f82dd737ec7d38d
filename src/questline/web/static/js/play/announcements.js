// Announcements from the organizers: every one the hunt has made, loaded when the page
// opens (so a team mate who joins later reads them too), then new ones from the stream.
// One the player has not seen yet also pops up as a toast, wherever the page is scrolled.

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { load, save } from "../lib/storage.js";
import { read } from "./reads.js";
import { clockTime } from "./time.js";
import { toast } from "./toasts.js";

const MAX_SHOWN = 50;
const MAX_TOASTS_AT_OPEN = 2;

const keyOf = (item) => `${item.time}\u0000${item.text}`;

export function createAnnouncements(huntId) {
  const list = $("#announcements");
  const empty = $("#no-announcements");
  const seenKey = `announcements-seen.${huntId}`;
  const seen = new Set(load(seenKey, []));
  const shown = new Map(); // key -> item

  function remember(item) {
    seen.add(keyOf(item));
    save(seenKey, [...seen].slice(-200));
  }

  function render() {
    const items = [...shown.values()].sort((a, b) => Date.parse(b.time) - Date.parse(a.time)).slice(0, MAX_SHOWN);
    list.replaceChildren(
      ...items.map((item) =>
        h("li", { class: item.fresh ? "fresh" : "" }, h("time", { datetime: item.time }, clockTime(item.time)), item.text),
      ),
    );
    empty.hidden = items.length > 0;
  }

  function add(item, fresh) {
    const key = keyOf(item);
    if (shown.has(key)) return false;
    shown.set(key, { time: item.time, text: item.text, fresh });
    return true;
  }

  return {
    /** Load every announcement (GET .../announcements); toasts for the newest unseen ones. */
    async load() {
      let items = [];
      try {
        ({ data: items } = await read(`/api/hunts/${encodeURIComponent(huntId)}/announcements`));
      } catch {
        return; // offline with nothing kept: the stream brings new ones
      }
      const unseen = items.filter((item) => !seen.has(keyOf(item)));
      for (const item of items) add(item, false);
      render();
      for (const item of unseen.slice(0, MAX_TOASTS_AT_OPEN).reverse()) toast("info", t("play.toast.announcement"), item.text);
      for (const item of unseen) remember(item);
    },
    /** One from the stream: {version, time, text}. */
    arrived(data) {
      if (!add(data, true)) return;
      render();
      remember(data);
      toast("info", t("play.toast.announcement"), data.text);
    },
  };
}
