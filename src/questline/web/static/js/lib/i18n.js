// Page text in the reader's language: one message catalogue per language
// (static/i18n/<lang>/<page>.json, plus common.json), chosen from the browser's
// languages unless the reader picked one (remembered). Hunt content stays as the
// organizer wrote it; dates and numbers are formatted for the language.
import { load, save } from "./storage.js";

export const LANGUAGES = { en: "English", de: "Deutsch" };
const FALLBACK = "en";
let messages = {};
let fallback = {};

export let lang = chooseLanguage();
// Dates and numbers follow the reader's own regional form of the language (en-GB writes
// 18:12 where en-US writes 6:12 PM), when the browser names one.
const locale =
  (navigator.languages || []).find((l) => l.toLowerCase().split("-")[0] === lang) || lang;

function chooseLanguage() {
  const picked = load("lang");
  if (picked && picked in LANGUAGES) return picked;
  for (const wanted of navigator.languages || [navigator.language || FALLBACK]) {
    const base = String(wanted).toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return FALLBACK;
}

async function catalogue(language, page) {
  const parts = await Promise.all(
    ["common", page].map(async (name) => {
      try {
        const response = await fetch(`/static/i18n/${language}/${name}.json`);
        return response.ok ? await response.json() : {};
      } catch {
        return {};
      }
    }),
  );
  return Object.assign({}, ...parts);
}

// Load the catalogues of a page; call once before the first t().
export async function loadMessages(page) {
  [messages, fallback] = await Promise.all([
    catalogue(lang, page),
    lang === FALLBACK ? Promise.resolve({}) : catalogue(FALLBACK, page),
  ]);
  document.documentElement.lang = lang;
  translatePage();
}

// The message for `key` with {name} placeholders filled; the key itself if unknown.
export function t(key, params = {}) {
  const text = messages[key] ?? fallback[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in params ? formatValue(params[name]) : whole,
  );
}

function formatValue(value) {
  return typeof value === "number" ? formatNumber(value) : String(value);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(locale).format(value);
}

export function formatTime(iso, options = { hour: "2-digit", minute: "2-digit" }) {
  return new Intl.DateTimeFormat(locale, options).format(new Date(iso));
}

export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

// Elements marked data-i18n="key" (text) or data-i18n-<attr>="key" (an attribute).
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    element.textContent = t(element.dataset.i18n);
  }
  for (const element of root.querySelectorAll("*")) {
    for (const name of Object.keys(element.dataset)) {
      if (name.startsWith("i18n") && name !== "i18n") {
        const attribute = name.slice(4).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
        element.setAttribute(attribute.replace(/^-/, ""), t(element.dataset[name]));
      }
    }
  }
}

// A language switch: a <select> that reloads the page in the chosen language.
export function languageSwitch() {
  const select = document.createElement("select");
  select.setAttribute("aria-label", t("common.language"));
  for (const [code, name] of Object.entries(LANGUAGES)) {
    const option = new Option(name, code, code === lang, code === lang);
    select.append(option);
  }
  select.addEventListener("change", () => {
    save("lang", select.value);
    location.reload();
  });
  return select;
}
