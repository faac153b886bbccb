"""Documents whose own text is in the file: header number, type, issuer, date, title, signer, recipients.

A file may hold several documents (an official letter with the decision it forwards attached). Each
"Số: ..." header line with a number opens a document; the header block above it (issuer, national motto)
belongs to it. Without any header the whole file is one document, described from what its opening says.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import cache

from kg.bodies import with_province
from kg.citations import NUMBER, Citation
from kg.codes import doc_types, implied_issuer
from kg.model import Document
from kg.normalize import LineHeads, Text, clean_surface, fold
from kg.tables import load_table

# "Số:", "Sb:", "S6", "Luật số:", with markdown emphasis around the number ("Số:**10023** /UBND-KGVX")
_HEADER_NO = (
    r"[ *#_]*(?:(?:luat|phap lenh|bo luat|nghi quyet|van ban hop nhat)[ ]+(?:so|s\S)[ ]?:|(?:so|s[0-9a-z&]|sb)[ ]?[:.]?)"
    r"[ *_]*(?=[ *_]*(?:\d|/))"
)
HEADER_NO = re.compile("(?m)^" + _HEADER_NO)
HEADER_LINES = LineHeads(_HEADER_NO)
MOTTO = [
    re.compile(r"c[o0]ng\s+h[o0]a\s+x[a4]\s+h[o0]i\s+ch[uv]\s+ngh[il1]a\s+v[il1][ea]t\s+nam"),
    re.compile(r"[dpb][o0]c\s+l\S{1,3}p\s*-+\s*t\S{1,2}\s+d[o0]\s*-+\s*h[a4]nh\s+ph\S{1,3}c"),
    re.compile(r"d[a4]ng\s+c[o0]ng\s+s[a4]n\s+v[il1][ea]t\s+nam"),
]
PLACE_DATE = re.compile(
    r"(?P<place>[^\n,]{2,40}),[ ]*ng\S{1,2}y[ ]*(?P<d>\d{1,2})?[ ]*th\S{2,3}g[ ]*(?P<m>\d{1,2})?[ ]*n\S{1,2}m[ ]*(?P<y>(?:19|20)\d{2})"
)
VV = re.compile(r"(?m)^[ *_]*v[ ]?/[ ]?v[ .:]*")
OPENING = re.compile(
    r"(?m)^[ *_#]*(?:c\S{1,3}n\s+c\S{1,3}|th\S{0,2}c\s+h\S{1,3}n|tri\S{0,2}n\s+kh\S{1,2}i|theo\s+d\S\s+ngh|x\S{1,2}t\s+d\S\s+ngh|"
    r"k[il1]nh\s+g[uw][il1]|d[e&]\s|chuong\s+i\b|dieu\s+1\b|nham\s|[il1]\.\s)"
)
# what can open the body right after a heading that has no trích yếu of its own
BODY_START = re.compile(r"^[ *_#]*(?:c\S{1,3}n\s+c\S{1,3}|k[il1]nh\s+g[uw][il1]|chuong\s+i\b|dieu\s+1\b)")
SIGN_TITLE = LineHeads(
    r"[ *_#]*(?:kt\.?|tm\.?|tl\.?|q\.?|tuq\.?)?[ ]*(?:chu tich|pho chu tich|bo truong|thu truong|thu tuong|pho thu tuong|"
    r"chanh van phong|pho chanh van phong|giam doc|pho giam doc|truong ban|pho truong ban|bi thu|pho bi thu|"
    r"tong bi thu|chu nhiem|vu truong|cuc truong|thu truong co quan)\b"
)
RECIPIENTS_HEAD = re.compile(r"(?m)^[ *_#-]*n[o0]\S{0,2}\s+nh\S{1,3}n\s*:")


@cache
def _headings() -> tuple[re.Pattern, list[str]]:
    """A line that is nothing but a type word ("QUYẾT ĐỊNH", "KẾ HOẠCH:"): one alternation, longest words
    first, so the first alternative that fits the whole line names the type."""
    types = sorted(doc_types(), key=lambda t: -len(t.words))
    words = [t.words.replace("[ ]?", r"\s?").replace(" ", r"\s+") for t in types]
    alts = "|".join(f"(?P<h{i}>{w})" for i, w in enumerate(words))
    return re.compile(rf"^[ *_#]*(?:{alts})[ *_#]*(?::)?[ *_#]*$"), [t.name for t in types]


def _heading_type(folded_line: str) -> str | None:
    rx, names = _headings()
    m = rx.match(folded_line)
    return names[int(m.lastgroup[1:])] if m else None


def _lines(text: Text) -> list[tuple[int, int]]:
    """(start, end) folded offsets of every line."""
    starts = text.folded_line_starts()
    ends = [s - 1 for s in starts[1:]] + [len(text.folded)]
    return list(zip(starts, ends, strict=True))


def _is_header_like(orig_line: str) -> bool:
    s = re.sub(r"[*_#\s]", "", orig_line)
    if not s:
        return True
    letters = [c for c in s if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def find_documents(text: Text, citations: list[Citation]) -> tuple[list[Document], list[Citation]]:
    """The documents whose own text is in the file, in order (at least one), and the header numbers.

    `citations` are all numbered citations of the text; those that are a document's own header number
    are returned separately, since a header is not a reference to another document.
    """
    f = text.folded
    lines = _lines(text)
    line_starts = [s for s, _ in lines]
    heads: list[tuple[int, Citation | None, int]] = []  # (line index, number, folded offset of the number)
    # the citations by where their number starts, to find those after a "Số:" without a pass over all
    by_number = sorted(range(len(citations)), key=lambda i: citations[i].num_start)
    numbers = [citations[i].num_start for i in by_number]
    for m in HEADER_LINES.finditer(f):
        li = bisect_right(line_starts, m.start()) - 1
        ls, le = lines[li]
        if m.start() - ls > 60:
            continue
        # a number whose type word stands before "số" continues a citation ("Thông tư\nsố 22/2016/...")
        colon = ":" in f[m.start() : m.end()]
        s_at = m.start() + len(m.group()) - len(m.group().lstrip(" *#_"))
        if not colon and not text.original[text.to_orig(s_at)].isupper():
            continue  # "Số 60-NQ/TW" heads a document; a line opening "số 84/2015/QH13, ..." continues a sentence
        near = by_number[bisect_left(numbers, m.end()) : bisect_right(numbers, m.end() + 20)]
        cits = [
            citations[i]
            for i in sorted(near)  # in the order given, as the first one is taken
            if citations[i].num_start < le and (colon or citations[i].start >= m.start())
        ]
        if cits:
            heads.append((li, cits[0], m.end()))
        elif re.match(r"[ *_]*/[ ]*[a-z]", f[m.end():le]):
            heads.append((li, None, m.end()))  # "Số: /BT-TT-TTĐN": number left blank on a draft or a copy
    # a registry stamp ("Số: 10781 ... ĐẾN 09-11-2018") carries no type or issuer code: NUMBER already skips it
    # a consolidated text (văn bản hợp nhất) prints its number at the end, by "XÁC THỰC VĂN BẢN HỢP NHẤT":
    # that number is the whole text's, not the start of another document
    for k, (li, cit, pos) in enumerate(heads):
        around = f[lines[max(0, li - 3)][0] : lines[min(len(lines) - 1, li + 3)][1]]  # the stamp is above or below
        if re.search(r"x[a4]c\s+th[uw]c", around) and (k == 0 or heads[k - 1][1] is None):
            heads[k] = (-1, cit, pos)
    tail_keys = [h for h in heads if h[0] == -1]
    heads = [h for h in heads if h[0] != -1]
    starts: list[int] = []
    for li, _, _ in heads:
        starts.append(_block_start(text, lines, li, starts[-1] if starts else 0))
    if not heads:
        starts = [_first_nonblank(lines, f)]
    docs = []
    for i, st in enumerate(starts):
        end_line = starts[i + 1] if i + 1 < len(starts) else len(lines)
        fs, fe = lines[st][0], (lines[end_line][0] if end_line < len(lines) else len(f))
        head = heads[i] if heads else None
        docs.append(_describe(text, lines, st, end_line, fs, fe, head))
    if tail_keys and docs and docs[0].key is None:
        cit = tail_keys[0][1]
        docs[0].key = cit.key
        # the number's code says what the text is (VBHN: a consolidated text), whatever act it consolidates
        docs[0].type = (cit.type.name if cit.type else None) or docs[0].type
        docs[0].number_surface = clean_surface(text.surface(cit.num_start, cit.end))
    own = [h[1] for h in heads + tail_keys if h[1] is not None]
    return docs, own


def _first_nonblank(lines: list[tuple[int, int]], f: str) -> int:
    for i, (s, e) in enumerate(lines):
        if f[s:e].strip():
            return i
    return 0


def _block_start(text: Text, lines: list[tuple[int, int]], li: int, floor: int) -> int:
    """The first line of the header block that ends with the "Số:" line `li` (issuer, motto above it)."""
    best = li
    j = li - 1
    seen = 0
    while j >= floor and seen < 8:
        s, e = lines[j]
        orig = text.surface(s, e)
        if not orig.strip():
            j -= 1
            continue
        if not (_is_header_like(orig) or _is_header_like(_unmotto(orig))):
            break
        best = j
        seen += 1
        j -= 1
    return best


def _unmotto(orig: str) -> str:
    """The original line without the national motto, which OCR merges into the issuer's header column."""
    f = fold(orig)
    if len(f) != len(orig):
        return orig
    for pat in MOTTO:
        m = pat.search(f)
        if m:
            orig = orig[: m.start()] + " " * (m.end() - m.start()) + orig[m.end() :]
            f = fold(orig)
    return orig


def _strip_motto(folded: str) -> str:
    for pat in MOTTO:
        folded = pat.sub(" ", folded)
    return folded


def _describe(text: Text, lines, st: int, end_line: int, fs: int, fe: int, head) -> Document:
    from kg.bodies import canonical_body  # bodies have their own module and tables

    f = text.folded
    cit: Citation | None = head[1] if head else None
    head_line = head[0] if head else st
    # the header zone: from the block start down to the title's end (at most ~25 lines)
    zone_end = min(end_line, head_line + 25)
    issuer_text = []
    for li in range(st, head_line + 1 if head else min(end_line, st + 4)):
        s, e = lines[li]
        seg = _strip_motto(f[s:e])
        seg = re.sub(r"[*_#]", " ", seg)
        seg = HEADER_NO.sub(" ", seg)
        seg = seg.split(" so:")[0]
        if NUMBER.search(seg) or PLACE_DATE.search(seg):
            seg = NUMBER.split(seg)[0]
            seg = PLACE_DATE.split(seg)[0]
        if seg.strip() and _is_header_like(text.surface(s, e)):
            issuer_text.append(seg.strip())
    issuer = None
    province = None
    if issuer_text:
        issuer = canonical_body(" ".join(issuer_text))
    date = None
    place = None
    dtype = None
    title = None
    heading_line = None
    for li in range(st, zone_end):
        s, e = lines[li]
        line_f = f[s:e]
        if date is None:
            m = PLACE_DATE.search(line_f)
            if m and m.group("d") and m.group("m"):
                d, mo = int(m.group("d")), int(m.group("m"))
                if 1 <= d <= 31 and 1 <= mo <= 12:
                    date = f"{m.group('y')}-{mo:02d}-{d:02d}"
                place = clean_surface(text.surface(s + m.start("place"), s + m.end("place"))).strip("*_ ")
        if dtype is None and li > st - 1:
            t = _heading_type(line_f.strip())
            if t is not None:
                dtype, heading_line = t, li
    tspan = (0, 0)
    if heading_line is not None:
        title, tspan = _title_after(text, lines, heading_line + 1, zone_end)
    vv = None
    for li in range(st, zone_end):
        s, e = lines[li]
        m = VV.match(f, s, e)
        if m:
            vv, vspan = _title_after(text, lines, li, zone_end, first_from=m.end())
            break
    if dtype is None:
        if vv is not None:
            dtype = "Công văn"
        elif cit is not None:
            dtype = cit.type.name if cit.type else ("Công văn" if cit.system == "letter" else None)
    if title is None and vv is not None:
        title, tspan = vv, vspan
    if title:
        title = title[0].upper() + title[1:]
    key = cit.key if cit else None
    if cit is not None and cit.system == "letter" and dtype is None:
        dtype = "Công văn"
    if issuer is None and cit is not None:
        issuer = implied_issuer(cit.type_code, cit.issuer_codes, None)
    if issuer is None:
        issuer = _issuer_from_opening(text, fs, fe)
    province = _province_of(issuer, place)
    if issuer and province and fold(issuer) in _BARE_LOCAL:
        issuer = with_province(issuer, province)
    s0 = text.to_orig(fs)
    e0 = text.to_orig(fe) if fe < len(f) else len(text.original)
    doc = Document(
        key=key,
        type=dtype,
        issuer=issuer,
        date=date,
        title=title,
        first_line=text.line_of(s0),
        signer=_signer(text, fs, fe),
        start=s0,
        end=e0,
        number_surface=text.surface(head[2], lines[head_line][1]).strip() if head else None,
        place=place,
        province=province,
        title_start=tspan[0],
        title_end=tspan[1],
    )
    if cit is not None:
        doc.number_surface = clean_surface(text.surface(cit.num_start, cit.end))
    return doc


# local bodies named without their province ("UBND tỉnh" in a header whose province OCR garbled)
_BARE_LOCAL = {fold(x) for x in ("Ủy ban nhân dân", "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân thành phố", "Tỉnh ủy",
                                 "Hội đồng nhân dân", "Hội đồng nhân dân tỉnh", "Hội đồng nhân dân thành phố")}


def _title_after(
    text: Text, lines, li: int, zone_end: int, first_from: int | None = None
) -> tuple[str | None, tuple[int, int]]:
    """The trích yếu: lines from `li` until a blank line or the opening of the body."""
    f = text.folded
    parts = []
    span = [None, None]
    for j in range(li, zone_end):
        s, e = lines[j]
        if first_from is not None and j == li:
            s = first_from
        seg = f[s:e]
        if not seg.strip(" *_#"):
            if parts:
                break
            continue
        if parts and (OPENING.match(seg) or HEADER_NO.match(seg) or PLACE_DATE.search(seg) or _is_motto(seg)):
            break
        if not parts and (BODY_START.match(seg) or HEADER_NO.match(seg) or PLACE_DATE.search(seg) or _is_motto(seg)):
            if first_from is None:
                break
        parts.append(text.surface(s, e))
        span[0] = text.to_orig(s) if span[0] is None else span[0]
        span[1] = text.to_orig(e)
        if len(parts) >= 6:
            break
    title = clean_surface(" ".join(parts)).strip("*_# ")
    title = re.sub(r"\*+", "", title).strip()
    return (title or None), ((span[0], span[1]) if span[0] is not None else (0, 0))


def _is_motto(seg: str) -> bool:
    return any(p.search(seg) for p in MOTTO)


ISSUER_VERB = re.compile(r"\s+(?:d\S\s+ngh\S|y\S{1,2}u\s+c\S{1,2}u|th\S{1,2}ng\s+b\S{1,2}o)\b")


def _issuer_from_opening(text: Text, fs: int, fe: int) -> str | None:
    """Without a header: the body that speaks in the opening ("..., Bộ Thông tin và Truyền thông đề nghị ...")."""
    from kg.bodies import find_bodies

    f = text.folded
    window_end = min(fe, fs + 3000)
    for b in find_bodies(text, text.to_orig(fs), text.to_orig(window_end)):
        # the subject of the main clause, after the lead-in: "Triển khai ..., Bộ X đề nghị ..."
        fs_b, fe_b = text.span_folded(b.start, b.end)
        if ISSUER_VERB.match(f, fe_b) and re.search(r"[,;:.]\s*$", f[max(0, fs_b - 4) : fs_b]):
            return b.name
    return None


def _province_of(issuer: str | None, place: str | None) -> str | None:
    """The province a document comes from, in the form used in body names ("tỉnh Bình Định")."""
    index = _province_index()
    if index is None:
        return None
    pattern, by_fold = index
    for c in (issuer or "", place or ""):
        m = pattern.search(fold(c))
        if m:
            return by_fold[m.group(1)]
    return None


@cache
def _province_index() -> tuple[re.Pattern, dict[str, str]] | None:
    if not _has_table("provinces"):
        return None
    table = load_table("provinces")
    entries = table.get("provinces", table) if isinstance(table, dict) else table
    by_fold: dict[str, str] = {}
    for p in entries:
        name = p.get("name") if isinstance(p, dict) else None
        if not name:
            continue
        kind = p.get("type") or p.get("kind") or "tỉnh"
        prefix = "thành phố" if "thanh pho" in fold(kind) else "tỉnh"
        by_fold.setdefault(fold(name), f"{prefix} {name}")
    alts = "|".join(re.escape(k) for k in sorted(by_fold, key=len, reverse=True))
    return re.compile(rf"\b({alts})\b"), by_fold


def _has_table(name: str) -> bool:
    from kg.tables import DATA_DIR

    return (DATA_DIR / f"{name}.json").exists()


NAME_LINE = re.compile(r"^[ *_#]*([A-ZĐÀ-Ỹ][^\W\d_]+(?:[ ]+[A-ZĐÀ-Ỹ][^\W\d_]+){1,4})[ *_]*\d{0,3}[ ]*$")


@cache
def _surnames() -> frozenset[str]:
    return frozenset(fold(s) for s in load_table("surnames")["surnames"]) if _has_table("surnames") else frozenset()


def _signer(text: Text, fs: int, fe: int) -> str | None:
    """The signer: the personal name printed under the signature title (KT. THỦ TƯỚNG / PHÓ THỦ TƯỚNG)."""
    f = text.folded
    surnames = _surnames()
    for m in SIGN_TITLE.finditer(f, fs, fe):
        pos = m.end()
        for _ in range(12):
            nl = f.find("\n", pos, fe)
            if nl < 0:
                break
            ne = f.find("\n", nl + 1, fe)
            ne = fe if ne < 0 else ne
            line = text.surface(nl + 1, ne)
            pos = nl + 1
            mm = NAME_LINE.match(line.replace("\u00a0", " "))
            if mm:
                name = mm.group(1)
                words = name.split()
                if words[0].isupper() and len(words[0]) > 1:
                    continue  # a title in capitals, not a name
                if surnames and fold(words[0]) not in surnames:
                    continue
                return name
    return None
