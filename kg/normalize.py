"""Normalised text: an accent-, case- and OCR-folded view of a text whose offsets map back to the original.

Patterns run over the folded view (``Nghi dinh`` and ``Nghị định`` look the same there); every match is
reported with offsets into the original text. The folding is one character for one character wherever the
input allows it, so the offset map is the identity for ordinary NFC text; only combining marks (decomposed
input, Windows-1258 output) are dropped, and then an index array maps folded positions back.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

# đ/Đ do not decompose under NFD, so they are folded explicitly; Ð (eth) is what some PDFs use for Đ.
_EXPLICIT = {
    "đ": "d", "Đ": "d", "Ð": "d", "ð": "d",
    # dashes and quotes that OCR and word processors scatter through numbers and titles
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u00ad": "-",
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u200b": " ", "\u3000": " ",
    # OCR artefacts standing for accented vowels ("v€" = về, "h¢" = hệ, "S¢" = Sở): fold to a vowel so
    # the surrounding word still matches; the original characters stay in the surface form.
    "€": "e", "¢": "o", "©": "o", "®": "o", "£": "e",
    # ligatures that OCR emits inside words ("ngﬁng" = nâng): one character for one keeps offsets simple
    "\ufb01": "i", "\ufb02": "l", "\ufb00": "f",
}


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    ranges = [(0x00C0, 0x0250), (0x1E00, 0x1F00)]
    for lo, hi in ranges:
        for cp in range(lo, hi):
            ch = chr(cp)
            base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
            if len(base) == 1 and base != ch:
                table[cp] = base
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp).lower()
    for ch, rep in _EXPLICIT.items():
        table[ord(ch)] = rep
    return table


FOLD_TABLE = _build_table()
# str.translate is about twice as fast with a sequence indexed by code point than with a dict; characters past
# the BMP raise IndexError, which translate treats as "unchanged".
_FOLD_SEQ = [chr(i) for i in range(0x10000)]
for _cp, _rep in FOLD_TABLE.items():
    _FOLD_SEQ[_cp] = _rep
_COMBINING = re.compile(r"[\u0300-\u036f\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Fold accents, case, đ and OCR look-alikes; same length as ``text`` unless it has combining marks."""
    return _COMBINING.sub("", text).translate(_FOLD_SEQ)


def fold_key(text: str) -> str:
    """A lookup form for keys and names: folded, spaces around / and - removed, runs of space collapsed."""
    s = fold(unicodedata.normalize("NFC", text or ""))
    s = re.sub(r"\s*([/\-])\s*", r"\1", s)
    return re.sub(r"\s+", " ", s).strip(" .,;:")


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass
class Text:
    """A text with its folded view and line index.

    ``folded`` has the same length as ``original`` unless the original holds combining marks; ``to_orig``
    turns folded offsets into original ones in either case.
    """

    original: str
    folded: str = field(init=False)
    _map: list[int] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if _COMBINING.search(self.original):
            kept = [i for i, ch in enumerate(self.original) if not _COMBINING.match(ch)]
            self.folded = "".join(self.original[i] for i in kept).translate(_FOLD_SEQ)
            self._map = kept + [len(self.original)]
        else:
            self.folded = self.original.translate(_FOLD_SEQ)

    def to_orig(self, i: int) -> int:
        """Original offset of folded offset ``i`` (``i == len(folded)`` maps to the end)."""
        if self._map is None:
            return i
        return self._map[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of a folded span; the end stays exclusive."""
        if self._map is None:
            return start, end
        if end <= start:
            s = self._map[start]
            return s, s
        return self._map[start], self._map[end - 1] + 1

    def span_folded(self, start: int, end: int) -> tuple[int, int]:
        """Folded (start, end) of an original span."""
        if self._map is None:
            return start, end
        from bisect import bisect_left

        return bisect_left(self._map, start), bisect_left(self._map, end)

    def surface(self, start: int, end: int) -> str:
        """The original characters of a folded span."""
        s, e = self.span(start, end)
        return self.original[s:e]

    @cached_property
    def line_starts(self) -> list[int]:
        """Original offsets at which each line starts."""
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", self.original))
        return starts

    def line_of(self, orig_offset: int) -> int:
        """1-based line number of an original offset."""
        return bisect_right(self.line_starts, orig_offset)

    def line_text(self, line: int) -> str:
        """The original text of a 1-based line, without its newline."""
        starts = self.line_starts
        s = starts[line - 1]
        e = starts[line] - 1 if line < len(starts) else len(self.original)
        return self.original[s:e]

    def folded_line_starts(self) -> list[int]:
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", self.folded))
        return starts


_SPACE_RUN = re.compile(r"\s+")


def clean_surface(s: str) -> str:
    """A surface form as one line of text (for names and titles built from several lines)."""
    return _SPACE_RUN.sub(" ", s).strip()
