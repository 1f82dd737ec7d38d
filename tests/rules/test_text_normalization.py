"""The text normalization of hunt-format.md, step by step.

Expectations are written out by hand from the Unicode data (NFKD decompositions
noted next to each case), not taken from the code under test.
"""

import pytest

from questline.domain.replies import SubmissionReply
from questline.domain.text_normalization import normalize_answer
from tests.rules.support import play, text_clue


def test_nfkd_turns_compatibility_characters_into_their_plain_forms() -> None:
    # U+FB01 "ﬁ" -> "fi"; fullwidth "Ａ" -> "A"; U+216B "Ⅻ" -> "XII"; "²" -> "2"
    assert normalize_answer("\ufb01") == "fi"
    assert normalize_answer("ＡＢ") == "ab"
    assert normalize_answer("\u216b") == "xii"
    assert normalize_answer("x\u00b2") == "x2"


def test_case_folding_is_full_case_folding_not_lowercasing() -> None:
    # casefold: "ß" -> "ss", final sigma "ς" -> "σ"
    assert normalize_answer("Straße") == "strasse" == normalize_answer("STRASSE")
    assert normalize_answer("ΟΔΟΣ") == normalize_answer("οδος") == "οδοσ"


def test_latin_accents_are_dropped() -> None:
    # "é" = e + U+0301; "ñ" = n + U+0303; "Å" = A + U+030A
    assert normalize_answer("Café") == "cafe"
    assert normalize_answer("Ñandú") == "nandu"
    assert normalize_answer("Ångström") == "angstrom"


def test_vietnamese_stacked_marks_on_a_latin_base_are_all_dropped() -> None:
    # "ệ" = e + U+0323 DOT BELOW + U+0302 CIRCUMFLEX: a combining sequence with two marks
    assert normalize_answer("ệ") == "e"
    assert normalize_answer("Tiếng Việt") == "tiengviet"


def test_greek_accents_are_dropped() -> None:
    # "ά" = α + U+0301; "Ἀ" = Α + U+0313 PSILI
    assert normalize_answer("ά") == "α"
    assert normalize_answer("Ἀθῆναι") == "αθηναι"


def test_cyrillic_marks_are_dropped_even_where_they_make_a_distinct_letter() -> None:
    """NFKD splits "й" into и + U+0306 BREVE and "ё" into е + U+0308, so by the
    spec's letter they lose the mark: "й" normalizes to "и" and "Ёж" to "еж"."""
    assert normalize_answer("й") == "и"
    assert normalize_answer("Ёж") == "еж"
    assert normalize_answer("Чайка") == "чаика"


def test_devanagari_vowel_signs_and_virama_are_kept() -> None:
    # "कि" = KA + U+093F VOWEL SIGN I (Mc); "क्ष" = KA + U+094D VIRAMA (Mn) + SSA
    assert normalize_answer("कि") == "\u0915\u093f"
    assert normalize_answer("क्ष") == "\u0915\u094d\u0937"
    assert normalize_answer("नमस्ते") == "नमस्ते"
    assert normalize_answer("नमस्ते") != normalize_answer("नमसत")


def test_marks_follow_their_own_base_not_the_previous_one() -> None:
    # Latin "é" then Devanagari "कि": the acute goes, the vowel sign stays.
    assert normalize_answer("éकि") == "e\u0915\u093f"
    # A mark with no base at all is kept (it is a mark), the space before it is removed.
    assert normalize_answer(" \u0301a") == "\u0301a"


def test_characters_other_than_letters_marks_and_decimal_digits_are_removed() -> None:
    # Punctuation, spaces, symbols (So, Sm), and the non-decimal number "Ⅻ" is a letter
    # after NFKD; "½" -> "1⁄2" where U+2044 FRACTION SLASH (Sm) goes.
    assert normalize_answer("  Lighthouse  Keeper! ") == "lighthousekeeper"
    assert normalize_answer("a-b_c.d/e+f=g😀h") == "abcdefgh"
    assert normalize_answer("½") == "12"
    assert normalize_answer("٣٤") == "٣٤"  # Arabic-Indic digits are Nd and stay


def test_non_latin_scripts_without_marks_pass_through_case_folded() -> None:
    assert normalize_answer("東京タワー") == "東京タワー"  # U+30FC "ー" is a letter (Lm)
    assert normalize_answer("Москва") == "москва"


@pytest.mark.parametrize(
    ("accepted", "given"),
    [("Tiếng Việt", "TIENG-VIET"), ("Ἀθῆναι", "ΑΘΗΝΑΙ"), ("Чайка", "чаика"), ("नमस्ते", "नमस्ते!")],
)
def test_submissions_match_accept_entries_under_the_same_normalization(
    accepted: str, given: str
) -> None:
    hunt = play(text_clue("c", accepted))
    team = hunt.register("Otters")
    reply = hunt.text(team, "c", given)
    assert isinstance(reply, SubmissionReply) and reply.result == "correct"


def test_devanagari_without_its_vowel_sign_does_not_match() -> None:
    hunt = play(text_clue("c", "कि"))
    team = hunt.register("Otters")
    reply = hunt.text(team, "c", "क")
    assert isinstance(reply, SubmissionReply) and reply.result == "incorrect"
