"""Normalised text: an accent-, case- and OCR-folded view of a text whose offsets map back to the original.

Patterns run over the folded view (``Nghi dinh`` and ``Nghị định`` look the same there); every match is
reported with offsets into the original text. The folding is one character for one character wherever the
input allows it, so the offset map is the identity for ordinary NFC text; only combining marks (decomposed
input, Windows-1258 output) are dropped, and then an index array maps folded positions back.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

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
_COMBINING_RANGES = ((0x0300, 0x036F), (0x1DC0, 0x1DFF), (0x20D0, 0x20FF), (0xFE20, 0xFE2F))
# str.translate costs about 25 ns a character on Vietnamese text (it boxes every code point); a whole
# document goes through numpy instead (a table lookup on its UTF-32 code units, about 6x faster). Short
# strings stay with translate, whose fixed cost is lower.
_FOLD_ARRAY = np.array([ord(c) for c in _FOLD_SEQ], dtype=np.uint32)
_LONG = 2000


def _translate(text: str) -> str:
    if len(text) < _LONG:
        return text.translate(_FOLD_SEQ)
    return _translate_codes(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32))


def _translate_codes(a: np.ndarray) -> str:
    bmp = a < 0x10000
    if bmp.all():
        return _FOLD_ARRAY[a].tobytes().decode("utf-32-le")
    out = a.copy()  # characters past the BMP are kept as they are, as translate does
    out[bmp] = _FOLD_ARRAY[a[bmp]]
    return out.tobytes().decode("utf-32-le")


def fold(text: str) -> str:
    """Fold accents, case, đ and OCR look-alikes; same length as ``text`` unless it has combining marks."""
    return _translate(_COMBINING.sub("", text))


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
    _map: Sequence[int] | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        if len(self.original) < _LONG:
            combining = _COMBINING.search(self.original) is not None
        else:
            a = np.frombuffer(self.original.encode("utf-32-le"), dtype=np.uint32)
            combining = any(((a >= lo) & (a <= hi)).any() for lo, hi in _COMBINING_RANGES)
        if combining and len(self.original) < _LONG:
            kept = [i for i, ch in enumerate(self.original) if not _COMBINING.match(ch)]
            self.folded = _translate("".join(self.original[i] for i in kept))
            self._map = kept + [len(self.original)]
        elif combining:
            # the same with arrays: a loop over every character of a long decomposed text took seconds,
            # and a list of its offsets 36 bytes each (the array holds 8)
            keep = np.ones(len(a), dtype=bool)
            for lo, hi in _COMBINING_RANGES:
                keep &= (a < lo) | (a > hi)
            kept = np.flatnonzero(keep)
            self.folded = _translate_codes(a[kept])
            self._map = array("q", np.append(kept, len(a)).astype(np.int64).tobytes())
        elif len(self.original) < _LONG:
            self.folded = self.original.translate(_FOLD_SEQ)
        else:
            self.folded = _translate_codes(a)

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
        if self._map is None:
            return self.folded_line_starts()  # folding keeps every newline where it was
        return _line_starts(self.original)

    def line_of(self, orig_offset: int) -> int:
        """1-based line number of an original offset."""
        return bisect_right(self.line_starts, orig_offset)

    def line_text(self, line: int) -> str:
        """The original text of a 1-based line, without its newline."""
        starts = self.line_starts
        s = starts[line - 1]
        e = starts[line] - 1 if line < len(starts) else len(self.original)
        return self.original[s:e]

    @cached_property
    def _folded_starts(self) -> list[int]:
        return _line_starts(self.folded)

    def folded_line_starts(self) -> list[int]:
        """Folded offsets at which each line starts."""
        return list(self._folded_starts)


def _line_starts(s: str) -> list[int]:
    # a whole document's lines are counted with numpy: a Python loop over its newlines costs more than folding it
    if len(s) < _LONG:
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", s))
        return starts
    a = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    return [0, *(np.flatnonzero(a == 10) + 1).tolist()]


_SPACE_RUN = re.compile(r"\s+")


def clean_surface(s: str) -> str:
    """A surface form as one line of text (for names and titles built from several lines)."""
    return _SPACE_RUN.sub(" ", s).strip()


class LineHeads:
    """A pattern that must start at the start of a line (what ``(?m)^...`` says), searched fast.

    ``re`` has no quick way to reach line starts: a pattern opening with ``^`` is tried at every position
    of the text. Searching for the newline first (a plain character the engine jumps to) and then
    matching the pattern after it finds the same matches, in the same order, several times faster.
    """

    def __init__(self, body: str, flags: int = 0) -> None:
        self.at = re.compile(body, re.M | flags)
        self._nl = re.compile("\n(?:" + body + ")", re.M | flags)

    def finditer(self, s: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
        """What ``re.compile("(?m)^" + body).finditer(s, start, end)`` yields."""
        end = len(s) if end is None else end
        pos = start
        if start == 0 or s[start - 1] == "\n":
            m = self.at.match(s, start, end)
            if m is not None:
                yield m
                pos = max(m.end() - 1, start)
        while pos <= end:
            n = self._nl.search(s, pos, end)
            if n is None:
                return
            m = self.at.match(s, n.start() + 1, end)
            if m is None:  # cannot happen (same pattern, same place); kept so a bug cannot loop
                return
            yield m
            pos = max(m.end() - 1, m.start())

    def search(self, s: str, start: int = 0, end: int | None = None) -> re.Match[str] | None:
        return next(self.finditer(s, start, end), None)
