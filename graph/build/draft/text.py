"""Source texts for drafting: checked reading, sentences and words with their character offsets."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from graph.text import MARKS, bare, is_word_char

__all__ = [
    "MAX_BYTES",
    "DraftInputError",
    "Token",
    "fold",
    "occurrences",
    "read_text",
    "sentences",
    "tokens",
]

#: The largest text the drafter reads.
MAX_BYTES = 1_000_000

#: Letters NFKD does not take apart (Đà Nẵng, Łódź, Øresund).
_LETTERS = str.maketrans({"đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss"})
# A word: letters and digits with the combining marks of scripts such as Khmer.
_W = rf"(?:[^\W_][{MARKS}]*)+"
_WORD = re.compile(rf"{_W}(?:[’'](?![sS]\b){_W})*")


class DraftInputError(ValueError):
    """A text the drafter cannot read: the message is one line for the user."""


def read_text(path: Path) -> str:
    """Read a source text to draft: a regular UTF-8 text file of at most 1 MB, not empty.

    Args:
        path: the file.

    Returns:
        The text, exactly as in the file (offsets are counted in it).

    Raises:
        DraftInputError: the file is missing, not a regular file, empty, too large, binary or
            not UTF-8.

    Examples:
        >>> import tempfile
        >>> with tempfile.NamedTemporaryFile(suffix=".txt") as f:
        ...     _ = f.write(b"\\xff\\xfe")
        ...     f.flush()
        ...     read_text(Path(f.name))
        Traceback (most recent call last):
        ...
        graph.build.draft.text.DraftInputError: ... is not UTF-8 (invalid start byte at byte 0)
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise DraftInputError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise DraftInputError(f"{path}: not a regular file")
    if info.st_size > MAX_BYTES:
        raise DraftInputError(f"{path}: {info.st_size} bytes; the limit is {MAX_BYTES} (1 MB)")
    data = path.read_bytes()
    if not data.strip():
        raise DraftInputError(f"{path}: the file is empty")
    if b"\x00" in data:
        raise DraftInputError(f"{path}: a binary file (it holds NUL bytes), not a text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DraftInputError(f"{path}: is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    if controls > max(8, len(text) // 100):
        raise DraftInputError(f"{path}: a binary file ({controls} control characters), not a text")
    if text.startswith("\ufeff"):
        raise DraftInputError(
            f"{path}: starts with a byte-order mark; save it as UTF-8 without one"
        )
    return text


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """A word or name as the drafter compares it: lower case, no accents, letters and digits
    only (so "Dong-han", "Dong han" and "Donghan" are the same).

    Examples:
        >>> fold("Yook Dong-han") == fold("YOOK dong han") == fold("yookdonghan")
        True
        >>> fold("Hà Nội"), fold("Đà Nẵng")
        ('hanoi', 'danang')
        >>> fold("ហេង សួរ") == "ហេងសួរ"  # Khmer keeps its vowel signs
        True
    """
    return "".join(c for c in bare(word.translate(_LETTERS)) if is_word_char(c))


@dataclass(frozen=True)
class Token:
    """A word of the text: its characters, offsets and folded form."""

    text: str
    start: int
    end: int
    key: str  # fold(text)

    @property
    def capitalised(self) -> bool:
        """Whether the word begins with a capital letter (or is all capitals, like KOSHA)."""
        return self.text[:1].isupper()


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """The words of ``text[start:end]`` with their offsets in ``text``; a possessive ’s is not
    part of the word before it.

    Examples:
        >>> [t.text for t in tokens("Cambodia’s Lee Jung-sik, 9,778 workers")]
        ['Cambodia', 's', 'Lee', 'Jung', 'sik', '9', '778', 'workers']
    """
    found = _WORD.finditer(text, start, len(text) if end is None else end)
    return [Token(m.group(), m.start(), m.end(), fold(m.group())) for m in found]


def occurrences(text: str, words: str) -> list[int]:
    """Where ``words`` stand in ``text`` as the build finds a quote (whole words only), so a
    drafted ``occurrence`` is the one the build picks.

    Examples:
        >>> occurrences("Cambodia and Cambodians; Cambodia.", "Cambodia")
        [0, 25]
    """
    from graph.build.models import Evidence
    from graph.build.quotes import locate

    if not words:
        return []
    return locate(text, Evidence.model_construct(quote=words, occurrence=None))[0]


def sentences(text: str) -> list[tuple[int, int]]:
    """The sentences of a text as ``(start, end)`` offsets, white space excluded.

    pysbd finds the boundaries (it keeps a quotation with its attribution); a line break
    always ends a sentence.

    Examples:
        >>> text = "Sour met Lee on March 8. “We agreed,” he said.\\nHe left."
        >>> [text[a:b] for a, b in sentences(text)]
        ['Sour met Lee on March 8.', '“We agreed,” he said.', 'He left.']
    """
    out: list[tuple[int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        chunk = para.group()
        if not chunk.strip():
            continue
        cursor = 0
        for piece in _segment(chunk):
            stripped = piece.strip()
            if not stripped:
                continue
            at = chunk.find(stripped, cursor)
            if at < 0:  # pysbd changed the text (it should not with clean=False): keep going
                continue
            cursor = at + len(stripped)
            out.append((para.start() + at, para.start() + cursor))
    return out


@lru_cache(maxsize=1)
def _segmenter() -> object:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


def _segment(chunk: str) -> list[str]:
    segmenter = _segmenter()
    return list(segmenter.segment(chunk))  # type: ignore[attr-defined]
