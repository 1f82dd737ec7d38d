// Countdowns in the header: to the start, the freeze and the end, ticking every second.
// When one reaches zero the page asks the server what changed (state, freeze).

import { h } from "../lib/dom.js";
import { formatTime, t } from "../lib/i18n.js";

/** "1:02:03" or "4:05": hours only when there are any. */
export function clock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, "0");
  return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${seconds}` : `${minutes}:${seconds}`;
}

export function createCountdowns(element, { onZero }) {
  let hunt = null;
  let last = new Set(); // the marks shown at the last tick

  function marks(now) {
    if (!hunt) return [];
    const starts = Date.parse(hunt.starts_at);
    const ends = Date.parse(hunt.ends_at);
    const freeze = hunt.freeze_at ? Date.parse(hunt.freeze_at) : null;
    if (now >= ends) return [{ key: "ended", text: t("board.endedAt", { time: formatTime(hunt.ends_at) }) }];
    const shown = [];
    if (now < starts) shown.push({ key: "starts", text: t("board.startsIn", { clock: clock(starts - now) }) });
    if (freeze !== null && now < freeze) shown.push({ key: "freeze", text: t("board.freezeIn", { clock: clock(freeze - now) }) });
    shown.push({ key: "ends", text: t("board.endsIn", { clock: clock(ends - now) }) });
    return shown;
  }

  function tick() {
    const shown = marks(Date.now());
    element.replaceChildren(...shown.map((m) => h("span", { class: `countdown ${m.key}`, dataset: { mark: m.key } }, m.text)));
    const keys = new Set(shown.map((m) => m.key));
    const reached = [...last].some((key) => !keys.has(key));
    last = keys;
    if (reached) onZero(); // a start, freeze or end just came
  }

  setInterval(tick, 1000);
  return {
    setHunt(next) {
      hunt = next;
      last = new Set(marks(Date.now()).map((m) => m.key));
      tick();
    },
  };
}
