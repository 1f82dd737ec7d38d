"""Routes serving the web pages and their static files (no build step: files as they are)."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from questline.http.routes import stats
from questline.web.first_solves import first_solves

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


async def board_page(request: Request) -> Response:
    return _page("board.html")


async def organize_page(request: Request) -> Response:
    return _page("organize.html")


async def ops_page(request: Request) -> Response:
    return _page("ops.html")


WEB_ROUTES: list[BaseRoute] = [
    Route("/api/hunts/{hunt}/stats", stats.clue_stats, methods=["GET"]),
    Route("/api/hunts/{hunt}/first-solves", first_solves, methods=["GET"]),
    Route("/", index_page, methods=["GET"]),
    Route("/play/{hunt}", play_page, methods=["GET"]),
    Route("/board/{hunt}", board_page, methods=["GET"]),
    Route("/organize", organize_page, methods=["GET"]),
    Route("/ops", ops_page, methods=["GET"]),
    Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
]
