// Clue text as a safe subset of Markdown, built as DOM nodes (never HTML markup): paragraphs
// with line breaks, headings, lists, quotes, code, **strong**, *emphasis*, `code` and
// [links](https://...) to http, https and mailto addresses only. HTML in the text stays
// text. Images are shown by their description only: the page loads no picture named in
// a clue (there is no store of the hunt's own images to load them from).

import { h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** A document fragment for the text. */
export function renderMarkdown(text) {
  const fragment = document.createDocumentFragment();
  const lines = String(text || "").replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i += 1;
    } else if (/^```/.test(line)) {
      const code = [];
      i += 1;
      while (i < lines.length && !/^```/.test(lines[i])) code.push(lines[i++]);
      i += 1;
      fragment.append(h("pre", {}, h("code", {}, code.join("\n"))));
    } else if (/^#{1,6}\s/.test(line)) {
      const level = line.match(/^#+/)[0].length;
      fragment.append(h(level === 1 ? "h4" : "h5", {}, inline(line.replace(/^#+\s*/, ""))));
      i += 1;
    } else if (/^\s*([-*+])\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const marker = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
      const items = [];
      while (i < lines.length && marker.test(lines[i])) items.push(h("li", {}, inline(lines[i++].replace(marker, ""))));
      fragment.append(h(ordered ? "ol" : "ul", {}, items));
    } else if (/^>\s?/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) quoted.push(lines[i++].replace(/^>\s?/, ""));
      fragment.append(h("blockquote", {}, renderMarkdown(quoted.join("\n"))));
    } else {
      const paragraph = [];
      while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) paragraph.push(lines[i++]);
      const children = [];
      paragraph.forEach((part, index) => {
        if (index) children.push(h("br"));
        children.push(...inline(part));
      });
      fragment.append(h("p", {}, children));
    }
  }
  return fragment;
}

function startsBlock(line) {
  return /^```/.test(line) || /^#{1,6}\s/.test(line) || /^\s*[-*+]\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line) || /^>/.test(line);
}

const INLINE = [
  { re: /^\\([\\`*_[\]()!#>+-])/, make: (m) => m[1] },
  { re: /^`([^`]+)`/, make: (m) => h("code", {}, m[1]) },
  { re: /^!\[([^\]]*)\]\(([^)\s]*)[^)]*\)/, make: (m) => h("span", { class: "md-image" }, t("play.markdown.image", { alt: m[1] || "?" })) },
  { re: /^\[([^\]]+)\]\(([^)\s]+)\)/, make: link },
  { re: /^\*\*(?=\S)([\s\S]*?\S)\*\*/, make: (m) => h("strong", {}, inline(m[1])) },
  { re: /^__(?=\S)([\s\S]*?\S)__/, make: (m) => h("strong", {}, inline(m[1])) },
  { re: /^\*(?=\S)([\s\S]*?\S)\*/, make: (m) => h("em", {}, inline(m[1])) },
  { re: /^_(?=\S)([\s\S]*?\S)_(?![\p{L}\p{N}])/u, make: (m) => h("em", {}, inline(m[1])) },
];

function link(m) {
  const label = inline(m[1]);
  if (!SAFE_LINK.test(m[2])) return h("span", {}, label);
  return h("a", { href: m[2], rel: "noopener noreferrer nofollow", target: "_blank" }, label);
}

/** Inline nodes of one line of text. */
function inline(text) {
  const out = [];
  let plain = "";
  let rest = text;
  let previous = "";
  while (rest) {
    let matched = null;
    // `_` opens emphasis only at a word's start (snake_case stays as written).
    const canOpen = !/[\p{L}\p{N}]/u.test(previous);
    for (const rule of INLINE) {
      if (rest[0] === "_" && !canOpen) break;
      const m = rest.match(rule.re);
      if (m) {
        matched = { node: rule.make(m), length: m[0].length };
        break;
      }
    }
    if (matched) {
      if (plain) out.push(plain);
      plain = "";
      out.push(matched.node);
      previous = rest[matched.length - 1];
      rest = rest.slice(matched.length);
    } else {
      plain += rest[0];
      previous = rest[0];
      rest = rest.slice(1);
    }
  }
  if (plain) out.push(plain);
  return out;
}
