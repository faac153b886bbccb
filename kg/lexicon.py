"""Proper Vietnamese for names and titles read from OCR text that lost its diacritics.

A syllable lexicon learnt from clean legal text (`data/lexicon.json`: folded syllable → its usual written
form, plus the forms two-syllable contexts prefer) restores "Chién lugc phat trién" to "Chiến lược phát
triển": each OCR token is folded, repaired to the nearest known syllable when it is not one (one edit,
OCR-typical letters first), and written in its most frequent form given the syllable before it. Only
names and titles are restored; keys and offsets never depend on it.

Rebuild the table from a corpus of clean text with ``python -m kg.lexicon CORPUS.jsonl.gz``.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from functools import cache, lru_cache
from pathlib import Path

from kg.normalize import fold
from kg.tables import DATA_DIR, load_table

_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
# what OCR turns Vietnamese letters into, tried first when repairing a token
_OCR_LETTERS = "aeioudcgnhmtlrsyb"


@cache
def _lexicon() -> tuple[dict[str, str], dict[str, int], dict[tuple, str], set[str], dict[tuple[str, str], int]]:
    table = load_table("lexicon")
    uni = {k: v[0] for k, v in table["unigrams"].items()}
    counts = {k: v[1] for k, v in table["unigrams"].items()}
    bi = {tuple(k.split(" ")): v for k, v in table["bigrams"].items()}
    bi.update({("<", *k.split(" ")): v for k, v in table["before"].items()})
    forms = set(table["forms"])
    pairs = {tuple(p.split(" ")): n for p, n in table["pairs"].items()}
    return uni, counts, bi, forms, pairs


@cache
def _bonus_before() -> dict[str, dict[str, float]]:
    """For each syllable, the bonus of each other one seen right before it: log(times seen + 0.5)."""
    import math

    out: dict[str, dict[str, float]] = defaultdict(dict)
    for (p, o), n in _lexicon()[4].items():
        out[o][p] = math.log(n + 0.5)
    return dict(out)


# letter pairs OCR makes of one Vietnamese letter ("ciia", "ctia" for "của"; "phii" for "phủ")
_DIGRAPHS = [("ii", "u"), ("ti", "u"), ("li", "u"), ("rn", "m"), ("cl", "d"), ("ud", "uo"), ("tr", "u")]


def _candidates(w: str) -> set[str]:
    out = set()
    for a, b in _DIGRAPHS:
        i = w.find(a)
        while i != -1:
            out.add(w[:i] + b + w[i + len(a) :])
            i = w.find(a, i + 1)
    for i in range(len(w) + 1):
        for c in _OCR_LETTERS:
            out.add(w[:i] + c + w[i:])
            if i < len(w):
                out.add(w[:i] + c + w[i + 1 :])
        if i < len(w):
            out.add(w[:i] + w[i + 1 :])
    return out


_DIGIT_LETTERS = str.maketrans({"0": "o", "1": "l", "6": "o", "4": "a", "&": "e", "3": "a"})
_PUNCT = ".,;:()“”\"'*_[]"
_UNIGRAM_WEIGHT = 0.3  # how much a syllable's own frequency counts next to how often it follows the previous one
_EDIT_COST = 5.0  # replacing a syllable that is itself valid needs strong evidence from its neighbours


@cache
def _options(folded: str) -> tuple[str, ...]:
    """Known syllables an OCR token may stand for: itself if known, and those one edit away."""
    _, counts, *_ = _lexicon()
    w = re.sub(r"[^a-z]", "", folded.translate(_DIGIT_LETTERS))
    if not w or len(w) > 7:
        return ()
    cands = sorted((c for c in _candidates(w) if c in counts and c != w), key=lambda c: -counts[c])[:16]
    return ((w,) if w in counts else ()) + tuple(cands)


def repair(folded: str, prev: str | None = None) -> str | None:
    """The known folded syllable an OCR token stands for (given the syllable before it), or None."""
    path = _best_path([prev, folded] if prev else [folded])
    return path[-1]


def _best_path(tokens: list[str | None]) -> list[str | None]:
    """Viterbi over the options of each token: frequency, plus a bonus for every pair seen in clean text.

    Each state keeps a pointer to the state before it, not its whole path (copying paths made long OCR
    texts quadratic). Equal scores go to the greater path, compared only when they occur.
    """
    import math

    _, counts, *_ = _lexicon()
    back: list[dict[str | None, str | None]] = []  # per token: state -> the state before it

    def path(t: int, state: str | None) -> list[str | None]:
        out = []
        for ptr in reversed(back[: t + 1]):
            out.append(state)
            state = ptr[state]
        return out[::-1]

    def greater(t: int, a: str | None, b: str | None) -> bool:
        # whether the path ending in a at token t is the greater list: it differs from b's path first
        # where the two last differ going back (before that point they share their states)
        first = (a, b)
        while t >= 0 and a != b:
            first = (a, b)
            a, b = back[t][a], back[t][b]
            t -= 1
        return _state_key(first[0]) > _state_key(first[1])

    lone = math.log(0 + 0.5)  # the bonus of a pair never seen
    bonus_before = _bonus_before()
    prev: dict[str | None, float] = {None: 0.0}
    for t, tok in enumerate(tokens):
        opts = _options(tok) if tok else ()
        scores: dict[str | None, float] = {}
        ptr: dict[str | None, str | None] = {}
        if not opts:
            best = max(prev, key=prev.__getitem__)  # the first of the best, as max() gives
            scores[None], ptr[None] = prev[best], best
        ranked = sorted(prev.items(), key=lambda kv: -kv[1])
        for i, o in enumerate(opts):
            exact = i == 0 and o == re.sub(r"[^a-z]", "", (tok or "").translate(_DIGIT_LETTERS))
            base = _UNIGRAM_WEIGHT * math.log(counts[o]) - (0.0 if exact else _EDIT_COST)
            seen = bonus_before.get(o, {})
            top: float | None = None
            arg: str | None = None
            # the best previous state by (score, path), the same as a loop over all of them finds: states
            # seen before o get their own bonus; all others the same one, so of those only the best ones
            # (in order of their own score) need a look
            for p in prev.keys() & seen.keys() | ({None} if None in prev else set()):
                score = prev[p] + base + (seen[p] if p is not None else 0.0)
                if top is None or score > top or (score == top and greater(t - 1, p, arg)):
                    top, arg = score, p
            for p, ps in ranked:
                if p is None or p in seen:
                    continue
                score = ps + base + lone
                if top is not None and score < top:
                    break
                if top is None or score > top or greater(t - 1, p, arg):
                    top, arg = score, p
            scores[o], ptr[o] = top, arg  # type: ignore[assignment]
        back.append(ptr)
        prev = scores
    return path(len(tokens) - 1, max(prev, key=prev.__getitem__))


def _state_key(state: str | None) -> str:
    return "" if state is None else state


@lru_cache(maxsize=4096)  # a cited document's title comes back with every citation of it
def restore(text: str) -> str:
    """`text` with each syllable written in its usual Vietnamese form; text whose words are already valid
    written Vietnamese is returned unchanged (it was not damaged that way)."""
    uni, _, bi, forms, _ = _lexicon()
    # fast path for text that is already written Vietnamese (most of a clean corpus)
    plain = [w.strip(_PUNCT).lower() for w in text.split()]
    plain = [w for w in plain if w.isalpha()]
    if not plain:
        return text
    # written Vietnamese marks most syllables; text that marks few lost them, text with invalid
    # syllables was misread
    bare = sum(w.isascii() for w in plain)
    if sum(w in forms for w in plain) >= 0.85 * len(plain) and (bare <= 0.6 * len(plain) or len(plain) < 2):
        return text
    words = list(re.finditer(r"\S+", text))
    parts = []
    for m in words:
        lead, body, trail = re.match(r"^(\W*)(.*?)(\W*)$", m.group()).groups()
        keep = (
            not body
            or not any(ch.isalpha() for ch in body)
            or (any(ch.isdigit() for ch in body) and not re.fullmatch(r"[^\W\d_]*[0-9&][^\W\d_]*", body))
            or (body.isupper() and 1 < len(body) <= 6 and fold(body) not in uni)  # an abbreviation: UBND, TTĐN
            or "/" in body
        )
        parts.append((m, lead, body, trail, keep))
    path = _best_path([None if keep else fold(body) for _, _, body, _, keep in parts])
    out, pos = [], 0
    for i, ((m, lead, body, trail, keep), f) in enumerate(zip(parts, path, strict=True)):
        out.append(text[pos : m.start()])
        pos = m.end()
        if keep or f is None:
            out.append(m.group())
            continue
        prev = path[i - 1] if i > 0 else None
        nxt = path[i + 1] if i + 1 < len(path) else None
        if nxt is None and i + 1 < len(parts) and parts[i + 1][2][:1].isdigit():
            nxt = "<num>"
        after_form = bi.get(("<", f, nxt)) if nxt else None
        # a following number decides most ("năm 2020"); otherwise the syllable before does
        if nxt == "<num>":
            form = after_form
        else:
            form = (bi.get((prev, f)) if prev else None) or after_form
        form = form or uni.get(f, body)
        if body[0].isupper():
            form = form[0].upper() + form[1:]
        if body.isupper() and len(body) > 1:
            form = form.upper()
        out.append(lead + form + trail)
    out.append(text[pos:])
    return "".join(out)


def build(texts) -> dict:
    """The lexicon table from clean texts: folded syllable → [usual form, count]; bigram preferences."""
    forms: dict[str, Counter] = defaultdict(Counter)
    pairs: dict[tuple[str, str], Counter] = defaultdict(Counter)
    after: dict[tuple[str, str], Counter] = defaultdict(Counter)  # form of a syllable given the next one
    for text in texts:
        prev = None
        prev_f_w = ("", "")
        for m in _TOKEN.finditer(text):
            if m.group()[0].isdigit():
                if prev is not None:
                    after[prev_f_w[0], "<num>"][prev_f_w[1]] += 1
                prev = None
                continue
            w = m.group().lower()
            if len(w) > 7:
                prev = None
                continue
            f = fold(w)
            forms[f][w] += 1
            if prev is not None:
                pairs[(prev, f)][w] += 1
                after[prev_f_w[0], f][prev_f_w[1]] += 1
            prev = f
            prev_f_w = (f, w)
    unigrams = {f: [c.most_common(1)[0][0], sum(c.values())] for f, c in forms.items() if sum(c.values()) >= 3}
    written = sorted({w for c in forms.values() for w, n in c.items() if n >= 2})
    bigrams, seen = {}, {}
    for (p, f), c in pairs.items():
        if f not in unigrams or p not in unigrams:
            continue
        total = sum(c.values())
        if total >= 3:
            seen[f"{p} {f}"] = total
        form, n = c.most_common(1)[0]
        if n >= 5 and n >= 0.6 * total and form != unigrams[f][0]:
            bigrams[f"{p} {f}"] = form
    before = {}
    for (f, nxt), c in after.items():
        if f not in unigrams or (nxt not in unigrams and nxt != "<num>"):
            continue
        form, n = c.most_common(1)[0]
        if n >= 5 and n >= 0.6 * sum(c.values()) and form != unigrams[f][0]:
            before[f"{f} {nxt}"] = form
    return {
        "description": "Vietnamese syllables learnt from the clean dev corpus (kg/lexicon.py): folded form → "
        "[usual written form, count]; bigrams: 'previous current' folded → written form of current where the "
        "context prefers another than the usual one; before: 'current next' → written form of current; forms: "
        "written syllables; pairs: how often each folded syllable pair was seen. Used to restore names and titles of OCR text.",
        "examples": {"Chién lugc phat trién": "Chiến lược phát triển", "Nghi dinh": "Nghị định"},
        "unigrams": unigrams,
        "bigrams": bigrams,
        "before": before,
        "forms": written,
        "pairs": dict(sorted(seen.items())),
    }


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    with gzip.open(path, "rt", encoding="utf-8") as f:
        table = build(json.loads(line)["text"] for line in f)
    out = DATA_DIR / "lexicon.json"
    out.write_text(json.dumps(table, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{out}: {len(table['unigrams'])} syllables, {len(table['bigrams'])} context preferences")


if __name__ == "__main__":
    main(sys.argv[1:])
