// The photo review queue. The card shows the clue's title and text, so a judge knows what
// the photo should show. Keys act only while focus is in the review area: A approve,
// R reject (asks for a reason), J next, K previous, U undo. A decision waits a few seconds
// with an Undo button before it is sent.

import { api } from "../lib/api.js";
import { $, h, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { clientTimeNote, clockTime } from "./event-text.js";

export const UNDO_SECONDS = 5;

function typing(target) {
  return target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export function createReviews({ token, teamName, clueOf, clientTimeOf, onDecided }) {
  const area = $("#review-area");
  const panel = $("#review");
  const undoBar = $("#review-undo");
  const message = $("#review-message");
  let huntId = null;
  let queue = [];
  let index = 0;
  let pending = null; // {review, approve, reason, timer, index}
  const photos = new Map(); // review id -> object URL

  $("#review-keys").replaceChildren(
    `${t("organize.reviews.keys")} `,
    ...[
      ["A", "organize.reviews.key_approve"],
      ["R", "organize.reviews.key_reject"],
      ["J", "organize.reviews.key_next"],
      ["K", "organize.reviews.key_previous"],
      ["U", "organize.reviews.key_undo"],
    ].flatMap(([key, text], i) => [i ? " · " : "", h("kbd", {}, key), ` ${t(text)}`]),
  );

  const visible = () => queue.filter((r) => r.id !== pending?.review.id);

  async function load(nextHuntId) {
    if (nextHuntId) {
      huntId = nextHuntId;
      queue = [];
    }
    if (!huntId) return;
    const currentId = visible()[index]?.id;
    queue = await api(`/api/hunts/${encodeURIComponent(huntId)}/reviews`, { token: token() });
    const shown = visible();
    const kept = shown.findIndex((r) => r.id === currentId);
    index = kept >= 0 ? kept : Math.min(index, Math.max(shown.length - 1, 0));
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
    const shown = visible();
    $("#review-count").textContent = shown.length ? t("organize.reviews.waiting", { count: shown.length }) : "";
    if (!shown.length) {
      panel.replaceChildren(h("p", { class: "review-empty" }, t("organize.reviews.empty")));
      return;
    }
    index = Math.min(index, shown.length - 1);
    const review = shown[index];
    const clue = clueOf(review.clue);
    const who = teamName(review.team_id);
    const img = h("img", { class: "review-photo", alt: t("organize.reviews.photo_alt", { team: who, clue: clue.title }) });
    photoUrl(review).then(
      (url) => {
        img.src = url;
      },
      (error) => notify(message, "bad", t("organize.reviews.photo_failed", { message: error.message })),
    );
    const reason = h("input", { id: "reject-reason", autocomplete: "off", placeholder: t("organize.reviews.reason_example") });
    const rejectBox = h(
      "div",
      { class: "grow reject-box", hidden: true },
      h("label", { for: "reject-reason" }, `${t("organize.reviews.reason")} `, h("span", { class: "hint-text" }, t("organize.reviews.reason_keys"))),
      reason,
      h("button", { type: "button", class: "danger confirm-reject", onclick: () => decide(false, reason.value.trim()) }, t("organize.reviews.reject_with_reason")),
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
    const sentNote = clientTimeNote({ time: review.submitted_at, payload: { client_time: review.client_time ?? clientTimeOf(review.id) } });
    panel.replaceChildren(
      h(
        "div",
        { class: "review-clue" },
        h("p", { class: "review-clue-title" }, h("strong", {}, clue.title), " ", h("code", {}, review.clue)),
        clue.text ? h("p", { class: "review-clue-text" }, clue.text) : h("p", { class: "hint-text" }, t("organize.reviews.no_text")),
      ),
      img,
      h(
        "div",
        { class: "review-meta" },
        h("span", {}, h("strong", {}, who)),
        h("span", { class: "hint-text" }, t("organize.reviews.sent", { time: clockTime(review.submitted_at), n: index + 1, count: shown.length }), sentNote ? " · " : "", sentNote),
      ),
      h(
        "div",
        { class: "review-actions" },
        h("button", { type: "button", class: "ok", onclick: () => decide(true, ""), "aria-keyshortcuts": "A" }, t("organize.reviews.approve")),
        h("button", { type: "button", class: "danger", onclick: () => openReject(), "aria-keyshortcuts": "R" }, t("organize.reviews.reject")),
        h("button", { type: "button", class: "secondary", onclick: () => move(-1), disabled: index === 0, "aria-keyshortcuts": "K" }, t("organize.reviews.previous")),
        h("button", { type: "button", class: "secondary", onclick: () => move(1), disabled: index >= shown.length - 1, "aria-keyshortcuts": "J" }, t("organize.reviews.next")),
        rejectBox,
      ),
    );
  }

  function openReject() {
    const box = panel.querySelector(".reject-box");
    if (!box) return;
    box.hidden = false;
    box.querySelector("input").focus();
  }

  function move(step) {
    const shown = visible();
    if (!shown.length) return;
    index = Math.min(Math.max(index + step, 0), shown.length - 1);
    render();
    panel.focus();
  }

  function decide(approve, reason) {
    const review = visible()[index];
    if (!review) return;
    if (!approve && !reason) {
      notify(message, "bad", t("organize.reviews.reason_needed"));
      return openReject();
    }
    if (pending) send(); // one decision waits at a time: the earlier one goes now
    const timer = setTimeout(send, UNDO_SECONDS * 1000);
    pending = { review, approve, reason, timer, index };
    const clue = clueOf(review.clue);
    undoBar.replaceChildren(
      h(
        "span",
        {},
        t(approve ? "organize.reviews.will_approve" : "organize.reviews.will_reject", { team: teamName(review.team_id), clue: clue.title, seconds: UNDO_SECONDS }),
      ),
      h("button", { type: "button", class: "secondary small", onclick: undo, "aria-keyshortcuts": "U" }, t("organize.reviews.undo")),
    );
    render();
    panel.focus();
  }

  function undo() {
    if (!pending) return;
    clearTimeout(pending.timer);
    index = pending.index;
    pending = null;
    undoBar.replaceChildren();
    notify(message, "info", t("organize.reviews.undone"));
    render();
    panel.focus();
  }

  function requestOf(decision) {
    return {
      url: `/api/hunts/${encodeURIComponent(huntId)}/reviews/${encodeURIComponent(decision.review.id)}`,
      json: { approve: decision.approve, reason: decision.reason },
    };
  }

  async function send() {
    if (!pending) return;
    const decision = pending;
    clearTimeout(decision.timer);
    pending = null;
    undoBar.replaceChildren();
    const { url, json } = requestOf(decision);
    try {
      const outcome = await api(url, { method: "POST", token: token(), json });
      const who = teamName(outcome.team_id);
      const clue = clueOf(outcome.clue).title;
      notify(
        message,
        decision.approve ? "ok" : "warn",
        decision.approve ? t("organize.reviews.approved", { team: who, clue, score: outcome.score }) : t("organize.reviews.rejected", { team: who, clue }),
      );
      onDecided();
    } catch (error) {
      notify(message, "bad", error.status === 409 ? t("organize.reviews.already") : error.message);
    }
    await load().catch(() => {});
  }

  // A decision still waiting when the page goes away is sent, not lost.
  window.addEventListener("pagehide", () => {
    if (!pending) return;
    const { url, json } = requestOf(pending);
    clearTimeout(pending.timer);
    pending = null;
    fetch(url, {
      method: "POST",
      keepalive: true,
      headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
      body: JSON.stringify(json),
    }).catch(() => {});
  });

  area.addEventListener("keydown", (event) => {
    if (!huntId || event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || document.querySelector("dialog[open]")) return;
    const key = event.key.toLowerCase();
    if (key === "u") undo();
    else if (!visible().length) return;
    else if (key === "a") decide(true, "");
    else if (key === "r") openReject();
    else if (key === "j") move(1);
    else if (key === "k") move(-1);
    else return;
    event.preventDefault();
  });

  $("#reload-reviews").addEventListener("click", () => load());

  return { load, render };
}
