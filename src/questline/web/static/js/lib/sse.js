// Server-Sent Events read with fetch(), so the request can carry an Authorization header.
// Reconnects after a drop, sending Last-Event-ID so the server resumes where it left off.

function parseBlock(block) {
  const message = { event: "message", data: "", id: null, retry: null };
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") message.event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") message.id = value;
    else if (field === "retry") message.retry = Number.parseInt(value, 10);
  }
  message.data = data.join("\n");
  return message;
}

/**
 * Follow an SSE stream. handlers: { onMessage(event, data), onStatus("live"|"reconnecting"|"stopped"),
 * onUnauthorized(status) }. Returns a function that stops following.
 */
export function followStream(url, { token, onMessage, onStatus = () => {}, onUnauthorized } = {}) {
  const controller = new AbortController();
  let lastId = null;
  let retryMs = 2000;
  let stopped = false;

  async function connectOnce() {
    const headers = { Accept: "text/event-stream" };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (lastId !== null) headers["Last-Event-ID"] = lastId;
    const response = await fetch(url, { headers, signal: controller.signal, cache: "no-store" });
    if (response.status === 401 || response.status === 403) {
      stopped = true;
      onStatus("stopped");
      if (onUnauthorized) onUnauthorized(response.status);
      return;
    }
    if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
    onStatus("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const message = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message.retry) retryMs = message.retry;
        if (message.id !== null) lastId = message.id;
        if (!message.data) continue;
        let data;
        try {
          data = JSON.parse(message.data);
        } catch {
          data = message.data;
        }
        onMessage(message.event, data);
      }
    }
  }

  (async () => {
    while (!stopped) {
      try {
        await connectOnce();
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      if (stopped) return;
      onStatus("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();

  return () => {
    stopped = true;
    controller.abort();
  };
}
