// The team's clues: open ones as cards, grouped by round where the hunt has rounds (the
// round's meta marked, a completed round ticked), a "new" mark on clues that opened while
// the page was open, and the clues still locked with what opens them (a countdown for a
// timed opening).

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { createClueCard } from "./clue-card.js";
import { clockTime, everySecond, formatDuration, secondsUntil } from "./time.js";

export function createClueList(ctx) {
  const container = $("#clues");
  const lockedSection = $("#locked-section");
  const lockedList = $("#locked");
  const cards = new Map();
  const groups = new Map();
  let seen = null; // clue ids shown so far (null before the first view)
  const openedNow = new Set();
  let stopTicking = null;
  let onTimeUp = () => {};

  function group(id, title, state) {
    let section = groups.get(id);
    if (!section) {
      const heading = h("h3", { class: "round-title", id: `round-${id}-title` });
      const badge = h("span", { class: "badge" });
      const body = h("div", { class: "clues" });
      section = { element: h("section", { class: "round", "aria-labelledby": heading.id }, h("div", { class: "round-head" }, heading, badge), body), heading, badge, body };
      groups.set(id, section);
    }
    section.heading.textContent = title;
    section.badge.className = `badge ${state === "completed" ? "ok" : ""}`;
    section.badge.textContent = state ? t(`play.round.${state}`) : "";
    return section;
  }

  function place(parent, element, index) {
    // Only an element out of place is moved: moving one takes the focus from a player typing.
    const here = parent.children[index] || null;
    if (here !== element) parent.insertBefore(element, here);
  }

  /** Lay out the team's view of the hunt ({clues, locked, rounds}). */
  function render(hunt) {
    const clues = hunt.clues || [];
    const rounds = hunt.rounds || [];
    const titles = new Map([...clues, ...(hunt.locked || [])].map((c) => [c.id, c.title || c.id]));
    const layout = []; // [{groupId|null, title, state, clues}]
    if (rounds.length) {
      const loose = clues.filter((c) => !c.round || !rounds.some((r) => r.id === c.round));
      if (loose.length) layout.push({ id: "_none", title: t("play.round.other"), state: "", clues: loose });
      for (const round of rounds) {
        const inRound = clues.filter((c) => c.round === round.id);
        const state = round.completed ? "completed" : round.open === false ? "closed" : "";
        if (inRound.length || round.open) layout.push({ id: round.id, title: round.title || round.id, state, clues: inRound });
      }
    } else {
      layout.push({ id: null, clues });
    }

    const present = new Set();
    let top = 0;
    for (const part of layout) {
      let parent = container;
      if (part.id !== null) {
        const section = group(part.id, part.title, part.state);
        place(container, section.element, top++);
        parent = section.body;
      }
      let index = part.id === null ? top : 0;
      for (const clue of part.clues) {
        present.add(clue.id);
        let card = cards.get(clue.id);
        if (!card) {
          card = createClueCard(clue, ctx);
          cards.set(clue.id, card);
        } else {
          card.update(clue);
        }
        if ((seen && !seen.has(clue.id)) || openedNow.has(clue.id)) {
          card.markNew();
          openedNow.delete(clue.id);
        }
        place(parent, card.element, index++);
      }
      if (part.id === null) top = index;
    }
    for (const [id, card] of cards) {
      if (!present.has(id)) {
        card.element.remove();
        cards.delete(id);
      }
    }
    const usedGroups = new Set(layout.map((p) => p.id));
    for (const [id, section] of groups) {
      if (!usedGroups.has(id)) {
        section.element.remove();
        groups.delete(id);
      }
    }
    seen = new Set([...(seen || []), ...present]);
    renderLocked(hunt.locked || [], titles);
  }

  function requirement(requires, titles) {
    if (!requires) return null;
    const names = requires.of.map((id) => t("play.locked.clue_name", { name: titles.get(id) || id })).join(", ");
    if ("all" in requires) return t("play.locked.requires_all", { clues: names });
    return t("play.locked.requires_any", { n: requires.any, clues: names });
  }

  function renderLocked(locked, titles) {
    if (stopTicking) stopTicking();
    stopTicking = null;
    lockedSection.hidden = !locked.length;
    const timers = [];
    lockedList.replaceChildren(
      ...locked.map((clue) => {
        const lines = [];
        if (clue.opens_at) {
          const countdown = h("span", { class: "countdown" });
          timers.push({ at: clue.opens_at, countdown });
          lines.push(h("span", {}, t("play.locked.opens_at", { time: clockTime(clue.opens_at) }), " ", countdown));
        }
        const needs = requirement(clue.requires, titles);
        if (needs) lines.push(h("span", {}, needs));
        if (!lines.length) lines.push(h("span", {}, t("play.locked.later")));
        return h(
          "li",
          { class: "locked-clue", dataset: { clue: clue.id } },
          h("span", { class: "locked-title" }, clue.title || t("play.locked.untitled")),
          ...lines.map((line) => h("span", { class: "locked-why" }, line)),
        );
      }),
    );
    if (timers.length) {
      stopTicking = everySecond(() => {
        for (const timer of timers) {
          const left = secondsUntil(timer.at);
          timer.countdown.textContent = left > 0 ? t("play.locked.in", { wait: formatDuration(left) }) : t("play.locked.opening");
          // Only a countdown seen running reaches its end here (a phone clock ahead of the
          // server's would otherwise ask again and again); clue_opened covers the rest.
          if (left > 0) timer.running = true;
          else if (timer.running) {
            timer.running = false;
            onTimeUp();
          }
        }
      });
    }
  }

  return {
    render,
    cards,
    card: (id) => cards.get(id),
    /** A clue_opened message: mark the clue new when it shows up. */
    opened(id) {
      openedNow.add(id);
    },
    onTimeUp(fn) {
      onTimeUp = fn;
    },
    clear() {
      for (const card of cards.values()) card.element.remove();
      cards.clear();
      for (const section of groups.values()) section.element.remove();
      groups.clear();
      seen = null;
      openedNow.clear();
      if (stopTicking) stopTicking();
      lockedList.replaceChildren();
      lockedSection.hidden = true;
    },
  };
}
