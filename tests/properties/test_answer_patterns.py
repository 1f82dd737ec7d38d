"""accept_regex on RE2 agrees with Python's re (the syntax the hunt format names) on
normalized answers: letters, marks and decimal digits of any script, the Perl
classes included. Python's re is the independent oracle here."""

import re

from hypothesis import given
from hypothesis import strategies as st

from questline.domain.answer_patterns import compile_pattern
from questline.domain.text_normalization import normalize_answer
from tests.properties.budget import examples

PATTERNS = [
    r"\d+",
    r"\w+",
    r"\D+",
    r"[\w]+\d",
    r"[^\d]+",
    r"[a-z]+\d{2}",
    r"(light)?house\w*",
    r"\w\W\w",
    r"[\d\s]+",
    r"pier\d+|berth\d",
    r"[]\d]+",
]

# Latin, Greek, Cyrillic and Devanagari letters and marks, Arabic-Indic and ASCII digits.
ALPHABET = st.characters(
    codec="utf-8",
    categories=("Ll", "Lu", "Lo", "Mn", "Mc", "Nd"),
    max_codepoint=0x0FFF,
)


@examples(200)
@given(st.sampled_from(PATTERNS), st.text(ALPHABET, max_size=12))
def test_re2_matches_exactly_what_python_re_matches(pattern: str, raw: str) -> None:
    answer = normalize_answer(raw)
    expected = re.fullmatch(pattern, answer) is not None
    assert compile_pattern(pattern).fullmatch(answer) is expected, (pattern, answer)
