"""Relations: what each mention says about how two documents are linked, typed by the cue around it.

The text is cut into clauses (at ";", sentence ends and paragraph starts). A clause opened by "Căn cứ"
or a proposal ("Theo đề nghị", "Trên cơ sở đề xuất") makes its head mentions `based_on`; the document's
own title, its opening "Thực hiện / Triển khai ..." paragraph and its purpose section make them
`implements`; verbs between two mentions in one clause link the two cited acts ("Nghị định 70 sửa đổi
Nghị định 152" → amends). Everything else is `cites`, written only where nothing more specific links the
same pair (DESIGN.md §2; gold/SCHEMA.md conventions).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator

from kg.model import Document, Mention, Relation
from kg.normalize import LineHeads, Text

CLAUSE_BREAK = re.compile(
    r";|\t|\.(?=\s)|\n[ ]*\n|\n(?=[ *_#]*(?:[-+•]|\d+(?:\.\d+)*[.)]\s|\d+(?:\.\d+)+\s|[ivx]+\.\s|[a-d]\)\s|c\S{1,3}n\s+c\S{1,3}\s|"
    r"theo\s+d\S\s+ngh|x\S{1,2}t\s+d\S\s+ngh|tr\S{1,2}n\s+c\S\s+s\S\s+d\S\s+x))|\|"
)
BASED_ON = re.compile(
    r"^[\W\d_]*(?:\w{1,8}:\s*)?(?:c\S{1,3}n\s+c\S{1,3}|theo\s+d\S\s+ngh|x\S{1,2}t\s+d\S\s+ngh|tr\S{1,2}n\s+c\S\s+s\S\s+(?:d\S\s+xu|y\s+ki))"
)
# verbs that type a link, most specific first; the first found between two mentions decides
VERBS = [
    ("amends", re.compile(r"s\S{1,3}a\s+d\S{1,2}[il1]\b|b\S\s+s[uw]ng\s+m\S?t\s+s\S\s+d")),
    ("replaces", re.compile(r"thay\s+th[e&]")),
    ("repeals", re.compile(r"b[a4]i\s+b[o0]|h[e&]t\s+hi\S{1,2}u\s+l\S{1,2}c")),
    ("guides", re.compile(r"h[uw]\S{0,2}[nc]g\s+d[a4i&]n\b|quy\s+d\S{1,2}nh\s+chi\s+ti\S{1,2}t")),
    ("implements", re.compile(r"th\S{1,2}[ce]\s+hi\S{1,2}n|tri\S{1,2}n\s+kh\S{1,2}i")),
]
# promulgation verbs: what follows them is the content of the act just cited ("ban hành Chương trình ...")
PROMULGATE = re.compile(r"ban\s+h\S{1,2}nh|ph\S\s+duy\S{1,2}t")
# a purpose-section clause that states what the document carries out starts with such a verb
IMPLEMENT_START = re.compile(
    r"^[\W\d_]*(?:[a-z]\)\s*)?(?:ti\S{1,2}p\s+t\S{1,2}c\s+|t\S{1,2}p\s+trung\s+)?"
    r"(?:th\S{1,2}[ce]\s+hi\S{1,2}n|tri\S{1,2}n\s+kh\S{1,2}i|qu\S{1,2}n\s+tri\S{1,2}t)"
)
IMPLEMENT_CUE = re.compile(r"(?:th\S{1,2}c\s+hi\S{1,2}n|tri\S{1,2}n\s+kh\S{1,2}i|b[a4]m\s+s[a4]t)")
OPENING_CUE = re.compile(r"^[\W_]*(?:th\S{0,2}c\s+hi\S{1,3}n|tri\S{0,2}n\s+kh\S{1,2}i)")
PURPOSE_HEAD = LineHeads(r"[ *_#\divxl.)-]*(?:m\S{1,2}c\s+(?:d\S{1,2}ch|ti\S{1,2}u)|ph\S{1,3}ng\s+h\S{1,3}ng)\b")
SECTION_HEAD = LineHeads(r"[ *_#]*(?:[ivxl]+|\d+)[.)]?[ ]+\S|[ *_#]*(?:y\S{1,2}u\s+c\S{1,2}u|nhi\S{1,2}m\s+v)")
OPENING_LINE = LineHeads(r"[ *_#]*(?=th\S{0,2}c\s+hi\S{1,3}n|tri\S{0,2}n\s+kh\S{1,2}i)")
SELF_CUE = re.compile(r"(?:nay|n\S?y)\s+(?:s\S{0,2}a\s+d|thay\s+th|b[a4]i\s+b)")


def _breaks(f: str, pos: int, end: int) -> Iterator[tuple[int, int]]:
    for m in CLAUSE_BREAK.finditer(f, pos, end):
        if m.group().startswith("\n") and not is_paragraph_break(f, m.start(), m.end()):
            continue
        yield m.span()


def clauses(f: str, start: int, end: int) -> list[tuple[int, int]]:
    """Every clause of ``f[start:end]``."""
    out, pos = [], start
    for bs, be in _breaks(f, start, end):
        out.append((pos, bs))
        pos = be
    out.append((pos, end))
    return out


# the characters a clause break consists of (what its look-aheads read is not part of it)
_BREAK_CHARS = frozenset(";\t.\n |")


def clauses_holding(f: str, start: int, end: int, positions: list[int]) -> Iterator[tuple[int, int]]:
    """The clauses of ``f[start:end]`` (as :func:`clauses` cuts them) that hold one of the sorted
    ``positions``, in order.

    Legal texts have a break every few words (tables: every cell), so cutting a whole document costs more
    than everything done with the clauses that hold a mention. A break is looked for only around each
    position: scanning from a point no break can straddle (after a character that is never part of one)
    finds exactly the breaks a scan of the whole document finds there.
    """
    floor = start
    i = bisect_left(positions, start)
    while i < len(positions) and positions[i] < end:
        x = positions[i]
        if f[x] in _BREAK_CHARS:  # not a mention's first character: no shortcut
            for cs, ce in clauses(f, start, end):
                if any(cs <= p < ce for p in positions):
                    yield cs, ce
            return
        cs, w = None, x
        while cs is None:
            w = max(floor, w - 300)
            while w > floor and f[w - 1] in _BREAK_CHARS:
                w -= 1
            for bs, be in _breaks(f, w, end):
                if bs >= x:
                    break
                cs = be
            if w == floor and cs is None:
                cs = floor  # the document's start (later, floor is a break found before, so never here)
        nxt = next(_breaks(f, x, end), None)
        ce = nxt[0] if nxt else end
        yield cs, ce
        floor = ce
        i = bisect_left(positions, ce, i)


def is_paragraph_break(f: str, s: int, e: int) -> bool:
    """A blank line ends a paragraph only after a sentence end or before a new item: inside a sentence it
    is a page or column break of the scan ("... của\n\n\nChính phủ về ...")."""
    if f[s:e].count("\n") < 2:
        return True
    before = f[max(0, s - 200) : s].rstrip(" *_")
    if not before or before[-1] in ".;:!?)":
        return True
    after = f[e : e + 40].lstrip(" *_#")
    return bool(re.match(r"(?:[-+•]|\d+(?:\.\d+)*[.)\t ]|[ivx]+\.|[a-d]\)|$)", after) or NEW_PARAGRAPH.match(after))


# words that open a new paragraph of a preamble or body even after a scan break
NEW_PARAGRAPH = re.compile(
    r"(?:\w{1,8}:\s*)?(?:c\S{1,3}n\s+c\S{1,3}\s|theo\s+d\S\s+ngh|x\S{1,2}t\s+d\S\s+ngh|tr\S{1,2}n\s+c\S\s+s\S\s|"
    r"th\S{0,2}c\s+hi\S{1,3}n\s|tri\S{0,2}n\s+kh\S{1,2}i\s|k[il1]nh\s+g[uw][il1])"
)


def _verb_between(f: str, a: int, b: int) -> str | None:
    seg = f[a:b]
    best: tuple[int, str] | None = None
    for name, pat in VERBS:
        m = pat.search(seg)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), name)
    return best[1] if best else None


def find_relations(
    text: Text, documents: list[Document], mentions: list[Mention], doc_of: list[int], title_spans: list[tuple[int, int]]
) -> list[Relation]:
    """Relations asserted by the text; `doc_of[i]` is the index of the document holding mention i, and
    `title_spans[d]` the original span of document d's own title (trích yếu)."""
    f = text.folded
    rels: list[Relation] = []
    purpose = _purpose_spans(text, documents)
    openings = _opening_spans(text, documents, mentions, doc_of)
    by_doc: dict[int, list[int]] = {}
    for i, d in enumerate(doc_of):
        by_doc.setdefault(d, []).append(i)
    for di, idxs in by_doc.items():
        doc = documents[di]
        ms = sorted(idxs, key=lambda i: mentions[i].start)
        mpos = [_fold_pos(text, mentions[i].start) for i in ms]
        carry = None
        prev_clause_end = 0
        last_based: int | None = None
        for cs, ce in clauses_holding(f, _fold_pos(text, doc.start), _fold_pos(text, doc.end), mpos):
            inside = ms[bisect_left(mpos, cs) : bisect_left(mpos, ce)]
            if not inside:
                continue
            head_text = f[cs : _fold_pos(text, mentions[inside[0]].start)]
            in_title = title_spans[di][0] <= mentions[inside[0]].start < title_spans[di][1]
            ctx = "cites"
            cue = None
            if BASED_ON.match(head_text):
                ctx, cue = "based_on", "căn cứ"
            elif in_title:
                v = _verb_between(f, cs, _fold_pos(text, mentions[inside[0]].start))
                ctx = v or "cites"
                cue = "title"
            elif any(s <= mentions[inside[0]].start < e for s, e in openings[di]):
                ctx, cue = "implements", "opening"
            elif any(s <= mentions[inside[0]].start < e for s, e in purpose[di]) and IMPLEMENT_START.match(head_text):
                ctx, cue = "implements", "purpose"
            elif carry is not None and not re.search(r"\n", f[prev_clause_end:cs]):
                ctx, cue = carry
            elif (
                last_based is not None
                and re.fullmatch(r"[;\s]*", f[last_based:cs])
                and not re.search(r"ban\s+h\S{1,2}nh|:", head_text)
            ):
                # the list of a preamble goes on after ";" without repeating "Căn cứ"
                ctx, cue = "based_on", "căn cứ"
            elif SELF_CUE.search(head_text):
                v = _verb_between(f, cs, _fold_pos(text, mentions[inside[0]].start))
                if v in ("amends", "replaces", "repeals"):
                    ctx, cue = v, "self"
            # a list announced by a colon ("... các đề án, quy hoạch: Quy hoạch A; Quy hoạch B") keeps the cue
            if ctx in ("implements", "based_on") and ":" in f[cs:ce]:
                carry = (ctx, cue)
            elif cue not in ("purpose", "opening", "căn cứ") or (ctx, cue) != carry:
                carry = None
            prev_clause_end = ce
            last_based = ce if ctx == "based_on" else None
            prev = None
            for i in inside:
                m = mentions[i]
                target = m.key or m.name
                if target is None:
                    continue
                if prev is not None and mentions[prev].start <= m.start < mentions[prev].end:
                    # a number inside a name: "Chương trình hành động ... thực hiện Nghị quyết số 06-NQ/TW"
                    pm = mentions[prev]
                    verb = _last_verb(f, _fold_pos(text, pm.start), _fold_pos(text, m.start))
                    if verb and pm.name:
                        rels.append(_rel(text, pm.name, target, verb, m, "nested"))
                    rels.append(_rel(text, doc.ref, target, "cites", m, "nested"))
                    continue
                if prev is not None:
                    pm = mentions[prev]
                    a, b = _fold_pos(text, pm.end), _fold_pos(text, m.start)
                    verb = _verb_between(f, a, b)
                    if m.key is None:
                        if verb is None and pm.key is not None:
                            continue  # the content the cited act issues or approves: the same instrument
                        if verb is not None or PROMULGATE.search(f[a:b]):
                            if pm.key is not None and verb is None:
                                continue
                            rels.append(_rel(text, doc.ref, target, "cites", m, "nested"))
                            continue
                    elif verb is not None:
                        src = pm.key or pm.name
                        if src and src != target:
                            rels.append(_rel(text, src, target, verb, m, "nested"))
                        rels.append(_rel(text, doc.ref, target, "cites", m, "nested"))
                        prev = i
                        continue
                rels.append(_rel(text, doc.ref, target, ctx, m, cue or "default"))
                prev = i
    return _dedupe(rels, documents)


def _last_verb(f: str, a: int, b: int) -> str | None:
    best: tuple[int, str] | None = None
    for name, pat in VERBS:
        for m in pat.finditer(f, a, b):
            if best is None or m.start() > best[0]:
                best = (m.start(), name)
    return best[1] if best else None


def _rel(text: Text, src: str, dst: str, typ: str, m: Mention, method: str) -> Relation:
    return Relation(
        source=src, target=dst, type=typ, evidence_line=m.line, start=m.start, end=m.end,
        surface=m.surface, method=method, cue=None,
    )


def _dedupe(rels: list[Relation], documents: list[Document]) -> list[Relation]:
    """One relation per (from, to, type), first evidence kept; `cites` dropped where a typed link exists."""
    seen: dict[tuple[str, str, str], Relation] = {}
    typed: set[tuple[str, str]] = set()
    for r in rels:
        if r.source == r.target:
            continue
        if r.type != "cites":
            typed.add((r.source, r.target))
        seen.setdefault((r.source, r.target, r.type), r)
    return [r for k, r in seen.items() if not (r.type == "cites" and (r.source, r.target) in typed)]


def _fold_pos(text: Text, orig: int) -> int:
    if text._map is None:
        return orig
    return bisect_left(text._map, orig)


def _purpose_spans(text: Text, documents: list[Document]) -> list[list[tuple[int, int]]]:
    """Original spans of each document's purpose sections (Mục đích, Mục tiêu, Phương hướng)."""
    f = text.folded
    out: list[list[tuple[int, int]]] = []
    for d in documents:
        spans = []
        fs, fe = _fold_pos(text, d.start), _fold_pos(text, d.end)
        for m in PURPOSE_HEAD.finditer(f, fs, fe):
            nxt = SECTION_HEAD.search(f, f.find("\n", m.end()) + 1 if f.find("\n", m.end()) >= 0 else fe, fe)
            end = nxt.start() if nxt else min(fe, m.end() + 3000)
            spans.append((text.to_orig(m.start()), text.to_orig(end)))
        out.append(spans)
    return out


def _opening_spans(text: Text, documents, mentions, doc_of) -> list[list[tuple[int, int]]]:
    """The opening paragraph of each document when it starts "Thực hiện ..." / "Triển khai ...": the span
    from that word to the end of its sentence (a full stop, or a colon announcing what follows)."""
    f = text.folded
    out = []
    for d in documents:
        spans = []
        fs, fe = _fold_pos(text, d.start), _fold_pos(text, d.end)
        for m in OPENING_LINE.finditer(f[fs:fe]):
            s = fs + m.end()
            # only the first body paragraph counts: nothing but header, title and address lines before it
            before = f[fs:s]
            if re.search(r"\n[ ]*(?:[ivx]+\.|\d+\.)\s", before) or len(before) > 2500:
                break
            e = re.compile(r"\.(?:\s|$)|:\s*\n|\n[ ]*\n[ ]*(?:[ivx]+\.|\d+\.)").search(f, s, fe)
            spans.append((text.to_orig(s), text.to_orig(e.start() if e else fe)))
            break
        out.append(spans)
    return out
