// Playing without signal, on the page's side: the service worker that keeps the page and
// the team's views on the phone, the offline banner with the count of answers waiting to
// be sent, and the list of those answers, where each can be cancelled.

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { cancel } from "./outbox.js";
import { clockTime } from "./time.js";

/**
 * Register the worker, then have it keep what this page loaded before it took control.
 * Resolves true once the page can open offline (the page marks <html data-offline-ready>).
 */
export async function keepForOffline() {
  if (!("serviceWorker" in navigator)) return false;
  try {
    await navigator.serviceWorker.register("/play/sw.js", { type: "module", scope: "/play/", updateViaCache: "none" });
    const registration = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => {
        navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
        setTimeout(resolve, 5000);
      });
    }
    const urls = [
      location.pathname,
      ...performance
        .getEntriesByType("resource")
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin && url.pathname.startsWith("/static/"))
        .map((url) => url.pathname + url.search),
    ];
    const worker = registration.active;
    if (!worker) return false;
    await new Promise((resolve) => {
      const onMessage = (event) => {
        if (event.data?.type !== "kept") return;
        navigator.serviceWorker.removeEventListener("message", onMessage);
        resolve();
      };
      navigator.serviceWorker.addEventListener("message", onMessage);
      worker.postMessage({ type: "keep", urls: [...new Set(urls)] });
    });
    return true;
  } catch (error) {
    console.warn("this browser will not keep the page for offline play", error);
    return false;
  }
}

/** The team left: the views kept for it go too. */
export function forgetTeamViews() {
  navigator.serviceWorker?.controller?.postMessage({ type: "forget-team" });
}

/** ctx: {items() -> the team's outbox items, clueTitle(id)} */
export function createOfflineUi(ctx) {
  const bannerBox = $("#offline-banner");
  const bannerText = $("#offline-text");
  const queueButtons = [$("#queue-button"), $("#queue-button-card")];
  const dialog = $("#queue-dialog");
  const list = $("#queue-list");
  let savedAt = null;
  let count = 0;

  function renderBanner() {
    const offline = !navigator.onLine;
    bannerBox.hidden = !offline;
    if (offline) {
      bannerText.textContent = savedAt
        ? t("play.offline.banner_saved", { time: clockTime(savedAt) })
        : t("play.offline.banner");
    }
    for (const button of queueButtons) {
      button.hidden = count === 0;
      button.textContent = t(count === 1 ? "play.outbox.count_one" : "play.outbox.count", { n: count });
    }
    document.documentElement.dataset.online = offline ? "no" : "yes";
  }

  function describe(item) {
    const what = {
      answer: () => t("play.queue.answer", { text: item.body.answer }),
      part: () => t("play.queue.part", { part: item.part_title || item.part, text: item.body.answer }),
      code: () => t("play.queue.code", { text: item.body.code }),
      geo: () => t("play.queue.geo", { accuracy: Math.round(item.accuracy || 0) }),
      photo: () => t("play.queue.photo", { name: item.photo_name || "photo" }),
    }[item.kind];
    return what ? what() : item.kind;
  }

  function status(item) {
    if (item.sending_until > Date.now()) return t("play.queue.sending");
    if (item.attempts) return t("play.queue.retry", { n: item.attempts, problem: item.last_problem || "" });
    return t("play.queue.waiting");
  }

  async function renderList() {
    const items = (await ctx.items()).filter((i) => i.state === "queued");
    if (!items.length) {
      list.replaceChildren(h("li", { class: "hint-text" }, t("play.queue.empty")));
      return;
    }
    list.replaceChildren(
      ...items.map((item) => {
        const cancelButton = h("button", { type: "button", class: "secondary small" }, t("play.queue.cancel"));
        const note = h("span", { class: "queue-note", role: "status" });
        cancelButton.addEventListener("click", async () => {
          cancelButton.disabled = true;
          if (!(await cancel(item.seq))) {
            note.textContent = t("play.queue.cancel_too_late");
            cancelButton.disabled = false;
          }
        });
        return h(
          "li",
          { class: "queue-item", dataset: { seq: item.seq, clue: item.clue } },
          h("span", { class: "queue-clue" }, ctx.clueTitle(item.clue)),
          h("span", {}, describe(item)),
          h("span", { class: "hint-text" }, t("play.queue.made", { time: clockTime(item.client_time) }), " · ", status(item)),
          note,
          cancelButton,
        );
      }),
    );
  }

  for (const button of queueButtons) {
    button.addEventListener("click", async () => {
      await renderList();
      dialog.showModal();
      $("#queue-close").focus();
    });
  }
  $("#queue-close").addEventListener("click", () => dialog.close());
  window.addEventListener("online", renderBanner);
  window.addEventListener("offline", renderBanner);
  renderBanner();

  return {
    /** When the views shown were kept earlier (null: fresh from the server). */
    setSavedAt(value) {
      savedAt = value;
      renderBanner();
    },
    setCount(n) {
      count = n;
      renderBanner();
      if (dialog.open) renderList();
    },
    clear() {
      count = 0;
      savedAt = null;
      renderBanner();
      if (dialog.open) dialog.close();
    },
  };
}
