// What a submission's reply (or refusal) means for the team, in words, on the clue's card.

import { clear, duration, notify } from "../lib/dom.js";

export function showReply(card, reply) {
  const { result, points, bonus, score } = reply;
  if (result === "correct") {
    const extra = bonus ? ` and a first-solve bonus of ${bonus}` : "";
    notify(card.message, "ok", `Correct! +${points} points${extra}. Your score is now ${score}.`);
  } else if (result === "keep_going") {
    notify(card.message, "warn", "Keep going: you are on the right track, but that is not the whole answer.");
  } else if (result === "incorrect") {
    notify(card.message, "bad", "Incorrect. Look again and try another answer.");
  } else if (result === "already_solved") {
    notify(card.message, "info", "Your team has already solved this clue.");
  } else if (result === "pending_review") {
    notify(card.message, "info", "Photo sent. An organizer will review it; you will see the result here.");
  } else {
    notify(card.message, "info", `The server answered “${result}”.`);
  }
}

/** A refusal: 429 starts a countdown on the card, clue_locked locks it, anything else is shown. */
export function showRefusal(card, error) {
  if (error.status === 429) {
    startCountdown(card, error.retryAfter || 1);
  } else if (error.code === "clue_locked") {
    card.lock();
    notify(card.message, "bad", "Locked: your team has used all its attempts on this clue.");
  } else if (error.code === "photo_pending") {
    notify(card.message, "info", "A photo of yours for this clue is already waiting for review.");
  } else if (error.status === 423) {
    notify(card.message, "warn", `Not now: ${error.message}.`);
  } else {
    notify(card.message, "bad", error.message);
  }
}

function startCountdown(card, seconds) {
  const until = Date.now() + seconds * 1000;
  card.setWaiting(true);
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0) {
      clearInterval(timer);
      card.setWaiting(false);
      clear(card.message);
      card.message.textContent = "";
      return;
    }
    notify(card.message, "warn", `Too many wrong answers in a minute. Try again in ${duration(left)}.`);
    card.message.dataset.retryAfter = String(left);
  };
  const timer = setInterval(tick, 1000);
  tick();
}
