// A hunt definition in a text area with line numbers, and the server's problems marked on
// their lines: syntax errors explained, paths named by clue id, lines found for problems
// the server could only name by path (a refused revision).

import { h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { explainSyntax } from "./syntax-errors.js";
import { describePath, itemIds } from "./yaml-paths.js";

/** Problems of a 422 reply as people read them: [{line, where, message}], by line. */
export function readableProblems(problems, sentText) {
  const located = itemIds(sentText);
  return problems
    .map((p) => {
      if (p.path === "(document)") {
        const syntax = explainSyntax(p.message, p.line ?? null);
        if (syntax) return { line: syntax.line, where: t("organize.problems.syntax"), message: syntax.message };
      }
      const place = describePath(p.path || "", located);
      const where = place.item
        ? [t(place.item.list === "rounds" ? "organize.problems.round" : "organize.problems.clue", { id: place.item.id }), place.rest]
            .filter(Boolean)
            .join(" › ")
        : p.path;
      return { line: p.line ?? place.line, where, message: p.message };
    })
    .sort((a, b) => (a.line ?? 1e9) - (b.line ?? 1e9));
}

export function createEditor(container, { prefix, label = "organize.editor.label" }) {
  const text = h("textarea", { id: `${prefix}-text`, spellcheck: "false", wrap: "off", rows: 16, "aria-describedby": `${prefix}-problems-title` });
  const gutter = h("div", { id: `${prefix}-gutter`, class: "gutter", "aria-hidden": "true" });
  const list = h("ul", { id: `${prefix}-problems` });
  const title = h("h3", { id: `${prefix}-problems-title`, tabindex: "-1" }, t("organize.problems.title"));
  const box = h("section", { class: "problems", hidden: true }, title, list);
  container.replaceChildren(
    h("label", { for: text.id }, t(label)),
    h("div", { class: "editor" }, gutter, text),
    box,
  );
  let problemLines = new Set();

  function drawGutter() {
    const count = text.value.split("\n").length;
    if (gutter.children.length !== count) {
      const numbers = [];
      for (let line = 1; line <= count; line++) numbers.push(h("span", { dataset: { line } }, String(line)));
      gutter.replaceChildren(...numbers);
    }
    for (const span of gutter.children) span.classList.toggle("has-problem", problemLines.has(Number(span.dataset.line)));
    gutter.scrollTop = text.scrollTop;
  }

  function goToLine(line) {
    const lines = text.value.split("\n");
    const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    const lineHeight = Number.parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, (line - 3) * lineHeight);
    drawGutter();
  }

  function showProblems(problems, sentText) {
    const readable = readableProblems(problems, sentText ?? text.value);
    problemLines = new Set(readable.filter((p) => p.line).map((p) => p.line));
    list.replaceChildren(
      ...readable.map((p) =>
        h(
          "li",
          { dataset: { line: p.line || "" } },
          p.line
            ? h("button", { type: "button", onclick: () => goToLine(p.line), "aria-label": t("organize.problems.go_to", { line: p.line }) }, t("organize.problems.line", { line: p.line }))
            : h("strong", {}, `${t("organize.problems.whole_file")} `),
          h("span", { class: "path" }, p.where),
          `: ${p.message}`,
        ),
      ),
    );
    box.hidden = readable.length === 0;
    drawGutter();
  }

  text.addEventListener("input", drawGutter);
  text.addEventListener("scroll", () => {
    gutter.scrollTop = text.scrollTop;
  });
  drawGutter();

  return {
    textarea: text,
    get value() {
      return text.value;
    },
    set value(v) {
      text.value = v;
      text.scrollTop = 0;
      showProblems([]);
    },
    showProblems,
    focusProblems: () => title.focus(),
  };
}

/** Whether the text is JSON (else it is sent as YAML). */
export function contentTypeOf(body) {
  return body.trimStart().startsWith("{") ? "application/json" : "application/yaml";
}
