"""A small HTTP server for processes without the API: `GET /metrics` (the same
exposition as the API's, multi-process aware) and `GET /healthz`, on a daemon thread.
Workers and projectors start it with `--metrics-port` (or QUESTLINE_METRICS_PORT)."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from questline.observability import metrics
from questline.observability.logs import get_logger

METRICS_PORT_ENV = "QUESTLINE_METRICS_PORT"

log = get_logger("questline.metrics")


class _Handler(BaseHTTPRequestHandler):
    server_version = "questline-metrics"

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            try:
                body, content_type = metrics.exposition()
            except Exception as error:  # a broken collector: say so, keep serving
                log.exception("metrics exposition failed")
                self._send(500, f"metrics failed: {error}\n".encode(), "text/plain")
                return
            self._send(200, body, content_type)
        elif path == "/healthz":
            self._send(200, b'{"status": "alive"}', "application/json")
        else:
            self._send(404, b"not found\n", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # scrapes are not news
        log.debug("metrics request", **{"http.request.line": format % args})


class MetricsServer:
    def __init__(self, port: int, host: str = "0.0.0.0") -> None:
        self._server = ThreadingHTTPServer((host, port), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="questline-metrics", daemon=True
        )

    @property
    def port(self) -> int:
        """The port it listens on (the one the kernel chose, for port 0)."""
        return int(self._server.server_address[1])

    def start(self) -> "MetricsServer":
        self._thread.start()
        log.info(
            f"metrics on port {self.port}",
            **{"event.action": "metrics-server-started", "server.port": self.port},
        )
        return self

    def close(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def serve_metrics(port: int, host: str = "0.0.0.0") -> MetricsServer:
    """Serve /metrics on `port` (0: any free port) until `close()`."""
    return MetricsServer(port, host).start()
