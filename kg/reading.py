"""File → text: the first step of the pipeline.

Everything later (mentions, offsets, graph) works on the text this module returns, so it decides the
encoding once and for all and never changes the text beyond decoding it: offsets always refer to the
returned ``text``. Anything that is not usable text becomes an :class:`InputError` whose message is
one line naming the file, so a batch run can report it and carry on with the other files.

Vietnamese files that predate Unicode come in Windows-1258 or in the 8-bit *font* encodings TCVN3
(ABC) and VNI; these are recognised by decoding a sample each way and keeping the reading that looks
most like Vietnamese (see :func:`vietnamese_score`). The font-encoding tables are data, in
``data/legacy_encodings.json``.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import stat
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
TEXT_SUFFIXES = (".txt", ".md")
CORPUS_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
SUPPORTED = "UTF-8, UTF-16, Windows-1258, TCVN3, VNI"

_DATA = Path(__file__).resolve().parent.parent / "data" / "legacy_encodings.json"
# Enough text to tell encodings apart without scoring a whole 64 MB file.
_SAMPLE_BYTES = 256 * 1024


class InputError(Exception):
    """A file (or corpus line) that cannot be used as text. ``str()`` is one line: ``NAME: problem``."""

    def __init__(self, name: str | os.PathLike[str], problem: str) -> None:
        self.name = os.fspath(name)
        self.problem = problem
        super().__init__(f"{self.name}: {problem}")

    def __str__(self) -> str:
        # File names and exception texts may hold newlines; the report must stay one line per problem.
        return " ".join(f"{self.name}: {self.problem}".split("\n"))


@dataclass
class Decoded:
    """The text of one file and how it was decoded."""

    text: str
    encoding: str  # utf-8, utf-8-sig, utf-16, utf-32, cp1258, tcvn3, vni
    note: str | None = None  # said to the user when the reading was not plain UTF-8


@dataclass
class Source:
    """One document to extract from: a file, or one line of a JSON Lines corpus."""

    name: str  # the path, or "path#id" for a corpus line
    text: str
    encoding: str = "utf-8"
    meta: dict[str, Any] = field(default_factory=dict)
    note: str | None = None


# --------------------------------------------------------------------------------------------------
# Recognising what a file is

# Checked before decoding so a PDF or a Word file gets a message that tells the user what to do,
# instead of "not UTF-8".
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "looks like a PDF file, not text; extract its text (pdftotext) or OCR it first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "looks like an old Microsoft Office file (.doc/.xls), not text; "
     "save it as plain text (UTF-8) first"),
    (b"{\\rtf", "looks like an RTF document, not plain text; save it as plain text (UTF-8) first"),
    (b"\x89PNG\r\n\x1a\n", "looks like a PNG image, not text; OCR it first"),
    (b"\xff\xd8\xff", "looks like a JPEG image, not text; OCR it first"),
    (b"GIF87a", "looks like a GIF image, not text; OCR it first"),
    (b"GIF89a", "looks like a GIF image, not text; OCR it first"),
    (b"II*\x00", "looks like a TIFF image, not text; OCR it first"),
    (b"MM\x00*", "looks like a TIFF image, not text; OCR it first"),
    (b"AT&TFORM", "looks like a DjVu scan, not text; OCR it first"),
    (b"\x1f\x8b", "looks like a gzip-compressed file, not text; decompress it first"),
    (b"\xfd7zXZ\x00", "looks like an xz-compressed file, not text; decompress it first"),
    (b"7z\xbc\xaf\x27\x1c", "looks like a 7-Zip archive, not text; unpack it first"),
    (b"Rar!\x1a\x07", "looks like a RAR archive, not text; unpack it first"),
    (b"\x7fELF", "looks like a program (ELF executable), not text"),
)


def _sniff_binary(data: bytes) -> str | None:
    """The problem with a file whose content is ``data``, if it is a known non-text format."""
    head = data[:64]
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = " ".join(z.namelist()[:200])
        except (zipfile.BadZipFile, OSError, ValueError):
            names = data[:4096].decode("latin-1")  # a damaged archive: its first member names
        if "word/" in names:
            return "looks like a Word document (.docx), not text; save it as plain text (UTF-8) first"
        if "xl/" in names:
            return "looks like an Excel workbook (.xlsx), not text"
        if "content.xml" in names and b"opendocument.text" in data[:200]:
            return "looks like an OpenDocument text (.odt), not text; save it as plain text (UTF-8) first"
        return "looks like a ZIP archive, not text; unpack it first"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "looks like a WebP image, not text; OCR it first"
    for magic, problem in _SIGNATURES:
        if head.startswith(magic):
            return problem
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """The codec for UTF-16 text saved without a byte-order mark, recognised by where its NULs fall."""
    sample = data[:4096]
    half = len(sample) // 2
    if half < 8:
        return None
    even = sample[0::2].count(0) / half
    odd = sample[1::2].count(0) / half
    # Mostly-Latin UTF-16 has a NUL in every other byte; Vietnamese letters (U+1Exx) have none, so
    # the share is lower than for English but still lopsided.
    if odd > 0.3 and even < 0.02:
        return "utf-16-le"
    if even > 0.3 and odd < 0.02:
        return "utf-16-be"
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    sample = text[:65536]
    return len(_CONTROL.findall(sample)) > max(8, len(sample) // 100)


# --------------------------------------------------------------------------------------------------
# Legacy Vietnamese encodings


@cache
def legacy_tables() -> dict[str, Any]:
    """The TCVN3 and VNI tables of ``data/legacy_encodings.json`` (with their examples)."""
    with open(_DATA, encoding="utf-8") as f:
        return json.load(f)["encodings"]


@cache
def _cp1252_chars() -> str:
    # How a Windows program shows bytes 0-255; the five bytes Windows-1252 leaves undefined stay as
    # Latin-1 C1 controls, which the scorer then counts against the reading.
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


@cache
def _tcvn3_chars() -> str:
    chars = list(_cp1252_chars())
    for hexbyte, uni in legacy_tables()["tcvn3"]["map"].items():
        chars[int(hexbyte, 16)] = uni
    return "".join(chars)


@cache
def _vni_decoder() -> tuple[re.Pattern[str], dict[str, str]]:
    mapping = dict(legacy_tables()["vni"]["map"])
    for seq, uni in list(mapping.items()):
        if len(seq) == 2:
            # Keyboard drivers sometimes pair a capital base with a lowercase mark or the reverse;
            # such pairs never occur in real text read as Windows-1252, so accepting them is safe.
            mixed = seq[0] + seq[1].swapcase()
            if mixed != seq and mixed not in mapping:
                mapping[mixed] = uni.upper() if seq[0].isupper() else uni.lower()
    pairs = [k for k in mapping if len(k) == 2]
    bases = "".join(sorted({k[0] for k in pairs}))
    marks = "".join(sorted({k[1] for k in pairs}))
    singles = "".join(sorted(k for k in mapping if len(k) == 1))
    for b in bases:
        for m in marks:
            # A base with a mark it does not take ("yï"): each character on its own.
            mapping.setdefault(b + m, mapping.get(b, b) + mapping.get(m, m))
    # Character classes rather than an alternation of every sequence: one scan, many times faster.
    return re.compile(f"[{re.escape(bases)}][{re.escape(marks)}]|[{re.escape(singles)}]"), mapping


def _vni_letter(m: re.Match[str]) -> str:
    return _vni_decoder()[1][m.group(0)]


@cache
def _tcvn3_caps_words() -> re.Pattern[bytes]:
    """Words of TCVN3 *bytes* that may be capitals written with lowercase codes (see _tcvn3_recase).

    Matched on the bytes, where a character class is a cheap bitmap; a TCVN3 byte is one character,
    so the spans are the same in the decoded text.
    """
    letters = {int(h, 16): v for h, v in legacy_tables()["tcvn3"]["map"].items() if v.isalpha()}
    upper = bytes(range(0x41, 0x5B)) + bytes(b for b, v in letters.items() if v.isupper())
    lower = bytes(b for b, v in letters.items() if v.islower())
    word = bytes(range(0x41, 0x5B)) + bytes(range(0x61, 0x7B)) + bytes(letters)
    u, lo, w = (b"[" + re.escape(x) + b"]" for x in (upper, lower, word))
    # A capital right after a lowercase letter ("ịN"), or two capitals then a lowercase one ("THủ").
    return re.compile(b"(?<!" + w + b")" + w + b"*(?:" + lo + u + b"|" + u + u + w + b"*" + lo + b")" + w + b"*")


def _tcvn3_recase(w: str) -> str:
    """Capitalise the lowercase-only TCVN3 letters inside an all-capitals word ("QUYếT" → "QUYẾT").

    TCVN3 has no codes for capital toned vowels: headings set in the .VnTimeH fonts use the lowercase
    codes, which decode as lowercase in the middle of a capitalised word.
    """
    lowers = [c for c in w if c.islower()]
    if not lowers or any(c.isascii() for c in lowers) or len(w.upper()) != len(w):
        return w
    # Two capitals, or a capital after a lowercase letter ("ủY"), never happen in a title-case word.
    first_lower = next(i for i, c in enumerate(w) if c.islower())
    if sum(c.isupper() for c in w) >= 2 or any(c.isupper() for c in w[first_lower:]):
        return w.upper()
    return w


def decode_legacy(data: bytes, encoding: str) -> str:
    """Decode ``data`` from ``"tcvn3"``, ``"vni"`` or ``"cp1258"`` into NFC Unicode."""
    if encoding == "tcvn3":
        # A 256-character decoding table: the C charmap codec, as fast as any built-in 8-bit codec.
        text = codecs.charmap_decode(data, "strict", _tcvn3_chars())[0]
        parts, last = [], 0
        for m in _tcvn3_caps_words().finditer(data):
            parts += [text[last : m.start()], _tcvn3_recase(text[m.start() : m.end()])]
            last = m.end()
        text = "".join(parts) + text[last:] if parts else text
        # The standard's combining tone marks (0xB0-0xB4) follow their letter.
        return unicodedata.normalize("NFC", text) if re.search(b"[\xb0-\xb4]", data) else text
    if encoding == "vni":
        text = codecs.charmap_decode(data, "strict", _cp1252_chars())[0]
        return _vni_decoder()[0].sub(_vni_letter, text)
    if encoding == "cp1258":
        # Windows-1258 writes most tones as separate combining marks after the letter.
        return unicodedata.normalize("NFC", data.decode("cp1258"))
    raise ValueError(f"unknown legacy encoding {encoding!r}")


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def encode_legacy(text: str, encoding: str) -> bytes:
    """Encode Unicode ``text`` into ``"tcvn3"``, ``"vni"`` or ``"cp1258"`` (the inverse of :func:`decode_legacy`).

    Used to make test files and to check the tables round-trip; raises ``ValueError`` for a
    character the encoding cannot hold.
    """
    text = unicodedata.normalize("NFC", text)
    out = bytearray()
    if encoding == "cp1258":
        for ch in text:
            try:
                out += ch.encode("cp1258")
            except UnicodeEncodeError:
                parts = unicodedata.normalize("NFD", ch)
                base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
                out += (base + "".join(c for c in parts if c in _TONES)).encode("cp1258")
        return bytes(out)
    if encoding == "tcvn3":
        inverse = {uni: bytes([int(h, 16)]) for h, uni in legacy_tables()["tcvn3"]["map"].items() if len(uni) == 1}
        for ch in text:
            if ch in inverse:
                out += inverse[ch]
            elif ch.lower() in inverse and ch.isupper():
                out += inverse[ch.lower()]  # what the .VnTimeH capital fonts do
            else:
                out += _encode_cp1252_punct(ch, encoding)
        return bytes(out)
    if encoding == "vni":
        inverse = {uni: seq for seq, uni in legacy_tables()["vni"]["map"].items()}
        for ch in text:
            out += inverse[ch].encode("cp1252") if ch in inverse else _encode_cp1252_punct(ch, encoding)
        return bytes(out)
    raise ValueError(f"unknown legacy encoding {encoding!r}")


def _encode_cp1252_punct(ch: str, encoding: str) -> bytes:
    b = ch.encode("cp1252", errors="ignore")
    # Only ASCII and the Windows punctuation at 0x80-0xA0 are the same in the font encodings.
    if b and (b[0] < 0xA1):
        return b
    if ch in "ÌÍìí" and encoding == "vni":
        return b
    raise ValueError(f"{ch!r} cannot be written in {encoding}")


# --------------------------------------------------------------------------------------------------
# How Vietnamese does a text look?

_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
_NUCLEI = (
    "a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi oo ôi ơi ua uâ uê ui uô uơ uy "
    "ưa ưi ưu ươ yê iêu yêu oai oay oao oeo uây uôi uya uyê uyu ươi ươu uêu"
).split()
_SYLLABLE = re.compile(
    _ONSET + "(?:" + "|".join(sorted(_NUCLEI, key=len, reverse=True)) + ")(?:ch|ng|nh|[cmnpt])?"
)
_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
# Non-letters that do turn up in Vietnamese documents; any other non-ASCII symbol counts against a reading.
_FINE_SYMBOLS = set("\u00a0“”‘’–—…•·§°№«»×÷±€")


def _is_syllable(word: str) -> bool:
    parts = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in parts) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def vietnamese_score(text: str) -> tuple[int, int]:
    """``(good, bad)``: words with Vietnamese letters that are valid syllables, and evidence against.

    Only words with a non-ASCII letter are judged (ASCII reads the same in every candidate
    encoding); a wrong decoding turns Vietnamese letters into Western ones (``chñ``, ``ViÖt``) or into
    syllables that cannot exist (``hoứa``), and leaves stray symbols and control characters.
    """
    good = bad = 0
    for m in _WORD.finditer(text):
        w = m.group(0)
        if w.isascii():
            continue
        if _is_syllable(w):
            good += 1
        else:
            bad += 1
    for ch in _NON_ASCII.findall(text):
        if not ch.isalpha() and not ch.isspace() and ch not in _FINE_SYMBOLS:
            bad += 1
    return good, bad


def _convincing(good: int, bad: int) -> bool:
    return good >= 2 and good >= 4 * bad


# --------------------------------------------------------------------------------------------------
# Bytes → text


def decode_bytes(data: bytes, name: str = "<bytes>") -> Decoded:
    """Decode the bytes of one file; raise :class:`InputError` when they are not usable text."""
    if not data:
        raise InputError(name, "empty file")
    decoded = _decode(data, name)
    if _looks_binary(decoded.text):
        raise InputError(name, "binary file (control characters), not text")
    if not decoded.text.strip():
        raise InputError(name, "contains only whitespace")
    return decoded


def _decode(data: bytes, name: str) -> Decoded:
    for bom, codec in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                       (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec)
            except UnicodeDecodeError as e:
                raise InputError(name, f"starts with a {codec.upper()} byte-order mark but is not valid "
                                       f"{codec.upper()} (byte {e.start})") from None
    problem = _sniff_binary(data)
    if problem:
        raise InputError(name, problem)
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec:
            try:
                return Decoded(data.decode(codec), codec, f"read as {codec.upper()} (no byte-order mark)")
            except UnicodeDecodeError:
                pass
        raise InputError(name, "binary file (contains NUL bytes), not text")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass

    # A UTF-8 file with a few broken bytes (a bad copy, a truncated tail) is still a UTF-8 file.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    multibyte = len(_NON_ASCII.findall(lenient, 0, 2_000_000))
    if multibyte >= 20 and broken * 50 <= multibyte:
        return Decoded(lenient, "utf-8", f"{broken} invalid UTF-8 byte sequence(s) replaced by U+FFFD")

    best: tuple[int, str, str] | None = None
    sample = _cut_sample(data)
    for enc in ("cp1258", "tcvn3", "vni"):
        try:
            good, bad = vietnamese_score(decode_legacy(sample, enc))
        except UnicodeDecodeError:
            continue  # a byte Windows-1258 leaves undefined: cannot be that encoding
        if _convincing(good, bad) and (best is None or good - 2 * bad > best[0]):
            best = (good - 2 * bad, enc, "")
    if best is None:
        raise InputError(name, f"not UTF-8 and not a supported Vietnamese encoding ({SUPPORTED})")
    enc = best[1]
    label = {"cp1258": "Windows-1258", "tcvn3": "TCVN3 (ABC)", "vni": "VNI-Windows"}[enc]
    try:
        text = decode_legacy(data, enc)
    except UnicodeDecodeError as e:
        raise InputError(name, f"looks like {label} but byte {e.start} is not valid in it") from None
    return Decoded(text, enc, f"not UTF-8: read as {label} and converted to Unicode")


def _cut_sample(data: bytes) -> bytes:
    if len(data) <= _SAMPLE_BYTES:
        return data
    cut = data.rfind(b" ", 0, _SAMPLE_BYTES)  # never split a two-byte VNI letter
    return data[: cut if cut > 0 else _SAMPLE_BYTES]


def _size(n: float) -> str:
    mb = n / 2**20
    if mb >= 0.1:
        return f"{mb:.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{int(n)} bytes"


def _limit(max_bytes: int) -> str:
    return f"{max_bytes / 2**20:.3g} MB"


def _too_big(name: str, size: int, max_bytes: int) -> InputError:
    return InputError(name, f"{_size(size)} is over the {_limit(max_bytes)} limit for one document (--max-size)")


def _os_problem(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file or folder"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a folder"
    return (e.strerror or str(e)).lower()


def read_text(path: str | os.PathLike[str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Read one text file: UTF-8 (BOM or not), UTF-16/32 with a BOM, Windows-1258, TCVN3 or VNI.

    The size is checked before reading, so a huge file is rejected without loading it.
    """
    name = os.fspath(path)
    try:
        st = os.stat(name)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(name, "is a folder")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(name, "not a regular file")
        if st.st_size > max_bytes:
            raise _too_big(name, st.st_size, max_bytes)
        with open(name, "rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as e:
        raise InputError(name, _os_problem(e)) from None
    if len(data) > max_bytes:
        raise _too_big(name, len(data), max_bytes)
    return decode_bytes(data, name)


def read_stream(stream: BinaryIO, name: str = "<stdin>", *, max_bytes: int = DEFAULT_MAX_BYTES) -> Decoded:
    """Like :func:`read_text` for an open binary stream (standard input)."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputError(name, f"more than the {_limit(max_bytes)} limit for one document (--max-size)")
    return decode_bytes(data, name)


# --------------------------------------------------------------------------------------------------
# Paths → documents


def is_corpus(path: str) -> bool:
    """Whether ``path`` names a JSON Lines corpus (one document per line)."""
    return path.lower().endswith(CORPUS_SUFFIXES)


def is_batch(paths: Iterable[str | os.PathLike[str]]) -> bool:
    """Whether ``paths`` can give more than one document (several paths, a folder or a corpus)."""
    names = [os.fspath(p) for p in paths]
    return len(names) != 1 or os.path.isdir(names[0]) or is_corpus(names[0])


def iter_sources(
    paths: Iterable[str | os.PathLike[str]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    recursive: bool = True,
) -> Iterator[Source | InputError]:
    """Yield every document under ``paths``, lazily and in a stable order, or an error per bad input.

    Folders give their ``.txt`` and ``.md`` files (sorted; other files are skipped, hidden ones too),
    JSON Lines corpora (``.jsonl``, ``.jsonl.gz``) one document per line with ``text`` and ``id``,
    ``-`` standard input; any other file named explicitly is always tried. Problems are yielded as
    :class:`InputError` instead of raised, so one bad file never stops the others.
    """
    for p in paths:
        name = os.fspath(p)
        if name == "-":
            yield _read_source(name, lambda: read_stream(sys.stdin.buffer, max_bytes=max_bytes))
        elif os.path.isdir(name):
            yield from _iter_folder(name, max_bytes=max_bytes, recursive=recursive)
        elif is_corpus(name) and os.path.isfile(name):
            yield from iter_corpus(name, max_bytes=max_bytes)
        else:
            yield _read_source(name, lambda n=name: read_text(n, max_bytes=max_bytes))


def _read_source(name: str, read: Callable[[], Decoded]) -> Source | InputError:
    try:
        d = read()
    except InputError as e:
        return e
    return Source(name, d.text, d.encoding, note=d.note)


def _iter_folder(folder: str, *, max_bytes: int, recursive: bool) -> Iterator[Source | InputError]:
    found = False
    for path in _walk(folder, recursive):
        if isinstance(path, InputError):
            yield path
            continue
        found = True
        yield _read_source(path, lambda p=path: read_text(p, max_bytes=max_bytes))
    if not found:
        yield InputError(folder, f"folder has no {' or '.join(TEXT_SUFFIXES)} files")


def _walk(folder: str, recursive: bool) -> Iterator[str | InputError]:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        yield InputError(folder, f"cannot read folder: {_os_problem(e)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
        except OSError:
            is_dir = False
        if is_dir:
            if recursive:
                yield from _walk(entry.path, recursive)
        elif entry.name.lower().endswith(TEXT_SUFFIXES):
            yield entry.path


def iter_corpus(path: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Source | InputError]:
    """Yield the documents of a JSON Lines corpus (``.jsonl`` or ``.jsonl.gz``), streaming line by line.

    Each line is an object with a ``text`` and, ideally, an ``id``; the source is named ``path#id``
    and the other fields go to ``meta``. A bad line is yielded as an :class:`InputError` naming its
    line number; a corrupt or truncated gzip stream ends the file with one error.
    """
    opener = gzip.open if path.lower().endswith(".gz") else open
    lineno = 0
    try:
        with opener(path, "rb") as f:
            while True:
                raw = f.readline(max_bytes + 1)
                if not raw:
                    break
                lineno += 1
                where = f"{path}:{lineno}"
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    size = len(raw) + _skip_line(f)
                    yield _too_big(where, size, max_bytes)
                    continue
                if not raw.strip():
                    continue
                yield _corpus_line(path, where, raw, lineno)
    except (OSError, EOFError, zlib.error) as e:
        if lineno == 0 and isinstance(e, (FileNotFoundError, PermissionError, IsADirectoryError)):
            yield InputError(path, _os_problem(e))
        else:
            what = "corrupt or truncated gzip file" if opener is gzip.open else "read error"
            yield InputError(f"{path}:{lineno + 1}", f"{what} ({e}); stopped reading this corpus")


def _skip_line(f: BinaryIO) -> int:
    skipped = 0
    while True:
        chunk = f.readline(1 << 20)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


def _corpus_line(path: str, where: str, raw: bytes, lineno: int) -> Source | InputError:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return InputError(where, f"not valid UTF-8 (byte {e.start} of the line)")
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        return InputError(where, f"not valid JSON ({e.msg} at column {e.colno})")
    if not isinstance(obj, dict):
        return InputError(where, "not a JSON object")
    text = obj.get("text")
    if not isinstance(text, str):
        return InputError(where, 'has no "text" string field')
    ident = obj.get("id")
    name = f"{path}#{ident}" if ident not in (None, "") else f"{path}#{lineno}"
    if not text.strip():
        return InputError(name, f"empty text (line {lineno})")
    meta = {k: v for k, v in obj.items() if k != "text"}
    meta["line"] = lineno
    return Source(name, text, "utf-8", meta)
