"""The folded view and the line-start search: the fast paths must give exactly what the plain ones give."""

from __future__ import annotations

import random
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


def test_long_decomposed_texts_fold_and_map_like_short_ones(corpus):
    # long texts with combining marks go through arrays: the same folded text and offset map as the loop
    from kg.normalize import _COMBINING, _translate

    for doc in corpus[:6]:
        nfd = unicodedata.normalize("NFD", doc["text"])
        assert len(nfd) >= _LONG
        t = Text(nfd)
        kept = [i for i, ch in enumerate(nfd) if not _COMBINING.match(ch)]
        assert t.folded == _translate("".join(nfd[i] for i in kept))
        assert list(t._map) == kept + [len(nfd)]
        i = len(t.folded) // 2
        assert t.span(i, i + 5) == (kept[i], kept[i + 4] + 1) and t.span_folded(*t.span(i, i + 5)) == (i, i + 5)


def test_clauses_around_mentions_are_the_clauses_of_the_whole_text(corpus):

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
    # type_words scans through kg.scan and reads the type from an empty group after it; the plain pattern
    # groups each type and is run by the regex engine over the whole text
    from kg.named import NAMED_TYPES, type_words

    plain = re.compile(r"(?<![a-z])(?:" + "|".join(f"(?P<t{i}>{p})" for i, (_, p, _, _) in enumerate(NAMED_TYPES))
                       + r")(?![a-z])")
    seen = set()
    for doc in corpus[:120]:
        f = fold(doc["text"])
        want = [(m.start(), m.end(), int(m.lastgroup[1:])) for m in plain.finditer(f)]
        assert list(type_words(f)) == want
        seen.update(i for _, _, i in want)
    assert len(seen) >= 8  # most types occur


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


def test_short_forms_are_found_where_their_numbers_stand(corpus):
    # _short_matches looks only where " " and a wanted number stand; the plain way runs SHORT over the text
    from kg.citations import SHORT, _short_matches

    rng = random.Random(2)
    total = 0
    for doc in corpus[:100]:
        f = fold(doc["text"])
        every = [m for m in SHORT.finditer(f)]
        numbers = {m.group("num") for m in rng.sample(every, min(6, len(every)))} | {"1", "2015", "x7"}
        want = [m.span() for m in every if m.group("num") in numbers]
        assert [m.span() for m in _short_matches(f, numbers)] == want
        total += len(want)
    assert total > 500


def _plain_best_path(tokens):
    # the Viterbi as first written: every state carries its whole path, and max() compares (score, path),
    # with None (a token with no options) before any syllable
    import math

    from kg.lexicon import _DIGIT_LETTERS, _EDIT_COST, _UNIGRAM_WEIGHT, _lexicon, _options

    _, counts, _, _, pairs = _lexicon()
    prev_states = {None: (0.0, [])}
    for tok in tokens:
        opts = _options(tok) if tok else ()
        states = {}
        if not opts:
            score, path = max(prev_states.values(), key=lambda v: v[0])
            states[None] = (score, path + [None])
        for i, o in enumerate(opts):
            exact = i == 0 and o == re.sub(r"[^a-z]", "", (tok or "").translate(_DIGIT_LETTERS))
            base = _UNIGRAM_WEIGHT * math.log(counts[o]) - (0.0 if exact else _EDIT_COST)
            cand = max(
                (ps + base + (math.log(pairs.get((p, o), 0) + 0.5) if p is not None else 0.0), ["" if x is None else x for x in pp], pp)
                for p, (ps, pp) in prev_states.items()
            )
            states[o] = (cand[0], cand[2] + [o])
        prev_states = states
    return max(prev_states.values(), key=lambda v: v[0])[1]


def test_viterbi_with_back_pointers_finds_the_plain_paths(corpus):
    from test_extract import degrade

    from kg.lexicon import _best_path

    rng = random.Random(4)
    checked = 0
    for doc in corpus[:25]:
        words = [fold(w) for w in degrade(doc["text"][:6000], rng).split()]
        for s in range(0, len(words), 40):
            tokens = [None if not w.isalpha() or rng.random() < 0.05 else w for w in words[s : s + rng.randrange(1, 60)]]
            assert _best_path(tokens) == _plain_best_path(tokens)
            checked += len(tokens)
    # equal scores, where the path decides: the same token twice offers the same options with the same scores
    for w in ["chinh", "phu", "tinh", "uy", "ban", "nhan", "dan"]:
        assert _best_path([w, w, None, w]) == _plain_best_path([w, w, None, w])
    assert checked > 2000


def test_viterbi_ties_go_to_the_same_path(monkeypatch):
    # a lexicon of syllables seen equally often: most scores tie and the paths decide
    from kg import lexicon

    table = ({}, {"ba": 2, "ca": 2, "da": 2, "ga": 2, "bo": 3}, {}, set(), {("ba", "ca"): 1, ("ca", "ba"): 1, ("bo", "da"): 4})
    monkeypatch.setattr(lexicon, "_lexicon", lambda: table)
    lexicon._options.cache_clear()  # both read the lexicon; cleared again on the way out
    lexicon._bonus_before.cache_clear()
    rng = random.Random(6)
    try:
        for _ in range(300):
            tokens = [rng.choice(["ga", "ba", "xa", "bo", "ca", None]) for _ in range(rng.randrange(1, 12))]
            assert lexicon._best_path(tokens) == _plain_best_path(tokens), tokens
    finally:
        lexicon._options.cache_clear()
        lexicon._bonus_before.cache_clear()
