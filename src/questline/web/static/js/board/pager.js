// Pages of the standings for a screen that cannot hold every row: as many rows per page
// as fit the list's height, turned every few seconds (and by the pager's buttons).
// Where the page scrolls (a phone), every row is on the one page.

import { $, h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const SCREEN = window.matchMedia("(min-width: 901px) and (min-height: 560px)");

export function createPager({ list, onChange, turnSeconds = 12 }) {
  let page = 0;
  let perPage = Infinity;
  let total = 0;
  let timer = null;

  function pages() {
    return Number.isFinite(perPage) ? Math.max(1, Math.ceil(total / perPage)) : 1;
  }

  /** Rows that fit the list's box now: its height over one row's height and the gap. */
  function measure() {
    if (!SCREEN.matches) return Infinity;
    const sample = list.firstElementChild;
    const height = list.clientHeight;
    if (!sample || height <= 0) return Infinity;
    const gap = Number.parseFloat(getComputedStyle(list).rowGap) || 0;
    const row = sample.getBoundingClientRect().height;
    return Math.max(1, Math.floor((height + gap) / (row + gap)));
  }

  function show() {
    const count = pages();
    page = Math.min(page, count - 1);
    const pager = $("#pager");
    pager.hidden = !SCREEN.matches && count <= 1;
    pager.classList.toggle("single", count <= 1); // kept in the layout: the rows' height stays

    const first = Number.isFinite(perPage) ? page * perPage : 0;
    const last = Math.min(total, Number.isFinite(perPage) ? first + perPage : total);
    $("#page-info").textContent = t("board.pageInfo", {
      first: first + 1,
      last,
      total,
      page: page + 1,
      pages: count,
    });
    $("#page-dots").replaceChildren(
      ...Array.from({ length: count }, (_, i) => h("span", { class: i === page ? "dot current" : "dot" })),
    );
    pager.dataset.page = String(page + 1);
    pager.dataset.pages = String(count);
  }

  function restartTimer() {
    clearInterval(timer);
    timer = pages() > 1 ? setInterval(() => turn(1), turnSeconds * 1000) : null;
  }

  function turn(step) {
    const count = pages();
    page = (page + step + count) % count;
    show();
    onChange();
  }

  $("#page-prev").addEventListener("click", () => {
    turn(-1);
    restartTimer();
  });
  $("#page-next").addEventListener("click", () => {
    turn(1);
    restartTimer();
  });
  SCREEN.addEventListener("change", () => refit());
  window.addEventListener("resize", () => refit());

  function refit() {
    const before = pages();
    perPage = measure();
    show();
    if (pages() !== before) restartTimer();
    onChange();
  }

  return {
    /** The slice of `teams` (in rank order) on the current page, and the rank of its first row. */
    slice(teams) {
      const count = pages();
      total = teams.length;
      if (pages() !== count) restartTimer();
      show();
      if (!Number.isFinite(perPage)) return { rows: teams, firstRank: 1 };
      const first = page * perPage;
      return { rows: teams.slice(first, first + perPage), firstRank: first + 1 };
    },
    /** After the first rows are laid out: measure how many fit, then lay out again. */
    fit() {
      const next = measure();
      if (next === perPage) return false;
      perPage = next;
      show();
      restartTimer();
      return true;
    },
  };
}
