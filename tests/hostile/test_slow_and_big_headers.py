"""Connections that try to hold the server (issue 12, item 5): headers too big or too
slow, bodies that stall, connections that say nothing, clients that leave mid-upload.
Each gets its status and error code (or is closed), is counted, and /healthz still
answers within 100 ms while the attack runs. Served as `questline serve` serves: the
same uvicorn options and protocol, with deadlines of one second."""

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from questline.adapters.clocks import ManualClock
from questline.http.embedded import build_embedded_node
from tests.hostile.live_server import (
    HEALTHZ_S,
    ORGANIZER_TOKEN,
    Live,
    closed_by_server,
    read_response,
    serving,
    wait_until,
)
from tests.hunt_builders import STARTS

MB = 1_000_000


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Live]:
    node = build_embedded_node(
        tmp_path / "q.db",
        clock=ManualClock(STARTS),
        organizer_token=ORGANIZER_TOKEN,
        reconcile_interval=None,
    )
    with serving(node) as served:
        yield served


def _error_code(data: bytes) -> str:
    body = json.loads(data.partition(b"\r\n\r\n")[2])
    code: str = body["error"]["code"]
    return code


def _send_forever(sock: socket.socket, head: bytes, total: int) -> None:
    """Send `head`, then `total` bytes of 'a' in 64 KB pieces, until the server stops us."""
    try:
        sock.sendall(head)
        piece = b"a" * 65536
        for _ in range(total // len(piece)):
            sock.sendall(piece)
    except OSError:  # the server closed: that is the point
        pass


def test_an_8_mb_header_gets_431_and_never_200(live: Live) -> None:
    with live.connect() as sock:
        sender = threading.Thread(
            target=_send_forever,
            args=(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: ", 8 * MB),
        )
        sender.start()
        status, data = read_response(sock, timeout=10)
        sender.join(10)
    assert status == 431, data[:200]
    assert _error_code(data) == "headers_too_large"


def test_a_40_kb_header_in_one_read_gets_431(live: Live) -> None:
    with live.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40_000 + b"\r\n\r\n")
        status, data = read_response(sock)
    assert status == 431, data[:200]
    assert _error_code(data) == "headers_too_large"


def test_a_big_head_that_ends_in_a_small_read_gets_431(live: Live) -> None:
    with live.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100_000)
        assert read_response(sock, timeout=0.3)[0] in (None, 431)  # read, not yet whole
        sock.sendall(b"\r\n\r\n")
        status, data = read_response(sock)
    assert status == 431, data[:200]


def test_a_request_behind_a_refused_head_is_not_served(live: Live) -> None:
    big = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 40_000 + b"\r\n\r\n"
    with live.connect() as sock:
        sock.sendall(big + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        status, data = read_response(sock)
        closed = closed_by_server(sock)
    assert status == 431, data[:300]
    assert closed  # and the second request never answered


def test_twenty_unfinished_5_mb_header_lines_are_cut_off_while_healthz_answers(
    live: Live,
) -> None:
    sockets = [live.connect() for _ in range(20)]
    senders = [
        threading.Thread(
            target=_send_forever, args=(s, b"GET / HTTP/1.1\r\nX-Long: ", 5 * MB), daemon=True
        )
        for s in sockets
    ]
    for sender in senders:
        sender.start()
    assert live.healthz_median() < HEALTHZ_S
    answers = [read_response(s, timeout=10) for s in sockets]
    for sender in senders:
        sender.join(10)
    for sock in sockets:
        sock.close()
    assert [status for status, _ in answers] == [431] * 20
    assert {_error_code(data) for _, data in answers} == {"headers_too_large"}
    assert (
        live.metric(
            "questline_http_errors_total",
            kind="client_error",
            status="431",
            code="headers_too_large",
        )
        >= 20
    )


def test_slow_headers_get_408_while_healthz_answers(live: Live) -> None:
    sockets = [live.connect() for _ in range(50)]
    for sock in sockets:  # a head that never ends: slowloris
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: a")
    assert live.healthz_median() < HEALTHZ_S
    answers = [read_response(sock, timeout=10) for sock in sockets]
    for sock in sockets:
        sock.close()
    assert [status for status, _ in answers] == [408] * 50
    assert {_error_code(data) for _, data in answers} == {"headers_timeout"}


def test_a_stalled_body_gets_408_and_is_counted_as_a_timeout(live: Live) -> None:
    before = live.metric(
        "questline_http_errors_total", kind="client_error", status="408", code="body_timeout"
    )
    with live.connect() as sock:
        sock.sendall(
            b"POST /api/hunts/h/teams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100\r\n\r\n" + b'{"name": "'
        )
        status, data = read_response(sock, timeout=10)
    assert status == 408, data
    assert _error_code(data) == "body_timeout"
    wait_until(
        lambda: (
            live.metric(
                "questline_http_errors_total",
                kind="client_error",
                status="408",
                code="body_timeout",
            )
            == before + 1
        ),
        10,
        "the body timeout counted once",
    )


def test_a_client_that_leaves_mid_upload_is_a_client_disconnect_not_a_500(live: Live) -> None:
    def closed() -> float:
        return live.metric(
            "questline_http_errors_total", kind="client_closed", status="499", code="client_closed"
        )

    def server_errors() -> float:
        return live.metric(
            "questline_http_errors_total", kind="server_error", status="500", code="internal_error"
        )

    before, errors_before = closed(), server_errors()
    for _ in range(5):
        with live.connect() as sock:
            sock.sendall(
                b"POST /api/hunts/h/teams HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 1000000\r\n\r\n" + b"x" * 1000
            )
    wait_until(lambda: closed() == before + 5, 10, "five client disconnects counted")
    assert server_errors() == errors_before


def test_a_connection_that_says_nothing_is_closed(live: Live) -> None:
    with live.connect() as sock:
        assert closed_by_server(sock, timeout=10)


def test_an_idle_keep_alive_connection_is_closed_after_its_answer(live: Live) -> None:
    with live.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        status, data = read_response(sock, timeout=10)
        closed = closed_by_server(sock, timeout=10)
    assert status == 200 and data.endswith(b'{"status":"alive"}')
    assert closed  # then closed by the server, idle
