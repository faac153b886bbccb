"""Tasks: the rows of appendix task tables and the assignments of "Tổ chức thực hiện".

A task table has a header naming its columns (TT, nội dung / nhiệm vụ, đơn vị chủ trì, đơn vị phối hợp,
thời gian). Three layouts occur:

- delimited rows, one per line (tab, ``|`` or markdown tables): cells are read by the header's order;
- OCR'd tables, whose columns interleave across lines: rows are found by their numbers, read as a
  sequence (1, 1.1, 1.2, 2, 2.1 ...) so that damaged numbers are recognised by the number expected next
  ("L1" = 1.1, "39" = 3.9, "315" = 3.15); inside a row, bodies printed on the same line in different
  columns tell lead from partners (the chủ trì column comes first), and a name cut by the column width
  ("Sở Lao động - Thương" … "binh và Xã hội") is followed onto the next lines so that its pieces count too;
- one cell per line (text extracted from PDF): the same row reading, with bodies told apart by kind.

Assignments are the numbered items (or subsections) of the "Tổ chức thực hiện" section: "Giao X ...",
"Đề nghị X ...", "X chủ trì, phối hợp với Y ...", or a heading naming the body followed by its duties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate

from kg.bodies import BodyMatch, body_kind, document_province, find_bodies, split_bodies, word_pattern
from kg.model import Document, Task
from kg.normalize import Text, clean_surface, fold
from kg.tables import load_table

__all__ = ["find_tasks", "find_time"]

# --- time expressions ------------------------------------------------------------------------------------

_Y = r"(?:19|20)\d{2}"
_TIME = re.compile(
    rf"(?P<yearly>h[aeiou0-9&@]{{1,2}}ng\s+n[aeioud0-9&@]{{1,2}}m)"
    rf"|(?P<until>(?:[dpb][eé][nq]|tr[uw][o0][cd])\s+n[aeiou0-9&@]{{1,2}}m\s*(?P<uy>{_Y}))"
    rf"|(?P<range>(?P<r1>{_Y})\s*[-–—]\s*(?P<r2>{_Y}))"
    rf"|(?P<quarter>qu[yi]\s+(?P<q>[ivx1l]{{1,3}})\s*[/-]\s*(?P<qy>{_Y}))"
    rf"|(?P<month>th[aeiou]{{1,2}}ng\s+(?P<m>\d{{1,2}})\s*[/-]\s*(?P<my>{_Y}))"
    rf"|(?P<inyear>n[aeiou0-9&@]{{1,2}}m\s+(?P<iy>{_Y}))"
    rf"|(?P<year>(?<![\d/.-]){_Y}(?![\d/.-]))"
)


def find_time(folded: str, start: int = 0, end: int | None = None) -> tuple[str, int, int] | None:
    """The first time expression in a folded range, in proper Vietnamese ("Hằng năm", "2024 - 2030")."""
    m = _TIME.search(folded, start, len(folded) if end is None else end)
    if not m:
        return None
    if m.group("yearly"):
        t = "Hằng năm"
    elif m.group("until"):
        t = ("Đến năm " if m.group("until")[0] in "dpb" else "Trước năm ") + m.group("uy")
    elif m.group("range"):
        t = f"{m.group('r1')} - {m.group('r2')}"
    elif m.group("quarter"):
        t = f"Quý {m.group('q').upper().replace('L', 'I').replace('1', 'I')}/{m.group('qy')}"
    elif m.group("month"):
        t = f"Tháng {m.group('m')}/{m.group('my')}"
    elif m.group("inyear"):
        t = f"Năm {m.group('iy')}"
    else:
        t = m.group("year")
    return t, m.start(), m.end()


# --- table headers ---------------------------------------------------------------------------------------

_LEAD_H = re.compile(r"ch[uw][ \t]*tr[il1j]")
_PARTNER_H = re.compile(r"ph[o0][il1][ \t]*h[o0q]p")
_TIME_H = re.compile(r"th[o0][il1][ \t]*(?:gian|h[ae]n)|ti[e]n[ \t]*d[o0]")
_TEXT_H = re.compile(r"n[o0][il1][ \t]*dung|nh[il1][e]m[ \t]*v[uy]|ch[uw][o0]ng[ \t]*tr[il1]nh|d[e][ \t]*[a4]n"
                     r"|c[o0]ng[ \t]*vi[e]c")
_ID_H = re.compile(r"(?:^|[\s|])s?tt(?:[\s|.]|$)")


@dataclass
class _Header:
    line: int  # index of the last header line
    first_line: int
    columns: list[str]  # order of the columns found: id, text, lead, partner, time
    delimiter: str | None  # "\t" or "|" when rows are delimited


def _caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(line.strip()) <= 90 and bool(letters) and sum(c.isupper() for c in letters) >= 0.6 * len(letters)


def _find_headers(all_lines: _Lines, li0: int, li1: int) -> list[_Header]:
    """Table headers in lines li0..li1 (absolute line numbers)."""
    from bisect import bisect_right

    out: list[_Header] = []
    lines = all_lines.folded
    ftext = _folded(all_lines.text)
    fs = all_lines.starts[li0]
    fe = all_lines.starts[li1] if li1 < len(all_lines.starts) else len(ftext)
    cands = sorted({bisect_right(all_lines.starts, m.start()) - 1 for m in _LEAD_H.finditer(ftext, fs, fe)})
    n = li1
    done = li0
    for i in cands:
        if i < done:
            continue
        f = lines[i]
        lo, hi = max(li0, i - 4), min(n, i + 5)
        window = "\n".join(lines[lo:hi])
        if not _PARTNER_H.search(window):
            continue
        # a header line (or block) is short words, not a sentence ("... chủ trì, phối hợp với ...")
        if len(f) > 160 and "\t" not in f and "|" not in f:
            continue
        if re.search(r"ch[uw] tr[il1j]\s*,\s*ph[o0]i h[o0]p", f) and "\t" not in f and "|" not in f:
            continue
        # the column names: "đơn vị / cơ quan chủ trì", or a "TT" column beside them
        if not (re.search(r"(?:[dpb][o0]n v[il1]|c[o0] quan)[\s|]*" + _LEAD_H.pattern, window) or _ID_H.search(window)):
            continue
        # a header set in running lines is short and in capitals (a sentence about "cơ quan chủ trì" is not)
        if f.count("\t") < 2 and f.count("|") < 3 and not _caps_line(all_lines.orig(i)):
            continue
        delim = None
        if f.count("\t") >= 2:
            delim = "\t"
        elif f.count("|") >= 3:
            delim = "|"
        if delim:
            cells = [c.strip() for c in _split_cells(f, delim)]
            cols = [_column_kind(c) for c in cells]
            out.append(_Header(i, i, cols, delim))
            done = i + 1
            continue
        # stacked or OCR'd header: the order of the column words over the header block
        first = i
        while first > lo and lines[first - 1].strip() and len(lines[first - 1]) < 120:
            first -= 1
        last = i
        while last + 1 < hi and lines[last + 1].strip() and len(lines[last + 1]) < 60 and not _ROW_START.match(
                lines[last + 1]):
            last += 1
        block = " ".join(lines[first:last + 1])
        pos = []
        for kind, rx in (("lead", _LEAD_H), ("partner", _PARTNER_H), ("time", _TIME_H), ("text", _TEXT_H)):
            mm = rx.search(block)
            if mm:
                pos.append((mm.start(), kind))
        cols = ["id"] + [k for _, k in sorted(pos)]
        out.append(_Header(last, first, cols, None))
        done = last + 1
    return out


def _split_cells(line: str, delim: str) -> list[str]:
    if delim == "|":
        s = line.strip()
        if s.startswith("|"):
            s = s[1:]
        if s.endswith("|"):
            s = s[:-1]
        return s.split("|")
    return line.split("\t")


def _column_kind(cell: str) -> str:
    f = fold(cell)
    if _LEAD_H.search(f):
        return "lead"
    if _PARTNER_H.search(f):
        return "partner"
    if _TIME_H.search(f):
        return "time"
    if re.fullmatch(r"\s*s?tt\s*", f):
        return "id"
    if _TEXT_H.search(f) or len(f) > 3:
        return "text"
    return "other"


# --- row numbers -----------------------------------------------------------------------------------------

# A row number at the start of a line: 1, 1.1, 1.1.2, I, II, "L1" (1.1), "39" (3.9), "315" (3.15)
_ROW_START = re.compile(r"^[ \t|]*(?P<id>[0-9lIL]{1,3}(?:[.,][0-9lIL]{1,2}){0,2}|[IVX]{1,4})(?P<dot>[.)]?)(?=[ \t|]|$)")
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12, "XIII": 13, "XIV": 14, "XV": 15}


def _clean_id(raw: str) -> str:
    if re.fullmatch(r"[IVX]+", raw):
        return raw
    return raw.replace(",", ".").replace("l", "1").replace("I", "1").replace("L", "1.").replace("..", ".").rstrip(".")


def _expected(prev: str | None, roman_top: bool) -> list[str]:
    """Numbers that may follow ``prev`` in a task table."""
    if prev is None:
        return ["I", "1", "1.1"] if roman_top else ["1", "1.1", "I"]
    if re.fullmatch(r"[IVX]+", prev):
        nxt = {v: k for k, v in _ROMAN.items()}.get(_ROMAN.get(prev, 0) + 1)
        return [x for x in ("1", nxt) if x]
    parts = [int(p) for p in prev.split(".")]
    out = [".".join(map(str, parts + [1]))]
    for k in range(len(parts), 0, -1):
        nxt = parts[:k - 1] + [parts[k - 1] + 1]
        out.append(".".join(map(str, nxt)))
    # a number OCR lost entirely: the one after the next, last
    out.append(".".join(map(str, parts + [2])))
    out.append(".".join(map(str, parts[:-1] + [parts[-1] + 2])))
    return out


def _matches_expected(raw: str, expected: list[str]) -> str | None:
    c = _clean_id(raw)
    for e in expected:
        if c == e:
            return e
    for e in expected:
        if "." in e and c.replace(".", "") == e.replace(".", "") and len(c) >= 2:
            return e  # the dot was lost: "39" = 3.9, "315" = 3.15
    return None


# --- reading a table -------------------------------------------------------------------------------------


@dataclass
class _Row:
    id: str
    line: int  # line index of the number
    lines: list[int] = field(default_factory=list)
    cells: dict[str, list[str]] = field(default_factory=dict)  # delimited tables


def find_tasks(text: Text, documents: list[Document], *, focus_items: bool = False) -> list[Task]:
    """Tasks of every document in the text: table rows (group rows excluded) and "Tổ chức thực hiện"
    assignments. ``focus_items`` also turns the numbered "nhiệm vụ trọng tâm" of a document without a task
    table into tasks (the gold counts them as borderline)."""
    docs = sorted(documents, key=lambda d: d.start)
    lines = _Lines(text)
    out: list[Task] = []
    ranges: list[tuple[Document | None, int, int]] = []
    n = len(text.original)
    if not docs:
        ranges.append((None, 0, n))
    for i, d in enumerate(docs):
        end = d.end or (docs[i + 1].start if i + 1 < len(docs) else n)
        ranges.append((d, 0 if i == 0 else d.start, end))
    for d, s, e in ranges:
        ref = d.ref if d is not None else ""
        prov = _doc_province(d)
        li0, li1 = lines.index_range(s, e)
        table_tasks = _table_tasks(text, lines, li0, li1, ref, prov)
        out.extend(table_tasks)
        out.extend(_assignment_tasks(text, lines, li0, li1, ref, prov))
        if focus_items and not table_tasks:
            out.extend(_focus_tasks(text, lines, li0, li1, ref, prov))
    return out


def _doc_province(d: Document | None) -> str | None:
    if d is None:
        return None
    return document_province(d)


class _Lines:
    """The folded lines of a text with their original offsets."""

    def __init__(self, text: Text) -> None:
        self.text = text
        f = _folded(text)
        self.folded = f.split("\n")
        # each line start is the previous one plus the line and its "\n"
        self.starts: list[int] = list(accumulate(map((1).__add__, map(len, self.folded[:-1])), initial=0))

    def index_range(self, start: int, end: int) -> tuple[int, int]:
        from bisect import bisect_right

        fs = start if self.text._map is None else _fpos(self.text, start)
        fe = end if self.text._map is None else _fpos(self.text, end)
        return max(0, bisect_right(self.starts, fs) - 1), bisect_right(self.starts, max(fs, fe - 1))

    def orig(self, i: int) -> str:
        s = self.starts[i]
        e = s + len(self.folded[i])
        return self.text.surface(s, e)

    def span(self, i: int) -> tuple[int, int]:
        s = self.starts[i]
        return self.text.span(s, s + len(self.folded[i]))


def _folded(text: Text) -> str:
    """The folded text with carriage returns as spaces (same length), so that "$" ends CRLF lines too."""
    f = text.__dict__.get("_kg_folded_lf")
    if f is None:
        f = text.folded.replace("\r", " ") if "\r" in text.folded else text.folded
        text.__dict__["_kg_folded_lf"] = f
    return f


def _fpos(text: Text, i: int) -> int:
    from bisect import bisect_left

    return i if text._map is None else bisect_left(text._map, i)


def _table_tasks(text: Text, lines: _Lines, li0: int, li1: int, ref: str, prov: str | None) -> list[Task]:
    headers = _find_headers(lines, li0, li1)
    if not headers:
        return []
    out: list[Task] = []
    # consecutive headers with the same layout are one table continued over pages
    start = headers[0]
    header_lines = {i for h in headers for i in range(h.first_line, h.line + 1)}
    end = li1
    # the table ends at the next "Tổ chức thực hiện"-like heading, or the signature block, or the range end
    rows = _read_rows(lines, start.line + 1, end, header_lines)
    if not rows:
        return []
    if start.delimiter:
        out = _delimited_tasks(text, lines, rows, start, ref, prov, header_lines)
    else:
        out = _flow_tasks(text, lines, rows, ref, prov, header_lines)
    return out


def _read_rows(lines: _Lines, first: int, end: int, skip: set[int]) -> list[_Row]:
    rows: list[_Row] = []
    prev: str | None = None
    roman_top = False
    # the first row number decides whether groups are roman (I, II) or arabic (1, 2)
    for i in range(first, end):
        if i in skip:
            continue
        m = _ROW_START.match(lines.folded[i].replace("\t", " "))
        orig = lines.orig(i)
        om = _ROW_START.match(orig.replace("\t", " "))
        if not m or not om:
            continue
        raw = om.group("id")
        if prev is None:
            roman_top = bool(re.fullmatch(r"[IVX]+", raw))
        got = _matches_expected(raw, _expected(prev, roman_top))
        if got is None:
            continue
        if _looks_like_date_or_amount(lines.folded[i], m.end()):
            continue
        rows.append(_Row(got, i))
        prev = got
    return rows


def _looks_like_date_or_amount(line: str, pos: int) -> bool:
    return bool(re.match(r"\s*(?:/|%|tr[il1]e[uw]|ty\b|nam\b)", line[pos:]))


def _is_group(row: _Row, rows: list[_Row]) -> bool:
    """A row whose number has children (1 → 1.1; I → 1) is a heading, not a task."""
    if re.fullmatch(r"[IVX]+", row.id):
        i = rows.index(row)
        return i + 1 < len(rows) and not re.fullmatch(r"[IVX]+", rows[i + 1].id)
    prefix = row.id + "."
    return any(r.id.startswith(prefix) for r in rows)


# --- delimited tables ------------------------------------------------------------------------------------


def _delimited_tasks(text: Text, lines: _Lines, rows: list[_Row], header: _Header, ref: str, prov: str | None,
                     header_lines: set[int]) -> list[Task]:
    cols = header.columns
    out: list[Task] = []
    row_lines = [r.line for r in rows]
    for k, r in enumerate(rows):
        nxt = row_lines[k + 1] if k + 1 < len(rows) else _table_end(lines, r.line, header)
        cells: dict[str, list[str]] = {}
        for i in range(r.line, nxt):
            if i in header_lines:
                continue
            orig = lines.orig(i)
            if header.delimiter == "|" and re.fullmatch(r"[\s|:\-]*", orig):
                continue
            if header.delimiter not in orig:
                if i == r.line:
                    cells.setdefault("text", []).append(orig)
                continue
            for kind, cell in zip(cols, _split_cells(orig, header.delimiter), strict=False):
                cell = _strip_markup(cell)
                if cell:
                    cells.setdefault(kind, []).append(cell)
        if k + 1 < len(rows) and _is_group(r, rows):
            continue
        if _is_group(r, rows):
            continue
        # a continuation line after the next header belongs to this row ("để triển khai ..." over a page)
        desc = " ".join(cells.get("text", []))
        desc = re.sub(r"^\s*" + re.escape(r.id) + r"[.)]?\s*", "", desc)
        lead = _cell_bodies(" ; ".join(cells.get("lead", [])), prov)
        partners = _cell_bodies(" ; ".join(cells.get("partner", [])), prov)
        tm = " ".join(cells.get("time", [])).strip()
        s, _ = lines.span(r.line)
        out.append(Task(in_document=ref, id=r.id, text=clean_surface(desc), lead=lead,
                        partners=[p for p in partners if p not in lead], time=clean_surface(tm) or None,
                        line=r.line + 1, start=s, end=lines.span(nxt - 1)[1]))
    return out


def _table_end(lines: _Lines, last_row_line: int, header: _Header) -> int:
    i = last_row_line + 1
    n = len(lines.folded)
    while i < n and (header.delimiter in lines.folded[i] or not lines.folded[i].strip()):
        if not lines.folded[i].strip() and i + 1 < n and header.delimiter not in lines.folded[i + 1]:
            break
        i += 1
    return i


def _strip_markup(cell: str) -> str:
    cell = re.sub(r"</?[a-zA-Z][^>]*>", "", cell)
    return clean_surface(cell.replace("**", "")).strip(" *")


def _cell_bodies(cell: str, prov: str | None) -> list[str]:
    if not cell.strip():
        return []
    return split_bodies(cell, province=prov)


# --- tables in running text (OCR'd or one cell per line) -------------------------------------------------


@dataclass
class _Occ:
    """One body (or a piece of one) in a table row."""

    name: str
    line: int
    start: int  # folded offset of its piece on this line
    end: int
    kind: str | None
    piece: str = "whole"  # whole | head (name cut at the line end) | tail (the rest, on a later line)
    cell: int = -1


_DESC_CUE = re.compile(
    r"(?:c[a-z0-9]{0,2}[ua]a?|v[o0e]i|giao|cho|t[a-z]i|nh[a-z]|b[a-z]o c[a-z]o|ph[a-z]{1,3}i h[o0q]p v[o0e]i)[\s,]*$")
_APEX = {"government", "state", "party-leadership"}


def _flow_tasks(text: Text, lines: _Lines, rows: list[_Row], ref: str, prov: str | None,
                header_lines: set[int]) -> list[Task]:
    groups = {r.line for r in rows if _is_group(r, rows)}
    last_line = _flow_end(lines, rows)
    owner = _line_owners(lines, rows, groups, last_line, header_lines)
    occs = _table_occurrences(text, lines, sorted(owner), owner, prov)
    by_row: dict[int, list[_Occ]] = {}
    for o in occs:
        by_row.setdefault(owner[o.line] if o.piece != "tail" else o.cell, []).append(o)
    _rebalance(rows, groups, by_row)
    out: list[Task] = []
    for k, r in enumerate(rows):
        if r.line in groups:
            continue
        row_occs = sorted(by_row.get(k, []), key=lambda o: (o.line, o.start))
        lead, partners = _assign_columns(row_occs, lines)
        body_lines = [i for i in sorted(owner) if owner[i] == k]
        desc = _row_text(lines, r, body_lines, row_occs)
        tm = None
        for i in [r.line] + [i for i in body_lines if i != r.line]:
            ft = find_time(lines.folded[i])
            if ft:
                tm = ft[0]
                break
        s, _ = lines.span(r.line)
        e = lines.span(max(body_lines))[1] if body_lines else lines.span(r.line)[1]
        out.append(Task(in_document=ref, id=r.id, text=desc, lead=lead, partners=[p for p in partners if p not in lead],
                        time=tm, line=r.line + 1, start=s, end=e))
    return out


def _line_owners(lines: _Lines, rows: list[_Row], groups: set[int], last_line: int, header_lines: set[int]
                 ) -> dict[int, int]:
    """Which row each line of the table belongs to.

    Cells are centred vertically, so a row's tall cells begin above its number: a line between two row
    numbers goes to the next row when it is much nearer to that row's number than to the previous one.
    A group heading is one line; the lines after it belong to the next row.
    """
    owner: dict[int, int] = {}
    nonblank = [i for i in range(rows[0].line, last_line) if lines.folded[i].strip()]
    rank = {i: n for n, i in enumerate(nonblank)}  # distances count printed lines, not blank ones
    for k, r in enumerate(rows):
        owner[r.line] = k
        nxt = rows[k + 1].line if k + 1 < len(rows) else last_line
        for i in range(r.line + 1, nxt):
            if i not in rank:
                continue
            if i in header_lines:
                continue
            if k + 1 >= len(rows):
                owner[i] = k
            elif r.line in groups:
                owner[i] = k + 1
            elif rows[k + 1].line in groups:
                owner[i] = k
            else:
                owner[i] = k + 1 if (rank[nxt] - rank[i]) < 0.5 * (rank[i] - rank[r.line]) else k
    return {i: k for i, k in owner.items() if rows[k].line not in groups}


def _rebalance(rows: list[_Row], groups: set[int], by_row: dict[int, list[_Occ]]) -> None:
    """A body named twice in the lines after a row's number: the second naming starts the next row."""
    for k in range(len(rows) - 1):
        if rows[k].line in groups or rows[k + 1].line in groups:
            continue
        occs = sorted(by_row.get(k, []), key=lambda o: (o.line, o.start))
        seen: set[str] = set()
        cut = None
        for o in occs:
            if o.line > rows[k].line and o.name in seen and o.piece == "whole":
                cut = o.line
                break
            seen.add(o.name)
        if cut is None:
            continue
        by_row[k] = [o for o in occs if o.line < cut]
        by_row.setdefault(k + 1, []).extend(o for o in occs if o.line >= cut)


def _flow_end(lines: _Lines, rows: list[_Row]) -> int:
    """Where a table in running text stops: a blank run after the last row, or a heading / signature."""
    i = rows[-1].line + 1
    n = len(lines.folded)
    blank = 0
    while i < n:
        f = lines.folded[i]
        if not f.strip():
            blank += 1
            if blank >= 4:
                return i - blank + 1
        else:
            blank = 0
            if re.match(r"\s*(?:n[o0][il1] nh[a-z]n|t[mn]\.|kt\.|tl\.|chu tich|phu luc)\b", f):
                return i
        i += 1
    return n


def _table_occurrences(text: Text, lines: _Lines, todo: list[int], owner: dict[int, int],
                       prov: str | None) -> list[_Occ]:
    occs: list[_Occ] = []
    for i in todo:
        s, e = lines.span(i)
        f = lines.folded[i]
        fs0 = lines.starts[i]
        for bm in find_bodies(text, s, e, province=prov, catch_all=True):
            fs = _fpos(text, bm.start) - fs0
            fe = _fpos(text, bm.end) - fs0
            if bm.kind in _APEX or bm.kind == "international" or _DESC_CUE.search(f[:fs]):
                continue  # an issuer of a cited act, or a body named in the task's own words
            occs.append(_Occ(bm.name, i, fs, fe, bm.kind))
    # names cut at a column's edge, then the rest of them further down (knowing where whole names stand)
    heads: list[tuple[_Occ, list]] = []
    for i in todo:
        f = lines.folded[i]
        for name, fs, fe, cands, strong in _heads(f):
            if any(o.line == i and (o.start <= fs < o.end or fs <= o.start < fe) for o in occs):
                continue
            if _DESC_CUE.search(f[:fs]):
                continue
            nxt = _next_start(occs, i, fe)
            if not strong and not (re.fullmatch(r"[\s,.;\-]*(?:\|.*)?", f[fe:]) or nxt is not None
                                   and re.fullmatch(r"[\s,.;|\-]*", f[fe:nxt])):
                continue
            o = _Occ(name, i, fs, fe, "department", "head", owner[i])
            occs.append(o)
            heads.append((o, cands))
    for _ in range(3):  # a tail found makes the next one findable ("binh va Xa hoi thong, ...")
        pending = [(o, c) for o, c in heads if not o.piece.endswith("+")]
        if not pending:
            break
        found = False
        for o, cands in pending:
            if _follow_tail(lines, o, cands, occs, owner):
                o.piece = "head+"
                found = True
        if not found:
            break
    # a cut name that could begin several names and whose rest was not found is left out, not guessed
    drop = {id(o) for o, c in heads if not o.piece.endswith("+") and len({n for n, _ in c}) > 1}
    occs = [o for o in occs if id(o) not in drop]
    for o in occs:
        if o.piece == "head+":
            o.piece = "head"
    return occs


def _next_start(occs: list[_Occ], line: int, pos: int) -> int | None:
    starts = [o.start for o in occs if o.line == line and o.start >= pos]
    return min(starts) if starts else None


@cache
def _cut_names() -> tuple[re.Pattern, list[int], list[list[tuple[str, list[str]]]]]:
    """A pattern for the first words of multi-word names ("Sở Nông nghiệp và", "Ban Tuyên giáo Tỉnh"), for
    names cut by a column's width, with the words still to come for each name they may begin."""
    from kg.bodies import _alias_tokens, _Trie

    keys: dict[tuple, int] = {}
    cands: list[list[tuple[str, list[str]]]] = []
    trie = _Trie()
    full = set()
    entries = [b for b in load_table("bodies")["bodies"]
               if "{" not in b["name"] and b.get("kind") not in ("international", "collective")]
    for b in entries:
        full.add(tuple(re.findall(r"[a-z0-9]+", fold(b["name"]))))
    for b in entries:
        words = re.findall(r"[a-z0-9]+", fold(b["name"]))
        all_toks = _alias_tokens(b["name"])
        if len(all_toks) != len(words):
            continue
        lo = 2 if words[0] in ("so", "bo") else 3
        for k in range(lo, len(words)):
            if tuple(words[:k]) in full:
                continue
            toks = tuple(all_toks[:k])
            if toks not in keys:
                keys[toks] = len(cands)
                cands.append([])
                trie.add(list(toks), keys[toks])
            cands[keys[toks]].append((b["name"], words[k:]))
    groups: list[int] = []
    return re.compile(trie.emit_root(groups)), groups, cands


def _heads(f: str) -> list[tuple[str, int, int, list[tuple[str, list[str]]], bool]]:
    """Names cut short in a line: (the likeliest name, start, end, every name it may begin with the words
    still to come, whether the piece is long enough to stand on its own)."""
    rx, groups, cands = _cut_names()
    out = []
    for m in rx.finditer(f):
        words = re.findall(r"[a-z0-9&@§()]+", m.group())
        if len(words) < 2 or sum(len(w) for w in words[1:]) < 3 or any(len(w) < 2 for w in words[1:]):
            continue  # "s X": too little to be sure of a name
        if re.search(r"(?:^|\s)c[o0]\s*$", f[:m.start()]):
            continue  # "cơ sở ..." is a base, not a department
        cs = cands[groups[int(m.lastgroup[1:])]]
        strong = (sum(len(w) for w in words[1:]) >= 6 and len(words) >= 3
                  and bool(re.fullmatch(r"[s58$][o0&6e@a§]{0,2}|b[o0§y6]?", words[0])))  # "Sở", "Bộ" as OCR reads them
        out.append((cs[0][0], m.start(), m.end(), cs, strong))
    return out


def _word_rx(w: str) -> str:
    firsts, rest = word_pattern(w)
    return "[" + re.escape(firsts) + "]" + rest


@cache
def _rest_rx(rest: tuple[str, ...]) -> re.Pattern:
    """The words still to come of a cut name, as OCR may read them."""
    return re.compile(r"(?<![a-z0-9&])" + r"[\s,.\-]+".join(_word_rx(w) for w in rest) + r"(?![a-z0-9&])")


def _follow_tail(lines: _Lines, head: _Occ, cands, occs: list[_Occ], owner: dict[int, int]) -> bool:
    """Find the rest of a cut name on the next lines of the same row, at the start of a column piece."""
    i = head.line
    later = [j for j in range(i + 1, min(len(lines.folded), i + 12)) if lines.folded[j].strip()][:4]
    names = {n for n, _ in cands}
    for o in occs:
        # the rest was read as a whole name of its own ("Bộ Chỉ huy" … "Bộ đội Biên phòng tỉnh")
        if o.line in later and o.piece == "whole" and o.name in names and owner.get(o.line) == owner.get(i):
            head.name = o.name
            return True
    for j in later:
        if owner.get(j) != owner.get(i):
            continue
        f = lines.folded[j]
        for cname, rest in cands:
            if not rest:
                continue
            rx = _rest_rx(tuple(rest))
            for m in rx.finditer(f):
                if any(o.line == j and o.start <= m.start() < o.end for o in occs):
                    continue
                seg = f[:m.start()].rsplit("|", 1)[-1]
                prev_end = max([o.end for o in occs if o.line == j and o.end <= m.start()], default=-1)
                if prev_end >= 0:
                    seg = f[prev_end:m.start()]
                if len(rest) < 3 and re.search(r"[a-z]{3,}", seg):
                    continue  # a short rest must begin a column's piece; a long one is telling enough
                # a short rest ("thông") must end a piece, not begin a sentence ("thương đối với ...")
                if len(rest) <= 2 and not re.match(r"\s*(?:$|[|,;.]|va\b|cac\b|\d)", f[m.end():]) and \
                        _next_start(occs, j, m.end()) is None:
                    continue
                head.name = cname
                occs.append(_Occ(cname, j, m.start(), m.end(), "department", "tail", head.cell))
                return True
    return False


_SAME_CELL = re.compile(r"^[\s,]*(?:,|va|&)[\s,]*$|^\s*,\s*$")


def _assign_columns(occs: list[_Occ], lines: _Lines) -> tuple[list[str], list[str]]:
    """Lead and partner bodies of one row from where their pieces stand on the lines."""
    if not occs:
        return [], []
    # cells: pieces on one line joined by a comma or "và" are one cell; a cell continued on the next
    # line (the line ends with "," ";" or "và") is the same cell there
    cell_of: dict[str, int] = {}
    ncell = 0

    def union(a: str, b: str) -> None:
        ca, cb = cell_of[a], cell_of[b]
        if ca != cb:
            for k, v in list(cell_of.items()):
                if v == cb:
                    cell_of[k] = ca

    for o in occs:
        if o.name not in cell_of:
            cell_of[o.name] = ncell
            ncell += 1
    by_line: dict[int, list[_Occ]] = {}
    for o in occs:
        by_line.setdefault(o.line, []).append(o)
    score: dict[str, int] = dict.fromkeys(cell_of, 0)
    for li, lo in sorted(by_line.items()):
        f = lines.folded[li]
        for x, y in zip(lo, lo[1:], strict=False):
            between = f[x.end:y.start]
            if _SAME_CELL.match(between) and "|" not in between:
                union(x.name, y.name)
        # a line ending inside a list continues it on the next line that has a body
        last = lo[-1]
        if re.match(r"\s*(?:[,;]|va|,\s*va)\s*$", f[last.end:]):
            # the list goes on in the same column on the next line that names a body: the last one there
            nxt = [o for o in occs if o.line > li and o.piece == "whole"]
            if nxt:
                nl = min(o.line for o in nxt)
                if nl <= li + 3:
                    union(last.name, max((o for o in nxt if o.line == nl), key=lambda o: o.start).name)
    for li, lo in sorted(by_line.items()):
        f = lines.folded[li]
        cells_on_line: list[int] = []
        for o in lo:
            c = cell_of[o.name]
            if not cells_on_line or cells_on_line[-1] != c:
                cells_on_line.append(c)
        if len(set(cells_on_line)) >= 2:
            for pos, c in enumerate(cells_on_line):
                for nme, cc in cell_of.items():
                    if cc == c:
                        score[nme] += 1 if pos == 0 else -1
    cells: dict[int, list[str]] = {}
    for o in occs:
        c = cell_of[o.name]
        if o.name not in cells.setdefault(c, []):
            cells[c].append(o.name)
    cell_score = {c: sum(score[nme] for nme in names) for c, names in cells.items()}
    # "X và các cơ quan ...": a body listed with a collective is one of the partners
    listed = {cell_of[o.name] for o in occs if re.match(r"[\s,]*va(?:\s+c[a-z]c\b|\s*$)", lines.folded[o.line][o.end:])}
    determined_lead = any(v > 0 for v in cell_score.values())
    lead: list[str] = []
    partners: list[str] = []
    for c, names in cells.items():
        sc = cell_score[c]
        if sc > 0:
            lead.extend(names)
        elif sc < 0:
            partners.extend(names)
        elif determined_lead:
            partners.extend(names)
        elif c in listed or any(_partnerish(nme) for nme in names):
            partners.extend(names)
        else:
            lead.extend(names)
    # every body looking like a partner leaves the lead unknown (its name was lost to OCR, most likely)
    return _dedupe(lead), _dedupe(partners)


def _partnerish(name: str) -> bool:
    kind = body_kind(name)
    return kind == "collective"


def _dedupe(xs: list[str]) -> list[str]:
    out: list[str] = []
    for x in xs:
        if x not in out:
            out.append(x)
    return out


def _row_text(lines: _Lines, r: _Row, body_lines: list[int], occs: list[_Occ]) -> str:
    """The description column as far as it can be read: the text of the row's lines before the first body."""
    parts = []
    for i in body_lines:
        orig = lines.orig(i)
        f = lines.folded[i]
        cut = len(f)
        for o in occs:
            if o.line == i:
                cut = min(cut, o.start)
        # the first bar after the text ends the cell; a bar the line opens with is the table's border
        bar = f.find("|", 1 if f.startswith("|") else 0)
        if 0 < bar < cut:
            cut = bar
        tm = find_time(f)
        if tm and tm[1] < cut:
            cut = tm[1]
        seg = orig[:cut] if len(orig) == len(f) else orig
        if i == r.line:
            seg = _ROW_START.sub("", seg.replace("\t", " "), count=1)
        seg = seg.strip(" |")
        if seg:
            parts.append(seg)
    return clean_surface(" ".join(parts))


# --- "Tổ chức thực hiện" ---------------------------------------------------------------------------------

_ORG_HEAD = re.compile(r"^[ \t#*]*(?P<num>[ivx1l]{1,5}|\d{1,2})[.)/\-][ \t*]*"
                       r"t[o0] ch[uw][a-z]{0,2}c th[uw][a-z]{0,2}c hi[e]n[ \t*:.]*$", re.M)
_ITEM = re.compile(r"^[ \t#*]*(?P<num>\d{1,2})[.)\-][ \t*]+(?=\S)", re.M)
_ASSIGN = re.compile(
    r"(?P<cue>giao|[dpb][e] ngh[il1]|y[e]u c[a-z]u|ch[il1] d[a-z]{1,2}o|ph[a-z]n c[o0]ng)[\s:]+", re.M)
_LEAD_CUE = re.compile(r"\bch[uw] tr[il1j]\b")
_PARTNER_CUE = re.compile(r"ph[a-z0-9&]{1,2}[il1] h[o0q]p\s+(?:ch[a-z]t ch[e]\s+)?(?:v[a-z0-9&]{1,2}[il1]\s+)?")


def _assignment_tasks(text: Text, lines: _Lines, li0: int, li1: int, ref: str, prov: str | None) -> list[Task]:
    f = _folded(text)
    fs = lines.starts[li0]
    fe = lines.starts[li1] if li1 < len(lines.starts) else len(f)
    out: list[Task] = []
    for h in _org_heads(f, fs, fe):
        num = _roman(h.group("num"))
        sec_end = fe
        if re.fullmatch(r"[IVX]+", num):
            # the section runs to the next roman number ("VI." → "VII."), not to an item "i)" of a list
            after = {v: k for k, v in _ROMAN.items()}.get(_ROMAN.get(num, 0) + 1, "")
            nxt = _roman_head(after).search(f, h.end(), fe) if after else None
            if nxt:
                sec_end = nxt.start()
        sec_end = _section_stop(f, h.end(), sec_end)
        out.extend(_section_items(text, h.end(), sec_end, num, ref, prov))
    if not out:
        # an unnumbered assignment ("Giao Sở ... chủ trì, phối hợp với ...") in a short letter
        out.extend(_loose_assignments(text, fs, fe, ref, prov))
    return out


def _org_heads(f: str, fs: int, fe: int) -> list[re.Match]:
    """``_ORG_HEAD.finditer(f, fs, fe)`` (``fs`` a line start). A pattern anchored at line starts has no
    first character for the regex engine to skip to, so it would be tried at every position; its matches
    are whole lines, ending as ``_ORG_TAIL`` matches (a search with a literal prefix, which is fast), so
    only those lines are tried."""
    out: list[re.Match] = []
    for t in _ORG_TAIL.finditer(f, fs, fe):
        m = _ORG_HEAD.match(f, f.rfind("\n", fs, t.start()) + 1 or fs, fe)
        if m:
            out.append(m)
    return out


_ORG_TAIL = re.compile(r"c hien[ \t*:.]*$", re.M)  # how every _ORG_HEAD line ends


@cache
def _roman_head(after: str) -> re.Pattern:
    return re.compile(rf"^[ \t#*]*{after.lower()}\.[ \t*]", re.M)


def _roman(raw: str) -> str:
    """A section number as printed, OCR slips undone ("I11" = III, "l" = I)."""
    if raw.isdigit() and not re.fullmatch(r"[1l]+", raw):
        return raw
    r = raw.upper().replace("1", "I").replace("L", "I")
    return r if r in _ROMAN else raw


def _section_stop(f: str, start: int, end: int) -> int:
    """The section ends at the closing formula, the list of addressees or the signature."""
    m = _SECTION_STOP.search(f, start, end)
    return m.start() if m else end


_SECTION_STOP = re.compile(r"^[ \t*#-]*(?:n[o0][il1] nh[a-z]n\s*:|tr[a-z]n tr[o0]ng|\*?\*?(?:kt|tm|tl)\.\s|"
                           r"d[il1][e]u \d+\.|\*\*d[il1][e]u)", re.M)


def _counted_items(f: str, s: int, e: int) -> list[re.Match[str]]:
    """The numbered items of ``f[s:e]`` that count 1, 2, 3 ... (other numbers are sub-items or quotes)."""
    seq = []
    want = 1
    for m in _ITEM.finditer(f, s, e):
        if int(m.group("num")) == want:
            seq.append(m)
            want += 1
    return seq


def _section_items(text: Text, s: int, e: int, num: str, ref: str, prov: str | None) -> list[Task]:
    f = _folded(text)
    seq = _counted_items(f, s, e)
    out: list[Task] = []
    prefix = num if re.fullmatch(r"[IVX]+", num) else None
    for k, m in enumerate(seq):
        ie = seq[k + 1].start() if k + 1 < len(seq) else e
        tid = f"{prefix}.{m.group('num')}" if prefix else m.group("num")
        t = _read_assignment(text, m.end(), ie, prov)
        if t is None:
            continue
        lead, partners, desc, tm = t
        s0, e0 = text.span(m.start(), ie)
        out.append(Task(in_document=ref, id=tid, text=desc, lead=lead, partners=partners, time=tm,
                        line=text.line_of(s0), start=s0, end=e0))
    return out


def _read_assignment(text: Text, s: int, e: int, prov: str | None
                     ) -> tuple[list[str], list[str], str, str | None] | None:
    """Lead, partners, text and time of one assignment item (its number already read)."""
    f = _folded(text)
    first_nl = f.find("\n", s, e)
    first_line_end = e if first_nl < 0 else first_nl
    heading = f[s:first_line_end]
    s0, e0 = text.span(s, first_line_end)
    head_bodies = find_bodies(text, s0, e0, province=prov, catch_all=True)
    lead: list[str] = []
    body_start = s
    # a heading that is only body names ("1. Bộ Thông tin và Truyền thông", "3. Các Bộ, ..., và UBND ...")
    if head_bodies and _only_bodies(heading, text, head_bodies, s):
        lead = _names(head_bodies)
        body_start = first_line_end
    else:
        m = _ASSIGN.match(f, s) or _ASSIGN.search(f, s, min(e, s + 200))
        if m and m.start() - s <= 120:
            bodies = _bodies_run(text, m.end(), e, prov)
            if bodies:
                lead = _names(bodies)
                body_start = _fpos(text, bodies[-1].end)
        if not lead:
            # "Sở X chủ trì, ..." / "Các cơ quan ... tổ chức thực hiện"
            bodies = _bodies_run(text, _skip_lead_in(f, s, e), e, prov)
            if bodies:
                lead = _names(bodies)
                body_start = _fpos(text, bodies[-1].end)
    if not lead:
        return None
    partners: list[str] = []
    for pm in _PARTNER_CUE.finditer(f, body_start, e):
        for b in _bodies_run(text, pm.end(), e, prov):
            if b.name not in lead and b.name not in partners:
                partners.append(b.name)
    desc = clean_surface(text.surface(body_start, e)).strip(" .,;:-")
    desc = re.sub(r"^[-+•*\s]+", "", desc)
    tm = _assignment_time(f, body_start, e)
    return lead, partners, _capital(desc), tm


def _capital(s: str) -> str:
    """A capital first letter, except for a list letter ("a) ...")."""
    return s if re.match(r"\w\)", s) else s[:1].upper() + s[1:]


def _skip_lead_in(f: str, s: int, e: int) -> int:
    m = _LEAD_IN.match(f, s, e)
    return m.end() if m else s


_LEAD_IN = re.compile(r"[\s,]*(?:c[a-z]{1,2}n c[a-z]{1,3}\s+n[a-z0-9]{1,3} dung[^,]{0,40},\s*)?")


def _only_bodies(heading: str, text: Text, bodies: list[BodyMatch], s: int) -> bool:
    rest = _folded(text)[s:s + len(heading)]
    for b in reversed(bodies):
        bs, be = _fpos(text, b.start) - s, _fpos(text, b.end) - s
        rest = rest[:bs] + " " + rest[be:]
    return not re.search(r"[a-z]{2,}", re.sub(r"\b(?:va|cac|voi)\b", " ", rest))


def _bodies_run(text: Text, pos: int, e: int, prov: str | None) -> list[BodyMatch]:
    """The bodies listed from ``pos`` on: names joined by commas or "và", up to the first other word."""
    f = _folded(text)
    out: list[BodyMatch] = []
    while True:
        m = _RUN_SEP.match(f, pos, e)
        p = m.end() if m else pos
        bms = find_bodies(text, text.to_orig(p), text.to_orig(min(e, p + 250)), province=prov, catch_all=True)
        bms = [b for b in bms if _fpos(text, b.start) <= p + (4 if out else 0)]
        if not bms:
            # "các" belongs to a collective's own name: try again from before it
            if m and f[m.start():p].strip().endswith("cac"):
                q = f.rfind("cac", m.start(), p)
                bms = find_bodies(text, text.to_orig(q), text.to_orig(min(e, q + 250)), province=prov,
                                  catch_all=True)
                bms = [b for b in bms if _fpos(text, b.start) == q]
            if not bms:
                return out
        b = bms[0]
        out.append(b)
        pos = _fpos(text, b.end)


_RUN_SEP = re.compile(r"[\s,;]*(?:va\s+|cac\s+(?=[a-z]))?")


def _names(bodies: list[BodyMatch]) -> list[str]:
    return _dedupe([b.name for b in bodies])


_CHUNK_TIME = re.compile(r"(?:tr[uw][o0]c ng[a-z]y \d{1,2}(?: th[a-z]ng \d{1,2}|/\d{1,2})(?: h[a-z]ng n[a-z]m)?)")


def _assignment_time(f: str, s: int, e: int) -> str | None:
    m = _CHUNK_TIME.search(f, s, e)
    if m:
        return None  # a deadline inside a duty is the time of that duty, stated in words: kept in the text
    m = _YEARLY.search(f, s, e)
    if m:
        return "Hằng năm"
    return None


_YEARLY = re.compile(r"h[a-z]ng n[a-z]m")
_GIAO = re.compile(r"(?:^|[.;:]\s+|\n)(?P<cue>giao)\s+", re.M)


def _giao_cues(f: str, fs: int, fe: int) -> list[re.Match]:
    """``_GIAO.finditer(f, fs, fe)``. The pattern begins with a choice of anchors, so the regex engine
    would try it at every position; every match holds "giao", found by ``str.find``, and can only start
    at the punctuation before the spaces in front of it, at the line break right before it, or at it."""
    out: list[re.Match] = []
    pos = fs  # where the next match may start: the end of the previous one
    i = f.find("giao", fs, fe)
    while i >= 0:
        j = i
        while j > pos and f[j - 1].isspace():
            j -= 1
        if j < i and j - 1 >= pos and f[j - 1] in ".;:":
            start = j - 1
        elif i - 1 >= pos and f[i - 1] == "\n":
            start = i - 1
        elif i == 0 or f[i - 1] == "\n":
            start = i
        else:
            start = -1
        m = _GIAO.match(f, start, fe) if start >= 0 else None
        if m:
            out.append(m)
            pos = m.end()
            i = f.find("giao", pos, fe)
        else:
            i = f.find("giao", i + 1, fe)
    return out


def _loose_assignments(text: Text, fs: int, fe: int, ref: str, prov: str | None) -> list[Task]:
    f = _folded(text)
    out: list[Task] = []
    for m in _giao_cues(f, fs, fe):
        bodies = _bodies_run(text, m.end(), fe, prov)
        if not bodies:
            continue
        after = _fpos(text, bodies[-1].end)
        end = f.find("\n", after, fe)
        end = fe if end < 0 else end
        if not _LEAD_CUE.search(f, after, min(end, after + 40)):
            continue
        lead = _names(bodies)
        partners: list[str] = []
        for pm in _PARTNER_CUE.finditer(f, after, end):
            for b in _bodies_run(text, pm.end(), end, prov):
                if b.name not in lead and b.name not in partners:
                    partners.append(b.name)
        s0, e0 = text.span(m.start("cue"), end)
        desc = clean_surface(text.surface(after, end)).strip(" .,;:-")
        out.append(Task(in_document=ref, id=None, text=_capital(desc), lead=lead, partners=partners,
                        time=_assignment_time(f, after, end), line=text.line_of(s0), start=s0, end=e0))
    return out


# --- numbered focus tasks of a letter without a table (borderline in the gold) ---------------------------


_FOCUS_CUE = re.compile(r"nh[il1][e]m v[uy] tr[o0]ng t[a-z]m")


def _focus_tasks(text: Text, lines: _Lines, li0: int, li1: int, ref: str, prov: str | None) -> list[Task]:
    f = _folded(text)
    fs = lines.starts[li0]
    fe = lines.starts[li1] if li1 < len(lines.starts) else len(f)
    cue = _FOCUS_CUE.search(f, fs, fe)
    if not cue:
        return []
    lead_bodies = [b for b in find_bodies(text, text.to_orig(max(fs, cue.start() - 400)), text.to_orig(cue.start()),
                                          province=prov) if b.kind in ("collective", "provincial-committee")]
    lead = [lead_bodies[-1].name] if lead_bodies else []
    stop = _section_stop(f, cue.end(), fe)
    seq = _counted_items(f, cue.end(), stop)
    out = []
    for k, m in enumerate(seq):
        ie = seq[k + 1].start() if k + 1 < len(seq) else stop
        line_end = f.find("\n", m.end(), ie)
        s0, e0 = text.span(m.start(), ie)
        out.append(Task(in_document=ref, id=m.group("num"),
                        text=clean_surface(text.surface(m.end(), line_end if line_end > 0 else ie)),
                        lead=list(lead), line=text.line_of(s0), start=s0, end=e0))
    return out
