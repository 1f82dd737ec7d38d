"""`accept_regex` patterns, run by RE2 so matching takes time linear in the answer.

Python's `re` backtracks: `(a+)+b` against 29 `a`s takes seconds on the writer
thread, and every hunt on the node waits (issue 12). RE2 has no backtracking, so
it cannot run backreferences or lookaround; a pattern that needs them is a
definition problem, reported with RE2's reason.

RE2's `\\d`, `\\w` and `\\s` are ASCII only, where Python's (the syntax the hunt
format names) are Unicode. A normalized answer may be Cyrillic, Greek or
Devanagari, so those classes are rewritten to the Unicode classes Python means
before RE2 compiles the pattern. A regex library computes; it does no I/O, so the
domain may use it.
"""

from typing import Any

import re2  # google-re2
from re2 import _re2

# Python's meanings: \d = Unicode decimal digits; \w = what str.isalnum() takes
# (letters and numbers) and "_"; \s = Unicode white space.
_INSIDE = {
    "d": r"\p{Nd}",
    "w": r"\p{L}\p{N}_",
    "s": r"\t\n\v\f\r\x1c-\x1f\x85\p{Z}",
    "D": r"\P{Nd}",
}
_OUTSIDE = {
    "d": r"\p{Nd}",
    "w": r"[\p{L}\p{N}_]",
    "s": r"[\t\n\v\f\r\x1c-\x1f\x85\p{Z}]",
    "D": r"\P{Nd}",
    "W": r"[^\p{L}\p{N}_]",
    "S": r"[^\t\n\v\f\r\x1c-\x1f\x85\p{Z}]",
}


class PatternError(ValueError):
    """A pattern RE2 cannot run; the message says why."""


class AnswerPattern:
    """A compiled pattern; asks RE2 only whether the whole text matches. The public
    `re2` wrapper builds a match object with decoded offsets for every match (8.5 µs
    against 1.5 µs here for `pier\\d+`); the binding of the pinned google-re2 answers
    the question alone."""

    __slots__ = ("_regexp",)

    def __init__(self, regexp: Any) -> None:
        self._regexp = regexp

    def fullmatch(self, text: str) -> bool:
        data = text.encode("utf-8", "surrogatepass")
        spans: list[tuple[int, int]] = self._regexp.Match(_BOTH, data, 0, len(data))
        return spans[0][0] != -1


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print each refused pattern to stderr
    options.never_capture = True  # only "does it match" is asked: no groups to track
    return options


_OPTIONS = _options()
_BOTH = _re2.RE2.Anchor.ANCHOR_BOTH


def compile_pattern(pattern: str) -> AnswerPattern:
    """The compiled pattern, or PatternError."""
    try:
        regexp = _re2.RE2(_unicode_classes(pattern).encode("utf-8"), _OPTIONS)
    except UnicodeEncodeError:
        raise PatternError("it holds a lone surrogate, which is not text") from None
    if not regexp.ok():
        reason = regexp.error()
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise PatternError(f"RE2 cannot run it: {reason}")
    return AnswerPattern(regexp)


def _unicode_classes(pattern: str) -> str:
    """The pattern with \\d, \\w, \\s (and their negations) in Python's Unicode meaning."""
    if "\\" not in pattern:
        return pattern
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            escaped = pattern[i + 1]
            table = _INSIDE if in_class else _OUTSIDE
            if escaped in table:
                out.append(table[escaped])
            elif in_class and escaped in "WS":
                raise PatternError(
                    f"\\{escaped} inside [...] cannot be run by RE2 with Python's Unicode"
                    f" meaning; write a negated class such as [^...] instead"
                )
            else:
                out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            out.append(char)
            i += 1
            # "[]" and "[^]" start with a literal "]": it does not close the class.
            if i < len(pattern) and pattern[i] == "^":
                out.append("^")
                i += 1
            if i < len(pattern) and pattern[i] == "]":
                out.append("]")
                i += 1
            continue
        out.append(char)
        i += 1
    return "".join(out)
