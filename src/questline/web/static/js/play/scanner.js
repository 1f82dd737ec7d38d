// Scanning a code with the camera, where the browser has the BarcodeDetector API.

import { h } from "../lib/dom.js";
import { t } from "../lib/i18n.js";

export function canScan() {
  return "BarcodeDetector" in window && !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;
}

export function whyNoScanner() {
  if (!window.isSecureContext) return t("play.scan.insecure");
  return t("play.scan.unsupported");
}

/** Opens a camera dialog; resolves with the first code read, or null if closed. */
export async function scanCode() {
  const detector = new window.BarcodeDetector();
  const video = h("video", { playsinline: true, muted: true, "aria-label": t("play.scan.camera") });
  const status = h("p", { role: "status" }, t("play.scan.point"));
  const dialog = h(
    "dialog",
    { class: "scanner", "aria-label": t("play.scan.title") },
    h("h2", {}, t("play.scan.title")),
    video,
    status,
    h("form", { method: "dialog", class: "actions" }, h("button", { type: "submit", class: "secondary" }, t("play.scan.close"))),
  );
  document.body.append(dialog);
  dialog.showModal();
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
  } catch (error) {
    status.textContent =
      error.name === "NotAllowedError"
        ? t("play.scan.refused")
        : t("play.scan.no_camera");
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (value) => {
      if (done) return;
      done = true;
      if (stream) for (const track of stream.getTracks()) track.stop();
      if (dialog.open) dialog.close();
      dialog.remove();
      resolve(value);
    };
    dialog.addEventListener("close", () => finish(null));
    if (!stream) return;
    video.srcObject = stream;
    video.play();
    const look = async () => {
      if (done) return;
      try {
        const codes = await detector.detect(video);
        if (codes.length) return finish(codes[0].rawValue);
      } catch {
        /* the frame was not ready yet */
      }
      setTimeout(look, 250);
    };
    look();
  });
}
