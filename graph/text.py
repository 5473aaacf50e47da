"""Folding text for matching names: case and accents away, the marks of scripts such as Khmer kept.

Shared by the search (``graph.read.search``) and the drafter (``graph.build.draft``), so that a
name in Khmer or Hangul is found and linked the same way in both.
"""

from __future__ import annotations

import re
import sys
import unicodedata

__all__ = ["MARKS", "bare", "is_word_char"]

# Accents of Latin, Greek and Cyrillic letters are folded away; the marks of other scripts
# (Khmer vowel signs and its coeng; Hangul has none after NFKD) are part of their words.
_ACCENTS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Zero-width spaces and joiners: Khmer text puts them between words at will.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))

#: Every combining mark (Unicode categories Mn, Mc, Me), for a regular-expression class.
MARKS = "".join(
    re.escape(chr(c))
    for c in range(0x300, sys.maxunicode + 1)
    if unicodedata.category(chr(c))[0] == "M"
)


def bare(text: str) -> str:
    """The text decomposed (NFKD), without accents and invisible joiners, in lower case.

    Examples:
        >>> bare("Lê Văn"), bare("ហេង\u200bសួរ") == "ហេងសួរ"
        ('le van', True)
    """
    decomposed = unicodedata.normalize("NFKD", text).translate(_INVISIBLE)
    return _ACCENTS.sub("", decomposed).casefold()


def is_word_char(c: str) -> bool:
    """Whether a character is part of a word: a letter, a digit or a combining mark.

    Examples:
        >>> [is_word_char(c) for c in "a1 េ-"]
        [True, True, False, True, False]
    """
    return c.isalnum() or unicodedata.category(c)[0] == "M"
