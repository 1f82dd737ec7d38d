// Load or paste a hunt definition, create it, and mark each problem on its line.

import { api } from "../lib/api.js";
import { $, clear, h, notify } from "../lib/dom.js";

export function setUpEditor({ token, onCreated }) {
  const text = $("#hunt-text");
  const gutter = $("#gutter");
  const box = $("#problems-box");
  const list = $("#problems");
  const message = $("#create-message");
  let problemLines = new Set();

  function drawGutter() {
    const count = text.value.split("\n").length;
    if (gutter.children.length !== count) {
      const numbers = [];
      for (let line = 1; line <= count; line++) numbers.push(h("span", { dataset: { line } }, String(line)));
      gutter.replaceChildren(...numbers);
    }
    for (const span of gutter.children) {
      span.classList.toggle("has-problem", problemLines.has(Number(span.dataset.line)));
    }
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

  function showProblems(problems) {
    problemLines = new Set(problems.filter((p) => p.line).map((p) => p.line));
    list.replaceChildren(
      ...problems
        .slice()
        .sort((a, b) => (a.line || 1e9) - (b.line || 1e9))
        .map((p) =>
          h(
            "li",
            { dataset: { line: p.line || "" } },
            p.line
              ? h("button", { type: "button", onclick: () => goToLine(p.line), "aria-label": `Go to line ${p.line}` }, `Line ${p.line}`)
              : h("strong", {}, "Whole file: "),
            h("span", { class: "path" }, p.path),
            `: ${p.message}`,
          ),
        ),
    );
    box.hidden = problems.length === 0;
    drawGutter();
  }

  text.addEventListener("input", drawGutter);
  text.addEventListener("scroll", () => {
    gutter.scrollTop = text.scrollTop;
  });
  $("#hunt-file").addEventListener("change", async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    text.value = await file.text();
    showProblems([]);
    clear(message);
  });

  $("#create-hunt").addEventListener("click", async () => {
    const body = text.value;
    if (!body.trim()) {
      notify(message, "bad", "Choose a hunt file or paste a hunt definition first.");
      return text.focus();
    }
    const isJson = body.trimStart().startsWith("{");
    clear(message);
    try {
      const hunt = await api("/api/hunts", {
        method: "POST",
        token: token(),
        body,
        contentType: isJson ? "application/json" : "application/yaml",
      });
      showProblems([]);
      notify(message, "ok", `Hunt “${hunt.title}” (${hunt.id}) is created. It is ${hunt.state}.`);
      onCreated(hunt);
    } catch (error) {
      const problems = error.details?.problems;
      if (error.status === 422 && Array.isArray(problems)) {
        notify(message, "bad", `The hunt has ${problems.length} problem${problems.length === 1 ? "" : "s"}; they are marked below and on their lines.`);
        showProblems(problems);
        $("#problems-title").focus();
      } else {
        showProblems([]);
        notify(message, "bad", error.status === 409 ? `${error.message}. Change the hunt's id to create a new one.` : error.message);
      }
    }
  });

  drawGutter();
}
