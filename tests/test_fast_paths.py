"""The folded view and the line-start search: the fast paths must give exactly what the plain ones give."""

from __future__ import annotations

import re
import unicodedata

import pytest

from kg.documents import _HEADER_NO
from kg.normalize import _FOLD_SEQ, _LONG, LineHeads, Text, fold

BODIES = [
    _HEADER_NO,
    r"[ *_#\divxl.)-]*(?:m\S{1,2}c\s+(?:d\S{1,2}ch|ti\S{1,2}u)|ph\S{1,3}ng\s+h\S{1,3}ng)\b",
    r"[ *_#]*(?:[ivxl]+|\d+)[.)]?[ ]+\S|[ *_#]*(?:y\S{1,2}u\s+c\S{1,2}u|nhi\S{1,2}m\s+v)",  # top-level alternation
    r"[ *_#]*(?=th\S{0,2}c\s+hi\S{1,3}n|tri\S{0,2}n\s+kh\S{1,2}i)",  # may match the empty string
    r"\s*",  # empty at every line start, and runs over several lines
    r"[^\n]*\n?",  # consumes its newline: the next line start is where it ended
]


def _spans(ms) -> list[tuple[int, int, tuple]]:
    return [(m.start(), m.end(), m.groups()) for m in ms]


@pytest.mark.parametrize("body", BODIES)
def test_line_heads_finds_what_multiline_caret_finds(corpus, body):
    plain = re.compile("(?m)^(?:" + body + ")")
    fast = LineHeads(body)
    for doc in corpus[:80]:
        f = fold(doc["text"])
        assert _spans(fast.finditer(f)) == _spans(plain.finditer(f))
        # inside a range starting mid-line and ending mid-line, as documents of a multi-document file do
        s, e = len(f) // 3 + 7, 2 * len(f) // 3 + 3
        assert _spans(fast.finditer(f, s, e)) == _spans(plain.finditer(f, s, e))
        assert _spans(fast.finditer(f[s:e])) == _spans(plain.finditer(f[s:e]))
        got, want = fast.search(f, s, e), plain.search(f, s, e)
        assert (got and got.span()) == (want and want.span())


def test_line_heads_edge_cases():
    for body in BODIES:
        plain, fast = re.compile("(?m)^(?:" + body + ")"), LineHeads(body)
        for s in ["", "\n", "\n\n", "so: 12/qd-ttg", "x\nso 5/ab-cd\n", "\n\n   \nmuc dich\n"]:
            for a in range(len(s) + 1):
                assert _spans(fast.finditer(s, a)) == _spans(plain.finditer(s, a)), (body, s, a)


def test_long_texts_fold_like_short_ones(corpus):
    # long texts go through numpy, short ones through str.translate: both must agree character for character
    texts = [d["text"] for d in corpus[:40]]
    texts += [line for t in texts[:5] for line in t.splitlines() if line]  # short ones too
    assert any(len(t) >= _LONG for t in texts) and any(len(t) < _LONG for t in texts)
    for t in texts:
        assert Text(t).folded == t.translate(_FOLD_SEQ) == fold(t)
    odd = ("Nghị định số 72/2015/NĐ-CP – “Về” ﬁ 𝐀𝐁 😀 Ð ÷ × " * 200)  # astral characters stay as they are
    assert len(odd) > _LONG
    assert Text(odd).folded == odd.translate(_FOLD_SEQ)
    assert "😀" in Text(odd).folded and "nghi dinh so 72/2015/nd-cp - \"ve\" i" in Text(odd).folded


def test_decomposed_long_text_maps_offsets_back():
    nfc = "Quyết định số 1486/QĐ-TTg của Thủ tướng Chính phủ. " * 100
    nfd = unicodedata.normalize("NFD", nfc)
    assert len(nfd) > len(nfc) > _LONG
    t = Text(nfd)
    assert t.folded == fold(nfc)
    i = t.folded.index("1486/qd-ttg")
    s, e = t.span(i, i + len("1486/qd-ttg"))
    assert unicodedata.normalize("NFC", nfd[s:e]) == "1486/QĐ-TTg"


def test_clauses_around_mentions_are_the_clauses_of_the_whole_text(corpus):
    import random

    from kg.relations import clauses, clauses_holding

    rng = random.Random(5)
    for doc in corpus[:60]:
        f = fold(doc["text"])
        s, e = (0, len(f)) if rng.random() < 0.5 else (len(f) // 4, 3 * len(f) // 4)
        words = [m.start() for m in re.finditer(r"(?<![a-z0-9])[a-z0-9]", f)]
        for k in (1, 5, 40):
            pos = sorted(rng.sample(words, min(k, len(words))))
            want = [(cs, ce) for cs, ce in clauses(f, s, e) if any(cs <= p < ce for p in pos)]
            assert list(clauses_holding(f, s, e, pos)) == want


def test_type_words_are_what_a_word_start_pattern_finds(corpus):
    # the scan tests the word start in Python and reads the type from a marker group; the plain pattern
    # says both in the regex: a look-behind, and one group per type
    from kg.named import NAMED_TYPES, type_words

    plain = re.compile(r"(?<![a-z])(?:" + "|".join(f"(?P<t{i}>{p})" for i, (_, p, _, _) in enumerate(NAMED_TYPES))
                       + r")(?![a-z])")
    seen = set()
    for doc in corpus[:120]:
        f = fold(doc["text"])
        want = [(m.start(), m.end(), int(m.lastgroup[1:])) for m in plain.finditer(f)]
        assert list(type_words(f)) == want
        seen.update(i for _, _, i in want)
    assert len(seen) >= 8  # most types occur, including the ones split by first letter ("[dp]e an")


def test_short_form_pattern_with_its_space_test_first(corpus):
    from kg.citations import _AFTER, SHORT

    plain = re.compile(r"(?P<num>\d(?:" + "|".join(f"(?<=[^a-z]{re.escape(w)} \\d)" for w in _AFTER) + r")"
                       r"\d{0,5})(?![\w/]|-[a-z]|[ ]?/[ ]?\d|[.,]\d)")
    total = 0
    for doc in corpus:
        f = fold(doc["text"])
        want = [m.span() for m in plain.finditer(f)]
        assert [m.span() for m in SHORT.finditer(f)] == want
        total += len(want)
    assert total > 1000


def test_clean_text_test_counts_like_a_character_class(corpus):
    from kg.bodies import _COMPLEX_VOWELS, is_clean

    cls = re.compile(f"[{_COMPLEX_VOWELS}]")
    verdicts = set()
    for doc in corpus[:100] + [{"text": unicodedata.normalize("NFD", corpus[0]["text"])}]:
        t = Text(doc["text"])
        if len(t.original) < 1000:
            continue
        sample = t.original[:50_000]
        want = len(cls.findall(sample)) > 0.06 * len(sample)
        assert is_clean(t) == want
        verdicts.add(want)
    assert verdicts == {True, False}  # the decomposed copy has no precomposed vowels left
