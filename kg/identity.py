"""Identity: which node of the graph a document number, a name or a body stands for.

Three numbering systems share one grammar (DESIGN.md §1) but not one notion of uniqueness:

* normative acts carry their year in the number (``72/2015/NĐ-CP``): the number alone is the identity;
* administrative documents and official letters (``1486/QĐ-TTg``, ``1578/BTTTT-TTĐN``) restart their
  numbering every 1 January (NĐ 30/2020, Điều 15): identity is issuer × year;
* Party documents (``57-KL/TW``) are numbered per term; issuer × year is a finer partition of issuer ×
  term, so using the year never merges two documents that a term would keep apart.

Issuer codes such as ``UBND``, ``TU`` or ``STTTT`` are shared by every province: for them the place
(``tỉnh Bình Định``) is part of the issuer, taken from the stated issuer or, failing that, from the
province of the citing document (a Sở cited without a place inside a Bình Định plan is Bình Định's).
Whatever cannot be settled that way becomes an explicit unresolved reference (``{base}ref/...``) and is
never merged with a document by guess; the store later lists its possible referents beside it.

IRIs follow the ELI template style: ``{base}eli/vn/{issuer}/{year}/{type}/{number}``, e.g.
``{base}eli/vn/cp/2015/nd/72`` and ``{base}eli/vn/ubnd-binh-dinh/2024/kh/119``. Two deviations from
the DESIGN.md examples, on purpose: Party documents use the year rather than the full date
(``{base}eli/vn/tw/2023/kl/57``) so that a re-citation without its date, or with an OCR-damaged day,
still lands on the same node; and normative acts of the types that both systems use (QĐ, NQ, CT, QyĐ)
get a ``-qppl`` type segment, because ``16/2018/QĐ-TTg`` and the administrative ``16/QĐ-TTg`` of 2018
are two different decisions.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from urllib.parse import quote

from kg.codes import canonical_type_code, lookup_issuer_code
from kg.normalize import fold

DEFAULT_BASE = "https://legalkg.org/"

# Vocabulary namespaces (fixed, whatever the instance base).
VN = "https://legalkg.org/ns#"
DOC_TYPE = "https://legalkg.org/ns/doc-type/"
REL_TYPE = "https://legalkg.org/ns/relation/"
ELI = "http://data.europa.eu/eli/ontology#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
OA = "http://www.w3.org/ns/oa#"
OWL = "http://www.w3.org/2002/07/owl#"

PREFIXES = {
    "vn": VN,
    "vndt": DOC_TYPE,
    "vnrel": REL_TYPE,
    "eli": ELI,
    "org": ORG,
    "prov": PROV,
    "skos": SKOS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "dcterms": DCT,
    "oa": OA,
    "owl": OWL,
}


def sparql_prefixes() -> str:
    """The PREFIX lines every shipped query may rely on."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


# --------------------------------------------------------------------------------------------------
# Folding and slugs


@lru_cache(maxsize=65536)
def lookup_form(key: str | None) -> str:
    """The accent- and case-insensitive form keys are looked up by: ``1486/QD-TTg`` finds ``1486/QĐ-TTg``.

    Spaces around separators go, and leading zeros of the number too (``03/2019/TT-BTTTT`` is cited
    as ``3/2019/TT-BTTTT`` as well).
    """
    s = fold(unicodedata.normalize("NFC", key or ""))
    s = _SEP_SPACES.sub(r"\1", s)
    s = _SPACES.sub(" ", s).strip(" .,;:")
    return _LEADING_ZEROS.sub("", s)


_SEP_SPACES = re.compile(r"\s*([/\-])\s*")
_SPACES = re.compile(r"\s+")
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")


@lru_cache(maxsize=65536)  # a pure function of names that repeat across a build's documents
def slug(text: str, max_len: int = 80) -> str:
    """A readable, IRI-safe slug of a Vietnamese string (accents folded, đ → d); long ones get a hash."""
    s = re.sub(r"[^0-9a-z]+", "-", fold(unicodedata.normalize("NFC", text))).strip("-")
    if len(s) > max_len:
        h = hashlib.sha1(s.encode()).hexdigest()[:8]
        s = s[: max_len - 9].rstrip("-") + "-" + h
    return s or "x"


def short_hash(*parts: object, n: int = 16) -> str:
    """A stable hash of the parts, for IRIs of evidence nodes (same input, same IRI: builds are repeatable)."""
    h = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8"))
    return h.hexdigest()[:n]


def iri_path(name: str) -> str:
    """A source name as an IRI path (percent-encoded, slashes kept)."""
    return quote(name.lstrip("/"), safe="/-._~")


# --------------------------------------------------------------------------------------------------
# Numbers


@dataclass(frozen=True)
class KeyParts:
    """The parts of a canonical number."""

    number: str  # without leading zeros
    year: int | None  # printed in the number (normative acts)
    type_code: str | None  # canonical spelling, e.g. "QĐ"; None for letters and for "51/2024/QH15"
    issuer_codes: tuple[str, ...]  # ("CP",), ("BTC", "BLĐTBXH"); the drafting unit of a letter is left out
    system: str  # normative | administrative | letter | party
    unit: str | None = None  # drafting unit of a letter ("TTĐN")


_NORMATIVE = re.compile(r"^(\d{1,6})/((?:19|20)\d\d)/(.+)$")
_PARTY = re.compile(r"^(\d{1,6})-([^/\-]{1,8})/(.+)$")
_ADMIN = re.compile(r"^(\d{1,6})/(.+)$")


def _segments(s: str) -> list[str]:
    return [p for p in re.split(r"\s*-\s*", s.strip()) if p]


@cache
def parse_key(key: str | None) -> KeyParts | None:
    """Split a canonical number into its parts, or None when it is not a number of a known shape."""
    if not key:
        return None
    k = unicodedata.normalize("NFC", key).strip()
    m = _NORMATIVE.match(k)
    if m:
        num, year, rest = m.groups()
        segs = _segments(rest)
        if not segs:
            return None
        t = canonical_type_code(segs[0]) if len(segs) > 1 or _is_type_only(segs[0]) else None
        if t is not None:
            return KeyParts(num.lstrip("0") or "0", int(year), t.code, tuple(segs[1:]), "normative")
        return KeyParts(num.lstrip("0") or "0", int(year), None, tuple(segs), "normative")
    m = _PARTY.match(k)
    if m:
        num, code, rest = m.groups()
        t = canonical_type_code(code)
        segs = _segments(rest)
        if not segs:
            return None
        return KeyParts(num.lstrip("0") or "0", None, t.code if t else code, tuple(segs), "party")
    m = _ADMIN.match(k)
    if m:
        num, rest = m.groups()
        segs = _segments(rest)
        if not segs:
            return None
        if rest.rstrip().endswith("-"):
            # "47/NQ-": the issuer was cut off (a table column, a line end)
            t = canonical_type_code(segs[0])
            return KeyParts(num.lstrip("0") or "0", None, t.code if t else segs[0], (), "administrative")
        t = canonical_type_code(segs[0]) if len(segs) > 1 else None
        if t is not None:
            return KeyParts(num.lstrip("0") or "0", None, t.code, tuple(segs[1:]), "administrative")
        # no type code: an official letter, issuer code then the drafting unit
        return KeyParts(num.lstrip("0") or "0", None, None, (segs[0],), "letter", unit="-".join(segs[1:]) or None)
    return None


def _is_type_only(seg: str) -> bool:
    # "12/2020/QĐ" with the issuer cut off: treat the lone segment as a type when it is a type code and
    # not an issuer code ("QH15" is an issuer).
    return canonical_type_code(seg) is not None and lookup_issuer_code(seg) is None


# --------------------------------------------------------------------------------------------------
# Places and local issuers

# Centrally-run cities are provinces: "thành phố Hà Nội" is at the level of "tỉnh Bình Định".
_CENTRAL_CITIES = {"ha noi", "ho chi minh", "hai phong", "da nang", "can tho", "hue"}
_LEVEL_WORDS = [
    ("tinh uy", "province"),
    ("thanh uy", "city-party"),
    ("huyen uy", "district"),
    ("quan uy", "district-q"),
    ("thi uy", "town"),
    ("tinh", "province"),
    ("thanh pho", "city"),
    ("tp.", "city"),
    ("tp", "city"),
    ("huyen", "district"),
    ("quan", "district-q"),
    ("thi xa", "town"),
    ("xa", "commune"),
    ("phuong", "ward"),
    ("thi tran", "township"),
]
_LEVEL_PREFIX = {
    "province": "",
    "city": "tp-",
    "city-party": "",
    "district": "huyen-",
    "district-q": "quan-",
    "town": "tx-",
    "commune": "xa-",
    "ward": "phuong-",
    "township": "tt-",
}
_PLACE_RE = re.compile(
    r"(?<![a-z])(?P<level>tinh uy|thanh uy|huyen uy|quan uy|thi uy|tinh|thanh pho|tp\.?|huyen|quan|thi xa|thi tran|"
    r"xa|phuong)\s+(?P<name>ba ria\s*-\s*vung tau|[a-z][a-z\- ]{1,40}?)"
    r"(?=\s*(?:,|;|\(|\)|$|\s-\s|\s(?:tinh|thanh pho|huyen)\s))"
)
# Words after a level word that show it is not a place name ("các tỉnh, thành phố", "tỉnh ủy", "xã hội").
_NOT_PLACE = re.compile(r"^(?:uy|thanh|cac|va|hoi|truc|nha|nhan|doan|thuoc|lien|ngoai|doi|hanh|dan)\b")


@lru_cache(maxsize=65536)  # a pure function of names that repeat across a build's documents
def place_of(name: str | None) -> str | None:
    """The place in a body's name, as a slug: ``Ủy ban nhân dân tỉnh Bình Định`` → ``binh-dinh``.

    Provinces (and the six centrally-run cities) are bare slugs; lower levels are prefixed
    (``huyen-tuy-phuoc``) and follow their province when both are named. None when no place is named.
    """
    if not name:
        return None
    f = re.sub(r"\s+", " ", fold(unicodedata.normalize("NFC", name))).strip()
    # Collective names ("các tỉnh, thành phố trực thuộc Trung ương") name no single place.
    if re.search(r"\bcac (?:tinh|huyen|xa|so|quan)\b", f):
        return None
    found: list[tuple[int, str]] = []
    for m in _PLACE_RE.finditer(f):
        level_word, pname = m.group("level"), m.group("name").strip(" -")
        if _NOT_PLACE.match(pname) or len(pname) < 2:
            continue
        level = dict(_LEVEL_WORDS).get(level_word.rstrip("."), "city")
        if level == "city" and pname in _CENTRAL_CITIES:
            level = "province"
        if level == "city-party":
            level = "province" if pname in _CENTRAL_CITIES else "city"
        rank = {"province": 0, "city": 1}.get(level, 2)
        found.append((rank, _LEVEL_PREFIX[level] + slug(pname)))
    if not found:
        return None
    found.sort(key=lambda x: x[0])
    seen: list[str] = []
    for _, s in found:
        if s not in seen:
            seen.append(s)
    return "-".join(seen)


@lru_cache(maxsize=65536)  # a pure function of names that repeat across a build's documents
def province_of(name: str | None) -> tuple[str, str] | None:
    """The province (or centrally-run city) a body's name places it in: (slug, name as written), e.g.
    ``Ủy ban nhân dân huyện Tuy Phước, tỉnh Bình Định`` → ``("binh-dinh", "Bình Định")``."""
    if not name:
        return None
    orig = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()
    f = fold(orig)
    if len(f) != len(orig):  # combining marks left after NFC: no position map, fall back to the slug
        orig = f
    if re.search(r"\bcac (?:tinh|thanh pho)\b", f):
        return None
    for m in _PLACE_RE.finditer(f):
        level, pname = m.group("level").rstrip("."), m.group("name").strip(" -")
        if _NOT_PLACE.match(pname) or len(pname) < 2:
            continue
        central = pname in _CENTRAL_CITIES
        if level in ("tinh", "tinh uy") or (level in ("thanh pho", "tp", "thanh uy") and central):
            s = m.start("name") + (len(m.group("name")) - len(m.group("name").lstrip(" -")))
            shown = orig[s : s + len(pname)]
            return slug(pname), shown[:1].upper() + shown[1:]
    return None


_PHRASE = re.compile(r"(?<![a-z])(?<!cac )(?:tinh|thanh pho|tp\.?|huyen|quan|thi xa)\s+(?!uy\b)[a-z]")


@lru_cache(maxsize=65536)  # a pure function of names that repeat across a build's documents
def place_phrase(name: str | None) -> str | None:
    """How a body's name says its place: ``Ủy ban nhân dân tỉnh Bình Định`` → ``tỉnh Bình Định``,
    ``Tỉnh ủy Kiên Giang`` → ``tỉnh Kiên Giang``. None when it names no place."""
    if not name:
        return None
    orig = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()
    f = fold(orig)
    if len(f) == len(orig):
        m = _PHRASE.search(f)
        if m:
            return orig[m.start():].strip(" ,;")
    prov = province_of(name)
    if prov is None:
        return None
    return ("thành phố " if prov[0] in {slug(c) for c in _CENTRAL_CITIES} else "tỉnh ") + prov[1]


_LOCAL_ISSUER = re.compile(
    r"^(?:uy ban nhan dan|hoi dong nhan dan|tinh uy|huyen uy|thanh uy|quan uy|dang uy|so |phong |"
    r"ban chi dao .*\{province\})"
)
_LOCAL_CODE = re.compile(
    r"^(?:ubnd|hdnd|tu|hu|thu|qu|du|ttu|s[a-z]{2,8}|btgtu|bdvtu|btctu|ubkttu|[a-z]{2,6}tu|[a-z]{2,6}hu)$"
)


@cache
def is_local_code(code: str) -> bool:
    """Whether an issuer code is shared by bodies of every province (UBND, TU, STTTT ...)."""
    known = lookup_issuer_code(code)
    if known is not None:
        issuer = known.issuer or known.fallback or ""
        if "{province}" in issuer:
            return True
        if known.by_type:  # TW: the Party's central bodies
            return False
        return bool(_LOCAL_ISSUER.match(fold(issuer))) or bool(_LOCAL_ISSUER.match(fold(known.fallback or "")))
    return bool(_LOCAL_CODE.match(fold(code)))


def _code_slug(code: str) -> str:
    known = lookup_issuer_code(code)
    return slug(known.canonical if known else code)


def _type_slug(parts: KeyParts) -> str:
    if parts.system == "letter":
        return "cv"
    if parts.type_code is None:
        return "vb"
    s = type_code_slug(parts.type_code)
    if parts.system == "normative" and parts.type_code in _MIXED_TYPES:
        s += "-qppl"
    return s


# HĐ (Hợp đồng) and HD (Hướng dẫn), ĐA (Đề án) and DA (Dự án) fold to the same letters.
# "L" (Luật) reads better spelled out.
_TYPE_SLUG_OVERRIDE = {"HĐ": "hdd", "ĐA": "dda", "L": "luat"}


def type_code_slug(code: str) -> str:
    """The IRI segment of a document-type code: ``NĐ`` → ``nd``, ``QyĐ`` → ``qyd``, ``HĐ`` → ``hdd``."""
    return _TYPE_SLUG_OVERRIDE.get(code) or slug(code)


# Types numbered both as normative acts (with the year in the number) and as administrative documents.
_MIXED_TYPES = {"QĐ", "NQ", "CT", "QyĐ"}


# --------------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True)
class Resolution:
    """The node a reference stands for."""

    iri: str
    resolved: bool  # False: an explicit unresolved reference
    reason: str | None = None  # why it is unresolved ("year unknown", "issuer's province unknown", "name only")
    year: int | None = None
    issuer_slug: str | None = None
    method: str = "key"  # key | context-place | same-file | name


def year_of(date: str | None) -> int | None:
    """The year of an ISO date (or of a bare year)."""
    if not date:
        return None
    m = re.match(r"^((?:1[89]|20)\d\d)", str(date))
    return int(m.group(1)) if m else None


class Identity:
    """Mints the IRIs of one graph; ``base`` is configurable (``LEGALKG_BASE`` or ``--base``)."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        if not base.endswith(("/", "#")):
            base += "/"
        self.base = base

    # documents ----------------------------------------------------------------------------------

    def issuer_slug(
        self, parts: KeyParts, issuer: str | None, context_place: str | None
    ) -> tuple[str | None, str]:
        """(slug, method) of the issuer part of a document IRI; slug None when the place cannot be settled."""
        codes = parts.issuer_codes
        if not codes:
            return None, "key"
        base = "-".join(_code_slug(c) for c in codes)
        stated_place = place_of(issuer)
        # An unknown code stated with a place ("45/QĐ-CT của Chủ tịch UBND tỉnh X") is taken as local: the
        # worst this does is keep apart two citations of one document, never merge two documents.
        local = is_local_code(codes[0]) or (stated_place is not None and lookup_issuer_code(codes[0]) is None)
        if local:
            if stated_place:
                return f"{base}-{stated_place}", "key"
            if context_place:
                return f"{base}-{context_place}", "context-place"
            return None, "key"
        return base, "key"

    def document(
        self,
        key: str,
        *,
        issuer: str | None = None,
        date: str | None = None,
        year: int | None = None,
        context_place: str | None = None,
    ) -> Resolution:
        """The node of a numbered document: resolved when number, issuer and (if needed) year settle it."""
        parts = parse_key(key)
        if parts is None:
            return Resolution(f"{self.base}ref/key/{slug(lookup_form(key))}", False, "number of unknown shape")
        iss, method = self.issuer_slug(parts, issuer, context_place)
        y = parts.year or year or year_of(date)
        tseg = _type_slug(parts)
        if iss is None:
            codes = "-".join(_code_slug(c) for c in parts.issuer_codes) or "x"
            where = f"{codes}/{y}" if y else codes
            reason = "issuer's province unknown" if parts.issuer_codes else "issuer code cut off"
            return Resolution(f"{self.base}ref/{where}/{tseg}/{parts.number}", False, reason, y, None, method)
        if y is None:
            return Resolution(f"{self.base}ref/{iss}/{tseg}/{parts.number}", False, "year unknown", None, iss, method)
        return Resolution(f"{self.base}eli/vn/{iss}/{y}/{tseg}/{parts.number}", True, None, y, iss, method)

    def named(self, name: str) -> Resolution:
        """A document referred to by name only ("Luật Ngân sách nhà nước"): one node per name, unresolved."""
        return Resolution(f"{self.base}ref/name/{slug(name, 100)}", False, "name only", method="name")

    def keyless(self, source_key: str, index: int) -> str:
        """A document with no number (a draft, a letter whose number was not captured): scoped to its file."""
        stem = slug(os.path.basename(source_key.split("#")[-1]) or "doc", 40)
        return f"{self.base}doc/{stem}-{short_hash(source_key, n=10)}/{index}"

    # bodies -------------------------------------------------------------------------------------

    def body(self, name: str, context_place: str | None = None) -> str:
        """The node of an organisation: by its canonical name, qualified by place for local bodies named
        without one (``Sở Thông tin và Truyền thông`` in a Bình Định plan)."""
        s = slug(name, 100)
        if context_place and is_local_body_name(name) and place_of(name) is None:
            s = f"{s}-{context_place}"
        return f"{self.base}org/{s}"

    # everything else ----------------------------------------------------------------------------

    def graph(self, source_key: str) -> str:
        return f"{self.base}graph/{iri_path(source_key)}"

    def source(self, source_key: str) -> str:
        return f"{self.base}source/{iri_path(source_key)}"

    def node(self, kind: str, *parts: object) -> str:
        """A deterministic IRI for a mention, link or task (the same input gives the same IRI)."""
        return f"{self.base}{kind}/{short_hash(*parts)}"

    @property
    def meta_graph(self) -> str:
        return f"{self.base}graph/meta"

    @property
    def derived_graph(self) -> str:
        return f"{self.base}graph/derived"


_LOCAL_BODY = re.compile(
    r"^(?:cac so|so |phong |ban tuyen giao tinh uy|ban dan van tinh uy|ban to chuc tinh uy|tinh uy$|"
    r"uy ban nhan dan (?:tinh$|cac huyen|huyen|cac xa)|hoi dong nhan dan tinh$|van phong uy ban nhan dan tinh$|"
    r"van phong ubnd tinh$|cong an tinh$|bo chi huy quan su tinh$|bo chi huy bo doi bien phong tinh$|"
    r"dai phat thanh va truyen hinh tinh$|cac co quan, don vi cua tinh|uy ban mat tran to quoc viet nam tinh$|"
    r"cac so, ban, nganh|cac so, nganh)"
)


@lru_cache(maxsize=65536)  # a pure function of names that repeat across a build's documents
def is_local_body_name(name: str) -> bool:
    """Whether a body's name, said without a place, still means one province's body (a Sở, a Ban of the
    Tỉnh ủy, the collective "Các sở, ban, ngành")."""
    return bool(_LOCAL_BODY.match(re.sub(r"\s+", " ", fold(name)).strip()))


def document_type_iri(type_name: str | None = None, code: str | None = None) -> str | None:
    """The SKOS concept of a document type, from its code (``QĐ``) or its Vietnamese name."""
    from kg.codes import type_by_name

    t = canonical_type_code(code) if code else None
    if t is None and type_name:
        t = type_by_name(type_name)
    if t is None:
        return None
    return DOC_TYPE + (type_code_slug(t.code) if t.code else slug(t.name))
