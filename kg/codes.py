"""Document-type and issuer codes: from the letters printed in a number to canonical spellings and meanings.

The tables live in `data/doc_types.json` and `data/issuer_codes.json`; this module only turns them into
lookups that tolerate what OCR does to codes (lost Đ, wrong case, Đ read as b/p, a stray letter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from kg.normalize import fold
from kg.tables import load_table


@dataclass(frozen=True)
class DocType:
    code: str | None
    name: str
    en: str
    system: str
    words: str


@cache
def doc_types() -> list[DocType]:
    return [
        DocType(t["code"], t["name"], t["en"], t["system"], t["words"]) for t in load_table("doc_types")["types"]
    ]


@cache
def _type_by_code() -> dict[str, DocType]:
    return {fold(t.code): t for t in doc_types() if t.code}


@cache
def _type_by_name() -> dict[str, DocType]:
    return {fold(t.name): t for t in doc_types()}


def type_by_name(name: str | None) -> DocType | None:
    return _type_by_name().get(fold(name or ""))


# OCR reads Đ as b or p ("Qb", "Pang"), and 0/o, 1/l/i swap; these substitutions are tried only when the
# code as read is not itself a known code, so genuine codes (PA, PC, TB, BB) are never rewritten.
_OCR_SUBS = str.maketrans({"b": "d", "p": "d", "0": "o", "1": "t", "l": "t"})


@cache
def canonical_type_code(raw: str) -> DocType | None:
    """The document type of the type code in a number (`"qb"` → QĐ), or None when unknown."""
    f = fold(raw).replace("&", "")
    table = _type_by_code()
    if f in table:
        return table[f]
    return table.get(f.translate(_OCR_SUBS))


@dataclass(frozen=True)
class IssuerCode:
    canonical: str
    issuer: str | None
    by_type: dict | None = None
    fallback: str | None = None
    contextual: bool = False


@cache
def _issuer_tables() -> tuple[dict[str, IssuerCode], list[tuple[re.Pattern, dict]]]:
    table = load_table("issuer_codes")
    exact: dict[str, IssuerCode] = {}
    for e in table["codes"]:
        exact[fold(e["code"])] = IssuerCode(e["code"], e["issuer"])
    for e in table["contextual"]:
        exact[fold(e["code"])] = IssuerCode(
            e["code"], e.get("issuer"), e.get("issuer_by_type"), e.get("fallback"), contextual=True
        )
    families = [(re.compile(f["pattern"].lower() + "$"), f) for f in table["families"]]
    return exact, families


def _edit_distance(a: str, b: str, limit: int = 2) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@cache
def lookup_issuer_code(raw: str) -> IssuerCode | None:
    """The known issuer code a printed code stands for, tolerating OCR (`"TTG"`, `"STTT1j"`)."""
    exact, families = _issuer_tables()
    f = fold(raw)
    if f in exact:
        return exact[f]
    for pat, fam in families:
        m = pat.match(f)
        if m:
            return IssuerCode(fam["canonical"].replace("{1}", m.group(1)), fam["issuer"])
    g = f.translate(_OCR_SUBS)
    if g in exact:
        return exact[g]
    # A longer code with one or two OCR slips ("STTT1j" for STTTT) is accepted only when it shows OCR
    # debris (a digit or a stray lower-case letter among capitals) and exactly one known code is that
    # close: a clean unknown code is a real code missing from the table, not a misreading.
    if len(f) >= 5 and re.search(r"[0-9a-z]", raw) and len(re.findall(r"[A-ZĐ]", raw)) >= 3:
        close = {e for k, e in exact.items() if len(k) >= 4 and _edit_distance(f, k) <= 2}
        if len(close) == 1:
            return close.pop()
    return None


_LETTERS = re.compile(r"[^0-9A-Za-zĐđ]")


@cache
def canonical_issuer_code(raw: str) -> str:
    """Canonical spelling of one code segment: the table's spelling, else the printed letters upper-cased."""
    known = lookup_issuer_code(raw)
    if known:
        return known.canonical
    cleaned = _LETTERS.sub("", raw)
    return cleaned.upper().replace("đ", "Đ") if cleaned else raw


def implied_issuer(type_code: str | None, issuer_codes: list[str], province: str | None = None) -> str | None:
    """The issuer a number implies when the text does not state one (NĐ-CP → Chính phủ; KL/TW → Bộ Chính trị)."""
    for raw in issuer_codes:
        code = lookup_issuer_code(raw)
        if not code:
            continue
        if code.by_type:
            t = canonical_type_code(type_code or "")
            return code.by_type.get(t.code if t else "", code.fallback)
        if code.contextual:
            if province and code.issuer and "{province}" in code.issuer:
                return code.issuer.replace("{province}", province)
            return code.fallback
        return code.issuer
    return None
