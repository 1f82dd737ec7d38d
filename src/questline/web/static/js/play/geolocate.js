// One GPS reading, with a clear sentence when it cannot be had.

export function locate() {
  return new Promise((resolve, reject) => {
    if (!window.isSecureContext) {
      reject(new Error("Location works only on a secure (https) page. Ask the organizers for the https address."));
      return;
    }
    if (!navigator.geolocation) {
      reject(new Error("This browser cannot tell where you are."));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => resolve(position.coords),
      (error) => {
        const text = {
          1: "Location permission was refused. Allow location for this site in the browser's settings, then check in again.",
          2: "Your position is not available right now. Move to open sky and try again.",
          3: "Finding your position took too long. Try again.",
        }[error.code];
        reject(new Error(text || error.message));
      },
      { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 },
    );
  });
}
