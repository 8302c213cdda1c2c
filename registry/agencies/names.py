"""Forms of an organisation's name that search uses: normalised, pinyin and initials."""

import re
import unicodedata

from pypinyin import Style, lazy_pinyin, load_phrases_dict

# Brackets, quotes and separators that people type in many forms (全角 and half-width).
PUNCTUATION = "（）()【】[]《》<>“”\"'‘’·•,，.。、;；:：!！?？-—_/\\ \t"


def normalise_name(name: str) -> str:
    """NFKC (full-width letters and digits become half-width), lower case, no punctuation."""
    folded = unicodedata.normalize("NFKC", name or "").lower()
    return "".join(char for char in folded if char not in PUNCTUATION)


# A leading place name ends in one of these; pypinyin must not read across its end, or
# 江阴市长江测绘 becomes "...shi zhang jiang..." (市长, mayor) instead of "...shi chang jiang...".
PLACE_NAME = re.compile(r"^(.{1,8}?[省市县区镇])(.+)$")


# Local place names whose reading pypinyin's dictionary gets wrong on its own.
load_phrases_dict({"长泾": [["cháng"], ["jīng"]]})


def name_segments(name: str) -> list[str]:
    """The normalised name, with a leading place name split off (江阴市|长江测绘有限公司)."""
    normalised = normalise_name(name)
    match = PLACE_NAME.match(normalised)
    return [match[1], match[2]] if match else [normalised]


def spaced(normalised: str) -> str:
    """One character a word, for phrase search of short fragments: 江阴环评 -> 江 阴 环 评."""
    return " ".join(normalised)


def pinyin_of(name: str) -> str:
    """Pinyin syllables without tones, run together: 江阴环评 -> jiangyinhuanping."""
    return "".join(
        "".join(lazy_pinyin(segment, errors="default")) for segment in name_segments(name)
    )


def initials_of(name: str) -> str:
    """First letters of each syllable: 江阴环评 -> jyhp (letters and digits kept as they are)."""
    return "".join(
        "".join(lazy_pinyin(segment, style=Style.FIRST_LETTER, errors="default"))
        for segment in name_segments(name)
    )
