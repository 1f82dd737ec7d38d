// One answer form per clue kind: text, code (typed or scanned), GPS check-in, photo, and
// one form per part for a clue in parts. A form hands send(body, extra) the submission's
// JSON fields and what the outbox keeps beside them (kind, part, accuracy, photo).

import { h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";
import { locate } from "./geolocate.js";
import { canScan, scanCode, whyNoScanner } from "./scanner.js";

export const PHOTO_LIMIT = 10 * 1000 * 1000;

/** The forms of a clue: [{element, part?}]; send(body, extra) resolves once the answer is kept. */
export function answerForms(clue, send, say) {
  if (clue.parts) return clue.parts.map((part) => ({ part: part.id, element: partForm(clue, part, send) }));
  const builder = { text: textForm, code: codeForm, geo: geoForm, photo: photoForm }[clue.kind] || textForm;
  return [{ element: builder(clue, send, say) }];
}

function ids(clue, what) {
  return `clue-${clue.id}-${what}`;
}

function typedForm({ id, label, hint, buttonText, extraClass, after, onValue }) {
  const input = h("input", {
    id, maxlength: 1000, autocomplete: "off", required: true, class: extraClass,
    ...(extraClass === "mono" ? { autocapitalize: "characters", spellcheck: "false" } : {}),
  });
  const form = h(
    "form",
    { class: "answer-form", novalidate: true },
    h("label", { for: id }, label, hint ? h("span", { class: "hint-text" }, ` ${hint}`) : null),
    h("div", { class: "row" }, h("div", { class: "grow" }, input), h("button", { type: "submit" }, buttonText)),
    after,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return input.focus();
    if (await onValue(input.value)) input.select();
  });
  return { form, input };
}

function textForm(clue, send) {
  return typedForm({
    id: ids(clue, "answer"),
    label: t("play.form.answer"),
    buttonText: t("play.form.submit"),
    onValue: (answer) => send({ clue: clue.id, answer }, { kind: "answer" }),
  }).form;
}

function partForm(clue, part, send) {
  const { form } = typedForm({
    id: ids(clue, `part-${part.id}`),
    label: t("play.form.part", { part: part.title || part.id }),
    hint: t("play.form.part_points", { points: part.points }),
    buttonText: t("play.form.submit_part"),
    onValue: (answer) =>
      send({ clue: clue.id, part: part.id, answer }, { kind: "part", part: part.id, part_title: part.title || part.id }),
  });
  form.classList.add("part-form");
  form.dataset.part = part.id;
  return form;
}

function codeForm(clue, send) {
  let input;
  const submit = (code) => send({ clue: clue.id, code }, { kind: "code" });
  const scanRow = canScan()
    ? h("button", {
        type: "button", class: "secondary",
        onclick: async () => {
          const code = await scanCode();
          if (code) {
            input.value = code;
            await submit(code);
          }
        },
      }, t("play.form.scan"))
    : h("p", { class: "hint-text scan-fallback" }, whyNoScanner());
  const built = typedForm({
    id: ids(clue, "code"),
    label: t("play.form.code"),
    hint: t("play.form.code_hint"),
    buttonText: t("play.form.submit_code"),
    extraClass: "mono",
    after: h("div", { class: "scan" }, scanRow),
    onValue: submit,
  });
  input = built.input;
  return built.form;
}

function geoForm(clue, send, say) {
  const reading = h("p", { class: "geo-reading hint-text", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, t("play.form.check_in"));
  const form = h("form", { class: "answer-form" }, h("p", { class: "hint-text" }, t("play.form.check_in_hint")), button, reading);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    reading.textContent = t("play.form.locating");
    try {
      const coords = await locate();
      const accuracy = Math.round(coords.accuracy);
      reading.textContent = t(accuracy > 50 ? "play.form.located_rough" : "play.form.located", { accuracy });
      await send({ clue: clue.id, lat: coords.latitude, lon: coords.longitude }, { kind: "geo", accuracy: coords.accuracy });
    } catch (error) {
      reading.textContent = "";
      say("bad", error.message);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function photoForm(clue, send, say) {
  const input = h("input", {
    id: ids(clue, "photo"), name: "photo", type: "file", accept: "image/jpeg,image/png,image/webp",
    capture: "environment", required: true,
  });
  const preview = h("img", { class: "photo-preview", alt: t("play.form.photo_preview"), hidden: true });
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });
  const form = h(
    "form",
    { class: "answer-form", novalidate: true },
    h("label", { for: input.id }, t("play.form.photo"), h("span", { class: "hint-text" }, ` ${t("play.form.photo_hint")}`)),
    input,
    preview,
    h("div", { class: "row" }, h("button", { type: "submit" }, t("play.form.send_photo"))),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return say("bad", t("play.form.photo_missing"));
    if (file.size > PHOTO_LIMIT) return say("bad", t("play.form.photo_too_large"));
    const sent = await send({ clue: clue.id }, { kind: "photo", photo: file, photo_name: file.name });
    if (sent) {
      input.value = "";
      preview.hidden = true;
    }
  });
  return form;
}
