"""Whole-text scans: the matches of a pattern over a long text, found by trying it only where it can start.

Python's regex engine tries a pattern at every position its first character allows. For the large
alternations that find body names, type words and document numbers that is most of a text, and those
scans took about 40% of an extraction. Here each pattern is read once (its parse tree) for what the
character before a match and its first characters may be, over a small alphabet. Two array passes over
the text then mark where it can start: a table of the allowed windows of four symbols (the one before and
three), then, at the positions left, an automaton over up to seven. The regex engine tries only those.

``finditer(pattern, s, pos, endpos)`` yields exactly what ``pattern.finditer(s, pos, endpos)`` yields
(tests/test_scan.py compares them): the reading only ever allows too much, never too little, and a
pattern it does not understand (back-references, no case, a possible empty match) is scanned as before.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]

import numpy as np

# Characters told apart in the windows; everything else is one symbol ("other"), and PAD stands for the
# positions before the start and after the end of the text.
_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789 /-\n.,&"
OTHER = len(_CHARS)
PAD = OTHER + 1
S = PAD + 1
K = 6  # characters of a match read by the automaton (after the one before it)
K1 = 3  # of those, the first ones looked up in a table at every position
_MAX_WINDOWS = 1500  # past this many windows of k characters, k is lowered (see _tables)
_ANY = (1 << (OTHER + 1)) - 1  # any character
_ANY_OR_PAD = _ANY | 1 << PAD
_SYMBOL = np.full(0x10000, OTHER, dtype=np.uint8)  # code point -> symbol; past the BMP: clipped to OTHER
_SYMBOL[[ord(c) for c in _CHARS]] = np.arange(OTHER, dtype=np.uint8)
_SMALL = 2000  # shorter texts are scanned the plain way: setting up the arrays costs more than it saves
_CHUNK = 1 << 20  # characters per block, so a 100 MB text never holds its windows all at once


class _Unsupported(Exception):
    pass


def finditer(pattern: re.Pattern, s: str, pos: int = 0, endpos: int | None = None) -> Iterator[re.Match]:
    """What ``pattern.finditer(s, pos, endpos)`` yields (for a pattern that cannot match the empty string)."""
    end = len(s) if endpos is None else max(0, min(endpos, len(s)))
    where = starts(pattern, s) if len(s) >= _SMALL else None
    if where is None:
        yield from pattern.finditer(s, pos, end)
        return
    lo, hi = np.searchsorted(where, (pos, end))
    nxt = pos
    match = pattern.match
    for c in where[lo:hi].tolist():
        if c >= nxt and (m := match(s, c, end)):
            nxt = m.end()
            yield m


_last = threading.local()


# Patterns are looked up by identity: hashing a compiled pattern hashes its whole program, which for the
# body names is longer than most texts.
_by_pattern: dict[int, tuple[re.Pattern, tuple[np.ndarray, np.ndarray, int] | None]] = {}


def starts(pattern: re.Pattern, s: str) -> np.ndarray | None:
    """The sorted positions of ``s`` where ``pattern`` may match (a superset of where it does), or None
    when the pattern is beyond this module's reading."""
    known = _by_pattern.get(id(pattern))
    if known is None or known[0] is not pattern:
        if len(_by_pattern) >= 64:
            _by_pattern.clear()
        known = _by_pattern[id(pattern)] = (pattern, _tables(pattern))
    tables = known[1]
    if tables is None:
        return None
    # one text at a time: its symbols, windows and the starts of each pattern are kept for the text last scanned
    cached = getattr(_last, "entry", None)
    if cached is None or cached[0] is not s:
        cached = (s, {}, [])
        _last.entry = cached
    found = cached[1].get(id(pattern))
    if found is None or found[0] is not pattern:
        blocks = cached[2] or [_block(s, a, min(len(s), a + _CHUNK)) for a in range(0, len(s), _CHUNK)]
        if len(s) <= _CHUNK:
            cached[2][:] = blocks
        parts = [a + _filter(tables, sym, idx) for a, sym, idx in blocks]
        found = cached[1][id(pattern)] = (pattern, np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64))
    return found[1]


def _block(s: str, a: int, b: int) -> tuple[int, np.ndarray, np.ndarray]:
    """(a, the symbols of s[a-1 : b+K], the index of each window of K1 + 1 symbols at positions a..b-1)."""
    lo, hi = max(0, a - 1), min(len(s), b + K)
    codes = np.frombuffer(s[lo:hi].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    sym = np.concatenate((np.full(1 - (a - lo), PAD, np.uint8), _SYMBOL[np.minimum(codes, 0xFFFF)],
                          np.full(K - (hi - b), PAD, np.uint8)))
    n = b - a
    idx = sym[:n].astype(np.int32)
    for j in range(1, K1 + 1):
        idx = idx * S + sym[j : n + j]
    return a, sym, idx


def _filter(tables: tuple[np.ndarray, np.ndarray, int], sym: np.ndarray, idx: np.ndarray) -> np.ndarray:
    first, dfa, k = tables
    at = np.flatnonzero(first[idx])  # the first K1 characters allow a match here
    state = np.full(len(at), 2, dtype=np.int32)
    for j in range(k + 1):  # the whole window, through the automaton (state 1 accepts, state 0 rejects)
        state = dfa[state * S + sym[at + j]]
    return at[state == 1]


def _tables(pattern: re.Pattern) -> tuple[np.ndarray, np.ndarray, int] | None:
    """The windows ``pattern`` allows: a table of the first K1 + 1 symbols, and an automaton for the first
    k + 1 (k <= K: as many characters as keep the automaton small)."""
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    try:
        windows = _read(list(_parser.parse(pattern.pattern, pattern.flags)), {(_ANY_OR_PAD,)})
    except (_Unsupported, RecursionError):
        return None
    if any(len(w) == 1 for w in windows):
        return None  # it can match the empty string: every position is a start
    first = np.zeros((S,) * (K1 + 1), dtype=bool)
    for w in _cut(windows, K1):
        w = w + (_ANY_OR_PAD,) * (K1 + 1 - len(w))  # after its end, a match allows anything
        first[np.ix_(*[_bits(m) for m in w])] = True
    # the automaton grows with the number of windows, and so does the time to build it
    k = next(k for k in range(K, K1 - 1, -1) if k == K1 or len(_cut(windows, k)) <= _MAX_WINDOWS)
    return first.reshape(-1), _automaton(_cut(windows, k)), k


def _cut(windows: set[tuple[int, ...]], k: int) -> set[tuple[int, ...]]:
    """The windows shortened to the character before and k characters of the match."""
    return {w[: k + 1] for w in windows}


def _automaton(windows: set[tuple[int, ...]]) -> np.ndarray:
    """A deterministic automaton over symbols that accepts the windows (as a flat [state * S + symbol] table).

    State 0 rejects and state 1 accepts, both for good. The others are the windows still possible after
    the symbols read so far (all windows are read in step, so the number of symbols read is implied).
    """
    wins = sorted(windows)
    ids: dict[tuple[int, frozenset[int]], int] = {}
    rows: list[list[int]] = [[0] * S, [1] * S, []]
    start = (0, frozenset(range(len(wins))))
    ids[start] = 2
    todo = [start]
    while todo:
        depth, alive = cur = todo.pop()
        row = []
        for x in range(S):
            nxt = frozenset(i for i in alive if wins[i][depth] >> x & 1)
            if not nxt:
                row.append(0)
            elif any(len(wins[i]) == depth + 1 for i in nxt):
                row.append(1)  # a window read to its end (or the match ended there): a possible start
            else:
                key = (depth + 1, nxt)
                if key not in ids:
                    ids[key] = len(rows)
                    rows.append([])
                    todo.append(key)
                row.append(ids[key])
        rows[ids[cur]] = row
    return np.array(rows, dtype=np.int32).reshape(-1)


def _bits(mask: int) -> list[int]:
    return [i for i in range(S) if mask >> i & 1]


# --- reading a parsed pattern --------------------------------------------------------------------------
# A window is a tuple of symbol masks: the character before the match, then the characters read so far
# (at most K). The reading keeps, for each way through the pattern, what each character may be; it only
# narrows where the pattern certainly requires it, so the windows cover every real match.


def _read(items: list, windows: set[tuple[int, ...]]) -> set[tuple[int, ...]]:
    for op, av in items:
        open_ = {w for w in windows if len(w) <= K}
        if not open_:
            break
        windows = (windows - open_) | _node(op, av, open_)
    return windows


def _node(op, av, windows: set[tuple[int, ...]]) -> set[tuple[int, ...]]:
    if op is sre.LITERAL:
        return _push(windows, _char_mask(chr(av)))
    if op is sre.NOT_LITERAL:
        return _push(windows, _ANY & ~_char_mask(chr(av)) | 1 << OTHER)
    if op is sre.ANY:
        return _push(windows, _ANY)
    if op is sre.IN:
        return _push(windows, _class(av)[0])
    if op is sre.BRANCH:
        return set().union(*(_read(list(alt), windows) for alt in av[1]))
    if op is sre.SUBPATTERN:
        if av[1] & re.IGNORECASE:
            raise _Unsupported
        return _read(list(av[3]), windows)
    if op is sre.ATOMIC_GROUP:
        return _read(list(av), windows)
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
        return _repeat(*av, windows)
    if op is sre.AT:
        return windows
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return _look(op is sre.ASSERT, av[0], list(av[1]), windows)
    raise _Unsupported(op)


def _push(windows: set[tuple[int, ...]], mask: int) -> set[tuple[int, ...]]:
    return {w + (mask,) for w in windows}


def _repeat(lo: int, hi: int, body, windows: set[tuple[int, ...]]) -> set[tuple[int, ...]]:
    items = list(body)
    for _ in range(lo):
        nxt = _read(items, windows)
        if nxt == windows or all(len(w) > K for w in nxt):
            return nxt
        windows = nxt
    out = set(windows)
    # more rounds than K add nothing new: each one either reads a character or changes nothing
    for _ in range(min(hi - lo, K + 1)):
        windows = _read(items, windows)
        if windows <= out:
            break
        out |= windows
    return out


def _look(positive: bool, direction: int, items: list, windows: set[tuple[int, ...]]) -> set[tuple[int, ...]]:
    """A look-ahead constrains nothing here; a look-behind over single characters narrows the slots it
    covers: when positive, each to its class; when negative, the first one, where the others are surely
    in theirs (the windows are split into that case and the others)."""
    if direction == 1 or not items:
        return windows
    masks = []
    for op, av in items:
        if op is sre.LITERAL:
            masks.append((_char_mask(chr(av)), _char_mask(chr(av)) & ~(1 << OTHER)))
        elif op is sre.IN:
            masks.append(_class(av))
        else:
            return windows  # anything wider than single characters: no constraint drawn
    out = set()
    for w in windows:
        first = len(w) - len(masks)  # the slot of the first character the look-behind covers
        if positive:
            v = list(w)
            for i, (maybe, _) in enumerate(masks):
                if first + i >= 0:
                    v[first + i] &= maybe  # a character must be there: PAD (no character) is not allowed
            variants = [v]
        elif first < 0:
            variants = [list(w)]
        else:
            v = list(w)
            v[first] &= ~masks[0][1]
            for i in range(1, len(masks)):
                v[first + i] &= masks[i][1]
            variants = [v]
            for i in range(1, len(masks)):
                v = list(w)
                v[first + i] &= ~masks[i][1]
                variants.append(v)
        out.update(tuple(v) for v in variants if all(v))
    return out


def _char_mask(c: str) -> int:
    i = _CHARS.find(c)
    return 1 << (OTHER if i < 0 else i)


def _class(items) -> tuple[int, int]:
    """(the symbols a character class may match, the symbols it surely matches) of a parsed class."""
    items = list(items)
    negate = bool(items) and items[0][0] is sre.NEGATE
    if negate:
        items = items[1:]
    sure = 0
    for i, c in enumerate(_CHARS):
        if any(_member(op, av, c) for op, av in items) != negate:
            sure |= 1 << i
    # characters outside _CHARS share one symbol: it may match unless every item names a character of _CHARS
    others = negate or any(
        (op is sre.LITERAL and chr(av) not in _CHARS)
        or (op is sre.RANGE and any(chr(x) not in _CHARS for x in range(av[0], av[1] + 1)))
        or op is sre.CATEGORY
        for op, av in items
    )
    return sure | (1 << OTHER if others else 0), sure


def _member(op, av, c: str) -> bool:
    if op is sre.LITERAL:
        return ord(c) == av
    if op is sre.RANGE:
        return av[0] <= ord(c) <= av[1]
    if op is sre.CATEGORY:
        test = {
            sre.CATEGORY_DIGIT: str.isdecimal,
            sre.CATEGORY_SPACE: str.isspace,
            sre.CATEGORY_WORD: lambda ch: ch.isalnum() or ch == "_",
        }
        negated = {sre.CATEGORY_NOT_DIGIT: sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_SPACE: sre.CATEGORY_SPACE,
                   sre.CATEGORY_NOT_WORD: sre.CATEGORY_WORD}
        if av in test:
            return test[av](c)
        if av in negated:
            return not test[negated[av]](c)
    raise _Unsupported(op, av)
