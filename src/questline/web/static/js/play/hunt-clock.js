// The hunt's state and times as a player needs them: a countdown to the start (no answer
// boxes before it), to the freeze and to the end; a sticky banner and a toast while the
// organizers pause it; Register hidden once it has ended.

import { $, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { banner, toast } from "./toasts.js";
import { clockTime, everySecond, formatDuration, secondsUntil } from "./time.js";

/** hooks: {onTimeUp() (a start, freeze or end time passed), refreshControls()} */
export function createHuntClock(hooks) {
  let hunt = null;
  let stop = null;

  function describeState() {
    const box = $("#hunt-state");
    if (hunt.state === "scheduled") notify(box, "info", t("play.hunt.scheduled", { time: clockTime(hunt.starts_at) }));
    else if (hunt.state === "ended") notify(box, "info", t("play.hunt.ended"));
    else if (hunt.state === "paused") notify(box, "warn", t("play.hunt.paused"));
    else {
      box.className = "notice";
      box.textContent = "";
    }
    banner("pause-banner", hunt.state === "paused" ? t("play.hunt.paused") : "");
    $("#register-form").hidden = hunt.state === "ended";
    $("#registration-closed").hidden = hunt.state !== "ended";
  }

  function tick() {
    const line = $("#clock");
    if (!hunt) return;
    const parts = [];
    let crossed = false;
    const upcoming = (iso, key) => {
      if (!iso) return;
      const left = secondsUntil(iso);
      if (left > 0) parts.push(t(key, { wait: formatDuration(left), time: clockTime(iso) }));
      else if (left > -1) crossed = true;
    };
    if (hunt.state === "scheduled") upcoming(hunt.starts_at, "play.clock.starts");
    else if (hunt.state !== "ended") {
      upcoming(hunt.freeze_at, "play.clock.freeze");
      upcoming(hunt.ends_at, "play.clock.ends");
    }
    line.textContent = parts.join(" · ");
    line.hidden = !parts.length;
    if (crossed) hooks.onTimeUp();
  }

  return {
    state: () => hunt?.state || null,
    /** A fresh view of the hunt ({title, state, starts_at, freeze_at, ends_at}). */
    show(next) {
      const wasState = hunt?.state;
      hunt = next;
      $("#hunt-title").textContent = next.title;
      document.title = t("play.page_title", { hunt: next.title });
      describeState();
      if (wasState && wasState !== next.state) hooks.refreshControls();
      if (!stop) stop = everySecond(tick);
      else tick();
      hooks.refreshControls();
    },
    /** The stream said paused or resumed: say so at once, wherever the player is. */
    stateChanged(state) {
      if (!hunt) return;
      if (state === "paused" && hunt.state === "live") {
        hunt = { ...hunt, state: "paused" };
        toast("warn", t("play.toast.paused"), t("play.hunt.paused"));
      } else if (state === "resumed" && hunt.state === "paused") {
        hunt = { ...hunt, state: "live" };
        toast("ok", t("play.toast.resumed"), "");
      } else return;
      describeState();
      hooks.refreshControls();
    },
  };
}
