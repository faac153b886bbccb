"""`legalkg extract`: output shapes, and one clear line per bad input without stopping the others."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from cli import main
from kg.reading import encode_legacy
from kg.report import render_table

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
SAMPLE = SAMPLES / "004_47729b0b45449708.txt"
CONTRACT_KEYS = {"documents", "mentions", "relations", "tasks", "bodies"}


def run(*args: str | os.PathLike[str], input: bytes | None = None):
    result = CliRunner().invoke(main, ["extract", *map(str, args)], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    # A usage error is click's own exit 2; anything else must be caught and reported, not raised.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def errors(result) -> list[str]:
    lines = result.stderr.splitlines()
    assert all(line.startswith(("legalkg: error: ", "legalkg: note: ")) for line in lines), lines
    return [line.removeprefix("legalkg: error: ") for line in lines if line.startswith("legalkg: error: ")]


def json_lines(result) -> list[dict]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def test_one_file_prints_one_json_object():
    r = run(SAMPLE)
    assert r.exit_code == 0, r.stderr
    assert r.stderr == ""
    obj = json.loads(r.stdout)  # the whole output is a single object
    assert isinstance(obj, dict)
    assert CONTRACT_KEYS <= set(obj)
    assert obj["path"] == str(SAMPLE)
    assert obj["encoding"] == "utf-8"


def test_json_matches_the_library_result():
    text = SAMPLE.read_text(encoding="utf-8")
    expected = kg.extract(text, path=str(SAMPLE)).to_dict()
    obj = json.loads(run("--json", SAMPLE).stdout)
    for key in CONTRACT_KEYS:
        assert obj[key] == expected[key]


def test_several_files_print_json_lines_with_paths():
    files = sorted(SAMPLES.glob("*.txt"))
    r = run(*files)
    assert r.exit_code == 0, r.stderr
    objs = json_lines(r)
    assert [o["path"] for o in objs] == [str(f) for f in files]
    assert all(CONTRACT_KEYS <= set(o) for o in objs)


def test_folder_prints_json_lines_sorted():
    r = run(SAMPLES)
    assert r.exit_code == 0
    assert [Path(o["path"]).name for o in json_lines(r)] == sorted(p.name for p in SAMPLES.glob("*.txt"))


def test_mixed_folder_reports_each_bad_file_once_and_keeps_the_good_ones(tmp_path):
    vi = SAMPLE.read_text(encoding="utf-8")
    d = tmp_path / "in"
    good = {
        "good.txt": vi,
        "nested/good.md": "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ.",
        "tcvn3.txt": encode_legacy(vi, "tcvn3"),
        "vni.txt": encode_legacy(vi, "vni"),
    }
    bad = {
        "binary.txt": bytes(range(256)) * 20,
        "empty.txt": b"",
        "fake-pdf.txt": b"%PDF-1.4\n1 0 obj <<>> endobj\n",
        "french.txt": "Le décret précise les règles applicables à la procédure. Très bien, où est l'été ?".encode(
            "latin-1") * 5,
        "japanese.txt": "これは日本語のテキストです。法律の文書を読みます。".encode("shift_jis") * 5,
        "whitespace.txt": b" \n\n\t \r\n",
    }
    for name, data in {**good, **bad}.items():
        write(d / name, data)
    write(d / "ignored.bin", b"\x00\x01")  # neither .txt nor .md: not taken from a folder
    r = run(d)
    assert r.exit_code == 1
    objs = json_lines(r)
    assert sorted(Path(o["path"]).relative_to(d).as_posix() for o in objs) == sorted(good)
    assert {Path(o["path"]).name: o["encoding"] for o in objs}["tcvn3.txt"] == "tcvn3"
    errs = errors(r)
    assert len(errs) == len(bad)
    by_file = {Path(e.split(": ", 1)[0]).name: e.split(": ", 1)[1] for e in errs}
    assert by_file == {
        "binary.txt": "binary file (contains NUL bytes), not text",
        "empty.txt": "empty file",
        "fake-pdf.txt": by_file["fake-pdf.txt"],
        "french.txt": "not UTF-8 and not a supported Vietnamese encoding (UTF-8, UTF-16, Windows-1258, TCVN3, VNI)",
        "japanese.txt": "not UTF-8 and not a supported Vietnamese encoding (UTF-8, UTF-16, Windows-1258, TCVN3, VNI)",
        "whitespace.txt": "contains only whitespace",
    }
    assert by_file["fake-pdf.txt"].startswith("looks like a PDF file, not text")
    # Legacy encodings are converted, and said so, on stderr but not as errors.
    assert sum("legalkg: note: " in line for line in r.stderr.splitlines()) == 2


def test_legacy_encoded_files_extract_like_unicode(tmp_path):
    vi = SAMPLE.read_text(encoding="utf-8")
    unicode_out = json.loads(run(SAMPLE).stdout)
    for enc in ("cp1258", "vni"):
        path = write(tmp_path / f"{enc}.txt", encode_legacy(vi, enc))
        r = run(path)
        assert r.exit_code == 0
        obj = json.loads(r.stdout)
        assert obj["encoding"] == enc
        for key in CONTRACT_KEYS:
            assert obj[key] == unicode_out[key]
        assert errors(r) == []


def test_huge_file_is_rejected_quickly_and_others_still_run(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(100 * 1024 * 1024)
    r = run(big, SAMPLE)
    assert r.exit_code == 1
    assert errors(r) == [f"{big}: 100.0 MB is over the 64 MB limit for one document (--max-size)"]
    assert [o["path"] for o in json_lines(r)] == [str(SAMPLE)]


def test_max_size_option(tmp_path):
    r = run("--max-size", "0.001", SAMPLE)
    assert r.exit_code == 1
    assert errors(r) == [f"{SAMPLE}: 18.9 KB is over the 0.001 MB limit for one document (--max-size)"]
    assert r.stdout == ""
    assert run("--max-size", "1", SAMPLE).exit_code == 0


def test_corpus_with_a_malformed_line(tmp_path):
    lines = [
        {"id": "nd-72", "text": "Căn cứ Nghị định số 72/2015/NĐ-CP ngày 07/9/2015 của Chính phủ."},
        None,
        {"id": "kl-57", "text": "Thực hiện Kết luận số 57-KL/TW của Bộ Chính trị."},
    ]
    raw = b"".join(
        (json.dumps(x, ensure_ascii=False).encode() if x else b'{"id": "bad", "text": "unterminated') + b"\n"
        for x in lines
    )
    corpus = tmp_path / "docs.jsonl.gz"
    corpus.write_bytes(gzip.compress(raw))
    r = run(corpus)
    assert r.exit_code == 1
    assert [o["path"] for o in json_lines(r)] == [f"{corpus}#nd-72", f"{corpus}#kl-57"]
    (err,) = errors(r)
    assert err.startswith(f"{corpus}:2: not valid JSON")


def test_missing_path_does_not_stop_the_others(tmp_path):
    r = run(tmp_path / "nope.txt", SAMPLE)
    assert r.exit_code == 1
    assert errors(r) == [f"{tmp_path / 'nope.txt'}: no such file or folder"]
    assert [o["path"] for o in json_lines(r)] == [str(SAMPLE)]


def test_single_bad_file_prints_nothing_on_stdout(tmp_path):
    r = run(write(tmp_path / "empty.txt", b""))
    assert (r.exit_code, r.stdout) == (1, "")
    assert errors(r) == [f"{tmp_path / 'empty.txt'}: empty file"]


def test_folder_of_thousands_of_files(tmp_path):
    for i in range(3000):
        (tmp_path / f"{i:04d}.txt").write_text(f"Căn cứ Quyết định số {i + 1}/QĐ-UBND.\n", encoding="utf-8")
    r = run(tmp_path)
    assert r.exit_code == 0
    assert r.stderr == ""
    objs = json_lines(r)
    assert len(objs) == 3000
    assert [Path(o["path"]).name for o in objs[:2]] == ["0000.txt", "0001.txt"]


def test_internal_error_on_one_file_is_reported_and_the_run_goes_on(tmp_path, monkeypatch):
    real = kg.extract

    def flaky(text, *, path=None):
        if "BOOM" in text:
            raise RuntimeError("cannot parse\nthis")
        return real(text, path=path)

    monkeypatch.setattr(kg, "extract", flaky)
    boom = write(tmp_path / "boom.txt", "Số: BOOM/QĐ-TTg")
    r = run(boom, SAMPLE)
    assert r.exit_code == 1
    assert errors(r) == [f"internal error while extracting {boom}: RuntimeError: cannot parse this"]
    assert [o["path"] for o in json_lines(r)] == [str(SAMPLE)]


def test_stdin(tmp_path):
    r = run("-", input=SAMPLE.read_bytes())
    assert r.exit_code == 0
    assert json.loads(r.stdout)["path"] == "-"


def test_table_output():
    r = run("--table", SAMPLE)
    assert r.exit_code == 0
    out = r.stdout
    assert out.startswith(f"== {SAMPLE}\n")
    for heading in ("Documents: ", "Mentions: ", "Relations: ", "Tasks: ", "Bodies: "):
        assert heading in out
    assert not out.lstrip().startswith("{")


def test_table_rendering_of_a_contract_result():
    data = {
        "path": "kh-119.txt",
        "encoding": "vni",
        "documents": [{"key": "119/KH-UBND", "type": "Kế hoạch", "issuer": "Ủy ban nhân dân tỉnh Bình Định",
                       "date": "2023-06-20", "title": "Thực hiện Nghị quyết số 47/NQ-CP", "first_line": 3,
                       "signer": None}],
        "mentions": [
            {"line": 12, "surface": "Nghi dinh s6 72/2015/ND-CP", "key": "72/2015/NĐ-CP", "name": None,
             "type": "Nghị định", "issuer": "Chính phủ", "date": "2015-09-07", "in_document": "119/KH-UBND"},
            {"line": 140, "surface": "Luật Ngân sách\nnhà nước", "key": None, "name": "Luật Ngân sách nhà nước",
             "type": "Luật", "issuer": None, "date": None, "in_document": "119/KH-UBND"},
        ],
        "relations": [{"from": "119/KH-UBND", "to": "47/NQ-CP", "type": "implements", "evidence_line": 9}],
        "tasks": [{"in_document": "119/KH-UBND", "id": "1.1", "text": "x", "lead": [], "partners": []}] * 3,
        "bodies": [{"name": "Sở Thông tin và Truyền thông", "aliases": ["STTTT"], "roles": ["lead", "partner"],
                    "in_documents": ["119/KH-UBND"]}],
    }
    out = render_table(data).splitlines()
    assert out[0] == "== kh-119.txt  (read as vni)"
    assert "Documents: 1" in out and "Mentions: 2" in out and "Relations: 1" in out
    assert "Tasks: 3" in out and "Bodies: 1" in out
    row = next(line for line in out if "72/2015/NĐ-CP" in line).split()
    assert row[:4] == ["12", "72/2015/NĐ-CP", "Nghị", "định"]
    assert "2015-09-07" in row
    named = next(line for line in out if "Luật Ngân sách nhà nước" in line)
    assert named.split()[0] == "140"
    assert "Ngân sách nhà nước" in named.replace("\n", " ")  # a surface spanning lines stays on one row
    assert any("119/KH-UBND" in line and "implements" in line and "47/NQ-CP" in line for line in out)
    assert any(line.strip().startswith("Sở Thông tin và Truyền thông") and "lead, partner" in line for line in out)


def test_several_tables_are_separated(tmp_path):
    r = run("--table", SAMPLE, SAMPLES / "000_1b58e81a9744f804.txt")
    assert r.stdout.count("\n== ") == 1 and r.stdout.startswith("== ")
    assert "\n\n== " in r.stdout


@pytest.mark.parametrize(
    "args",
    [[], ["--max-size", "0", "x.txt"], ["--max-size", "lots", "x.txt"], ["--nope", "x.txt"]],
    ids=["no-files", "zero-size", "bad-size", "unknown-option"],
)
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.exit_code == 2
    assert r.stdout == ""
    assert "Usage:" in r.stderr


def test_real_command_utf8_output_and_exit_codes_under_a_c_locale(tmp_path):
    name = write(tmp_path / "Quyết định 1486.txt", SAMPLE.read_bytes())
    bad = write(tmp_path / "Tệp rỗng.txt", b"")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}
    legalkg = [sys.executable, "-c", "from cli import main; main()", "extract"]
    p = subprocess.run([*legalkg, name, bad], capture_output=True, env=env, cwd=ROOT, timeout=120)
    assert p.returncode == 1
    assert b"Traceback" not in p.stderr
    (obj,) = [json.loads(line) for line in p.stdout.decode("utf-8").splitlines()]
    assert obj["path"] == str(name)  # written as UTF-8 whatever the locale
    assert len(p.stderr.splitlines()) == 1 and b"legalkg: error: " in p.stderr and b"empty file" in p.stderr
