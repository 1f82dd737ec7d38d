// Reading the team's views, and telling whether an answer came from the copy this phone
// kept (the service worker marks those with the time it kept them).

import { ApiError } from "../lib/api.js";

/** GET a JSON route; resolves {data, savedAt} (savedAt: null when fresh from the server). */
export async function read(path, token) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { headers, cache: "no-store" });
  } catch {
    throw new ApiError(0, "network", "");
  }
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, error.code || "http_error", error.message || `HTTP ${response.status}`, error.details);
  }
  return { data: await response.json(), savedAt: response.headers.get("X-Questline-Saved-At") };
}
