"""The HTTP API of http-api.md, the live stream and the pages, on Starlette."""
