"""kg.scan: trying a pattern only where its windows allow must find exactly what the regex engine finds."""

from __future__ import annotations

import random
import re

import pytest

from kg import scan
from kg.bodies import _matcher
from kg.citations import NUMBER
from kg.named import TYPE_WORD
from kg.normalize import fold

# each exercises a part of the reading: classes and categories, negation, repeats, branches, look-arounds
PATTERNS = [
    r"ab",
    r"(?<![a-z])(?:bo|ban|so)\s+(?:tai|noi) (?:chinh|vu)(?![a-z])",
    r"\d(?<![\w/\-.,]\d)\d{0,5}[ ]{0,2}/[ ]{0,2}(?:19|20)\d{2}",  # a two-character look-behind after the digit
    r"[a-zé](?<![0-9]a)x",  # a negative look-behind over two characters, the last one read
    r"(?<= )\d{1,3}(?!\d)",  # a positive look-behind before the match
    r"\d(?<= \d)(?:(?<=[^a-z]so \d)|(?<=[^a-z]dinh \d))\d{0,5}",  # look-behinds reaching past the window
    r"(?<![^\s(])[A-Za-z]\w{2,}",  # a negated class in a look-behind
    r"[^a-z\s]{2}[a-z]",
    r"x[^y]z|q.{1,3}w",
    r"(?:ke|ko)+ hoach",
    r"a{3,}|b{2}c*?d",
    r"\bchinh\b|^muc|tiet$",
    r"(?:s[o0]|s6)\s*[:.]?\s*\d+",
    r"(?>ab|a)c",  # an atomic group
    r"[\u0300-\u036f]a|é|😀x",  # characters outside the window alphabet
    r"\n[ ]*[-+]",
]


def _spans(ms) -> list[tuple[int, int, str | None]]:
    return [(m.start(), m.end(), m.lastgroup) for m in ms]


def _random_text(rng: random.Random, n: int) -> str:
    pieces = ["bo", "tai", "chinh", "so", " ", " ", "  ", "\n", "-", "/", ".", ",", "(", "1", "20", "2015", "ab",
              "c", "ke", "ko", " hoach", "dinh", "noi", "vu", "x", "yz", "q", "w", "é", "😀", "\u0301", "aaa", "bbd",
              "muc", "tiet", "s6", ":", "Ban", "_", "\t", "+", "z", "٣", "１"]  # digits outside ASCII too
    return "".join(rng.choice(pieces) for _ in range(n))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_scan_finds_what_finditer_finds_on_random_text(monkeypatch, pattern):
    monkeypatch.setattr(scan, "_SMALL", 0)
    rx = re.compile(pattern)
    assert scan.starts(rx, "some text to scan") is not None  # read, not left to the plain path
    rng = random.Random(len(pattern))
    for _ in range(300):
        s = _random_text(rng, rng.randrange(0, 60))
        pos = rng.randrange(len(s) + 1)
        end = rng.randrange(pos, len(s) + 1)
        assert _spans(scan.finditer(rx, s, pos, end)) == _spans(rx.finditer(s, pos, end)), (pattern, s, pos, end)
        assert _spans(scan.finditer(rx, s)) == _spans(rx.finditer(s))


def test_the_extraction_patterns_find_the_same_on_the_corpus(corpus):
    patterns = [_matcher(True).regex, TYPE_WORD, NUMBER]
    rng = random.Random(11)
    found = [0] * len(patterns)
    for doc in corpus[:80]:
        f = fold(doc["text"])
        if len(f) < scan._SMALL:
            continue
        for i, rx in enumerate(patterns):
            want = _spans(rx.finditer(f))
            assert _spans(scan.finditer(rx, f)) == want
            found[i] += len(want)
            # a range that starts and ends inside words, as a document of a multi-document file does
            s = rng.randrange(len(f))
            e = rng.randrange(s, len(f) + 1)
            assert _spans(scan.finditer(rx, f, s, e)) == _spans(rx.finditer(f, s, e))
    assert all(n > 100 for n in found)


def test_the_windows_do_filter(corpus):
    # the point of the scan: far fewer tries than positions (or than digits, for the document numbers)
    f = fold(max((d["text"] for d in corpus[:40]), key=len))
    for rx, most in [(_matcher(True).regex, 0.05), (TYPE_WORD, 0.02), (NUMBER, 0.01)]:
        starts = scan.starts(rx, f)
        assert starts is not None and len(starts) < most * len(f)


def test_long_texts_are_scanned_in_blocks(monkeypatch, corpus):
    monkeypatch.setattr(scan, "_CHUNK", 997)  # block edges fall inside words and numbers
    f = fold(corpus[0]["text"] + corpus[1]["text"])
    for rx in (_matcher(True).regex, NUMBER, re.compile(PATTERNS[2])):
        assert _spans(scan.finditer(rx, f)) == _spans(rx.finditer(f))


def test_patterns_beyond_the_reading_are_scanned_plainly(monkeypatch):
    monkeypatch.setattr(scan, "_SMALL", 0)
    s = "abab xx Chinh chinh 12 12"
    for pattern in [r"(ab)\1", r"(?i)chinh", r"x*", r"(?:a|)", r"(\d+) \1", r"(a)?(?(1)b|c)"]:
        rx = re.compile(pattern)
        assert scan.starts(rx, s) is None  # a back-reference, no case, or a match of nothing
        assert _spans(scan.finditer(rx, s)) == _spans(rx.finditer(s))


def test_a_second_text_does_not_reuse_the_first_ones_starts(monkeypatch):
    monkeypatch.setattr(scan, "_SMALL", 0)
    rx = re.compile(r"(?<![a-z])so \d+")
    a, b = "so 1 va so 2", "khong co so nao, chi so 3"
    assert [m.group() for m in scan.finditer(rx, a)] == ["so 1", "so 2"]
    assert [m.group() for m in scan.finditer(rx, b)] == ["so 3"]
    assert [m.group() for m in scan.finditer(rx, a)] == ["so 1", "so 2"]
