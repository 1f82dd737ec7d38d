// Load or paste a new hunt definition and create it; problems are marked on their lines.

import { api } from "../lib/api.js";
import { $, clear, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { contentTypeOf, createEditor } from "./editor.js";
import { tn } from "./plural.js";

export function setUpCreate({ token, onCreated }) {
  const editor = createEditor($("#create-editor"), { prefix: "create" });
  const message = $("#create-message");

  $("#hunt-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    editor.value = await file.text();
    clear(message);
  });

  $("#create-hunt").addEventListener("click", async () => {
    const body = editor.value;
    if (!body.trim()) {
      notify(message, "bad", t("organize.create.empty"));
      return editor.textarea.focus();
    }
    clear(message);
    try {
      const hunt = await api("/api/hunts", { method: "POST", token: token(), body, contentType: contentTypeOf(body) });
      editor.showProblems([]);
      notify(message, "ok", t("organize.create.created", { title: hunt.title, id: hunt.id, state: t(`organize.state.${hunt.state}`) }));
      onCreated(hunt);
    } catch (error) {
      const problems = error.details?.problems;
      if (error.status === 422 && Array.isArray(problems)) {
        notify(message, "bad", tn("organize.problems.count", problems.length));
        editor.showProblems(problems, body);
        editor.focusProblems();
      } else {
        editor.showProblems([]);
        notify(message, "bad", error.status === 409 ? t("organize.create.duplicate", { message: error.message }) : error.message);
      }
    }
  });
  return editor;
}
