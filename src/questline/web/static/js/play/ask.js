// A yes/no question in a modal <dialog> whose default answer is the safe one: the focus
// starts on "no", so Enter or a stray tap never spends points or signs a team out.
// Resolves true for yes. `body` may add nodes (a token to copy, a checkbox) under the text.

import { h } from "../lib/dom.js";

let asked = 0;

export function ask({ title, text, yes, no, body = null, danger = false }) {
  asked += 1;
  const titleId = `ask-title-${asked}`;
  const textId = `ask-text-${asked}`;
  return new Promise((resolve) => {
    const noButton = h("button", { type: "submit", value: "no", class: "secondary" }, no);
    const dialog = h(
      "dialog",
      { class: "ask", "aria-labelledby": titleId, "aria-describedby": textId },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: titleId }, title),
        h("p", { id: textId }, text),
        body,
        h(
          "div",
          { class: "actions" },
          noButton,
          h("button", { type: "submit", value: "yes", class: danger ? "danger" : "" }, yes),
        ),
      ),
    );
    dialog.addEventListener("close", () => {
      const answer = dialog.returnValue === "yes";
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    noButton.focus();
  });
}
