// A YAML or JSON syntax error as a person reads it: what is wrong, on the line where the
// mistake is. The server passes the parser's own text ("while parsing a flow mapping in
// "<unicode string>", line 18, ... expected ',' or '}'"), whose line is where the parser
// gave up, often the line after an unclosed bracket or quote.

import { t } from "../lib/i18n.js";

const MARK = /^\s*in "[^"]*", line (\d+), column (\d+)/;

/** Split the parser's text into [{text, line, column}]: each phrase with the mark after it. */
function phrases(raw) {
  const out = [];
  let text = [];
  let skipping = false;
  for (const line of raw.split("\n")) {
    const mark = MARK.exec(line);
    if (mark) {
      out.push({ text: text.join(" ").trim(), line: Number(mark[1]), column: Number(mark[2]) });
      text = [];
      skipping = true; // the snippet and its caret follow, indented
    } else if (skipping && /^\s/.test(line)) {
      continue;
    } else {
      skipping = false;
      text.push(line.trim());
    }
  }
  if (text.join("").trim()) out.push({ text: text.join(" ").trim(), line: null, column: null });
  return out;
}

const RULES = [
  // [context matcher, problem matcher, message key, which line: "context" | "problem"]
  [/flow mapping/, /expected ',' or '}'/, "organize.syntax.unclosed_brace", "context"],
  [/flow sequence/, /expected ',' or '\]'/, "organize.syntax.unclosed_bracket", "context"],
  [/quoted scalar/, /end of stream|unexpected end/, "organize.syntax.unclosed_quote", "context"],
  [/simple key/, /could not find expected ':'/, "organize.syntax.missing_colon", "context"],
  [/block (mapping|collection)/, /expected <block end>/, "organize.syntax.indentation", "problem"],
  [null, /mapping values are not allowed/, "organize.syntax.colon_in_value", "problem"],
  [null, /found character '\\t'/, "organize.syntax.tab", "problem"],
  [null, /found undefined alias/, "organize.syntax.alias", "problem"],
  [null, /expected a single document|but found another document/, "organize.syntax.two_documents", "problem"],
];

/**
 * A problem at path "(document)" -> {line, message} in the reader's language, or null when
 * the message is not a syntax error. fallbackLine: the line the server gave.
 */
export function explainSyntax(message, fallbackLine) {
  const yaml = /^is not valid YAML:\s*/.exec(message);
  const json = /^is not valid JSON:\s*/.exec(message);
  if (json) return { line: fallbackLine, message: t("organize.syntax.json", { problem: message.slice(json[0].length) }) };
  if (!yaml) return null;
  const parts = phrases(message.slice(yaml[0].length));
  const withMarks = parts.filter((p) => p.line !== null);
  const context = withMarks.length > 1 ? withMarks[0] : null;
  const problem = withMarks.length ? withMarks[withMarks.length - 1] : parts[0] || { text: "", line: null };
  for (const [contextPattern, problemPattern, key, where] of RULES) {
    if (contextPattern && !(context && contextPattern.test(context.text))) continue;
    if (!problemPattern.test(problem.text)) continue;
    const line = (where === "context" && context ? context.line : problem.line) ?? fallbackLine;
    return { line, message: t(key) };
  }
  const plain = problem.text.replace(/\s+/g, " ").trim() || t("organize.syntax.unknown");
  return { line: (context ? context.line : problem.line) ?? fallbackLine, message: t("organize.syntax.other", { problem: plain }) };
}
