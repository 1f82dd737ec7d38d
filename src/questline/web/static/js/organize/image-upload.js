// "Add image" beside the hunt editor: the chosen file is uploaded to the hunt's image
// store (POST /api/hunts/{hunt}/images, its bytes as the body) and the Markdown that shows
// it is put at the cursor in the definition, and shown to copy. Clue text refers to an
// image by its digest, so nothing changes for teams before the revision is applied.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

export function setUpImageUpload({ token, huntId, editor }) {
  const input = $("#image-file");
  const message = $("#image-message");

  input.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    clear(message);
    notify(message, "info", t("organize.images.uploading", { name: file.name }));
    let stored;
    try {
      stored = await api(`/api/hunts/${encodeURIComponent(huntId())}/images`, {
        method: "POST",
        token: token(),
        body: file,
        contentType: file.type || "application/octet-stream",
      });
    } catch (error) {
      notify(message, "bad", t("organize.images.failed", { name: file.name, message: error.message }));
      return;
    } finally {
      input.value = "";
    }
    const text = editor.textarea;
    const at = text.selectionStart ?? text.value.length;
    text.setRangeText(stored.markdown, at, text.selectionEnd ?? at, "end");
    text.dispatchEvent(new Event("input", { bubbles: true })); // line numbers, a stale dry run
    message.className = "notice ok";
    message.replaceChildren(
      h("span", {}, `${t("organize.images.inserted", { name: file.name })} `),
      h("code", { class: "image-markdown" }, stored.markdown),
    );
    text.focus();
  });
}
