"""sahifa import: scraped text → article files, nothing lost, encodings judged by content."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, SEED, run_cli
from sahifa.importer.profile import Profile
from sahifa.importer.scraped import ImportResult
from textlayer import pdfium_text, pdftotext, word_recall

DATA = Path(__file__).parent / "data" / "scraped"
SEED_TXT = DATA / "seed-000.txt"
SABAH_TXT = DATA / "sabah-subheads.txt"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _blocks(body: str) -> list[str]:
    return [b.strip() for b in body.strip().split("\n\n")]


def test_seed_imports_like_the_hand_converted_sample(tmp_path: Path) -> None:
    result = run_cli("import", SEED_TXT, "-o", tmp_path)
    assert result.code == 0, result.err
    imported, hand = _load(tmp_path / "seed-000.yaml"), _load(SEED)
    assert imported["headline"] == hand["headline"]
    assert imported["image"] == {"caption": hand["image"]["caption"]}
    got, want = _blocks(imported["body"]), _blocks(hand["body"])
    assert [b for b in got if b.startswith("## ")] == ["## وحدة الجبهات"]
    runins = [re.match(r"\*\*(.+?):\*\*", b)[1] for b in got if b.startswith("**")]
    assert runins == ["البعد الدبلوماسي", "البعد الاستراتيجي", "البعد السياسي", "البعد الاقتصادي"]
    assert len(got) == len(want)
    assert got == want
    # The report names every dropped line and why.
    assert result.out.count("dropped line") == 5
    assert "dropped line 8: short caption line repeated by the full caption" in result.out


def test_imported_seed_renders_every_sentence(project: Path, tmp_path: Path) -> None:
    out_dir = project / "articles" / "imported"
    assert run_cli("import", SEED_TXT, "-o", out_dir).code == 0
    pdf = tmp_path / "seed.pdf"
    assert run_cli("render", out_dir / "seed-000.yaml", "-o", pdf).code == 0
    # Every word of every sentence, intact (a search finds it). Whole sentences in order are
    # out of reach of both extractors today: PDFium moves a line-final tanween and the word
    # after it to a line of their own, poppler interleaves columns (the fonts issue's work).
    extracted = pdfium_text(pdf) + "\n" + pdftotext(pdf)
    body = re.sub(r"\*\*|## ", "", _load(out_dir / "seed-000.yaml")["body"])
    sentences = [s for s in re.split(r"(?<=[.؟!])\s+", body) if len(s.split()) > 2]
    assert len(sentences) > 10
    for sentence in sentences:
        assert word_recall(sentence, extracted) == 1.0, sentence


def test_other_paper_profile_no_caption_several_subheads(project: Path, tmp_path: Path) -> None:
    source = project / "scraped" / "sabah.txt"
    source.parent.mkdir()
    shutil.copy(SABAH_TXT, source)
    shutil.copytree(REPO / "profiles", project / "profiles")
    result = run_cli("import", source, "-o", tmp_path, "--profile", "sabah")
    assert result.code == 0, result.err
    article = _load(tmp_path / "sabah.yaml")
    assert article["headline"] == "افتتاح أكبر محطة لتحلية مياه البحر في العين السخنة"
    assert "image" not in article  # no caption invented
    blocks = _blocks(article["body"])
    assert [b for b in blocks if b.startswith("## ")] == [
        "## تكلفة المشروع", "## مراحل التشغيل", "## آراء الخبراء",
    ]  # fmt: skip
    assert "**المرحلة الأولى:** تخدم" in article["body"]
    assert "جميع الحقوق" not in article["body"] and "أحمد فؤاد" not in article["body"]
    assert result.out.count("boilerplate (profile sabah)") == 3
    # With the default profile the other paper's masthead is not boilerplate: nothing is lost.
    other = run_cli("import", source, "-o", tmp_path / "default")
    assert other.code == 0
    assert _load(tmp_path / "default" / "sabah.yaml")["headline"] == "جريدة الصباح الجديد"
    assert "unsure line" in other.out


def test_windows_1256_and_utf8_import_identically(tmp_path: Path) -> None:
    text = SABAH_TXT.read_text(encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "utf8.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "in" / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "in" / "cp1256.txt").write_bytes(text.encode("cp1256"))
    result = run_cli("import", tmp_path / "in", "-o", tmp_path / "out")
    assert result.code == 0, result.err
    assert "(written, cp1256)" in result.out and "(written, utf-8-sig)" in result.out
    outputs = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert outputs["utf8.yaml"] == outputs["cp1256.yaml"] == outputs["bom.yaml"]


def test_unreadable_text_is_refused_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "2001").mkdir(parents=True)
    shutil.copy(SEED_TXT, folder / "2001" / "good.txt")
    (folder / "french.txt").write_bytes(
        "Le journal du matin, édition spéciale.\n".encode("latin-1")
    )
    (folder / "noise.txt").write_bytes(bytes(range(256)) * 4)
    result = run_cli("import", folder, "-o", tmp_path / "out")
    assert result.code == 1
    errors = result.err.strip().splitlines()
    assert len(errors) == 2
    assert all("no encoding gives readable Arabic" in line for line in errors)
    assert (tmp_path / "out" / "2001" / "good.yaml").is_file()  # the tree is mirrored
    assert not (tmp_path / "out" / "french.yaml").exists()


def test_never_overwrites_without_force_and_is_idempotent(tmp_path: Path) -> None:
    assert run_cli("import", SEED_TXT, "-o", tmp_path).code == 0
    target = tmp_path / "seed-000.yaml"
    first = target.read_bytes()
    again = run_cli("import", SEED_TXT, "-o", tmp_path)
    assert again.code == 0 and "(unchanged," in again.out
    target.write_text(target.read_text(encoding="utf-8") + "tags: [edited]\n", encoding="utf-8")
    refused = run_cli("import", SEED_TXT, "-o", tmp_path)
    assert refused.code == 1 and "use --force" in refused.err
    assert target.read_bytes() != first
    forced = run_cli("import", SEED_TXT, "-o", tmp_path, "--force")
    assert forced.code == 0 and target.read_bytes() == first


def test_markdown_characters_in_scraped_text_print_as_written(tmp_path: Path) -> None:
    source = tmp_path / "odd.txt"
    source.write_text(
        "عنوان الخبر هنا\n\n# ليس عنوانا بل نص يبدأ بعلامة ويطول كثيرا حتى لا يعد عنوانا فرعيا.\n"
        "- سطر يبدأ بشرطة وفيه *نجمة* و_شرطة_ و[قوس] كما ورد في الأصل تماما.\n",
        encoding="utf-8",
    )
    result = run_cli("import", source, "-o", tmp_path / "out")
    assert result.code == 0, result.err
    from sahifa.markup import render_body

    html = render_body(_load(tmp_path / "out" / "odd.yaml")["body"]).html
    assert "<h1" not in html and "<h2" not in html and "<ul" not in html and "<em" not in html
    assert "# ليس" in html and "*نجمة*" in html and "[قوس]" in html


def _mixed(text: str, cp1256_lines: set[int]) -> bytes:
    """``text`` in UTF-8 except the given (1-based) lines, which are in Windows-1256."""
    lines = text.splitlines(keepends=True)
    return b"".join(
        line.encode("cp1256" if number in cp1256_lines else "utf-8")
        for number, line in enumerate(lines, start=1)
    )


def test_undecodable_and_mixed_files_are_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    text = SABAH_TXT.read_text(encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_TXT, folder / "a-good.txt")
    # A UTF-8 byte-order mark in front of Windows-1256 text (a converter that added the mark
    # without converting): it used to stop the whole folder with a UnicodeDecodeError.
    (folder / "b-bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("cp1256"))
    # UTF-8 with two paragraphs pasted in from a Windows-1256 page: it used to come out as
    # mojibake, without a word, because Windows-1256 "decodes" any bytes.
    (folder / "c-mixed.txt").write_bytes(_mixed(text, {10, 16}))
    (folder / "c-mixed-bom.txt").write_bytes(b"\xef\xbb\xbf" + _mixed(text, {14}))
    # Pure Windows-1256 (with Windows line ends) still imports, and like the UTF-8 original.
    seed = SEED_TXT.read_text(encoding="utf-8")
    (folder / "d-good.txt").write_bytes(seed.replace("\n", "\r\n").encode("cp1256"))
    result = run_cli("import", folder, "-o", tmp_path / "out")
    assert result.code == 1
    assert "internal error" not in result.err and "Traceback" not in result.err
    errors = result.err.strip().splitlines()
    assert len(errors) == 3, result.err
    bom, mixed_bom, mixed = errors
    assert bom.startswith("import: ") and "b-bom.txt: " in bom
    assert "not UTF-8" in bom and "byte-order mark" in bom and "--encoding" in bom
    assert mixed.startswith("import: ") and "c-mixed.txt: mixed encodings: lines 10, 16 " in mixed
    assert "--encoding" in mixed
    assert "c-mixed-bom.txt: mixed encodings: " in mixed_bom
    assert "byte-order mark but line 14 is not UTF-8" in mixed_bom
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["a-good.yaml", "d-good.yaml"]  # nothing written for the bad ones
    assert "a-good.txt → " in result.out and "(written, utf-8)" in result.out
    assert "d-good.txt → " in result.out and "(written, cp1256)" in result.out
    assert _load(tmp_path / "out" / "a-good.yaml") == _load(tmp_path / "out" / "d-good.yaml")


def test_bom_file_imports_when_the_encoding_is_named(tmp_path: Path) -> None:
    text = SABAH_TXT.read_text(encoding="utf-8")
    source = tmp_path / "bom.txt"
    source.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1256"))
    result = run_cli("import", source, "-o", tmp_path / "out", "--encoding", "cp1256")
    assert result.code == 0, result.err
    # The byte-order mark is not text: it must not turn into "ï»؟" in front of the headline.
    assert _load(tmp_path / "out" / "bom.yaml")["headline"] == "جريدة الصباح الجديد"


def test_an_unreadable_file_is_reported_and_the_batch_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_TXT, folder / "good.txt")
    shutil.copy(SEED_TXT, folder / "locked.txt")
    real = Path.read_bytes

    # chmod 000 would do, but not for root (the CI containers): fail the read itself.
    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = run_cli("import", folder, "-o", tmp_path / "out")
    assert result.code == 1
    assert "internal error" not in result.err and "Traceback" not in result.err
    errors = result.err.strip().splitlines()
    assert len(errors) == 1
    assert errors[0].startswith("import: ")
    assert "locked.txt: cannot read: Permission denied" in errors[0]
    assert (tmp_path / "out" / "good.yaml").is_file()


def test_existing_output_that_is_not_utf8_is_refused_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "seed-000.yaml").write_bytes("headline: قديم\n".encode("cp1256"))
    result = run_cli("import", SEED_TXT, "-o", tmp_path)
    assert result.code == 1
    assert "internal error" not in result.err and "use --force" in result.err


def test_a_bug_on_one_file_is_reported_and_the_others_are_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sahifa.importer import command

    real = command.convert

    def convert(text: str, source: Path, encoding: str, profile: Profile) -> ImportResult:
        if source.name == "buggy.txt":
            raise ValueError("a bug in the importer")
        return real(text, source, encoding, profile)

    monkeypatch.setattr(command, "convert", convert)
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED_TXT, folder / "buggy.txt")
    shutil.copy(SEED_TXT, folder / "good.txt")
    result = run_cli("import", folder, "-o", tmp_path / "out")
    assert result.code == 1
    errors = result.err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("import: ")
    assert "buggy.txt: internal error: ValueError: a bug in the importer" in errors[0]
    assert (tmp_path / "out" / "good.yaml").is_file()
