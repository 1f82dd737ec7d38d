// Calls to the Questline HTTP API: JSON in and out, bearer tokens, errors as ApiError.

export class ApiError extends Error {
  constructor(status, code, message, details, retryAfter) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** A random key so that retrying the same request never does it twice. */
export function idempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * fetch() one API route. Options: method, token, json (a value to send as JSON),
 * body (sent as is, e.g. FormData or YAML text), contentType, idempotent (adds a key),
 * as: "json" (default) | "blob".
 */
export async function api(path, options = {}) {
  const headers = { Accept: options.as === "blob" ? "*/*" : "application/json" };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.idempotent) headers["Idempotency-Key"] = idempotencyKey();
  let body = options.body;
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.json);
  } else if (options.contentType) {
    headers["Content-Type"] = options.contentType;
  }
  let response;
  try {
    response = await fetch(path, { method: options.method || "GET", headers, body });
  } catch (error) {
    throw new ApiError(0, "network", "The server cannot be reached. Check your connection and try again.");
  }
  if (!response.ok) {
    let error = {};
    try {
      error = (await response.json()).error || {};
    } catch {
      /* not JSON: keep the status line */
    }
    const retry = Number.parseInt(response.headers.get("Retry-After") || "", 10);
    throw new ApiError(
      response.status,
      error.code || "http_error",
      error.message || `The server answered ${response.status} ${response.statusText}`,
      error.details,
      Number.isFinite(retry) ? retry : undefined,
    );
  }
  if (options.as === "blob") return response.blob();
  if (response.status === 204) return null;
  return response.json();
}
