// What teams do, as the organizer stream reports it.

import { $, h, timeOfDay } from "../lib/dom.js";

const KEPT = 100;

function describe(event, teamName) {
  const who = teamName(event.team_id);
  switch (event.type) {
    case "solved":
      return `${who} solved ${event.clue} (+${event.points}${event.bonus ? `, bonus ${event.bonus}` : ""})`;
    case "incorrect":
      return `${who} answered ${event.clue} wrong`;
    case "keep_going":
      return `${who} is getting close on ${event.clue}`;
    case "hint_unlocked":
      return `${who} unlocked hint ${event.hint} on ${event.clue}`;
    case "photo_waiting":
      return `${who} sent a photo for ${event.clue}: waiting for review`;
    case "photo_rejected":
      return `${who}'s photo for ${event.clue} was rejected: ${event.reason}`;
    case "adjusted":
      return `${who} adjusted by ${event.points > 0 ? "+" : ""}${event.points}: ${event.reason}`;
    default:
      return `${who}: ${event.type}`;
  }
}

export function createActivity({ teamName }) {
  const list = $("#activity");
  return {
    add(event) {
      list.prepend(h("li", {}, h("time", { datetime: event.time }, timeOfDay(event.time)), describe(event, teamName)));
      while (list.children.length > KEPT) list.lastElementChild.remove();
      $("#no-activity").hidden = true;
    },
    clear() {
      list.replaceChildren();
      $("#no-activity").hidden = false;
    },
  };
}
