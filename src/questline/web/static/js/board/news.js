// Announcements: every one sent before the board opened (GET .../announcements, newest
// first) and each new one from the stream, newest on top, the latest few shown.

import { api } from "../lib/api.js";
import { h } from "../lib/dom.js";
import { formatTime } from "../lib/i18n.js";

const SHOWN = 3;

export function createNews({ list, empty, huntPath }) {
  const known = new Map(); // id (the version of its event) -> {id, time, text}

  function render() {
    const newest = [...known.values()].sort((a, b) => b.id - a.id || (b.time < a.time ? -1 : 1)).slice(0, SHOWN);
    list.replaceChildren(
      ...newest.map((item) => h("li", {}, h("time", { datetime: item.time }, formatTime(item.time)), h("span", {}, item.text))),
    );
    empty.hidden = newest.length > 0;
  }

  function add(item) {
    const id = item.id ?? item.version;
    if (id === undefined || known.has(id)) return;
    known.set(id, { id, time: item.time, text: item.text });
  }

  return {
    /** Load what was said before (also after a reconnect: nothing missed while away). */
    async load() {
      try {
        for (const item of await api(`${huntPath}/announcements`)) add(item);
        render();
      } catch {
        /* an older server has no such route: the stream still brings new ones */
      }
    },
    /** One from the stream: {version, time, text}. */
    add(item) {
      add(item);
      render();
    },
  };
}
