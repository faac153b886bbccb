"""Mentions by name: Luật, Bộ luật, Hiến pháp, Chiến lược, Đề án, Chương trình, Quy hoạch, Kế hoạch, Hiệp định.

Laws are cited by name more often than by number, and schemes and programmes usually have no number at
all. A name starts at a type word and runs to the end of its phrase; what counts as a reference follows
the gold conventions (SCHEMA.md): self-references ("Kế hoạch này"), lists of generic types ("các chương
trình, kế hoạch, đề án") and plans a task says to draft are not references to another document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from kg import scan
from kg.model import Mention, mention_at
from kg.normalize import Text, clean_surface
from kg.relations import is_paragraph_break

# type name, folded pattern, whether a lower-case type word is still a reference (generic plural references
# to schemes and treaties are, per the gold), whether an implementing verb must precede it
NAMED_TYPES = [
    ("Bộ luật", r"b[o0]\s{1,2}l[uv][a4]t", False, False),
    ("Luật", r"l[uv][a4]t", False, False),
    ("Hiến pháp", r"h[il1][ea]n\s{1,2}ph[a4]p", False, False),
    ("Pháp lệnh", r"ph[a4]p\s{1,2}l[ea]nh", False, False),
    ("Chiến lược", r"ch[il1][ea]n\s{1,2}l[uw][o0g]?[ce]", False, False),
    ("Đề án", r"[dp][e&]\s{1,2}[a4]n", True, False),
    ("Chương trình", r"ch[uw][o0]?ng\s{1,2}tr[il1]nh", False, False),
    ("Quy hoạch", r"q[uv]y\s{1,2}ho[a4]ch", False, False),
    ("Kế hoạch", r"k[ea&]\s{1,2}ho[a4]ch", False, True),
    ("Hiệp định", r"h[il1][ea]p\s{1,2}d[il1]nh", True, False),
]


# A type word starts a word (no letter before it); the empty group after each type names it. The text is
# scanned through kg.scan, which tries the pattern only where its first letters and the one before allow.
TYPE_WORD = re.compile(
    "(?<![a-z])(?:" + "|".join(f"(?:{p})(?P<t{i}>)" for i, (_, p, _, _) in enumerate(NAMED_TYPES)) + r")(?![a-z])"
)


def type_words(f: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, index in NAMED_TYPES) of each type word that starts a word of the folded text."""
    for m in scan.finditer(TYPE_WORD, f):
        yield m.start(), m.end(), int(m.lastgroup[1:])  # type: ignore[index]


ANY_TYPE = re.compile(
    r"^(?:" + "|".join(p for _, p, _, _ in NAMED_TYPES) + r"|d[uw]\s{1,2}[a4]n|ngh[il1]\s{1,2}q[uv]y[ea]t|quy ch[ea])"
)

# what may follow a type word without making it a name
NOT_A_NAME = re.compile(
    r"\s*(?:(?:nay|tren|do|nhu tren|neu tren|duoc|da|se|cua minh|so|va|hoac|cua (?:tinh|dia phuong)|"
    r"hang n\S{1,2}m|thong tin doi ngoai (?:hang|nam)|cong tac)\b|s[o0-9]\s|s\S\s*\d|\d|[,;.:)])"
)
END = re.compile(
    r"[;:]|\((?=[^)]{0,30}(?:\d|sau day))|\.(?:\s|$)|\n[ ]*\n|\n[ \t]*(?:[-+•*]|\d+(?:\.\d+)*[.)\t ]|[a-z]\))|\s(?:ngay|ngày)\s*\d|\ss\S?\s*\d|\|"
    r"|,\s(?=(?:cac\s|" + "|".join(p for _, p, _, _ in NAMED_TYPES) + r"))"
    r"|\s(?:va|hoac)\s(?=(?:cac\s)?(?:" + "|".join(p for _, p, _, _ in NAMED_TYPES) + r"))"
    r"|\t|<|\s(?:nham|theo|tai|tren co so|thong qua|duoc|da|se)\s"
)
# drafting verbs of the citing document: the plan it says to draft is not yet a document ("ban hành" counts
# only at the start of a clause: after a citation it is the cited act promulgating its content)
DRAFTING = re.compile(
    r"(?:(?:xay\s+dung|long\s+ghep|soan\s+thao|hoan\s+thien)|(?:^|[;.:\n]|[-+•])\s*ban\s+hanh)"
    r"(?:\s+va\s+[a-z ]{0,25})?[ ,]*(?:cac\s+)?$"
)
IMPLEMENTING = re.compile(r"(?:thuc\s+hien|trien\s+khai|tham\s+gia|theo)\b[^;.\n]{0,60}$")
PLURAL = re.compile(r"cac\s+$")
IMPLEMENTING_TAIL = re.compile(r"(?:th\S{1,2}[ce]\s+hi\S{1,2}n|tri\S{1,2}n\s+kh\S{1,2}i)\s*$")
LOWER_CUE = re.compile(r"(?:th\S{1,2}[ce]\s+hi\S{1,2}n|tri\S{1,2}n\s+kh\S{1,2}i|x\S{1,2}y\s+d\S{1,2}ng)\s+(?:cac\s+)?$")
LIST_BEFORE = re.compile(r"(?:" + "|".join(p for _, p, _, _ in NAMED_TYPES) + r"|d[uw]\s{1,2}[a4]n)\s*,\s*$")
MAX_WORDS = 30
# A law's name holds "và" ("Luật Phí và lệ phí") but not "về" or "quy định": there the sentence goes on
# ("Luật An toàn, vệ sinh lao động về hoạt động kiểm định ...", "Luật Việc làm và một số điều của Nghị
# định ..."). Programmes and schemes are named by what they are about ("Chương trình ... về thông tin").
_LAW_TYPES = ("Luật", "Bộ luật", "Pháp lệnh")
LAW_END = re.compile(r"\s(?:(?P<ve>ve)|(?:(?:va|,)\s+(?:cac\s+)?)?quy\s+d[il1]nh|va\s+(?:mot\s+so|cac)\s+d[il1][e&]u)\s")


def _law_name_end(text: Text, start: int, end: int) -> int:
    """Where the words after a law's type word stop being its name, at the latest ``end`` (folded offsets).
    "ve" must read "về" in the original: folded, it is also the "vệ" of "Luật An toàn, vệ sinh lao động"."""
    for m in LAW_END.finditer(text.folded, start, end):
        if m.group("ve") is None or text.surface(m.start("ve"), m.end("ve")).lower() == "về":
            return m.start()
    return end


@dataclass
class Named:
    start: int  # folded offsets
    end: int
    type: str
    name: str


def find_named(text: Text, skip: list[tuple[int, int]]) -> list[Named]:
    """References by name; `skip` holds folded spans already taken by numbered citations' type words."""
    f, o = text.folded, text.original
    out: list[Named] = []
    skip = sorted(skip)
    skip_starts = [s for s, _ in skip]
    for ms, me, i in type_words(f):
        k = bisect_right(skip_starts, ms) - 1
        if k >= 0 and skip[k][0] <= ms < skip[k][1]:
            continue
        tname, _, lower_ok, need_verb = NAMED_TYPES[i]
        s0, _ = text.span(ms, me)
        first = o[s0]
        upper = first.isupper()
        # cheapest rejections first: most type words in running text are lower-case or followed by "này"
        if not upper and not lower_ok:
            continue
        if upper and s0 > 0 and o[s0 - 1].isalpha():
            continue
        if NOT_A_NAME.match(f, me):
            continue
        before = f[max(0, ms - 80) : ms]
        plural = bool(PLURAL.search(before))
        if not upper and not (plural or LOWER_CUE.search(before)):
            continue
        if LIST_BEFORE.search(before):
            continue  # "các chiến lược, đề án về ...": kinds of document, not one
        if f[me : me + 2].startswith(",") and ANY_TYPE.match(f[me : me + 40].lstrip(" ,")):
            continue  # "các Kế hoạch, Đề án truyền thông": a list of kinds of document
        if need_verb and not IMPLEMENTING.search(before):
            continue
        if tname not in ("Đề án",) and DRAFTING.search(before):
            continue  # the plan a task says to draft is not yet a document
        pos = me
        while True:
            e = END.search(f, pos, min(len(f), me + 400))
            if e and e.group().startswith("\n") and not is_paragraph_break(f, e.start(), e.end()):
                pos = e.end()  # a page break inside the name
                continue
            break
        end = e.start() if e else min(len(f), me + 250)
        if tname in _LAW_TYPES:
            end = _law_name_end(text, me, end)
        k = bisect_right(skip_starts, me)
        if k < len(skip) and skip[k][0] < end:
            s1, e1 = skip[k]
            # "Chương trình ... thực hiện Nghị quyết số 06-NQ/TW": the programme is named by what it carries out
            end = e1 if IMPLEMENTING_TAIL.search(f[me : s1]) else s1
        # a quoted name ends at its closing quote
        q = f.find('"', me, end + 3)
        if q != -1 and q - me <= 3:
            q2 = f.find('"', q + 1, q + 300)
            if q2 != -1:
                end = q2 + 1
        words = f[me : end].split()
        if len(words) > MAX_WORDS:
            end = me + len(" ".join(words[:MAX_WORDS])) + 1
        while end > me and f[end - 1] in " ,\n-":
            end -= 1
        body = f[me : end].strip()
        if len(body) < 4:
            continue
        name = clean_surface(text.surface(ms, end))
        if name.endswith("”") and name.count("“") < name.count("”"):
            name = name[:-1].rstrip()  # the closing quote of a quoted title around it, not of the name
        name = name[0].upper() + name[1:]
        if plural:
            name = "các " + name[0].lower() + name[1:] if not name.startswith(("Luật", "Bộ luật")) else name
        out.append(Named(ms, end, tname, name))
    return out


def to_mention(text: Text, n: Named) -> Mention:
    return mention_at(text, n.start, n.end, key=None, name=n.name, type=n.type, system="named", method="name")
