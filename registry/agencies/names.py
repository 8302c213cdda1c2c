"""Forms of an organisation's name that search uses: normalised, pinyin and initials."""

import unicodedata

from pypinyin import Style, lazy_pinyin

# Brackets, quotes and separators that people type in many forms (全角 and half-width).
PUNCTUATION = "（）()【】[]《》<>“”\"'‘’·•,，.。、;；:：!！?？-—_/\\ \t"


def normalise_name(name: str) -> str:
    """NFKC (full-width letters and digits become half-width), lower case, no punctuation."""
    folded = unicodedata.normalize("NFKC", name or "").lower()
    return "".join(char for char in folded if char not in PUNCTUATION)


def pinyin_of(name: str) -> str:
    """Pinyin syllables without tones, run together: 江阴环评 -> jiangyinhuanping."""
    return "".join(lazy_pinyin(normalise_name(name), errors="default"))


def initials_of(name: str) -> str:
    """First letters of each syllable: 江阴环评 -> jyhp (letters and digits kept as they are)."""
    return "".join(lazy_pinyin(normalise_name(name), style=Style.FIRST_LETTER, errors="default"))
