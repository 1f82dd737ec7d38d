// Announcements from the organizers, as they arrive on the stream (kept for this hunt).

import { $, h, timeOfDay } from "../lib/dom.js";
import { load, save } from "../lib/storage.js";

const MAX_KEPT = 30;

export function createAnnouncements(huntId) {
  const list = $("#announcements");
  const empty = $("#no-announcements");
  const key = `announcements.${huntId}`;
  const kept = load(key, []);

  function render(item, fresh) {
    const li = h("li", { class: fresh ? "fresh" : "" }, h("time", { datetime: item.time }, timeOfDay(item.time)), item.text);
    list.prepend(li);
    while (list.children.length > MAX_KEPT) list.lastElementChild.remove();
    empty.hidden = true;
  }

  for (const item of kept.slice().reverse()) render(item, false);

  return {
    add(data) {
      if (kept.some((k) => k.version === data.version && k.text === data.text)) return;
      const item = { text: data.text, time: data.time, version: data.version };
      kept.unshift(item);
      save(key, kept.slice(0, MAX_KEPT));
      render(item, true);
    },
  };
}
