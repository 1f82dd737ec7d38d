// An accessible yes/no question in a modal <dialog>; resolves true or false.

import { h } from "./dom.js";

export function confirmDialog({ title, text, yes = "Yes", no = "Cancel" }) {
  return new Promise((resolve) => {
    const yesButton = h("button", { type: "submit", value: "yes" }, yes);
    const dialog = h(
      "dialog",
      { "aria-labelledby": "confirm-title", "aria-describedby": "confirm-text" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "confirm-title" }, title),
        h("p", { id: "confirm-text" }, text),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "submit", value: "no", class: "secondary" }, no),
          yesButton,
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
    yesButton.focus();
  });
}
