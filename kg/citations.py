"""Mentions by number: citations in the three numbering systems, OCR-tolerant, keyed canonically.

Grammar (DESIGN.md §1): ``number [/year] / TYPE - ISSUER`` (normative and administrative documents,
official letters with no type code) or ``number - TYPE / ISSUER`` (Party documents). Patterns run on the
folded text (kg.normalize), so ``Nghi dinh s6 72/2015/ND-CP`` and ``Nghị định số 72/2015/NĐ-CP`` are one
shape; keys are rebuilt from the table spellings (Đ restored) and offsets point into the original text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache

from kg import scan
from kg.codes import (
    DocType,
    canonical_issuer_code,
    canonical_type_code,
    doc_types,
    implied_issuer,
    lookup_issuer_code,
)
from kg.model import Mention, mention_at
from kg.normalize import Text, clean_surface

# A code segment: letters, with OCR debris allowed inside (digits standing for letters, "&" for ê).
_SEG = r"[a-z&][a-z0-9&]{0,13}"
# The first digit comes first and the look-behind after it: a pattern that opens with a digit lets the
# regex engine skip straight to digits, where one opening with a look-around is tried at every position.
_NUM = r"(?P<num>\d(?<![\w/\-.,]\d)(?:\d{0,5}|[,.]\d{1,2}))"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
# Separators may carry stray spaces and, after a hyphen, a line break ("Qb-\nTTG", "57-\nKL/TW").
_SL = r"[ ]{0,2}(?:[*_]{1,2}[ ]{0,2})?/[ ]{0,2}"  # markdown emphasis: "Số:**10023** /UBND-KGVX"
_HY = r"[ ]{0,2}-[ ]{0,2}\n?[ ]{0,2}"

NUMBER = re.compile(
    _NUM
    + r"(?:"
    # normative: 72/2015/NĐ-CP, 51/2024/QH15, 03/2013/TTLT-BTC-BLĐTBXH
    + rf"{_SL}{_YEAR}{_SL}(?P<ncode>{_SEG})(?:{_HY}(?P<niss>{_SEG}(?:{_HY}{_SEG}){{0,3}}))?"
    # administrative and letters: 1486/QĐ-TTg, 1578/BTTTT-TTĐN; a truncated "47/NQ-" is kept for completion
    + rf"|{_SL}(?P<acode>{_SEG})(?:{_HY}(?P<aiss>{_SEG}(?:{_HY}{_SEG}){{0,2}})|(?P<trunc>[ ]{{0,2}}-)(?=\s))"
    # Party: 57-KL/TW, 116-KH/BCĐTTĐN; old laws 23-L/CTN
    + rf"|{_HY}(?P<pcode>[a-z&]{{1,5}}){_SL}(?P<piss>{_SEG}(?:-{_SEG})?)"
    + r")(?![\w&])"
)

# "số" as OCR leaves it: số, so, s6, sd, sb, sO, 5O, s&, §6, s, a lone ")" — or nothing at all.
_SO = r"(?:[.,]?[ ]{0,2}(?:s[o0-9a-z&§]?|5[o0]|§6|\))[ ]?[.:]?[ ]{0,3}\n?[ ]{0,3})?"

_ABBREVS = ("qd", "nd", "nq", "tt", "ct", "kl", "kh", "cv", "ttr")  # "QĐ số 1486/QĐ-TTg"


def _spaced(words: str) -> str:
    # a type word may be broken over two lines by OCR or hard wrapping ("Két\nluan")
    return words.replace("\\s?", "\\s{0,2}").replace("[ ]?", "\\s{0,2}").replace(" ", "\\s{1,2}")


@cache
def _type_word_re(first: str | None = None) -> re.Pattern:
    """Type word, then "số" up to the end of the search range; with ``first``, only the alternatives that
    start with that letter (in the same order, so a match picks the same alternative)."""
    words = _type_words_ordered()
    alts = "|".join(f"(?P<t{i}>{_spaced(t.words)})" for i, t in enumerate(words) if first is None or t.words[0] == first)
    abbr = [a for a in _ABBREVS if first is None or a[0] == first]
    parts = ([alts] if alts else []) + ([rf"(?P<abbr>(?:{'|'.join(abbr)})(?=[ ]{{1,3}}s))"] if abbr else [])
    return re.compile(rf"(?:(?<![a-z])(?:{'|'.join(parts)}))[ ]{{0,3}}\n?[ ]{{0,3}}{_SO}$")


@cache
def _type_words_ordered() -> list[DocType]:
    return sorted(doc_types(), key=lambda t: -len(t.words))


@cache
def _type_word_by_first() -> dict[str, re.Pattern] | None:
    """A pattern per letter a type word can start with (None: some pattern does not start with a letter)."""
    firsts = {a[0] for a in _ABBREVS}
    for t in doc_types():
        if not ("a" <= t.words[:1] <= "z"):
            return None
        firsts.add(t.words[0])
    return {c: _type_word_re(c) for c in firsts}


DATE_AFTER = re.compile(
    r"[ ,;]{0,3}\n?[ ]{0,3}\(?[ ]?(?:ban hanh |ky )?ng\S{1,2}y[ ]{0,2}\n?[ ]{0,2}"
    r"(?P<d>\d{1,2})[ ]{0,2}(?:th\S{2,3}g|[/\-.{])[ ]{0,2}\n?[ ]{0,2}(?P<m>\d{1,2})"
    r"[ ]{0,2}(?:n\S{1,2}m|[/\-.])[ ]{0,2}\n?[ ]{0,2}(?P<y>(?:19|20)\d{2})"
)
OF_BODY = re.compile(r"[ ,]{0,3}\n?[ ]{0,2}c[tuila]{0,3}a[ ]{1,3}\n?[ ]{0,2}")
# Words that open a trích yếu after a citation: "về ...", "ban hành ...", "phê duyệt ...", "hướng dẫn ...".
TITLE_OPEN = re.compile(
    r"[ ,]{0,2}\n?[ ]{0,2}(?=(?:v[e&]|ban hanh|phe duyet|quy dinh|huong dan|hudng|sua doi|bai bo|thay the|"
    r"thuc hien|trien khai|hop nhat)\b)"
)
TITLE_END = re.compile(r"[;(]|\.(?:\s|$)|\n[ ]*\n|\n[ ]*(?:[-+•]|[0-9]+[.)]|can c|[a-z]\))|:\s*$|\"|'")


@dataclass
class Citation:
    """A numbered citation before it becomes a Mention: the parts of its number and what follows it."""

    start: int  # folded offsets
    end: int
    num_start: int
    key: str
    type: DocType | None
    type_code: str | None
    issuer_codes: list[str]
    system: str
    year: str | None
    date: str | None = None
    issuer: str | None = None
    title: str | None = None
    tail_end: int = 0  # folded offset where the date/issuer/title after the number end
    method: str = "pattern"
    garbled: bool = False
    extra: dict = field(default_factory=dict)


def _iso(d: str, m: str, y: str) -> str | None:
    di, mi = int(d), int(m)
    if 1 <= di <= 31 and 1 <= mi <= 12:
        return f"{y}-{mi:02d}-{di:02d}"
    return None


def _type_before(text: Text, pos: int) -> tuple[int, DocType | None]:
    """The type word just before a number, if any: (folded start, type)."""
    folded = text.folded
    lo = max(0, pos - 60)
    by_first = _type_word_by_first()
    if by_first is None:
        m = _type_word_re().search(folded, lo, pos)
    else:
        # what search() would find, trying only word starts, each with the alternatives for its letter: the
        # whole pattern opens with a look-behind, so search() would try all of it at every position
        m = None
        for p in range(lo, pos):
            rx = by_first.get(folded[p])
            if rx is not None and (p == 0 or not "a" <= folded[p - 1] <= "z"):
                m = rx.match(folded, p, pos)
                if m:
                    break
    if not m:
        return pos, None
    groups = m.groupdict()
    if groups.get("abbr"):
        return m.start(), canonical_type_code(groups["abbr"])
    for i, t in enumerate(_type_words_ordered()):
        if groups.get(f"t{i}") is not None:
            return m.start(), t
    return pos, None


def _codes_from(text: Text, fs: int, fe: int) -> list[str]:
    """The code segments of a folded span, spelled as in the original (case and Đ kept for canonicalising)."""
    raw = text.surface(fs, fe)
    return [p for p in re.split(r"\s*-\s*", raw.strip()) if p]


def _plausible_code(seg: str) -> bool:
    """Codes are printed in capitals ("TTg", "BLĐTBXH"); a capitalised word ("Nam") is running text."""
    if lookup_issuer_code(seg) is not None or canonical_type_code(seg) is not None:
        return True
    letters = [c for c in seg if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return bool(letters) and upper >= 2 and upper * 2 >= len(letters)


def parse_numbers(text: Text, province: str | None = None) -> list[Citation]:
    """Every numbered citation in the text, with its type word, key and the facts printed after it."""
    f = text.folded
    out: list[Citation] = []
    for m in scan.finditer(NUMBER, f):
        num = re.sub(r"[,.]", "", m.group("num"))
        garbled = num != m.group("num")
        year = m.group("year")
        if m.group("ncode") is not None:
            code_raw = text.surface(m.start("ncode"), m.end("ncode"))
            iss_raw = _codes_from(text, m.start("niss"), m.end("niss")) if m.group("niss") else []
            system = "normative"
        elif m.group("acode") is not None:
            code_raw = text.surface(m.start("acode"), m.end("acode"))
            iss_raw = _codes_from(text, m.start("aiss"), m.end("aiss")) if m.group("aiss") else []
            system = "administrative"
        else:
            code_raw = text.surface(m.start("pcode"), m.end("pcode"))
            iss_raw = [text.surface(m.start("piss"), m.end("piss"))]
            system = "party"
        if iss_raw and not _plausible_code(iss_raw[0]):
            if m.group("acode") is None:
                continue
            iss_raw = []  # "47/NQ- Nam 2024": the issuer was cut off by a table column; completed later
            truncated = True
            end = m.start("aiss")
            while end > m.start() and f[end - 1] in " \n":
                end -= 1
        else:
            truncated = bool(m.group("acode") is not None and m.group("trunc"))
            end = m.end()
        dtype = canonical_type_code(code_raw)
        start, word_type = _type_before(text, m.start())
        if system == "normative" and dtype is None:
            # "51/2024/QH15": the part after the year is the issuer itself (laws and Assembly resolutions)
            iss_raw = [code_raw, *iss_raw]
            code_raw = ""
        elif system == "administrative" and dtype is None:
            if not _plausible_code(code_raw):
                continue
            # no type code: an official letter "1578/BTTTT-TTĐN" (issuer code, then the drafting unit)
            iss_raw = [code_raw, *iss_raw]
            code_raw = ""
            system = "letter"
        if system == "party" and dtype is None and not word_type:
            continue  # "2020-2021", "15-KL/..." without any type evidence is not a citation
        if garbled and system != "party":
            continue
        issuers = [canonical_issuer_code(c) for c in iss_raw]
        if system == "normative":
            key = f"{num}/{year}/" + "-".join(([dtype.code] if dtype else []) + issuers)
        elif system == "party":
            key = f"{num}-{dtype.code if dtype else code_raw.upper()}/" + "-".join(issuers)
        elif system == "letter":
            key = f"{num}/" + "-".join(issuers)
        else:
            key = f"{num}/{dtype.code}-" + "-".join(issuers) if issuers else f"{num}/{dtype.code}-"
        ctype = word_type or dtype
        if word_type is not None and word_type.system == "letter" and dtype is not None:
            ctype = dtype  # "văn bản số 51/TTr-BTTTT" is a Tờ trình: the code is more specific than the word
        if system == "letter" and word_type is None:
            ctype = None
        cit = Citation(
            start=start if word_type else m.start(),
            end=end,
            num_start=m.start(),
            key=key,
            type=ctype,
            type_code=dtype.code if dtype else None,
            issuer_codes=issuers,
            system=system,
            year=year,
            garbled=garbled,
        )
        if truncated:
            cit.extra["truncated"] = True
        _read_tail(text, cit, province)
        out.append(cit)
    return out


def _read_tail(text: Text, cit: Citation, province: str | None) -> None:
    """Date, stated issuer and title printed after a number: "ngày 07/9/2015 của Chính phủ về ..."."""
    from kg.bodies import body_at  # bodies are read by their own module; imported late to keep startup light

    f = text.folded
    pos = cit.end
    m = DATE_AFTER.match(f, pos)
    if m:
        cit.date = _iso(m.group("d"), m.group("m"), m.group("y"))
        pos = m.end()
    m = OF_BODY.match(f, pos)
    if m:
        body = body_at(text, m.end(), province=province)
        if body is not None:
            cit.issuer = body.name
            pos = text_fold_pos(text, body.end)
        # a date may also follow the issuer: "của Quốc hội ngày ..."
    if cit.date is None:
        m = DATE_AFTER.match(f, pos)
        if m:
            cit.date = _iso(m.group("d"), m.group("m"), m.group("y"))
            pos = m.end()
    if cit.date is None:
        cit.date = _date_in_table_row(f, cit.end)
    if cit.issuer is None:
        cit.issuer = implied_issuer(cit.type_code, cit.issuer_codes, province)
    m = TITLE_OPEN.match(f, pos)
    if m:
        s = m.end()
        stop = min(len(f), s + 400)
        nxt = NUMBER.search(f, s, stop)
        e = TITLE_END.search(f, s, stop)
        end = min(x for x in (e.start() if e else stop, nxt.start() if nxt else stop, stop))
        if nxt and nxt.start() == end:
            # stop the title before the type word of the next citation
            ts, _ = _type_before(text, nxt.start())
            end = max(s, ts)
        title = clean_surface(text.surface(s, end)).rstrip(" ,;:")
        if len(title) >= 8:
            cit.title = title
            pos = end
    cit.tail_end = pos


LOOSE_DATE = re.compile(r"(?<!\d)(\d{1,2})[ ]?[/{\-.][ ]?(\d{1,2})[ ]?[/\-.][ ]?((?:19|20)\d{2})(?!\d)")


def _date_in_table_row(f: str, pos: int) -> str | None:
    """In an OCR'd table the columns interleave, so "ngày 21/3/2023" may land two lines below the number;
    there (only in rows with a column bar), the first date in the next two lines is taken, unless another
    citation number comes first."""
    ls = f.rfind("\n", 0, pos) + 1
    le = f.find("\n", pos)
    if "|" not in f[ls : le if le != -1 else len(f)]:
        return None
    stop = pos
    for _ in range(3):
        nxt = f.find("\n", stop + 1)
        if nxt == -1:
            stop = len(f)
            break
        stop = nxt
    m = LOOSE_DATE.search(f, pos, stop)
    if not m or NUMBER.search(f, pos, m.start()):
        return None
    return _iso(m.group(1), m.group(2), m.group(3))


def text_fold_pos(text: Text, orig: int) -> int:
    """Folded offset of an original offset (the two coincide unless the text had combining marks)."""
    if text._map is None:
        return orig
    from bisect import bisect_left

    return bisect_left(text._map, orig)


# Short forms: "Quyết định số 273", "Nghị định 72" — a type word and a bare number, keyed by a full
# citation of the same type and number elsewhere in the text.
_AFTER = ["s", "so", "s0", "s6", "sd", "sb", "s&", "s§", ")", "dinh", "tu", "quyet", "thi", "luan", "hoach", "dan", "trinh"]
# a bare number right after "số" or after the last syllable of a type word; the look-behinds keep the
# regex from stopping at every other number in the text ("Điều 5", "khoản 2")
SHORT = re.compile(
    r"(?P<num>\d(?<= \d)(?:" + "|".join(f"(?<=[^a-z]{re.escape(w)} \\d)" for w in _AFTER) + r")"
    r"\d{0,5})(?![\w/]|-[a-z]|[ ]?/[ ]?\d|[.,]\d)"
)


_SPACED_NUMBER = re.compile(r" (\d{1,6})(?!\d)")


def _short_matches(f: str, numbers: set[str]) -> list[re.Match]:
    """The matches of SHORT whose number is one of ``numbers``, in order: what filtering SHORT.finditer
    gives, found by trying SHORT only at the numbers after a space that are among them (a match of SHORT
    is a whole run of at most six digits after a space)."""
    out = []
    for m in _SPACED_NUMBER.finditer(f):
        if m.group(1) in numbers and (sm := SHORT.match(f, m.start(1))) and sm.group("num") == m.group(1):
            out.append(sm)
    return out


def short_forms(text: Text, full: list[Citation]) -> list[Citation]:
    f = text.folded
    by_type_num: dict[tuple[str, str], set[str]] = {}
    for c in full:
        if c.type is not None:
            by_type_num.setdefault((c.type.name, c.key.split("/")[0].split("-")[0]), set()).add(c.key)
    if not by_type_num:
        return []  # nothing to key a short form by
    numbers = {n for _, n in by_type_num}
    taken = sorted((c.start, c.end) for c in full)
    starts = [s for s, _ in taken]
    out: list[Citation] = []
    for m in _short_matches(f, numbers):
        k = bisect_right(starts, m.start()) - 1
        if k >= 0 and taken[k][0] <= m.start() < taken[k][1]:
            continue
        start, t = _type_before(text, m.start())
        if t is None or start == m.start():
            continue
        keys = by_type_num.get((t.name, m.group("num")))
        if not keys or len(keys) != 1:
            continue
        key = next(iter(keys))
        src = next(c for c in full if c.key == key)
        out.append(
            Citation(
                start=start, end=m.end(), num_start=m.start(), key=key, type=t, type_code=src.type_code,
                issuer_codes=src.issuer_codes, system=src.system, year=src.year, issuer=src.issuer,
                method="short-form", tail_end=m.end(),
            )
        )
    return out


def resolve_damaged(cits: list[Citation]) -> list[Citation]:
    """Keep damaged numbers only where the rest of the text makes the intended key certain.

    A garbled number (":5,7—KL/TW") is kept when the cleaned key is cited cleanly elsewhere; a truncated
    one ("47/NQ-" at a line end) is completed when exactly one clean key has that number and type.
    """
    clean = [c for c in cits if not c.garbled and not c.extra.get("truncated")]
    keys = {c.key for c in clean}
    out: list[Citation] = []
    for c in cits:
        if c.garbled:
            if c.key in keys:
                c.method = "repaired"
                out.append(c)
            continue
        if c.extra.get("truncated"):
            cands = {k.key for k in clean if k.key.startswith(c.key)}
            if len(cands) == 1:
                src = next(k for k in clean if k.key in cands)
                c.key, c.issuer_codes = src.key, src.issuer_codes
                c.issuer = c.issuer or src.issuer
                c.method = "completed"
                out.append(c)
            continue
        out.append(c)
    return out


def to_mention(text: Text, c: Citation) -> Mention:
    return mention_at(text, c.start, c.end, key=c.key, type=c.type.name if c.type else _default_type(c), issuer=c.issuer,
                      date=c.date, title=c.title, system=c.system, method=c.method)


def _default_type(c: Citation) -> str | None:
    if c.system == "letter":
        return "Công văn"
    return None
