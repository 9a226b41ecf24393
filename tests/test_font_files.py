"""Font files the registry accepts, makes static, or refuses with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

from conftest import REPO, run_cli
from sahifa.fonts.instances import static_instance
from sahifa.hashing import file_sha256

KUFI = REPO / "fonts" / "NotoKufiArabic-VF.ttf"


def test_a_static_instance_is_reproducible_and_keeps_the_fonts_timestamps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = []
    for name in ("one", "two"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / name))
        made.append(static_instance(KUFI, file_sha256(KUFI), 700).read_bytes())
    assert made[0] == made[1]
    path = tmp_path / "instance.ttf"
    path.write_bytes(made[0])
    with TTFont(path) as instance, TTFont(KUFI) as variable:
        assert "fvar" not in instance and "fvar" in variable
        assert instance["OS/2"].usWeightClass == 700
        assert instance["head"].modified == variable["head"].modified


def test_the_headline_face_is_a_variable_font_printed_from_its_instances(seed_pdf: Path) -> None:
    result = run_cli("fonts")
    assert result.code == 0
    assert "NotoKufiArabic-VF.ttf (static instance at weight 700)" in result.out
    assert "roles in layout 'tabloid': headline, subhead" in result.out


def _cff_font(path: Path) -> None:
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "beh"])
    builder.setupCharacterMap({0x0628: "beh"})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0))
    pen.lineTo((500, 0))
    pen.lineTo((500, 100))
    pen.closePath()
    charstring = pen.getCharString()
    builder.setupCFF("Probe-Regular", {}, {".notdef": charstring, "beh": charstring}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "beh": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Probe", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(path)


def test_a_cff_font_is_refused_with_the_reason(project: Path) -> None:
    font = project / "fonts" / "Probe.otf"
    _cff_font(font)
    with (project / "fonts" / "fonts.yaml").open("a", encoding="utf-8") as manifest:
        manifest.write(f"  - file: Probe.otf\n    sha256: {file_sha256(font)}\n")
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\ndate: 2023-05-02\nbody: نص.\n", encoding="utf-8")
    result = run_cli("render", article, "-o", project / "a.pdf")
    assert result.code == 1
    assert "fonts.yaml" in result.err and "Probe.otf" in result.err
    assert "CFF" in result.err and "Traceback" not in result.err
