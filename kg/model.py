"""The facts one extraction yields, in the shape of the output contract (gold/SCHEMA.md).

Every item keeps character offsets into the *original* text (``start``/``end``), whatever folding
happened on the way, so a graph edge can always point back at the characters that justify it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kg.normalize import Text


@cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _as_dict(obj: Any) -> dict[str, Any]:
    """What ``dataclasses.asdict`` gives for these flat records (strings, numbers, lists of strings or
    pairs), without its recursive deep copy, which cost a tenth of a build's extraction time."""
    out: dict[str, Any] = {}
    for name in _field_names(type(obj)):
        v = getattr(obj, name)
        out[name] = list(v) if isinstance(v, list) else v
    return out


@dataclass
class Mention:
    """One reference to another document, each occurrence separately."""

    start: int
    end: int
    line: int
    surface: str
    key: str | None  # canonical number (NFC, Đ restored); None for a reference by name only
    type: str | None  # document type in proper Vietnamese ("Nghị định")
    issuer: str | None = None
    date: str | None = None  # ISO date stated in this mention
    name: str | None = None  # proper-Vietnamese name, for references by name only
    title: str | None = None  # the cited document's trích yếu, where the words after it give one
    in_document: str | None = None  # key (or title) of the containing document
    system: str | None = None  # normative | administrative | letter | party | named
    method: str = "pattern"  # how it was found: pattern, short-form, anaphora, name ...
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass
class Document:
    """A document whose own text is in the file (a file may hold several)."""

    key: str | None
    type: str | None
    issuer: str | None
    date: str | None
    title: str | None
    first_line: int
    signer: str | None = None
    recipients: list[str] = field(default_factory=list)
    start: int = 0  # offset where its text starts
    end: int = 0  # offset where its text ends (exclusive)
    number_surface: str | None = None  # the number as printed ("Sb: 119 /KH-UBND")
    place: str | None = None
    province: str | None = None  # "tỉnh Bình Định", for issuer codes that depend on where a document comes from
    title_start: int = 0  # original span of the trích yếu, whose verbs type the document's own purpose
    title_end: int = 0

    @property
    def ref(self) -> str:
        """What other items use to point at this document: its key, else its title."""
        return self.key or self.title or f"document@{self.first_line}"

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass
class Relation:
    """A document-to-document link the text asserts."""

    source: str  # "from" in the JSON contract
    target: str  # "to"
    type: str  # based_on | implements | guides | amends | replaces | repeals | cites
    evidence_line: int
    start: int = 0  # offsets of the evidence (the cited mention)
    end: int = 0
    surface: str = ""
    method: str = "cue"
    cue: str | None = None  # the words that decided the type ("Căn cứ", "sửa đổi") if any
    confidence: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        d = _as_dict(self)
        d["from"] = d.pop("source")
        d["to"] = d.pop("target")
        return d


@dataclass
class Task:
    """A row of a task table, or an assignment in "Tổ chức thực hiện"."""

    in_document: str
    id: str | None
    text: str
    lead: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    time: str | None = None
    line: int = 0
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return _as_dict(self)


@dataclass
class Body:
    """An organisation named in the file, under its canonical full name."""

    name: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)  # issuer, recipient, lead, partner, mentioned
    in_documents: list[str] = field(default_factory=list)
    kind: str | None = None  # ministry, provincial-committee, party, collective ...
    spans: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = _as_dict(self)
        d["spans"] = [list(s) for s in self.spans]
        return d


@dataclass
class Extraction:
    """Everything extracted from one text."""

    documents: list[Document] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    bodies: list[Body] = field(default_factory=list)
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.path is not None:
            d["path"] = self.path
        d["documents"] = [x.to_dict() for x in self.documents]
        d["mentions"] = [x.to_dict() for x in self.mentions]
        d["relations"] = [x.to_dict() for x in self.relations]
        d["tasks"] = [x.to_dict() for x in self.tasks]
        d["bodies"] = [x.to_dict() for x in self.bodies]
        return d


def mention_at(text: Text, start: int, end: int, **facts: Any) -> Mention:
    """A mention of the folded span ``start:end``: offsets, line and surface are the original text's."""
    s, e = text.span(start, end)
    return Mention(start=s, end=e, line=text.line_of(s), surface=text.original[s:e], **facts)
