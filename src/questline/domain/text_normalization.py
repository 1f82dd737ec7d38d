"""The text-answer normalization of the hunt format, exactly as written.

NFKD, case-fold, drop the combining marks that follow a Latin, Greek or
Cyrillic base letter, then keep only letters, marks and decimal digits.
"""

import unicodedata
from functools import lru_cache

MAX_ANSWER_CODE_POINTS = 1000

_ACCENTED_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


@lru_cache(maxsize=4096)
def _is_accented_script_letter(char: str) -> bool:
    if not unicodedata.category(char).startswith("L"):
        return False
    return unicodedata.name(char, "").startswith(_ACCENTED_SCRIPTS)


# For ASCII text NFKD changes nothing, case folding is lowercasing and there are
# no combining marks: dropping every non-alphanumeric character is the whole rule.
_ASCII_DROP = str.maketrans({chr(c): None for c in range(128) if not chr(c).isalnum()})


def normalize_answer(text: str) -> str:
    if text.isascii():
        return text.lower().translate(_ASCII_DROP)
    decomposed = unicodedata.normalize("NFKD", text).casefold()
    # Case folding can itself produce decomposable characters; decompose again.
    decomposed = unicodedata.normalize("NFKD", decomposed)
    kept: list[str] = []
    base_drops_marks = False
    for char in decomposed:
        category = unicodedata.category(char)
        if category.startswith("M"):
            if not base_drops_marks:
                kept.append(char)
            continue
        base_drops_marks = _is_accented_script_letter(char)
        if category.startswith("L") or category == "Nd":
            kept.append(char)
    return "".join(kept)
