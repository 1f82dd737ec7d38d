"""Routes serving the web pages and their static files (no build step: files as they are)."""

import json
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from questline.http.request_context import hunt_row
from questline.http.routes import stats

STATIC_DIR = Path(__file__).parent / "static"

# Pages load only their own scripts, styles and images; photos are shown as blob: URLs.
_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; "
        "style-src 'self'; script-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "Cache-Control": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), geolocation=(self)",
}


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC_DIR / name, media_type="text/html", headers=_PAGE_HEADERS)


async def index_page(request: Request) -> Response:
    return _page("index.html")


async def play_page(request: Request) -> Response:
    return _page("play.html")


async def play_service_worker(request: Request) -> Response:
    """The player page's service worker, served under /play/ so that its scope covers
    every hunt's player page (a worker's scope is at most the folder it is served from)."""
    return FileResponse(
        STATIC_DIR / "js" / "play" / "sw.js",
        media_type="text/javascript",
        headers={**_PAGE_HEADERS, "Service-Worker-Allowed": "/play/"},
    )


async def play_manifest(request: Request) -> Response:
    """The web app manifest of one hunt's player page: installed, it opens that hunt."""
    hunt_id = request.path_params["hunt"]
    title = hunt_row(request, hunt_id).definition.title
    page = f"/play/{hunt_id}"
    icons = [
        {"src": f"/static/icons/play-{size}.png", "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    icons.append({"src": "/static/favicon.svg", "sizes": "any", "type": "image/svg+xml"})
    manifest = {
        "id": page,
        "name": f"{title} · Questline",
        "short_name": title if len(title) <= 12 else "Questline",
        "description": f"Play {title}: clues, answers and your score, with or without signal.",
        "start_url": page,
        "scope": "/play/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f7f9",
        "theme_color": "#102a43",
        "icons": icons,
    }
    return Response(
        json.dumps(manifest, ensure_ascii=False),
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )


async def board_page(request: Request) -> Response:
    return _page("board.html")


async def organize_page(request: Request) -> Response:
    return _page("organize.html")


async def ops_page(request: Request) -> Response:
    return _page("ops.html")


WEB_ROUTES: list[BaseRoute] = [
    Route("/api/hunts/{hunt}/stats", stats.clue_stats, methods=["GET"]),
    Route("/", index_page, methods=["GET"]),
    Route("/play/sw.js", play_service_worker, methods=["GET"]),
    Route("/play/{hunt}/manifest.webmanifest", play_manifest, methods=["GET"]),
    Route("/play/{hunt}", play_page, methods=["GET"]),
    Route("/board/{hunt}", board_page, methods=["GET"]),
    Route("/organize", organize_page, methods=["GET"]),
    Route("/ops", ops_page, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]
