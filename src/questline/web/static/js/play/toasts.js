// Notices that reach a player wherever the page is scrolled: a toast stays on screen
// (fixed at the bottom, read out by screen readers through the region's aria-live)
// until it is closed or its time is up; a sticky banner stays at the top while a state
// lasts (a paused hunt, no signal).

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const SHOWN_MS = 15000;
const MAX_SHOWN = 3;

/** kind: info | warn | bad | ok; title and text are plain text. */
export function toast(kind, title, text) {
  const region = $("#toasts");
  const close = h("button", { type: "button", class: "toast-close", "aria-label": t("play.toast.close") }, "×");
  const item = h("div", { class: `toast ${kind}` }, h("strong", {}, title), text ? h("span", {}, text) : null, close);
  const remove = () => item.remove();
  close.addEventListener("click", remove);
  region.append(item);
  while (region.children.length > MAX_SHOWN) region.firstElementChild.remove();
  setTimeout(remove, SHOWN_MS);
  return item;
}

/** Show or hide a sticky banner (an element under #sticky) with a text. */
export function banner(id, text, kind = "warn") {
  const element = $(`#${id}`);
  if (!text) {
    element.hidden = true;
    element.textContent = "";
    return;
  }
  element.className = `banner ${kind}`;
  if (element.textContent !== text) element.textContent = text;
  element.hidden = false;
}
