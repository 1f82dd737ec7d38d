// Bar charts as HTML tables: labels are real text at the page's size (clue titles, not ids),
// bars are drawn with CSS, and screen readers read the table as it is.

import { h } from "../lib/dom.js";
import { formatNumber } from "../lib/i18n.js";

/** A figure with one bar per item: items [{label, detail, value}]; tone names the bar colour. */
export function barChart({ title, items, tone }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return h(
    "figure",
    { class: `chart tone-${tone}` },
    h("figcaption", {}, title),
    h(
      "table",
      {},
      h("caption", { class: "visually-hidden" }, title),
      h(
        "tbody",
        {},
        ...items.map((item) => {
          const bar = h("span", { class: item.value ? "bar" : "bar zero" });
          bar.style.width = `${(item.value / max) * 100}%`;
          return h(
            "tr",
            {},
            h("th", { scope: "row", title: item.detail || item.label }, item.label),
            h("td", { class: "bar-cell" }, bar),
            h("td", { class: "value" }, formatNumber(item.value)),
          );
        }),
      ),
    ),
  );
}
