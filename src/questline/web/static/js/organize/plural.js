// Messages that depend on a count: "<key>.one" or "<key>.other" by the language's plural rules.

import { lang, t } from "../lib/i18n.js";

export function tn(key, count, params = {}) {
  const form = new Intl.PluralRules(lang).select(count) === "one" ? "one" : "other";
  return t(`${key}.${form}`, { count, ...params });
}
