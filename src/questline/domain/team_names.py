"""Team names as hunt-day.md rules them, so a name shows what it is.

A name is kept in its NFKC form, stripped, and has 1 to 64 characters. It may hold
no control, format (zero-width, bidi overrides, soft hyphen, BOM), surrogate or
unassigned character: those let `team1` and `team1` + U+200B sit side by side,
or turn a board's text around. A name of nothing but white space is empty, and so
is one of nothing but Hangul fillers: they are letters (Lo) that render as nothing.

Two names are the same name (409) when they are equal after NFKC, case folding
and removing white space (and those fillers). The fold is computed from the name a
`team_registered` event carries, by `evolve`, the same way for old and new events,
so replaying a log builds the same index it was decided with.
"""

import unicodedata

MAX_NAME = 64
# Past this many code points before normalizing, nothing can come out at 64
# (NFKC composes at most a few code points into one): refused unread.
MAX_RAW_NAME = 1000

# Hangul fillers: category Lo, yet they render as nothing (U+3164 and U+FFA0 are
# U+1160 after NFKC; all four listed so the intent reads plainly).
INVISIBLE_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")

_REFUSED = {
    "Cc": "a control character",
    "Cf": "an invisible format character (zero-width, bidi override, soft hyphen or BOM)",
    "Cs": "a lone surrogate",
    "Cn": "an unassigned code point",
}


def normalize_team_name(raw: str) -> str:
    """The form a name is stored in: NFKC, stripped."""
    return unicodedata.normalize("NFKC", raw).strip()


def team_name_problem(raw: str) -> tuple[str, str | None]:
    """(the name as it would be stored, why it cannot be a team name or None)."""
    if len(raw) > MAX_RAW_NAME:
        return raw[:MAX_NAME], f"a team name needs 1 to {MAX_NAME} characters"
    name = normalize_team_name(raw)
    for char in name:
        what = _REFUSED.get(unicodedata.category(char))
        if what is not None:
            return name, f"a team name may not hold {what} (U+{ord(char):04X})"
    if all(char.isspace() or char in INVISIBLE_FILLERS for char in name):
        return name, "a team name needs at least one visible character"
    if len(name) > MAX_NAME:
        return name, f"a team name needs 1 to {MAX_NAME} characters, not {len(name)}"
    return name, None


def fold_team_name(name: str) -> str:
    """What two names that are the same name have in common."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in INVISIBLE_FILLERS)
