"""kg.reading: file → text, and every way a file can fail to be text."""

from __future__ import annotations

import gzip
import itertools
import json
import random
import unicodedata
import zipfile
from pathlib import Path

import pytest

from kg import reading
from kg.reading import (
    Decoded,
    InputError,
    Source,
    decode_bytes,
    decode_legacy,
    encode_legacy,
    iter_sources,
    legacy_tables,
    read_text,
    vietnamese_score,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "samples" / "004_47729b0b45449708.txt"
CORPUS = ROOT.parent / "shared" / "corpus" / "docs.jsonl.gz"
TONES = "\u0300\u0301\u0303\u0309\u0323"


@pytest.fixture(scope="module")
def vietnamese() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def cp1258_bytes(text: str) -> bytes:
    """Windows-1258 as Windows writes it, using only Python's codec: tone marks as combining characters
    after the letter (the codec has no precomposed ế, ộ ...), other letters precomposed."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONES))
            out += (base + "".join(c for c in parts if c in TONES)).encode("cp1258")
    return bytes(out)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------------
# Unicode files


def test_utf8_is_returned_unchanged(tmp_path, vietnamese):
    d = read_text(write(tmp_path / "a.txt", vietnamese))
    assert d == Decoded(vietnamese, "utf-8", None)


def test_utf8_bom_is_stripped_so_offsets_start_at_the_text(tmp_path):
    d = read_text(write(tmp_path / "a.txt", b"\xef\xbb\xbfS\xe1\xbb\x91: 12/Q\xc4\x90-TTg"))
    assert d.text == "Số: 12/QĐ-TTg"
    assert d.text.index("12/QĐ-TTg") == 4
    assert d.encoding == "utf-8-sig"


def test_decomposed_utf8_is_not_normalised(tmp_path):
    nfd = unicodedata.normalize("NFD", "Quyết định số 5")
    assert read_text(write(tmp_path / "a.txt", nfd)).text == nfd  # offsets must match the file


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16(tmp_path, vietnamese, codec):
    data = vietnamese.encode(codec)  # -le/-be write no byte-order mark: recognised by where NULs fall
    d = read_text(write(tmp_path / "a.txt", data))
    assert d.text == vietnamese
    assert (d.note is None) == (codec == "utf-16")


def test_a_few_broken_bytes_in_utf8_are_replaced_with_a_note(tmp_path, vietnamese):
    data = vietnamese.encode("utf-8")
    data = data[:500] + b"\xff" + data[500:]
    d = read_text(write(tmp_path / "a.txt", data))
    assert d.encoding == "utf-8"
    assert d.text.count("\ufffd") == 1
    assert "replaced" in d.note


# --------------------------------------------------------------------------------------------------
# Legacy Vietnamese encodings


@pytest.mark.parametrize("enc", ["tcvn3", "vni"])
def test_table_examples_decode_and_encode(enc):
    entry = legacy_tables()[enc]
    assert entry["examples"], "every encoding ships examples"
    for ex in entry["examples"]:
        raw = ex["legacy"].encode("cp1252")
        assert decode_legacy(raw, enc) == ex["unicode"]
        assert encode_legacy(ex["unicode"], enc) == raw
        assert decode_bytes(raw).encoding == enc, ex["unicode"]


def test_tables_are_one_to_one():
    tcvn3 = legacy_tables()["tcvn3"]["map"]
    vni = legacy_tables()["vni"]["map"]
    assert len(set(tcvn3.values())) == len(tcvn3)
    assert len(set(vni.values())) == len(vni)
    # Every Vietnamese letter has a VNI spelling (ì í Ì Í are the same code points in Windows-1252).
    letters = set("ăâêôơưđ") | {unicodedata.normalize("NFC", v + t) for v in "aăâeêioôơuưy" for t in TONES}
    letters |= {c.upper() for c in letters}
    assert letters - set(vni.values()) == set("ìíÌÍ")


def test_windows_1258_file(tmp_path, vietnamese):
    data = cp1258_bytes(vietnamese)
    assert b"\xec" in data or b"\xf2" in data  # combining tone marks, as Windows-1258 requires
    d = read_text(write(tmp_path / "a.txt", data))
    assert d.encoding == "cp1258"
    assert d.text == vietnamese  # NFC-normalised, so keys compare equal
    assert "Windows-1258" in d.note


def test_vni_file(tmp_path, vietnamese):
    data = encode_legacy(vietnamese, "vni")
    d = read_text(write(tmp_path / "a.txt", data))
    assert d.encoding == "vni"
    assert d.text == vietnamese
    assert "VNI" in d.note


def test_tcvn3_file(tmp_path, vietnamese):
    data = encode_legacy(vietnamese, "tcvn3")
    assert b"1486/Q\xa7-TTg" in data
    d = read_text(write(tmp_path / "a.txt", data))
    assert d.encoding == "tcvn3"
    # TCVN3 has no capital toned vowels; only case can differ, and all-capital words get them back.
    assert d.text.lower() == vietnamese.lower()
    assert "ỦY BAN NHÂN DÂN" in d.text
    assert "Quyết định số 1486/QĐ-TTg" in d.text


def test_tcvn3_capital_heuristic_leaves_title_case_alone():
    raw = encode_legacy("QUYẾT ĐỊNH của Bộ Tư pháp", "tcvn3")
    assert decode_legacy(raw, "tcvn3") == "QUYẾT ĐỊNH của Bộ Tư pháp"


def test_legacy_file_with_windows_punctuation(tmp_path):
    text = "“Kết luận số 57-KL/TW” – Bộ Chính trị… Cộng hòa xã hội chủ nghĩa Việt Nam"
    for enc in ("tcvn3", "vni"):
        d = read_text(write(tmp_path / f"{enc}.txt", encode_legacy(text, enc)))
        assert (d.encoding, d.text) == (enc, text)


@pytest.mark.parametrize(
    "data",
    [
        ("Le décret du ministère précise les règles applicables à la procédure. Très bien, où est l'été ? " * 5)
        .encode("latin-1"),
        ("Müller und Söhne: größere Änderungen für Übersetzungen im Straßenverkehr. " * 5).encode("latin-1"),
        ("これは日本語のテキストです。法律の文書を読みます。東京都の条例第十二号。" * 5).encode("shift_jis"),
        ("这是中文文本，国务院关于法律文件的通知。第十二条规定如下。" * 5).encode("gbk"),
        ("Это русский текст о законе и постановлении правительства." * 5).encode("cp1251"),
    ],
    ids=["french-latin1", "german-latin1", "japanese-shift-jis", "chinese-gbk", "russian-cp1251"],
)
def test_other_encodings_are_refused_clearly(tmp_path, data):
    path = write(tmp_path / "other.txt", data)
    with pytest.raises(InputError) as e:
        read_text(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}: not UTF-8 and not a supported Vietnamese encoding")
    assert "Windows-1258, TCVN3, VNI" in msg
    assert "\n" not in msg


def test_random_bytes_without_nul_are_refused(tmp_path):
    rnd = random.Random(7)
    path = write(tmp_path / "noise.txt", bytes(rnd.randint(1, 255) for _ in range(4000)))
    with pytest.raises(InputError, match="not UTF-8 and not a supported"):
        read_text(path)


def test_score_separates_right_and_wrong_readings(vietnamese):
    good, bad = vietnamese_score(vietnamese)
    assert good > 20 * bad
    wrong = decode_legacy(encode_legacy(vietnamese, "vni"), "tcvn3")
    good_w, bad_w = vietnamese_score(wrong)
    assert bad_w > good_w / 2


# --------------------------------------------------------------------------------------------------
# Not text at all


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \r\n\t\n   \n", "contains only whitespace"),
        ("nul.txt", bytes([0, 1, 2, 255, 0, 17]) * 300 + b"\x00", "binary file (contains NUL bytes), not text"),
        ("scan.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "looks like a PDF file"),
        ("scan.txt", b"%PDF-1.4\n" + b"x" * 100, "looks like a PDF file"),  # the name does not matter
        ("page.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a PNG image, not text; OCR it first"),
        ("page.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "looks like a JPEG image"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old Microsoft Office file"),
        ("doc.rtf", b"{\\rtf1\\ansi Quy\\'ea\\'ft}", "looks like an RTF document"),
        ("data.gz", gzip.compress(b"hello"), "gzip-compressed"),
    ],
)
def test_non_text_files(tmp_path, name, data, expected):
    path = write(tmp_path / name, data)
    with pytest.raises(InputError) as e:
        read_text(path)
    assert str(e.value).startswith(f"{path}: ")
    assert expected in str(e.value)


def test_docx_is_recognised(tmp_path):
    path = tmp_path / "quyet-dinh.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(InputError, match=r"looks like a Word document \(\.docx\).*plain text"):
        read_text(path)


def test_control_characters_without_nul_are_binary(tmp_path):
    path = write(tmp_path / "ctl.txt", bytes(range(1, 9)) * 200)
    with pytest.raises(InputError, match="binary file"):
        read_text(path)


def test_too_big_is_rejected_without_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:
        f.truncate(100 * 1024 * 1024)  # sparse: instant, takes no disk

    def no_open(*args, **kwargs):
        raise AssertionError("a file over the limit must not be opened")

    monkeypatch.setattr(reading, "open", no_open, raising=False)
    with pytest.raises(InputError) as e:
        read_text(path)
    assert str(e.value) == f"{path}: 100.0 MB is over the 64 MB limit for one document (--max-size)"


def test_max_bytes_is_configurable(tmp_path, vietnamese):
    path = write(tmp_path / "a.txt", vietnamese)
    size = path.stat().st_size
    assert read_text(path, max_bytes=size).text == vietnamese
    with pytest.raises(InputError, match=r"over the 0\.01 MB limit"):
        read_text(path, max_bytes=int(0.01 * 2**20))


def test_missing_path_and_folder(tmp_path):
    with pytest.raises(InputError, match=r"nope\.txt: no such file or folder$"):
        read_text(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a folder"):
        read_text(tmp_path)


def test_unreadable_file(tmp_path, monkeypatch):
    path = write(tmp_path / "secret.txt", "Số: 1/QĐ-UBND")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(reading, "open", denied, raising=False)
    with pytest.raises(InputError) as e:
        read_text(path)
    assert str(e.value) == f"{path}: permission denied"


def test_error_message_is_one_line():
    assert str(InputError("a\nb.txt", "bad\nthing")) == "a b.txt: bad thing"


# --------------------------------------------------------------------------------------------------
# iter_sources: paths, folders, corpora


def test_folder_is_walked_recursively_sorted_and_filtered(tmp_path):
    write(tmp_path / "b.txt", "Văn bản B")
    write(tmp_path / "a.md", "Văn bản A")
    write(tmp_path / "sub" / "c.TXT", "Văn bản C")
    write(tmp_path / "notes.docx", b"PK\x03\x04word/")  # not .txt/.md inside a folder: skipped
    write(tmp_path / ".hidden.txt", "ẩn")
    write(tmp_path / ".git" / "x.txt", "ẩn")
    items = list(iter_sources([tmp_path]))
    assert [Path(s.name).relative_to(tmp_path).as_posix() for s in items] == ["a.md", "b.txt", "sub/c.TXT"]
    assert [s.text for s in items] == ["Văn bản A", "Văn bản B", "Văn bản C"]
    flat = [Path(s.name).name for s in iter_sources([tmp_path], recursive=False)]
    assert flat == ["a.md", "b.txt"]


def test_explicit_file_is_always_tried_and_errors_do_not_stop(tmp_path):
    good = write(tmp_path / "doc.dat", "Kế hoạch số 119/KH-UBND")
    bad = write(tmp_path / "scan.pdf", b"%PDF-1.5\n")
    items = list(iter_sources([bad, tmp_path / "missing.txt", good]))
    assert [type(x) for x in items] == [InputError, InputError, Source]
    assert items[2].text == "Kế hoạch số 119/KH-UBND"
    assert "no such file" in str(items[1])


def test_empty_folder_is_reported(tmp_path):
    write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n")
    (item,) = list(iter_sources([tmp_path]))
    assert isinstance(item, InputError)
    assert "folder has no .txt or .md files" in str(item)


def test_thousands_of_files_stream_lazily(tmp_path):
    for i in range(3000):
        (tmp_path / f"{i:05d}.txt").write_text(f"Quyết định số {i}/QĐ-UBND", encoding="utf-8")
    it = iter_sources([tmp_path])
    first = next(it)
    assert first.name.endswith("00000.txt")
    rest = list(it)
    assert len(rest) == 2999
    assert rest[-1].text == "Quyết định số 2999/QĐ-UBND"


def _corpus_lines() -> list[bytes]:
    return [
        json.dumps({"id": "nd-72", "text": "Nghị định số 72/2015/NĐ-CP", "type": "Nghị định"},
                   ensure_ascii=False).encode(),
        b'{"id": "broken", "text": "Quy\xe1\xba\xbft \n',  # cut off mid-object
        b"\n",  # blank lines are skipped
        b'["not", "an", "object"]\n',
        json.dumps({"id": "no-text", "title": "x"}).encode(),
        json.dumps({"id": "blank", "text": "   "}).encode(),
        json.dumps({"text": "Kết luận số 57-KL/TW"}, ensure_ascii=False).encode(),  # no id: line number
    ]


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz"])
def test_corpus_with_bad_lines(tmp_path, suffix):
    raw = b"\n".join(line.rstrip(b"\n") for line in _corpus_lines()) + b"\n"
    path = tmp_path / f"docs{suffix}"
    path.write_bytes(gzip.compress(raw) if suffix.endswith(".gz") else raw)
    items = list(iter_sources([path]))
    good = [x for x in items if isinstance(x, Source)]
    bad = [str(x) for x in items if isinstance(x, InputError)]
    assert [s.name for s in good] == [f"{path}#nd-72", f"{path}#7"]
    assert good[0].text == "Nghị định số 72/2015/NĐ-CP"
    assert good[0].meta == {"id": "nd-72", "type": "Nghị định", "line": 1}
    assert bad[0].startswith(f"{path}:2: not valid JSON (")
    assert bad[1:] == [
        f"{path}:4: not a JSON object",
        f'{path}:5: has no "text" string field',
        f"{path}#blank: empty text (line 6)",
    ]
    assert all("\n" not in b for b in bad)


def test_truncated_gzip_corpus(tmp_path):
    lines = b"".join(json.dumps({"id": i, "text": f"Văn bản {i} " * 50}).encode() + b"\n" for i in range(200))
    data = gzip.compress(lines)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    items = list(iter_sources([path]))
    assert isinstance(items[-1], InputError)
    assert "corrupt or truncated gzip file" in str(items[-1])
    assert all(isinstance(x, Source) for x in items[:-1]) and items[:-1]


def test_corpus_line_over_the_limit(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        json.dumps({"id": "huge", "text": "x" * 5000}) + "\n" + json.dumps({"id": "ok", "text": "Số 1"}) + "\n"
    )
    items = list(iter_sources([path], max_bytes=1000))
    assert isinstance(items[0], InputError) and "over the" in str(items[0]) and ":1:" in str(items[0])
    assert isinstance(items[1], Source) and items[1].name.endswith("#ok")


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus not present")
def test_real_corpus_streams(tmp_path):
    first = list(itertools.islice(iter_sources([CORPUS]), 3))
    assert all(isinstance(s, Source) for s in first)
    assert first[0].name.startswith(f"{CORPUS}#")
    assert first[0].meta["id"] in first[0].name
    assert len(first[0].text) > 100
