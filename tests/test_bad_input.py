"""Bad input: exit 1, one line naming file, key and line; no PDF written, none replaced."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import run_cli

CASES = {
    # name: (file name, content, words the one-line message must contain)
    "missing-headline": ("a.yaml", "kicker: x\nbody: نص\n", ["a.yaml", "headline", "missing"]),
    "empty-headline": ("a.yaml", "headline: ''\n", ["a.yaml:1", "headline", "empty"]),
    "list-headline": ("a.yaml", "headline: [أ, ب]\n", ["a.yaml:1", "headline", "got a list"]),
    "mapping-deck": ("a.yaml", "headline: خبر\ndeck:\n  a: b\n", ["a.yaml:2", "deck", "mapping"]),
    "malformed": ("a.yaml", "headline: خبر\nbody: [غير مغلق\n", ["a.yaml:3", "malformed YAML"]),
    "duplicate": (
        "a.yaml",
        "headline: خبر\nbody: أ\nheadline: آخر\n",
        ["a.yaml:3", "duplicate key"],
    ),
    "bad-date": (
        "a.yaml",
        "headline: خبر\ndate: 2023-13-45\n",
        ["a.yaml:2", "date", "not a real date"],
    ),
    "date-format": (
        "a.yaml",
        "headline: خبر\ndate: 2/5/2023\n",
        ["a.yaml:2", "date", "yyyy-mm-dd"],
    ),
    "missing-image": (
        "a.yaml",
        "headline: خبر\nimage:\n  src: nope.jpg\n  caption: صورة\n",
        ["a.yaml:3", "image.src", "nope.jpg"],
    ),
    "image-text": ("a.yaml", "headline: خبر\nimage: photo.jpg\n", ["a.yaml:2", "image", "mapping"]),
    "tags-text": ("a.yaml", "headline: خبر\ntags: {a: b}\n", ["a.yaml:2", "tags", "list"]),
    "top-level-list": ("a.yaml", "- headline: خبر\n", ["a.yaml:1", "mapping"]),
    "empty-file": ("a.yaml", "", ["a.yaml", "empty file"]),
    "python-tag": ("a.yaml", "headline: !!python/object:os.system x\n", ["a.yaml:1", "malformed"]),
    "alias": ("a.yaml", "headline: &h خبر\nkicker: *h\n", ["a.yaml:2", "aliases"]),
    "md-no-front-matter": ("a.md", "# عنوان\nنص\n", ["a.md:1", "front matter"]),
    "md-unclosed": ("a.md", "---\nheadline: خبر\nنص\n", ["a.md:1", "not closed"]),
    "md-body-key": ("a.md", "---\nheadline: خبر\nbody: نص\n---\nنص\n", ["a.md:3", "body"]),
    "wrong-extension": ("a.txt", "headline: خبر\n", ["a.txt", ".txt"]),
    "deep-nesting": (
        "a.yaml",
        "headline: خبر\nx: " + "[" * 400 + "]" * 400 + "\n",
        ["a.yaml:2", "nested"],
    ),
    "int-tag": ("a.yaml", "headline: !!int 5\n", ["a.yaml:1", "malformed YAML"]),
    "binary-tag": ("a.yaml", "headline: !!binary aGVsbG8=\n", ["a.yaml:1", "malformed YAML"]),
    "surrogate": ("a.yaml", 'headline: "\\ud800"\n', ["a.yaml:1"]),  # libyaml or our check
    "control-char": ("a.yaml", 'headline: "a\\x01b"\n', ["a.yaml:1", "headline", "U+0001"]),
    "year-range": ("a.yaml", "headline: خبر\ndate: 0001-01-01\n", ["a.yaml:2", "date", "outside"]),
    "not-an-image": (
        "a.yaml",
        "headline: خبر\nimage:\n  src: a.yaml\n",
        ["a.yaml:3", "image.src", "not a PNG"],
    ),
}
BINARY_CASES = {
    "windows-1256": ("a.yaml", "headline: خبر عاجل\n".encode("cp1256"), ["a.yaml:1", "not UTF-8"]),
    "binary": ("a.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["a.yaml", "binary"]),
}


def _check(project: Path, tmp_path: Path, name: str, data: bytes, expected: list[str]) -> None:
    article = project / "articles" / name
    article.write_bytes(data)
    out = tmp_path / "out.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 1, result
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for word in expected:
        assert word in lines[0], (word, lines[0])
    assert not out.exists()
    assert not list(tmp_path.glob(".out.pdf.*")), "a temporary file was left behind"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_article_exits_1_with_one_line(case: str, project: Path, tmp_path: Path) -> None:
    name, text, expected = CASES[case]
    _check(project, tmp_path, name, text.encode("utf-8"), expected)


@pytest.mark.parametrize("case", BINARY_CASES, ids=list(BINARY_CASES))
def test_undecodable_article_exits_1(case: str, project: Path, tmp_path: Path) -> None:
    name, data, expected = BINARY_CASES[case]
    _check(project, tmp_path, name, data, expected)


def test_fifo_is_refused_not_waited_on(project: Path) -> None:
    fifo = project / "articles" / "pipe.yaml"
    os.mkfifo(fifo)
    result = run_cli("render", fifo)
    assert result.code == 1 and "pipe.yaml: not a regular file" in result.err


@pytest.mark.parametrize("target", ["dir", "device"])
def test_bad_output_path_is_one_line(target: str, project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    out = tmp_path / "out.pdf"
    if target == "dir":
        out.mkdir()
    else:
        out.symlink_to("/dev/null")
    result = run_cli("render", article, "-o", out)
    assert result.code == 1, result
    assert result.err.startswith("output: ") and "not a regular file" in result.err
    assert Path("/dev/null").is_char_device()


def test_output_is_readable_by_others(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    out = tmp_path / "a.pdf"
    old = os.umask(0o022)
    try:
        assert run_cli("render", article, "-o", out).code == 0
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644


def test_missing_file(project: Path) -> None:
    result = run_cli("render", project / "articles" / "nope.yaml")
    assert result.code == 1
    assert "nope.yaml: no such file" in result.err


def test_failed_render_keeps_the_existing_good_pdf(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "page.pdf"
    out.write_bytes(b"%PDF- a good page from yesterday")
    article = project / "articles" / "bad.yaml"
    article.write_text("kicker: بلا عنوان\n", encoding="utf-8")
    assert run_cli("render", article, "-o", out).code == 1
    assert out.read_bytes() == b"%PDF- a good page from yesterday"


def test_unknown_keys_warn_with_line_and_still_render(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\nauthor: فلان\nimage:\n  caption: ص\n  size: 3\n", "utf-8")
    out = tmp_path / "a.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0, result.err
    assert "a.yaml:2: author: unknown key" in result.err
    assert "a.yaml:5: image.size: unknown key" in result.err
    assert out.is_file()


def test_debug_shows_the_traceback(project: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text("kicker: x\n", encoding="utf-8")
    result = run_cli("--debug", "render", article)
    assert result.code == 1
    assert "Traceback" in result.err


@pytest.mark.parametrize(
    "args", [[], ["render"], ["bogus"], ["render", "a.yaml", "--no-such-flag"]], ids=str
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    assert run_cli(*args).code == 2


def test_bad_settings_and_layouts_are_config_errors(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    result = run_cli("render", article, "--layout", "broadsheet-xl")
    assert result.code == 1 and "no layout 'broadsheet-xl'" in result.err
    (project / "sahifa.yaml").write_text("paper: الدستور\ndigits: roman\n", encoding="utf-8")
    result = run_cli("render", article)
    assert result.code == 1
    assert "sahifa.yaml:2: digits: expected one of arabic-indic, western" in result.err


def test_changed_font_file_is_refused(project: Path, tmp_path: Path) -> None:
    font = project / "fonts" / "NotoNaskhArabic-Regular.ttf"
    data = bytearray(font.read_bytes())
    data[-1] ^= 0xFF
    font.write_bytes(bytes(data))
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\n", encoding="utf-8")
    result = run_cli("render", article, "-o", tmp_path / "a.pdf")
    assert result.code == 1
    assert "NotoNaskhArabic-Regular.ttf: sha256 is" in result.err
    assert not (tmp_path / "a.pdf").exists()
