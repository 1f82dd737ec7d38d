// Send an announcement to every team and the big screen.

import { api } from "../lib/api.js";
import { $, notify } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

export function setUpAnnouncements({ token, huntId }) {
  const form = $("#announce-form");
  const text = $("#announce-text");
  const message = $("#announce-message");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!huntId()) return;
    if (!text.value.trim()) {
      notify(message, "bad", t("organize.announce.empty"));
      return text.focus();
    }
    try {
      await api(`/api/hunts/${encodeURIComponent(huntId())}/announcements`, { method: "POST", token: token(), json: { text: text.value } });
      notify(message, "ok", t("organize.announce.sent"));
      text.value = "";
    } catch (error) {
      notify(message, "bad", error.message);
    }
  });
}
