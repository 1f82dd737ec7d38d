// "Why is my score this?": the team's score receipt (GET .../teams/{team}/receipt), every
// line its score is made of, in log order, adding up to the score.

import { $, h, notify } from "../lib/dom.js";
import { formatNumber, t } from "../lib/i18n.js";
import { read } from "./reads.js";
import { clockTime } from "./time.js";

function signed(points) {
  return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${formatNumber(Math.abs(points))}`;
}

/** ctx: {huntId, session(), clueTitle(id)} */
export function setUpReceipt(ctx) {
  const dialog = $("#receipt-dialog");
  const body = $("#receipt-body");
  const message = $("#receipt-message");

  $("#show-receipt").addEventListener("click", async () => {
    body.replaceChildren();
    message.className = "notice";
    message.textContent = t("play.receipt.loading");
    dialog.showModal();
    $("#receipt-close").focus();
    const session = ctx.session();
    try {
      const { data } = await read(
        `/api/hunts/${encodeURIComponent(ctx.huntId)}/teams/${encodeURIComponent(session.team_id)}/receipt`,
        session.token,
      );
      render(data);
    } catch (error) {
      notify(message, "bad", error.status === 0 ? t("play.receipt.offline") : t("play.receipt.failed", { message: error.message }));
    }
  });
  $("#receipt-close").addEventListener("click", () => dialog.close());

  function render(receipt) {
    const total = receipt.lines.reduce((sum, line) => sum + line.points, 0);
    const rows = receipt.lines.map((line) =>
      h(
        "tr",
        { class: line.points < 0 ? "minus" : "" },
        h("td", {}, h("time", { datetime: line.time }, clockTime(line.time))),
        h("td", {}, t(`play.receipt.what.${line.what}`), line.clue ? h("span", { class: "receipt-clue" }, ` · ${ctx.clueTitle(line.clue)}`) : null, line.reason ? h("span", { class: "receipt-reason" }, ` — ${line.reason}`) : null),
        h("td", { class: "num" }, signed(line.points)),
      ),
    );
    body.replaceChildren(
      h(
        "table",
        { class: "receipt" },
        h("caption", { class: "visually-hidden" }, t("play.receipt.title")),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("play.receipt.time")), h("th", { scope: "col" }, t("play.receipt.what_col")), h("th", { scope: "col", class: "num" }, t("play.receipt.points")))),
        h("tbody", {}, rows),
        h("tfoot", {}, h("tr", {}, h("th", { scope: "row", colspan: 2 }, t("play.receipt.total")), h("td", { class: "num total" }, formatNumber(total)))),
      ),
    );
    if (total === receipt.score) notify(message, "ok", t("play.receipt.adds_up", { score: receipt.score, n: receipt.lines.length }));
    else notify(message, "warn", t("play.receipt.differs", { score: receipt.score, total }));
  }
}
