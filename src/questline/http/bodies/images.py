"""What an organizer's image upload answers: where the image is, and the Markdown that
shows it in a clue's text."""

from questline.http.endpoint import Shape


class StoredImage(Shape):
    digest: str  # SHA-256 of the bytes, lowercase hex
    url: str  # /api/hunts/{hunt}/images/{digest}
    markdown: str  # ![](url): paste it into a clue's text
