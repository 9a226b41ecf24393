"""Small hostile inputs that once got an internal error, a warning instead of a failure, or a
raw control character onto the terminal: each now gets one clear line."""

from __future__ import annotations

import json
import struct
import warnings
import zlib
from pathlib import Path

import pikepdf
import pytest

import sahifa.archive.extract
from conftest import run_cli
from sahifa.archive.extract import safe_target
from sahifa.batch.manifest import load

# --- a decompression bomb in an article ------------------------------------------------


def _png(width: int, height: int) -> bytes:
    """A valid 1-bit greyscale PNG of ``width`` x ``height`` pixels, all black, made a row at
    a time: 900 megapixels cost ~110 kB on disk and next to no memory to write."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


@pytest.mark.parametrize(
    ("width", "height", "size"),
    [(30_000, 30_000, "900000000 pixels"),  # over Pillow's cap (~179 MP): Image.open raises
     (10_000, 10_000, "10000 x 10000 pixels")],  # over its warning (~89 MP): Pillow warns
)  # fmt: skip
def test_a_huge_png_fails_the_render_in_one_line(
    width: int, height: int, size: str, project: Path, tmp_path: Path
) -> None:
    (project / "articles" / "huge.png").write_bytes(_png(width, height))
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\nimage:\n  src: huge.png\n", encoding="utf-8")
    out = tmp_path / "a.pdf"
    with warnings.catch_warnings(record=True) as caught:  # a warning prints on stderr
        warnings.simplefilter("always")
        result = run_cli("render", article, "-o", out)
    assert result.code == 1, result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert f"image of {size} is over the 80-megapixel limit" in result.err
    assert not out.exists()
    assert not [w for w in caught if "decompression bomb" in str(w.message)]


# --- --dpi ------------------------------------------------------------------------------

_DPI_COMMANDS = {
    "proof": ["proof", "a.yaml", "-o", "proofs"],
    "diff": ["diff", "a.pdf", "b.pdf", "-o", "diffs"],
    "preview": ["preview", "a.yaml", "--port", "-1"],  # never serve, even if --dpi passed
}


@pytest.mark.parametrize("dpi", ["0", "-5", "nan", "inf", "100000", "1e400", "lots"])
@pytest.mark.parametrize("command", sorted(_DPI_COMMANDS))
def test_a_bad_dpi_is_a_usage_error(
    command: str, dpi: str, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(*_DPI_COMMANDS[command], "--dpi", dpi)
    err = capsys.readouterr().err + result.err  # argparse writes to sys.stderr itself
    assert result.code == 2, err
    assert "argument --dpi: expected" in err and "Traceback" not in err
    assert "internal error" not in err


def test_dpi_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    from sahifa.cli import build_parser

    for dpi in ("10", "72.5", "1200"):
        args = build_parser().parse_args(["proof", "a.yaml", "-o", "p", "--dpi", dpi])
        assert args.dpi == float(dpi)
    for dpi in ("9.99", "1200.5"):
        with pytest.raises(SystemExit):
            build_parser().parse_args(["proof", "a.yaml", "-o", "p", "--dpi", dpi])
    assert "expected 10 to 1200, got 1200.5" in capsys.readouterr().err


# --- check --press on a file that is no PDF ---------------------------------------------


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "not a PDF (the file is empty)"),
        (b"GIF89a\x00\x01garbage bytes", "not a PDF (no %PDF- header)"),
        (b"%PDF-1.7\n1 0 obj <<", "not a PDF the preflight can read: "),
    ],
)
def test_check_press_on_a_file_that_is_no_pdf(
    data: bytes, why: str, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    (project / "x.pdf").write_bytes(data)
    result = run_cli("check", "x.pdf", "--press")
    assert result.code == 1
    assert result.err.startswith(f"press: x.pdf: {why}"), result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert "internal error" not in result.err and "BytesIO" not in result.err


# --- the batch manifest -------------------------------------------------------------------


def test_manifest_lines_of_the_wrong_shape_are_skipped(tmp_path: Path) -> None:
    good = {"input": "2024/a.yaml", "output": "out/a.pdf", "status": "ok", "pages": 2,
            "sha256": "ab", "input_hash": "cd", "seconds": 1.5, "warnings": []}  # fmt: skip
    odd_key = {"input": "b\u2028c\x85d.yaml", "status": "failed", "error": "x", "sha256": None}
    lines = [
        json.dumps(good),
        '{"input": 5}',
        '{"input": "a", "status": ["ok"]}',
        "[]",
        '"x"',
        '{"input": ["unhashable"]}',
        '{"input": {"a": 1}}',
        '{"input": "p", "pages": true}',
        '{"input": "s", "seconds": "1"}',
        '{"status": "ok"}',
        "[" * 100_000,  # nested past the JSON parser's recursion limit
        '{"input": "torn", "sta',
    ]
    data = "\n".join(lines).encode() + b"\n\xff\xfe{not utf-8}\n"
    data += json.dumps(odd_key, ensure_ascii=False).encode() + b"\n"
    (tmp_path / "manifest.jsonl").write_bytes(data)
    assert load(tmp_path) == {good["input"]: good, odd_key["input"]: odd_key}


# --- sahifa extract -------------------------------------------------------------------------


def _pdf_with(tmp_path: Path, files: list[tuple[str, str, bytes]], name: str = "x.pdf") -> Path:
    """A one-page PDF carrying ``files`` as (name-tree key, file name, data)."""
    path = tmp_path / name
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        for key, filename, data in files:
            pdf.attachments[key] = pikepdf.AttachedFileSpec(pdf, data, filename=filename or key)
            if not filename:  # pikepdf names an unnamed file by its key: make it truly empty
                pdf.attachments[key].obj.UF = pdf.attachments[key].obj.F = pikepdf.String("")
        pdf.save(path)
    return path


def test_safe_target_refuses_names_that_name_no_file(tmp_path: Path) -> None:
    for name in [".", "./", "a/..", "", "x\x00y", "\x1b]0;title\x07", "a\x9bb"]:
        assert safe_target(tmp_path, name) is None, repr(name)
    assert safe_target(tmp_path, "a/./b.txt") == (tmp_path / "a/b.txt").resolve()


def test_extract_refuses_names_that_name_no_file(tmp_path: Path) -> None:
    pdf = _pdf_with(tmp_path, [("k1", ".", b"dot"), ("", "", b"empty"), ("k3", "a/..", b"up"),
                               ("k4", "x\x1b[2Jy", b"esc"), ("k5", "ok.txt", b"fine")])  # fmt: skip
    out = tmp_path / "out"
    result = run_cli("extract", pdf, "-o", out)
    assert result.code == 1 and "internal error" not in result.err, result.err
    for name in [".", "", "a/..", "x\\x1b[2Jy"]:
        assert f"refused attachment name '{name}'" in result.err, (name, result.err)
    assert "\x1b" not in result.err + result.out
    assert sorted(p.name for p in out.rglob("*")) == ["ok.txt"]


def test_extract_refuses_every_attachment_of_a_shared_name(tmp_path: Path) -> None:
    files = [("k1", "same.txt", b"one"), ("k2", "same.txt", b"two"),
             ("k3", "./same.txt", b"three"), ("k4", "ok.txt", b"fine")]  # fmt: skip
    pdf = _pdf_with(tmp_path, files)
    out = tmp_path / "out"
    result = run_cli("extract", pdf, "-o", out)
    assert result.code == 1, result.err
    assert result.err.count("3 attachments share this name") == 3, result.err
    assert "refused attachment name './same.txt'" in result.err
    assert not (out / "same.txt").exists() and (out / "ok.txt").read_bytes() == b"fine"


def _bomb(tmp_path: Path, size: int) -> Path:
    """A PDF whose attachment "bomb.bin" inflates to ``size`` zero bytes, next to "ok.txt";
    written with its Flate stream as is, so neither this test nor pikepdf inflates it."""
    compressor = zlib.compressobj(9)
    chunk = b"\x00" * 2**20
    deflated = b"".join(compressor.compress(chunk) for _ in range(size // 2**20))
    deflated += compressor.flush()
    path = tmp_path / "bomb.pdf"
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.attachments["bomb.bin"] = pikepdf.AttachedFileSpec(pdf, b"small", filename="bomb.bin")
        pdf.attachments["ok.txt"] = pikepdf.AttachedFileSpec(pdf, b"fine", filename="ok.txt")
        pdf.attachments["bomb.bin"].get_file().obj.write(deflated, filter=pikepdf.Name.FlateDecode)
        pdf.save(path, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return path


def test_extract_writes_nothing_of_an_attachment_over_the_file_limit(tmp_path: Path) -> None:
    pdf = _bomb(tmp_path, 400 * 2**20)
    assert pdf.stat().st_size < 500_000  # 400 MB of zeros in a PDF under half a megabyte
    out = tmp_path / "out"
    result = run_cli("extract", pdf, "-o", out)
    assert result.code == 1, result.err
    assert "refused attachment name 'bomb.bin': over the 100 MB limit for one file" in result.err
    assert sorted(p.name for p in out.rglob("*")) == ["ok.txt"]


def test_extract_stops_at_the_total_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sahifa.archive.extract, "MAX_TOTAL_BYTES", 3 * 2**20)
    one_mb = b"\x01" * 2**20
    pdf = _pdf_with(tmp_path, [(f"{n}.bin", f"{n}.bin", one_mb * 2) for n in "abc"])
    out = tmp_path / "out"
    result = run_cli("extract", pdf, "-o", out)
    assert result.code == 1, result.err
    assert "'b.bin': over the 3 MB limit for all files of one PDF; extraction stopped" in (
        result.err
    )
    assert "'c.bin': not extracted: the total limit was reached" in result.err
    assert sorted(p.name for p in out.rglob("*")) == ["a.bin"]


# --- control characters from untrusted files ------------------------------------------------


def test_control_characters_in_a_warning_are_escaped(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a\x1b[31m.yaml"
    article.write_bytes('headline: خبر\n"k\\e]0;owned\\a": x\n"c\\x9b2J": y\n'.encode())
    result = run_cli("render", article, "-o", tmp_path / "a.pdf")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if "unknown key" in line]
    assert len(warnings) == 2, result.err
    assert "k\\x1b]0;owned\\x07: unknown key" in warnings[0]
    assert "c\\x9b2J: unknown key" in warnings[1]
    assert all("a\\x1b[31m.yaml" in line for line in warnings)
    assert not any(c in result.err for c in "\x1b\x07\x9b")
