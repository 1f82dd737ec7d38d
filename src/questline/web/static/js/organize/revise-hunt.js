// The hunt editor for a live hunt (hunt-day.md "Errata"): load the current definition as
// YAML, show what a revision would do (a dry run: changes, rejudged answers, every team
// whose rank or score moves), apply it only on confirmation, conditional on the revision
// it was made from (If-Match), and list the revision history.

import { api, ApiError } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";
import { formatDateTime, t } from "../lib/i18n.js";
import { diffView } from "./dry-run-diff.js";
import { contentTypeOf, createEditor } from "./editor.js";
import { tn } from "./plural.js";

async function fetchText(path, token) {
  let response;
  try {
    response = await fetch(path, { headers: { Accept: "application/yaml", Authorization: `Bearer ${token}` }, cache: "no-store" });
  } catch {
    throw new ApiError(0, "network", t("organize.network"));
  }
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      /* keep the status */
    }
    throw new ApiError(response.status, error.code || "http_error", error.message || `${response.status} ${response.statusText}`, error.details);
  }
  return { text: await response.text(), etag: response.headers.get("ETag") };
}

/** The document's own "revision: n" line, which is not part of a definition: out of the text. */
export function splitRevision(text) {
  const match = /^revision:\s*"?(\d+)"?\s*$/m.exec(text);
  if (!match) return { text, revision: null };
  return { text: text.replace(/^revision:.*(\r?\n|$)/m, ""), revision: Number(match[1]) };
}

export function createReviser({ token, huntId, names, onApplied }) {
  const editor = createEditor($("#revise-editor"), { prefix: "revise", label: "organize.editor.revise_label" });
  const message = $("#revise-message");
  const result = $("#dry-run-result");
  const applyButton = $("#apply-revision");
  let baseRevision = null;
  let loadedText = "";
  let previewed = null; // {text, rejudge, reply}

  function path(query = "") {
    return `/api/hunts/${encodeURIComponent(huntId())}${query}`;
  }

  async function load() {
    clear(message);
    hideResult();
    try {
      const { text, etag } = await fetchText(path("/definition"), token());
      const split = splitRevision(text);
      const fromTag = etag ? Number(etag.replace(/\D/g, "")) : null;
      baseRevision = split.revision ?? (Number.isFinite(fromTag) && fromTag > 0 ? fromTag : null);
      editor.value = split.text;
      loadedText = split.text;
      $("#hunt-revision").textContent = baseRevision ? t("organize.revise.revision", { revision: baseRevision }) : "";
    } catch (error) {
      notify(message, "bad", t("organize.revise.load_failed", { message: error.message }));
    }
    await loadHistory();
  }

  async function loadHistory() {
    const list = $("#revisions");
    let revisions;
    try {
      revisions = await api(path("/revisions"), { token: token() });
    } catch (error) {
      list.replaceChildren(h("li", { class: "notice bad" }, t("organize.revisions.failed", { message: error.message })));
      return;
    }
    revisions.sort((a, b) => b.revision - a.revision);
    if (!revisions.length) return list.replaceChildren(h("li", { class: "hint-text plain" }, t("organize.revisions.none")));
    list.replaceChildren(
      ...revisions.map((r) =>
        h(
          "li",
          { dataset: { revision: r.revision } },
          h("p", {}, h("strong", {}, t("organize.revise.revision", { revision: r.revision })), " · ", h("time", { datetime: r.time }, formatDateTime(r.time))),
          r.changes.length ? h("ul", {}, ...r.changes.map((c) => h("li", {}, c))) : h("p", { class: "hint-text" }, t("organize.revisions.initial")),
        ),
      ),
    );
  }

  function hideResult() {
    previewed = null;
    result.hidden = true;
  }

  async function put({ dryRun }) {
    const body = editor.value;
    const rejudge = $("#rejudge").checked;
    const query = new URLSearchParams();
    if (dryRun) query.set("dry_run", "true");
    if (rejudge) query.set("rejudge", "true");
    const headers = { "Content-Type": contentTypeOf(body), Accept: "application/json", Authorization: `Bearer ${token()}` };
    if (baseRevision !== null) headers["If-Match"] = `"${baseRevision}"`;
    let response;
    try {
      response = await fetch(path(`?${query}`), { method: "PUT", headers, body });
    } catch {
      throw new ApiError(0, "network", t("organize.network"));
    }
    const reply = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = reply.error || {};
      throw new ApiError(response.status, error.code || "http_error", error.message || String(response.status), error.details);
    }
    return { body, rejudge, reply };
  }

  function refused(error, body) {
    const problems = error.details?.problems;
    if (error.status === 412) {
      const reload = h("button", { type: "button", class: "secondary small", onclick: () => load() }, t("organize.revise.reload"));
      message.className = "notice warn";
      message.replaceChildren(h("span", {}, `${t("organize.revise.conflict")} `), reload);
    } else if (error.status === 422 && Array.isArray(problems)) {
      notify(message, "bad", tn("organize.problems.count", problems.length));
      editor.showProblems(problems, body);
      editor.focusProblems();
    } else {
      notify(message, "bad", error.message);
    }
  }

  function showDiff({ reply }) {
    $("#diff").replaceChildren(...diffView(reply, { names, rejudging: $("#rejudge").checked }));
    applyButton.textContent = t("organize.revise.apply", { revision: reply.revision });
    result.hidden = false;
    $("#diff-heading").focus();
  }

  $("#dry-run").addEventListener("click", async () => {
    clear(message);
    hideResult();
    editor.showProblems([]);
    if (!editor.value.trim()) return notify(message, "bad", t("organize.create.empty"));
    try {
      previewed = await put({ dryRun: true });
      showDiff(previewed);
    } catch (error) {
      refused(error, editor.value);
    }
  });

  // What was previewed is what gets applied: editing the text or the rejudge box afterwards
  // asks for a new dry run.
  const stale = () => {
    if (previewed && (editor.value !== previewed.body || $("#rejudge").checked !== previewed.rejudge)) {
      hideResult();
      notify(message, "info", t("organize.revise.changed_since"));
    }
  };
  editor.textarea.addEventListener("input", stale);
  $("#rejudge").addEventListener("change", stale);

  applyButton.addEventListener("click", async () => {
    if (!previewed) return;
    try {
      const { reply } = await put({ dryRun: false });
      hideResult();
      notify(message, "ok", t("organize.revise.applied", { revision: reply.revision }));
      baseRevision = reply.revision;
      loadedText = editor.value;
      $("#hunt-revision").textContent = t("organize.revise.revision", { revision: reply.revision });
      await loadHistory();
      onApplied(reply);
    } catch (error) {
      hideResult();
      refused(error, editor.value);
    }
  });
  $("#discard-dry-run").addEventListener("click", () => {
    hideResult();
    editor.textarea.focus();
  });
  $("#reload-definition").addEventListener("click", () => load());

  return {
    load,
    editor,
    /** Another revision landed (the stream's "revised"): refresh, keeping unsaved edits. */
    async revised(revision) {
      if (revision === baseRevision) return;
      if (editor.value === loadedText) await load();
      else {
        await loadHistory();
        const reload = h("button", { type: "button", class: "secondary small", onclick: () => load() }, t("organize.revise.reload"));
        message.className = "notice warn";
        message.replaceChildren(h("span", {}, `${t("organize.revise.revised_elsewhere", { revision })} `), reload);
      }
    },
  };
}
