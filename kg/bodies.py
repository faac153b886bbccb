"""Bodies (organisations): names as printed or OCR'd → canonical full names, and who plays which role.

The names live in ``data/bodies.json`` and ``data/provinces.json``. Every alias is turned into an
OCR-tolerant pattern over the folded text (``kg.normalize``): consonants must be there, because OCR keeps
the skeleton of a word, while each run of vowels may come out as any short run of vowel look-alikes,
since the diacritics that distinguish Vietnamese vowels are what OCR loses or garbles ("Truyén théng",
"Thil twdng Chinh phii", "S& Ngoai vu", "B§ Chinh tri", "dbi ngoai"). Initial Đ may be read P or b.

All aliases go into one trie-shaped regular expression compiled once, so that finding every body in a
long text is a single regex pass; an empty named group at the end of each alias tells which alias
matched.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import numpy as np

from kg import scan
from kg.model import Body, Document, Mention, Task
from kg.normalize import Text, clean_surface, fold
from kg.tables import load_table

__all__ = [
    "BodyMatch",
    "body_at",
    "canonical_body",
    "collect_bodies",
    "document_province",
    "find_bodies",
    "find_province",
    "find_recipients",
    "province_of",
    "split_bodies",
    "with_province",
]


@dataclass
class BodyMatch:
    """One body name in a text: original offsets, the characters as printed, the canonical name."""

    start: int
    end: int
    surface: str
    name: str
    kind: str | None = None
    province: str | None = None  # the province the name refers to, where it names or implies one
    generic: bool = False  # the words name no province; ``name`` was completed from the context


# --- patterns -------------------------------------------------------------------------------------------

# What OCR makes of each Vietnamese vowel once the accents are folded away: other vowels, digits and
# signs that look like accented vowels (6 or & for ơ, § for ộ, () for ô, € for ê), j/l/1 for i, "ir" for ư,
# and b/d for the ô of "đối" ("dbi", "ddi").
_VOWEL_READS = {
    "a": "aeiou4@&d3",
    "e": "eaio36&@",
    "i": "iyl1j!|e",
    "o": "oeau06&@§()bd9",
    "u": "uaiwyl0",
    "y": "yiuvj",
}
_LETTER = "a-z0-9&@§"
# Between the words of a name: spaces, line breaks, and the punctuation that OCR drops in or leaves out.
_SEP = r"[\s,.;:\-]+"
# Between words printed without punctuation: spaces or line breaks; OCR may add a stray ";" before them
# or glue a comma between the words ("Truyén,th()ng"), but "tỉnh, Ủy ban" must not read as "Tỉnh ủy".
_SEP_PLAIN = r"(?:[;:]?\s+|,(?=[a-z]))"
_WORD_END = rf"(?![{_LETTER}])"
_TOKEN = re.compile(r"[a-z0-9&]+")
_RUNS = re.compile(r"[aeiouy]+|[^aeiouy]+")


def _is_abbreviation(token: str) -> bool:
    """An all-capital token of the alias as written (UBND, TTTT, TTg, TT&TT): matched letter for letter."""
    caps = sum(1 for c in token if c.isupper())
    return caps >= 2 and not any(c.islower() for c in token[:2])


def _cls(chars: str) -> str:
    return "[" + "".join("\\" + c if c in "\\]^-[" else c for c in dict.fromkeys(chars)) + "]"


def _consonant(c: str, first: bool) -> tuple[str, str]:
    """(characters it may be read as, pattern) of one consonant letter."""
    if c == "d" and first:
        return "dpb", "[dpb]"  # Đ read as P or b
    if c == "l":
        return "l1i|", "[l1i|]"
    return c, re.escape(c)


@cache
def word_pattern(word: str) -> tuple[str, str]:
    """The OCR-tolerant pattern of one folded word, as (its possible first characters, the rest)."""
    parts = _RUNS.findall(word)
    cv = len(parts) == 2 and parts[1][0] in "aeiouy" and len(parts[0]) <= 2  # "so", "bo", "phu": vowel may vanish
    firsts = ""
    out: list[str] = []
    for i, p in enumerate(parts):
        if p[0] in "aeiouy":
            n = len(p)
            reads = "".join(_VOWEL_READS[v] for v in p)
            if i == 0:
                firsts = "".join(dict.fromkeys(p + "aeiouy" + ("w" if p[0] == "u" else "")))  # "wong" for ương
                out.append(f"{_cls(p + 'aeiouy')}{{0,{n}}}")
            else:
                lo = 0 if cv else max(1, n - 1)
                unit = f"(?:ir|{_cls(reads)})" if "u" in p else _cls(reads)  # "ir" for ư: "thira", "chirc"
                out.append(f"{unit}{{{lo},{n + 1}}}")
        else:
            for j, c in enumerate(p):
                reads, pat = _consonant(c, first=(i == 0 and j == 0))
                if i == 0 and j == 0:
                    firsts = reads
                    if c == "s":
                        # "5o", "80", "$o" for Sở: a digit stands for S only before a vowel look-alike
                        firsts = "s58$"
                        out.append(f"(?:(?<=s)|(?<=[58$])(?=[{_VOWEL_READS['o']}]))")
                    continue
                out.append(pat)
    return firsts, "".join(out)


_PROVINCE_MARK = "\x02"


def _alias_tokens(alias: str, strict: bool | frozenset[str] = False) -> list[tuple[str, str, str]]:
    """Token patterns of an alias written in proper Vietnamese (placeholders already substituted): for
    each word, the separator before it ("," where the alias has punctuation there, " " otherwise), its
    possible first characters and the pattern of the rest.

    ``strict`` (all words, or a set of folded words) asks for the letters as written: short names whose
    OCR-tolerant pattern would also read common words ("Báo Huế" and "bảo hộ").
    """
    toks: list[tuple[str, str, str]] = []
    for m in re.finditer(r"([\s,.;:\-–()]*)([^\s,.;:\-–()]+)", alias):
        sep = "," if re.search(r"[,.;:\-–]", m.group(1)) else " "
        raw = m.group(2)
        if raw == "{province}":
            toks.append((sep, "", _PROVINCE_MARK))
            continue
        words = _TOKEN.findall(fold(raw))
        if not words:
            continue
        if _is_abbreviation(raw):
            w = "".join(words)
            toks.append((sep, w[0], re.escape(w[1:])))
            continue
        for w in words:
            if w == "&":
                continue
            if strict is True or (strict and w in strict):
                toks.append((sep, w[0], re.escape(w[1:])))
            else:
                toks.append((sep, *word_pattern(w)))
            sep = " "
    return toks


@dataclass(frozen=True)
class _Entry:
    name: str
    kind: str | None
    level: str
    generic: bool
    qualify: bool
    specific: str | None  # for generic entries: the name template with {province}
    catch_all: bool  # "các cơ quan, đơn vị liên quan": taken in table cells, not from running text
    cased: bool = False  # must be printed with capitals ("Báo Cao Bằng", not "báo cáo bằng ...")


@dataclass(frozen=True)
class _Alias:
    entry: int
    province: int | None  # index into provinces
    province_abbrev: bool  # the province was given by an abbreviation: context only
    single_abbrev: str | None  # the alias is one abbreviation (case is checked on the original)
    starts_abbrev: bool  # its first word is an abbreviation: not taken inside a document number ("KH-UBND")
    needs_province: bool = False  # the alias went on with {province}: read the province after its words


@dataclass(frozen=True)
class _Province:
    name: str
    type: str  # tỉnh | thành phố trực thuộc Trung ương
    variants: tuple[str, ...]
    abbreviations: tuple[str, ...]
    strict: bool = False

    @property
    def ptype(self) -> str:
        return "tỉnh" if self.type == "tỉnh" else "thành phố"

    @property
    def party(self) -> str:
        return "Tỉnh ủy" if self.type == "tỉnh" else "Thành ủy"


@cache
def _provinces() -> list[_Province]:
    out = []
    for p in load_table("provinces")["provinces"]:
        out.append(_Province(p["name"], p["type"], tuple(p.get("variants", ())), tuple(p.get("abbreviations", ())),
                             bool(p.get("strict"))))
    return out


@cache
def _province_index() -> dict[str, int]:
    idx: dict[str, int] = {}
    for i, p in enumerate(_provinces()):
        for n in (p.name, *p.variants):
            idx.setdefault(_skeleton(n), i)
    return idx


def _skeleton(s: str) -> str:
    return " ".join(_TOKEN.findall(fold(s)))


class _Trie:
    def __init__(self) -> None:
        self.children: dict[tuple[str, str, str], _Trie] = {}
        self.terminals: list[int] = []

    def add(self, tokens: list[tuple[str, str, str]], alias_id: int) -> None:
        node = self
        for t in tokens:
            node = node.children.setdefault(t, _Trie())
        node.terminals.append(alias_id)

    def emit(self, groups: list[int]) -> str:
        """The pattern of what may follow this node's token; ``groups`` collects the alias of each group."""
        alts = [(_SEP if sep == "," else _SEP_PLAIN) + (_cls(firsts) + rest if firsts else _province_alt(False))
                + child.emit(groups) for (sep, firsts, rest), child in self.children.items()]
        if self.terminals:
            # one alias per node is enough: the others are the same words
            alts.append(f"{_WORD_END}(?P<a{len(groups)}>)")
            groups.append(self.terminals[0])
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    def emit_root(self, groups: list[int]) -> str:
        """The whole pattern, dispatched on the first character so that the regex engine can skip fast
        over positions where no name starts (each branch then starts with a literal)."""
        by_char: dict[str, list[str]] = {}
        for (_, firsts, rest), child in self.children.items():
            for c in firsts:
                by_char.setdefault(c, []).append(rest + child.emit(groups))
        branches = []
        for c, alts in by_char.items():
            body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
            branches.append(re.escape(c) + rf"(?<![{_LETTER}].)" + body)
        return "(?:" + "|".join(branches) + ")"


@dataclass
class _Matcher:
    regex: re.Pattern
    groups: list[int]  # alias of each named group
    entries: list[_Entry]
    aliases: list[_Alias]
    by_name: dict[str, int]
    exact: dict[str, int]  # skeleton of an alias as written → its key (beats a fuzzy reading of the same words)
    key_aliases: list[list[int]]  # the aliases spelt the same (a generic name and a name that wants a province)
    # per key: its aliases that read a province after their words, and the others
    key_split: list[tuple[list[int], list[int]]] = field(default_factory=list)


def _expand(alias: str) -> list[tuple[str, int | None, bool]]:
    """An alias with its placeholders filled in: (text, province index, by abbreviation).

    "{province}" stays in the text as one token that stands for any province (-1): expanding it for the
    63 provinces would make the pattern ten times longer and slower to compile. Province abbreviations
    ("BĐ"), taken only in a document of that province, are spelt out.
    """
    out: list[tuple[str, int | None, bool]] = []
    if "{province}" in alias:
        out.extend((a, -1, False) for a in _fill_levels(alias, None))
        for i, p in enumerate(_provinces()):
            for abbr in p.abbreviations:
                out.extend((a, i, True) for a in _fill_levels(alias.replace("{province}", abbr), p))
    else:
        out.extend((a, None, False) for a in _fill_levels(alias, None))
    return out


def _fill_levels(alias: str, p: _Province | None) -> list[str]:
    forms = [alias]
    if "{ptype}" in alias:
        words = ["tỉnh", "thành phố", "TP"] if p is None else ([p.ptype] if p.ptype == "tỉnh" else ["thành phố", "TP"])
        forms = [f.replace("{ptype}", w) for f in forms for w in words]
    if "{party}" in alias:
        words = ["Tỉnh ủy", "Thành ủy"] if p is None else [p.party]
        forms = [f.replace("{party}", w) for f in forms for w in words]
    return forms


class _CharTrie:
    """Aliases letter by letter, for clean text: a regex shaped like this trie costs a character test or
    two at each position, where the OCR-tolerant one tries every first word."""

    def __init__(self) -> None:
        self.children: dict[str, _CharTrie] = {}
        self.terminal: int | None = None

    def add(self, key: str, alias_id: int) -> None:
        node = self
        for c in key:
            node = node.children.setdefault(c, _CharTrie())
        if node.terminal is None:
            node.terminal = alias_id

    def emit(self, groups: list[int]) -> str:
        alts = [(r"\s+" if c == " " else _SEP if c == "\x01" else _province_alt(True) if c == _PROVINCE_MARK
                 else re.escape(c)) + child.emit(groups) for c, child in self.children.items()]
        if self.terminal is not None:
            alts.append(f"{_WORD_END}(?P<a{len(groups)}>)")
            groups.append(self.terminal)
        if not alts:
            return ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    def emit_root(self, groups: list[int]) -> str:
        # the word-start test first: inside words the engine then stops at once
        return rf"(?<![{_LETTER}])(?:" + "|".join(re.escape(c) + child.emit(groups)
                                                  for c, child in self.children.items()) + ")"


def _strict_key(tokens: list[tuple[str, str, str]]) -> str:
    """The letters of an alias for the letter trie, "\x01" where punctuation may stand between words."""
    out = []
    for sep, firsts, rest in tokens:
        if out:
            out.append("\x01" if sep == "," else " ")
        out.append(rest if not firsts else firsts[0] + rest.replace("\\", ""))
    return "".join(out)


@cache
def _matcher(strict: bool = False) -> _Matcher:
    """The compiled names: OCR-tolerant, or letter for letter (``strict``) for text with its diacritics.

    A name ending in "{province}" is compiled without it: where its words match, the province is read
    after them (``_province_follow``), so the 63 names need not be repeated inside every such alias.
    """
    table = load_table("bodies")
    entries: list[_Entry] = []
    aliases: list[_Alias] = []
    trie = _Trie()
    ctrie = _CharTrie()
    keys: dict[object, int] = {}
    key_aliases: list[list[int]] = []
    by_name: dict[str, int] = {}
    exact: dict[str, int] = {}
    specific_of: dict[str, str] = {}
    for b in table["bodies"]:
        if "{province}" in b["name"]:
            specific_of[b["name"].replace(" {province}", "")] = b["name"]
    for b in table["bodies"]:
        generic = bool(b.get("generic"))
        entry = _Entry(b["name"], b.get("kind"), b.get("level", "central"), generic, bool(b.get("qualify")),
                       specific_of.get(b["name"]) if generic else None, bool(b.get("catch_all")), bool(b.get("cased")))
        ei = len(entries)
        entries.append(entry)
        by_name.setdefault(fold(b["name"]), ei)
        for alias in [b["name"], *b.get("aliases", [])]:
            for text, prov, by_abbrev in _expand(alias):
                needs = prov == -1
                if needs:
                    text = text.replace("{province}", "").strip()
                toks = _alias_tokens(text, bool(b.get("strict")))
                if not toks:
                    continue
                raw = text.strip()
                first = re.match(r"[^\s,.;:\-–()]+", raw)
                aliases.append(_Alias(ei, None if needs else prov, by_abbrev,
                                      raw if len(toks) == 1 and _is_abbreviation(raw) and not needs else None,
                                      bool(first and _is_abbreviation(first.group())), needs))
                ai = len(aliases) - 1
                key: object = _strict_key(_alias_tokens(text, True)) if strict else tuple(toks)
                k = keys.get(key)
                if k is None:
                    k = keys[key] = len(key_aliases)
                    key_aliases.append([])
                    if strict:
                        ctrie.add(key, k)  # type: ignore[arg-type]
                    else:
                        trie.add(toks, k)
                key_aliases[k].append(ai)
                exact.setdefault(_skeleton(raw), k)
    groups: list[int] = []
    regex = re.compile(ctrie.emit_root(groups) if strict else trie.emit_root(groups))
    key_split = [([a for a in ids if aliases[a].needs_province], [a for a in ids if not aliases[a].needs_province])
                 for ids in key_aliases]
    return _Matcher(regex, groups, entries, aliases, by_name, exact, key_aliases, key_split)


@cache
def _province_follow(strict: bool) -> re.Pattern:
    """A province name right after the words of an alias ("UBND tỉnh" + " Bình Định")."""
    return re.compile(r"(?:[.;:]?\s+|\.)" + _province_alt(strict) + _WORD_END)  # "TP. Hà Nội", "TP.HCM"


_COMPLEX_VOWELS = "ăâêôơưđĂÂÊÔƠƯĐằắẳẵặầấẩẫậềếểễệồốổỗộờớởỡợừứửữựẰẮẲẴẶẦẤẨẪẬỀẾỂỄỆỒỐỔỖỘỜỚỞỠỢỪỨỬỮỰ"
# counted by a table lookup on the code points: a regex over 50,000 characters of Vietnamese (two-byte
# code units, a large character set) costs a millisecond a document
_IS_COMPLEX = np.zeros(0x10000, dtype=bool)
_IS_COMPLEX[[ord(c) for c in _COMPLEX_VOWELS]] = True


def is_clean(text: Text) -> bool:
    """Whether the text kept its diacritics (typed or well recognised): about one letter in six carries
    ă â ê ô ơ ư or đ in Vietnamese, against almost none in OCR output that lost its accents. Clean text
    is matched letter for letter, which is several times faster than the OCR-tolerant patterns."""
    cached = text.__dict__.get("_kg_clean")
    if cached is None and len(text.original) < 1000:
        cached = False  # too short to tell; the OCR-tolerant patterns read clean text as well
    if cached is None:
        sample = text.original[:50_000]
        # about three characters in four are letters: 0.06 of all characters is 0.08 of the letters
        codes = np.frombuffer(sample.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        cached = int(_IS_COMPLEX[np.minimum(codes, 0xFFFF)].sum()) > 0.06 * len(sample)
        text.__dict__["_kg_clean"] = cached
    return cached


@cache
def _province_regex() -> tuple[re.Pattern, list[int]]:
    trie = _Trie()
    for i, p in enumerate(_provinces()):
        for n in (p.name, *p.variants):
            trie.add(_alias_tokens(n, p.strict), i)
    groups: list[int] = []
    return re.compile(trie.emit_root(groups)), groups


@cache
def _province_alt(strict: bool) -> str:
    """Any province name as one group-free pattern (longest first), to stand in alias patterns."""
    alts = []
    for p in _provinces():
        for n in (p.name, *p.variants):
            toks = _alias_tokens(n, True if strict or p.strict else False)
            pat = ""
            for k, (sep, firsts, rest) in enumerate(toks):
                if k:
                    pat += (_SEP if sep == "," else (r"\s+" if strict else _SEP_PLAIN))
                pat += (re.escape(firsts[0]) if strict else _cls(firsts)) + rest
            alts.append(pat)
    return "(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + ")"


def _province_at_end(span: str) -> _Province | None:
    """The province named last in a matched alias (its {province} part)."""
    rx, groups = _province_regex()
    last = None
    for m in rx.finditer(span):
        last = m
    if last is None:
        return None
    i = _province_index().get(_skeleton(last.group()))
    return _provinces()[groups[int(last.lastgroup[1:])] if i is None else i]


def find_province(s: str) -> str | None:
    """The first province named in ``s`` (any spelling, OCR'd or not), as its proper name."""
    rx, groups = _province_regex()
    f = fold(s)
    m = rx.search(f)
    if not m:
        return None
    i = _province_index().get(_skeleton(m.group()))
    return _provinces()[groups[int(m.lastgroup[1:])] if i is None else i].name


def province_of(name: str | None) -> str | None:
    """The province a body belongs to, from its canonical name ("Ủy ban nhân dân tỉnh Bình Định")."""
    if not name:
        return None
    f = fold(name)
    if not re.search(r"\b(?:tinh|thanh pho|tp|uy ban nhan dan|ubnd|hdnd|hoi dong nhan dan)\b", f):
        return None
    return find_province(name)


# --- finding names -------------------------------------------------------------------------------------


def _folded_pos(text: Text, i: int) -> int:
    if text._map is None:
        return i
    return bisect_left(text._map, i)


_NEXT_LEVEL = re.compile(r"[ \t]+(tinh|thanh pho|trung uong|tw)(?![a-z])")


_WORDS = re.compile(r"[^\W\d_]+")


def _in_number(folded: str, fs: int, fe: int) -> bool:
    """Whether the span is a piece of a document number ("KH-UBND", "NĐ-\nCP", "UBND-KGVX")."""
    i = fs - 1
    while i >= 0 and folded[i] in " \t\n":
        i -= 1
    if i >= 1 and folded[i] in "/-" and folded[i - 1].isalnum():
        return True
    j = fe
    while j < len(folded) and folded[j] in " \t":
        j += 1
    return j < len(folded) and folded[j] in "/-" and j + 1 < len(folded) and folded[j + 1].isalpha()


def _resolve(text: Text, group: str, fs: int, fe: int, province: str | None, free_text: bool = True,
             strict: bool = False) -> BodyMatch | None:
    """The body named by the regex's ``group``, matched at folded ``fs:fe``, or None if it does not count."""
    mt = _matcher(strict)
    k = mt.groups[int(group[1:])]
    folded = text.folded
    if not strict:
        # the same words written exactly as some alias: that alias, not the first fuzzy reading of them
        k = mt.exact.get(" ".join(_TOKEN.findall(folded[fs:fe])), k)
    wants, plain = mt.key_split[k]
    named_prov: _Province | None = None
    if wants:
        pm = _province_follow(strict).match(folded, fe)
        if pm:
            named_prov = _province_at_end(folded[fe:pm.end()])
        if named_prov is not None:
            ai, fe = wants[0], pm.end()
        elif plain:
            ai = plain[0]
        else:
            return None
    else:
        ai = plain[0]
    alias = mt.aliases[ai]
    entry = mt.entries[alias.entry]
    if entry.catch_all and free_text:
        return None
    if alias.single_abbrev and not _caps_agree(alias.single_abbrev, text.surface(fs, fe)):
        return None  # a lone abbreviation must be printed in capitals
    if entry.cased:
        words = _WORDS.findall(text.surface(fs, fe))
        if not words or not words[0][0].isupper() or not words[-1][0].isupper():
            return None
    if alias.starts_abbrev and _in_number(folded, fs, fe):
        return None
    provinces = _provinces()
    prov = named_prov if named_prov is not None else (
        provinces[alias.province] if alias.province is not None else None)
    if alias.province_abbrev and (province is None or prov is None or _province_by_name(province) != prov):
        return None
    generic = False
    name = entry.name
    surf_f = folded[fs:fe]
    if prov is None and entry.generic:
        generic = True
        ctx = _province_by_name(province) if province else None
        if ctx is not None and ctx.ptype == "tỉnh" and re.search(r"thanh (?:pho|uy)|\btp\b", folded[fs:fe]):
            ctx = None  # "thành phố", "thành ủy" in a province: a city of that province, not the province
        if ctx is not None and entry.specific:
            prov = ctx
            name = entry.specific
        else:
            name = _fill_name(name, None, surf_f)
    if prov is not None:
        name = _fill_name(name, prov, surf_f)
    if entry.qualify:
        nm = _NEXT_LEVEL.match(folded, fe)
        if nm:
            fe = nm.end()
            level = nm.group(1)
            name += " tỉnh" if level in ("tinh", "thanh pho") else " Trung ương"
        else:
            name += " tỉnh" if province else " Trung ương"
    s, e = text.span(fs, fe)
    return BodyMatch(s, e, text.original[s:e], name, entry.kind, prov.name if prov else None, generic)


def _caps_agree(alias: str, surface: str) -> bool:
    a = [c for c in alias if c.isalpha()]
    s = [c for c in surface if c.isalpha()]
    if len(a) != len(s):
        return False
    return all(not x.isupper() or y.isupper() for x, y in zip(a, s, strict=True))


def _fill_name(template: str, p: _Province | None, surf_folded: str) -> str:
    if p is not None:
        return template.replace("{province}", p.name).replace("{ptype}", p.ptype).replace("{party}", p.party)
    city = bool(re.search(r"thanh pho|\btp\b|thanh uy", surf_folded))
    return template.replace("{ptype}", "thành phố" if city else "tỉnh").replace(
        "{party}", "Thành ủy" if city else "Tỉnh ủy")


@cache
def _province_by_name(name: str) -> _Province | None:
    i = _province_index().get(_skeleton(name))
    if i is None:
        found = find_province(name)
        i = _province_index().get(_skeleton(found)) if found else None
    return _provinces()[i] if i is not None else None


def find_bodies(text: Text, start: int = 0, end: int | None = None, *, province: str | None = None,
                catch_all: bool = False) -> list[BodyMatch]:
    """Every body name in ``text.original[start:end]``, left to right, longest first, not overlapping.

    ``province`` is the province of the document the range belongs to: generic names ("UBND tỉnh") are
    completed with it. Catch-alls ("các cơ quan, đơn vị có liên quan") are only reported with
    ``catch_all`` (in table cells and assignments, where they are the lead or partner as written).
    """
    strict = is_clean(text)
    fs = _folded_pos(text, start)
    fe = len(text.folded) if end is None else _folded_pos(text, end)
    rx = _matcher(strict).regex
    # the letter-for-letter names are tried only where they can start (kg.scan). The OCR-tolerant pattern
    # is five times longer: reading it would cost more than it saves on one document, so the regex engine
    # scans it alone (it skips ahead to the characters a name can start with).
    found = scan.finditer(rx, text.folded, fs, fe) if strict else rx.finditer(text.folded, fs, fe)
    out = []
    for m in found:
        bm = _resolve(text, m.lastgroup, m.start(), m.end(), province, free_text=not catch_all, strict=strict)  # type: ignore[arg-type]
        if bm is not None:
            out.append(bm)
    return out


_TITLE = re.compile(
    r"(?:(?:b[o0]|th[uo]|ph[o0]) tr[uo]{1,3}ng|ph[o0] ch[uo] t[il1]ch|ch[uo] t[il1]ch|gi[ae]m d[o0]c|"
    r"ch[ae]nh v[ae]n ph[o0]ng|tr[uo]{1,3}ng ban|t[o0]ng b[il1] th[uo])[\s,.]+"
)


def body_at(text: Text, pos: int, province: str | None = None, *, catch_all: bool = False) -> BodyMatch | None:
    """The body named at folded offset ``pos`` (after spaces), e.g. after "của" following a citation.

    An office-holder's title before the body ("Bộ trưởng Bộ ...", "Chủ tịch UBND ...") is skipped.
    """
    folded = text.folded
    n = len(folded)
    while pos < n and folded[pos].isspace():
        pos += 1
    strict = is_clean(text)
    rx = _matcher(strict).regex
    m = rx.match(folded, pos)
    if m is None:
        t = _TITLE.match(folded, pos)
        if t:
            m = rx.match(folded, t.end())
    if m is None:
        return None
    return _resolve(text, m.lastgroup, m.start(), m.end(), province, free_text=not catch_all,  # type: ignore[arg-type]
                    strict=strict)


@cache
def _name_index() -> dict[str, str]:
    """Exact (folded) names and word-aliases of the table, for quick lookups of clean strings."""
    idx: dict[str, str] = {}
    for b in load_table("bodies")["bodies"]:
        if "{" in b["name"]:
            continue
        for a in [b["name"], *b.get("aliases", [])]:
            idx.setdefault(_skeleton(a), b["name"])
    return idx


_LEAD_IN = re.compile(r"^[\s\-+*•|,;:.]*")


def canonical_body(s: str, province: str | None = None) -> str | None:
    """The canonical name of a body written ``s`` (one body, any spelling), or None if it is not known."""
    if not s or not s.strip():
        return None
    text = Text(s)
    pos = _LEAD_IN.match(text.folded).end()
    bm = body_at(text, pos, province, catch_all=True)
    if bm is None:
        return _name_index().get(_skeleton(s))
    rest = text.folded[_folded_pos(text, bm.end):]
    if re.search(r"[a-z]{2,}", rest) and not re.fullmatch(r"[\s,.;:()\-]*(?:va|cac|co lien quan|lien quan)?[\s.;:]*",
                                                            rest):
        # more words follow: the string names more than this body (or something else)
        whole = _name_index().get(_skeleton(s))
        return whole or bm.name
    return bm.name


@cache
def _heads() -> re.Pattern:
    heads = sorted({" ".join(_TOKEN.findall(fold(h))) for h in load_table("bodies").get("heads", [])}, key=len,
                   reverse=True)
    return re.compile(r"(?:" + "|".join(re.escape(h) for h in heads) + r")(?![a-z])")


_DISTRIBUTIVE = re.compile(r"^[\s,]*(?:,|va)[\s,]*$")


def split_bodies(cell: str, province: str | None = None) -> list[str]:
    """The bodies of a lead/partner table cell, one canonical name each, in order.

    Known names are canonicalised; a remaining piece that starts like a body name ("Các tỉnh biên giới
    ...", "Hội ...") is kept as written, with a capital first letter. "HĐND, UBND các tỉnh" gives both
    councils and committees.
    """
    text = Text(cell)
    matches = find_bodies(text, province=province, catch_all=True)
    names: list[str] = []
    pieces: list[tuple[int, str]] = []
    prev_end = 0
    for i, bm in enumerate(matches):
        gap = cell[prev_end:bm.start]
        pieces.extend((prev_end, g) for g in _gap_pieces(gap))
        name = bm.name
        if bm.generic and i + 1 < len(matches) and _DISTRIBUTIVE.match(fold(cell[bm.end:matches[i + 1].start])):
            name = _distribute(name, matches[i + 1].name)
        pieces.append((bm.start, "\0" + name))
        prev_end = bm.end
    pieces.extend((prev_end, g) for g in _gap_pieces(cell[prev_end:]))
    for _, p in pieces:
        n = p[1:] if p.startswith("\0") else p
        if n and n not in names:
            names.append(n)
    return names


def _distribute(generic: str, following: str) -> str:
    """"HĐND, UBND các tỉnh ...": the generic first word takes the rest of the following name."""
    for a, b in (("Hội đồng nhân dân", "Ủy ban nhân dân"), ("Ủy ban nhân dân", "Hội đồng nhân dân")):
        if generic.startswith(a) and following.startswith(b):
            return a + following[len(b):]
    return generic


_GAP_SPLIT = re.compile(r"\s*[;,]\s*|\s+và\s+|\n")


def _gap_pieces(gap: str) -> list[str]:
    out = []
    for piece in _GAP_SPLIT.split(gap):
        piece = clean_surface(piece).strip(" .;:-+*•|()")
        f = fold(piece)
        if len(f) < 4 or not _heads().match(f):
            continue
        words = f.split()
        if len(words) < 2 or f in ("cac co quan", "cac don vi"):
            continue
        out.append(piece[0].upper() + piece[1:])
    return out


# --- recipients ----------------------------------------------------------------------------------------

_KINH_GUI = re.compile(r"k[il1]nh g[uw][il1]\s*:")
_NOI_NHAN = re.compile(r"n[o0][il1] nh[a-z0-9]{1,2}n\s*:")
_LIST_ITEM = re.compile(r"^[ \t]*(?:[-+*•]|\d{1,3}[.,)]?\s*\|?)[ \t]*", re.M)
_STOP_LINE = re.compile(r"^[ \t]*[-+*]?[ \t]*(?:l[uw]u\b|luu\s*:)", re.M)
_DANH_SACH = re.compile(r"^[ \t]*danh s[a-z]{1,3}ch\b[^\n]*$", re.M)
_NHU_TREN = re.compile(r"nh[uw] tr[e]n")


def find_recipients(text: Text, start: int = 0, end: int | None = None, province: str | None = None
                    ) -> list[BodyMatch]:
    """Bodies a document is addressed to: "Kính gửi:" line(s), the "Nơi nhận:" block, and an appended
    list of addressees ("Danh sách 63 UBND tỉnh, thành phố")."""
    folded = text.folded
    fs = _folded_pos(text, start)
    fe = len(folded) if end is None else _folded_pos(text, end)
    # the pipeline asks twice for each document (its recipients, then the bodies of the file)
    cache = text.__dict__.setdefault("_kg_recipients", {})
    key = (fs, fe, province)
    if key not in cache:
        cache[key] = _find_recipients(text, fs, fe, province)
    return list(cache[key])


_KINH_LIST = re.compile(r"\n[ \t]*\n?[ \t]*[-+•][^\n]*")


def _danh_sach(folded: str, start: int, end: int) -> list[re.Match]:
    """``_DANH_SACH.finditer(folded, start, end)`` (``start`` a line start). Anchored at line starts, the
    pattern would be tried at every position; its matches are whole lines that begin with "danh s", so only
    the lines where ``str.find`` sees that are tried."""
    out: list[re.Match] = []
    pos = start  # where the next match may start: the end of the previous one
    i = folded.find("danh s", start, end)
    while i >= 0:
        ls = folded.rfind("\n", pos, i) + 1 or pos
        m = _DANH_SACH.match(folded, ls, end)
        if m:
            out.append(m)
            pos = m.end()
        nl = folded.find("\n", i, end)
        if nl < 0:
            break
        i = folded.find("danh s", max(nl, pos), end)
    return out


def _find_recipients(text: Text, fs: int, fe: int, province: str | None) -> list[BodyMatch]:
    folded = text.folded
    spans: list[tuple[int, int]] = []
    for m in _KINH_GUI.finditer(folded, fs, fe):
        # the addressee runs to the first blank line, or over a list of "- ..." lines
        stop = folded.find("\n\n", m.end(), fe)
        stop = fe if stop < 0 else stop
        nxt = stop
        while True:
            lm = _KINH_LIST.match(folded, nxt)
            if not lm or lm.end() > fe:
                break
            nxt = lm.end()
        spans.append((m.end(), max(stop, nxt)))
    for m in _NOI_NHAN.finditer(folded, fs, fe):
        spans.append((m.end(), _list_end(folded, m.end(), fe)))
    for m in _danh_sach(folded, folded.rfind("\n", 0, fs) + 1, fe):
        if len(_LIST_ITEM.findall(folded, m.end(), min(fe, m.end() + 400))) >= 3:
            spans.append((m.start(), _list_end(folded, m.end(), fe, numbered=True)))
    out: list[BodyMatch] = []
    seen: set[tuple[int, int]] = set()
    for s, e in spans:
        for bm in _recipient_bodies(text, s, e, province):
            if (bm.start, bm.end) not in seen:
                seen.add((bm.start, bm.end))
                out.append(bm)
    out.sort(key=lambda b: b.start)
    return out


_ITEM_LINE = re.compile(r"[ \t]*(?:[-+*•]|\d{1,3}[.,)])")
_SIGNATURE = re.compile(r"[ \t*#]*(?:kt|tm|tl|q)\.\s")


def _list_end(folded: str, pos: int, limit: int, numbered: bool = False) -> int:
    """End of a list of addressees starting at ``pos``: after the "Lưu" line, or where the lines stop
    being list items (a blank line followed by a line that is not an item, or a signature line)."""
    i = pos
    seen_item = False
    blank = 0
    count = 0
    while i < limit and count < 150:
        j = folded.find("\n", i, limit)
        j = limit if j < 0 else j
        line = folded[i:j]
        count += 1
        if _STOP_LINE.match(line):
            return j
        if not line.strip():
            blank += 1
            if seen_item and blank >= (4 if numbered else 3):
                return i
        else:
            item = bool(_ITEM_LINE.match(line))
            if seen_item and not item and (blank or _SIGNATURE.match(line)):
                return i
            if item:
                seen_item = True
            blank = 0
        i = j + 1
    return min(i, limit)


def _recipient_bodies(text: Text, s: int, e: int, province: str | None) -> list[BodyMatch]:
    s0, e0 = text.span(s, e)
    found = find_bodies(text, s0, e0, province=province)
    out = []
    for i, bm in enumerate(found):
        if bm.generic and i + 1 < len(found):
            between = fold(text.original[bm.end:found[i + 1].start])
            if _DISTRIBUTIVE.match(between):
                bm = BodyMatch(bm.start, bm.end, bm.surface, _distribute(bm.name, found[i + 1].name), bm.kind,
                               bm.province, bm.generic)
        out.append(bm)
    return out


# --- aggregation ---------------------------------------------------------------------------------------


def _doc_of(documents: list[Document], pos: int) -> Document | None:
    best = None
    for d in documents:
        if d.start <= pos < (d.end or 10**12) and (best is None or d.start >= best.start):
            best = d
    return best


_LEVEL_AT_END = re.compile(r"(?:\s|^)(tỉnh|thành phố|tỉnh ủy|thành ủy)$", re.IGNORECASE)


def with_province(name: str, province: str) -> str:
    """A local body's name with its province ("tỉnh Bình Định", "thành phố Hà Nội"): "Sở Tài chính" →
    "Sở Tài chính tỉnh Bình Định". A name that ends in its level says it once: "Văn phòng Ủy ban nhân dân
    tỉnh" → "... tỉnh Bình Định", "Ban Tuyên giáo Tỉnh ủy" → "... Tỉnh ủy Bình Định", and of a city
    "Tỉnh ủy" → "Thành ủy Hà Nội", "Công an tỉnh" → "Công an thành phố Hà Nội"."""
    city = province.startswith("thành phố ")
    bare = province.removeprefix("thành phố ") if city else province.removeprefix("tỉnh ")
    m = _LEVEL_AT_END.search(name)
    if m is None or not bare:
        return f"{name} {province}"
    level = m.group(1).lower()
    if level.endswith("ủy"):
        return f"{name[: m.start(1)]}{'Thành ủy' if city else 'Tỉnh ủy'} {bare}"
    if level == "tỉnh" or city:
        return name[: m.start(1)] + province
    # "Ủy ban nhân dân các huyện, thị xã, thành phố" of a province: its cities, not the province
    return f"{name} {province}"


def document_province(doc: Document | None) -> str | None:
    """The province a document speaks for: from its issuer, else its ``province`` when the issuer is not a
    central body (a copy of a Quyết định of the Prime Minister filed by a province stays central)."""
    if doc is None:
        return None
    own = province_of(doc.issuer)
    if own:
        return own
    if doc.issuer and _is_central(doc.issuer):
        return None
    return getattr(doc, "province", None)


def _is_central(name: str) -> bool:
    mt = _matcher()
    i = mt.by_name.get(fold(name))
    return i is not None and mt.entries[i].level == "central"


# the same canonical names are folded again and again while collecting
_fold_name = lru_cache(maxsize=4096)(fold)


class _Acc:
    def __init__(self) -> None:
        self.bodies: dict[str, Body] = {}
        # what each body's lists already hold: a body named thousands of times in one long file would make
        # the lists' own membership tests quadratic
        self._seen: dict[str, tuple[set[str], set[str], set[tuple[int, int]]]] = {}  # documents, aliases, spans

    def add(self, name: str, role: str, doc: str | None, surface: str | None = None,
            span: tuple[int, int] | None = None, kind: str | None = None) -> None:
        key = _fold_name(name)
        b = self.bodies.get(key)
        if b is None:
            b = Body(name=name, kind=kind)
            self.bodies[key] = b
            self._seen[key] = (set(), set(), set())
        docs, aliases, spans = self._seen[key]
        if kind and not b.kind:
            b.kind = kind
        if role not in b.roles:
            b.roles.append(role)
        if doc and doc not in docs:
            docs.add(doc)
            b.in_documents.append(doc)
        if surface:
            surf = surface.strip()
            if surf and surf != name and surf not in aliases:
                aliases.add(surf)
                b.aliases.append(surf)
        if span and span not in spans:
            spans.add(span)
            b.spans.append(span)


def collect_bodies(text: Text, documents: Iterable[Document], tasks: Iterable[Task] = (),
                   mentions: Iterable[Mention] = ()) -> list[Body]:
    """Every body named in the file with its roles, the surface forms seen, and the documents it is in.

    Roles: ``issuer`` (only of the containing document), ``recipient`` (Kính gửi, Nơi nhận, appended
    lists of addressees), ``lead`` / ``partner`` (tasks), ``mentioned`` (any other naming, including the
    issuers of cited documents).
    """
    docs = sorted(documents, key=lambda d: d.start)
    acc = _Acc()
    n = len(text.original)
    ranges: list[tuple[Document | None, int, int]] = []
    if not docs:
        ranges.append((None, 0, n))
    else:
        if docs[0].start > 0:
            ranges.append((docs[0], 0, docs[0].start))  # a header before the first document belongs to it
        for i, d in enumerate(docs):
            end = d.end or (docs[i + 1].start if i + 1 < len(docs) else n)
            ranges.append((d, d.start, end))
    for d, s, e in ranges:
        ref = d.ref if d else None
        prov = document_province(d)
        if d is not None and d.issuer:
            acc.add(d.issuer, "issuer", ref, kind=body_kind(d.issuer))
        recips = find_recipients(text, s, e, prov)
        rspans = {(r.start, r.end) for r in recips}
        for r in recips:
            acc.add(r.name, "recipient", ref, r.surface, (r.start, r.end), r.kind)
        for bm in find_bodies(text, s, e, province=prov):
            if (bm.start, bm.end) in rspans:
                continue
            role = "issuer" if d is not None and d.issuer and _fold_name(bm.name) == _fold_name(d.issuer) else "mentioned"
            acc.add(bm.name, role, ref, bm.surface, (bm.start, bm.end), bm.kind)
        if d is not None and not recips:
            # recipients known otherwise (set by the caller) when the text has no list of them
            for r in d.recipients or []:
                acc.add(r, "recipient", ref)
    for t in tasks:
        for name in t.lead:
            acc.add(name, "lead", t.in_document)
        for name in t.partners:
            acc.add(name, "partner", t.in_document)
    for m in mentions:
        if m.issuer:
            acc.add(m.issuer, "mentioned", m.in_document)
    return list(acc.bodies.values())


def body_kind(name: str) -> str | None:
    """The kind of a canonical body name from the table (ministry, department, collective ...)."""
    mt = _matcher()
    i = mt.by_name.get(fold(name))
    return mt.entries[i].kind if i is not None else None


def _debug_patterns() -> dict[str, Any]:  # pragma: no cover - a helper for tuning the table by hand
    mt = _matcher()
    return {"entries": len(mt.entries), "aliases": len(mt.aliases), "pattern_chars": len(mt.regex.pattern)}
