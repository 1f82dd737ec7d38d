// One GPS reading, with a clear sentence when it cannot be had.

import { t } from "../lib/i18n.js";

export function locate() {
  return new Promise((resolve, reject) => {
    if (!window.isSecureContext) {
      reject(new Error(t("play.geo.insecure")));
      return;
    }
    if (!navigator.geolocation) {
      reject(new Error(t("play.geo.unsupported")));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(position.coords),
      (error) => {
        const key = { 1: "play.geo.refused", 2: "play.geo.unavailable", 3: "play.geo.timeout" }[error.code];
        reject(new Error(key ? t(key) : error.message));
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
    );
  });
}
