// One answer form per clue kind: text, code (typed or scanned), GPS check-in, photo.

import { h } from "../lib/dom.js";
import { locate } from "./geolocate.js";
import { canScan, scanCode, whyNoScanner } from "./scanner.js";

const PHOTO_LIMIT = 10 * 1000 * 1000;

/** send(body) submits; body is a JSON-able object or FormData; it resolves when done. */
export function answerForm(clue, send, say) {
  const builder = { text: textForm, code: codeForm, geo: geoForm, photo: photoForm }[clue.kind] || textForm;
  return builder(clue, send, say);
}

function ids(clue, what) {
  return `clue-${clue.id}-${what}`;
}

function textForm(clue, send) {
  const input = h("input", {
    id: ids(clue, "answer"), name: "answer", maxlength: 1000, autocomplete: "off", required: true,
  });
  const form = h(
    "form",
    { class: "answer-form", novalidate: true },
    h("label", { for: input.id }, "Your answer"),
    h("div", { class: "row" }, h("div", { class: "grow" }, input), h("button", { type: "submit" }, "Submit")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return input.focus();
    const answered = await send({ clue: clue.id, answer: input.value });
    if (answered) input.select();
  });
  return form;
}

function codeForm(clue, send, say) {
  const input = h("input", {
    id: ids(clue, "code"), name: "code", maxlength: 1000, autocomplete: "off",
    autocapitalize: "characters", spellcheck: "false", class: "mono", required: true,
  });
  const submit = async (code) => {
    const answered = await send({ clue: clue.id, code });
    if (answered) input.select();
  };
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
      }, "Scan with the camera")
    : h("p", { class: "hint-text scan-fallback" }, whyNoScanner());
  const form = h(
    "form",
    { class: "answer-form", novalidate: true },
    h("label", { for: input.id }, "Code ", h("span", { class: "hint-text" }, "(exactly as written)")),
    h("div", { class: "row" }, h("div", { class: "grow" }, input), h("button", { type: "submit" }, "Submit code")),
    h("div", { class: "scan" }, scanRow),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!input.value.trim()) return input.focus();
    await submit(input.value);
  });
  return form;
}

function geoForm(clue, send, say) {
  const reading = h("p", { class: "geo-reading hint-text", role: "status", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Check in here");
  const form = h(
    "form",
    { class: "answer-form" },
    h("p", { class: "hint-text" }, "Go to the place, then check in: your phone sends its GPS position."),
    button,
    reading,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    reading.textContent = "Finding your position…";
    try {
      const coords = await locate();
      const accuracy = Math.round(coords.accuracy);
      reading.textContent = `Position found, accurate to about ${accuracy} m${accuracy > 50 ? " (rough: step into the open for a better fix)" : ""}.`;
      await send({ clue: clue.id, lat: coords.latitude, lon: coords.longitude });
    } catch (error) {
      reading.textContent = "";
      button.disabled = false;
      say("bad", error.message);
    }
  });
  return form;
}

function photoForm(clue, send, say) {
  const input = h("input", {
    id: ids(clue, "photo"), name: "photo", type: "file", accept: "image/jpeg,image/png,image/webp",
    capture: "environment", required: true,
  });
  const preview = h("img", { class: "photo-preview", alt: "The photo you chose", hidden: true });
  input.addEventListener("change", () => {
    const file = input.files[0];
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.hidden = !file;
    if (file) preview.src = URL.createObjectURL(file);
  });
  const form = h(
    "form",
    { class: "answer-form", novalidate: true },
    h("label", { for: input.id }, "Photo ", h("span", { class: "hint-text" }, "(JPEG, PNG or WebP, up to 10 MB)")),
    input,
    preview,
    h("div", { class: "row" }, h("button", { type: "submit" }, "Send the photo")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = input.files[0];
    if (!file) return say("bad", "Choose or take a photo first.");
    if (file.size > PHOTO_LIMIT) return say("bad", "That photo is larger than 10 MB. Take a smaller one.");
    const body = new FormData();
    body.append("clue", clue.id);
    body.append("photo", file, file.name);
    await send(body);
  });
  return form;
}
