// Clue text as a safe subset of Markdown, built as DOM nodes (never HTML markup): paragraphs
// with line breaks, headings, lists, quotes, code, **strong**, *emphasis*, `code` and
// [links](https://...) to http, https and mailto addresses only. HTML in the text stays
// text. An image is shown only when it is one the organizers uploaded to this hunt
// (`![alt](/api/hunts/<hunt>/images/<sha-256>)`, same origin, content-addressed); any
// other image is shown by its description only, so a clue cannot make phones fetch
// pictures (and leak who reads them) from elsewhere.

import { h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

const SAFE_LINK = /^(https?:\/\/|mailto:)/i;

/** A document fragment for the text; `options.huntId` names the hunt whose uploaded
 * images may be shown. */
export function renderMarkdown(text, options = {}) {
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
      fragment.append(h(level === 1 ? "h4" : "h5", {}, inline(line.replace(/^#+\s*/, ""), options)));
      i += 1;
    } else if (/^\s*([-*+])\s+/.test(line) || /^\s*\d+[.)]\s+/.test(line)) {
      const ordered = /^\s*\d+[.)]\s+/.test(line);
      const marker = ordered ? /^\s*\d+[.)]\s+/ : /^\s*[-*+]\s+/;
      const items = [];
      while (i < lines.length && marker.test(lines[i])) items.push(h("li", {}, inline(lines[i++].replace(marker, ""), options)));
      fragment.append(h(ordered ? "ol" : "ul", {}, items));
    } else if (/^>\s?/.test(line)) {
      const quoted = [];
      while (i < lines.length && /^>\s?/.test(lines[i])) quoted.push(lines[i++].replace(/^>\s?/, ""));
      fragment.append(h("blockquote", {}, renderMarkdown(quoted.join("\n"), options)));
    } else {
      const paragraph = [];
      while (i < lines.length && lines[i].trim() && !startsBlock(lines[i])) paragraph.push(lines[i++]);
      const children = [];
      paragraph.forEach((part, index) => {
        if (index) children.push(h("br"));
        children.push(...inline(part, options));
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
  { re: /^!\[([^\]]*)\]\(([^)\s]*)[^)]*\)/, make: image },
  { re: /^\[([^\]]+)\]\(([^)\s]+)\)/, make: link },
  { re: /^\*\*(?=\S)([\s\S]*?\S)\*\*/, make: (m, o) => h("strong", {}, inline(m[1], o)) },
  { re: /^__(?=\S)([\s\S]*?\S)__/, make: (m, o) => h("strong", {}, inline(m[1], o)) },
  { re: /^\*(?=\S)([\s\S]*?\S)\*/, make: (m, o) => h("em", {}, inline(m[1], o)) },
  { re: /^_(?=\S)([\s\S]*?\S)_(?![\p{L}\p{N}])/u, make: (m, o) => h("em", {}, inline(m[1], o)) },
];

const DIGEST = /^[0-9a-f]{64}$/;

/** The URL an uploaded image of the hunt has, exactly; anything else is not loaded. */
export function isHuntImage(url, huntId) {
  if (!huntId) return false;
  const prefix = `/api/hunts/${encodeURIComponent(huntId)}/images/`;
  return url.startsWith(prefix) && DIGEST.test(url.slice(prefix.length));
}

function image(m, options) {
  const [, alt, url] = m;
  if (isHuntImage(url, options.huntId)) return h("img", { class: "md-picture", src: url, alt, loading: "lazy" });
  return h("span", { class: "md-image" }, t("play.markdown.image", { alt: alt || "?" }));
}

function link(m, options) {
  const label = inline(m[1], options);
  if (!SAFE_LINK.test(m[2])) return h("span", {}, label);
  return h("a", { href: m[2], rel: "noopener noreferrer nofollow", target: "_blank" }, label);
}

/** Inline nodes of one line of text. */
function inline(text, options) {
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
        matched = { node: rule.make(m, options), length: m[0].length };
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
