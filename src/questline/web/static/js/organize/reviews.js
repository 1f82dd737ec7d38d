// The photo review queue, driven by the keyboard: A approve, R reject, J next, K previous.

import { api } from "../lib/api.js";
import { $, h, notify, timeOfDay } from "../lib/dom.js";

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function createReviews({ token, teamName, onDecided }) {
  const panel = $("#review");
  const message = $("#review-message");
  let huntId = null;
  let queue = [];
  let index = 0;
  let busy = false;
  const photos = new Map(); // review id -> object URL

  async function load(nextHuntId) {
    if (nextHuntId) huntId = nextHuntId;
    if (!huntId) return;
    const currentId = queue[index]?.id;
    queue = await api(`/api/hunts/${encodeURIComponent(huntId)}/reviews`, { token: token() });
    const kept = queue.findIndex((r) => r.id === currentId);
    index = kept >= 0 ? kept : Math.min(index, Math.max(queue.length - 1, 0));
    for (const [id, url] of photos) {
      if (!queue.some((r) => r.id === id)) {
        URL.revokeObjectURL(url);
        photos.delete(id);
      }
    }
    render();
  }

  async function photoUrl(review) {
    if (!photos.has(review.id)) {
      const blob = await api(review.photo_url, { token: token(), as: "blob" });
      photos.set(review.id, URL.createObjectURL(blob));
    }
    return photos.get(review.id);
  }

  function render() {
    $("#review-count").textContent = queue.length ? `${queue.length} waiting` : "";
    if (!queue.length) {
      panel.replaceChildren(h("p", { class: "review-empty" }, "No photos are waiting for review."));
      return;
    }
    const review = queue[index];
    const img = h("img", { class: "review-photo", alt: `Photo from ${teamName(review.team_id)} for clue ${review.clue}` });
    photoUrl(review).then(
      (url) => {
        img.src = url;
      },
      (error) => notify(message, "bad", `The photo cannot be loaded: ${error.message}`),
    );
    const reason = h("input", { id: "reject-reason", autocomplete: "off", placeholder: "e.g. the statue is not in the photo" });
    const rejectBox = h(
      "div",
      { class: "grow reject-box", hidden: true },
      h("label", { for: "reject-reason" }, "Reason for rejecting ", h("span", { class: "hint-text" }, "(Enter to reject, Esc to cancel)")),
      reason,
    );
    reason.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        decide(false, reason.value.trim());
      } else if (event.key === "Escape") {
        event.preventDefault();
        rejectBox.hidden = true;
        panel.focus();
      }
    });
    panel.replaceChildren(
      img,
      h(
        "div",
        { class: "review-meta" },
        h("span", {}, h("strong", {}, teamName(review.team_id)), ` · clue `, h("code", {}, review.clue)),
        h("span", { class: "hint-text" }, `sent ${timeOfDay(review.submitted_at)} · ${index + 1} of ${queue.length}`),
      ),
      h(
        "div",
        { class: "review-actions" },
        h("button", { type: "button", class: "ok", onclick: () => decide(true, ""), "aria-keyshortcuts": "A" }, "Approve (A)"),
        h("button", { type: "button", class: "danger", onclick: () => openReject(), "aria-keyshortcuts": "R" }, "Reject (R)"),
        h("button", { type: "button", class: "secondary", onclick: () => move(-1), disabled: index === 0, "aria-keyshortcuts": "K" }, "Previous (K)"),
        h("button", { type: "button", class: "secondary", onclick: () => move(1), disabled: index >= queue.length - 1, "aria-keyshortcuts": "J" }, "Next (J)"),
        rejectBox,
      ),
    );
  }

  function openReject() {
    const box = panel.querySelector(".reject-box");
    if (!box) return;
    box.hidden = false;
    const input = box.querySelector("input");
    if (box.querySelector(".confirm-reject") === null) {
      box.append(h("button", { type: "button", class: "danger confirm-reject", onclick: () => decide(false, input.value.trim()) }, "Reject with this reason"));
    }
    input.focus();
  }

  function move(step) {
    if (!queue.length) return;
    index = Math.min(Math.max(index + step, 0), queue.length - 1);
    render();
    panel.focus();
  }

  async function decide(approve, reason) {
    const review = queue[index];
    if (!review || busy) return;
    if (!approve && !reason) {
      notify(message, "bad", "Give the team a reason for rejecting their photo.");
      return openReject();
    }
    busy = true;
    try {
      const outcome = await api(`/api/hunts/${encodeURIComponent(huntId)}/reviews/${encodeURIComponent(review.id)}`, {
        method: "POST",
        token: token(),
        json: { approve, reason },
      });
      const who = teamName(outcome.team_id);
      notify(message, approve ? "ok" : "warn", approve ? `Approved: ${who} solved ${outcome.clue} and now has ${outcome.score} points.` : `Rejected ${who}'s photo for ${outcome.clue}.`);
      onDecided();
    } catch (error) {
      notify(message, "bad", error.status === 409 ? "Someone already reviewed this photo." : error.message);
    } finally {
      busy = false;
    }
    await load();
    panel.focus();
  }

  document.addEventListener("keydown", (event) => {
    if (!huntId || !queue.length || busy) return;
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key.toLowerCase();
    if (key === "a") decide(true, "");
    else if (key === "r") openReject();
    else if (key === "j") move(1);
    else if (key === "k") move(-1);
    else return;
    event.preventDefault();
  });

  $("#reload-reviews").addEventListener("click", () => load());

  return { load };
}
