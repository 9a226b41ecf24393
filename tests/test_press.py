"""Press-ready output (issue #9): PDF/X-4 and X-1a with bleed, marks and a CMYK output intent,
one file per plate, deterministic bytes, and the press preflight. Real renders, checked with
pikepdf and ``qpdf --check``; the plant's profile is Debian's Ghostscript CMYK profile."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import REPO, run_cli

ARTICLE = REPO / "articles/2023/05/02/masrah-qawmi.yaml"  # one A4 page with a photograph
LONG = REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml"
ICC = Path("/usr/share/color/icc/ghostscript/default_cmyk.icc")  # libgs-common (setup.sh)
BLEED_PT = 3 * 72 / 25.4  # 3 mm = 8.504 pt

pytestmark = pytest.mark.skipif(not ICC.is_file(), reason="libgs-common is not installed")


def _project(root: Path, press_yaml: str | None = None) -> Path:
    root.mkdir(parents=True)
    settings = (REPO / "sahifa.yaml").read_text(encoding="utf-8")
    if press_yaml is not None:
        settings = settings[: settings.index("press:")] + press_yaml
    (root / "sahifa.yaml").write_text(settings, encoding="utf-8")
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "fonts", root / "fonts")
    (root / "articles").mkdir()
    return root


@pytest.fixture(scope="module")
def press(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The article rendered as PDF/X-4 (twice, for the bytes), PDF/X-1a, and as plates."""
    out = tmp_path_factory.mktemp("press")
    files = {}
    for name, args in {
        "x4": ["--press"],
        "x4-again": ["--press"],
        "x1a": ["--pdf-variant", "pdf/x-1a", "--bleed", "3mm", "--marks", "crop,registration"],
    }.items():
        files[name] = out / f"{name}.pdf"
        result = run_cli("render", ARTICLE, "--layout", "a4", "-o", files[name], *args)
        assert result.code == 0, result.err
    result = run_cli("render", LONG, "--layout", "a4", "--press", "--split-pages",
                     "-o", out / "plates")  # fmt: skip
    assert result.code == 0, result.err
    files["plates"] = out / "plates"
    return files


def _content_owners(pdf: pikepdf.Pdf):
    """Every page and every Form XObject drawn from it (content streams to inspect)."""
    for page in pdf.pages:
        yield page
        stack = [page.Resources]
        while stack:
            for xobject in (stack.pop().get("/XObject") or {}).values():
                if xobject.get("/Subtype") == "/Form":
                    yield xobject
                    if "/Resources" in xobject:
                        stack.append(xobject.Resources)


def _qpdf_check(path: Path) -> None:
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No syntax or stream encoding errors" in run.stdout


def _check_pdfx(path: Path, version: str) -> None:
    with pikepdf.open(path) as pdf:
        [intent] = pdf.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4 and profile.read_bytes() == ICC.read_bytes()
        assert str(intent.OutputConditionIdentifier)
        assert str(pdf.docinfo.GTS_PDFXVersion) == version
        assert pdf.docinfo.Trapped == "/False"
        assert f"GTS_PDFXVersion>{version}<" in pdf.Root.Metadata.read_bytes().decode()
        assert "/ID" in pdf.trailer
        for page in pdf.pages:
            trim = [float(v) for v in page.TrimBox]
            bleed = [float(v) for v in page.BleedBox]
            media = [float(v) for v in page.MediaBox]
            assert trim[2] - trim[0] == pytest.approx(595.28, abs=0.01)  # A4: the paper size
            for side in range(4):
                sign = -1 if side < 2 else 1
                assert (bleed[side] - trim[side]) * sign == pytest.approx(BLEED_PT, abs=0.01)
                assert (media[side] - bleed[side]) * sign > 15  # room for the marks
            for font in page.Resources.Font.values():
                descendant = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
                descriptor = descendant.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    _qpdf_check(path)


def test_pdf_x4_has_the_output_intent_boxes_and_embedded_fonts(press: dict[str, Path]) -> None:
    _check_pdfx(press["x4"], "PDF/X-4")
    with pikepdf.open(press["x4"]) as pdf:
        assert pdf.pdf_version == "1.6"
        assert str(pdf.docinfo.CreationDate).startswith("D:20230502")  # the article's date
        assert "/Annots" not in pdf.pages[0]


def test_two_press_renders_are_byte_identical(press: dict[str, Path]) -> None:
    assert press["x4"].read_bytes() == press["x4-again"].read_bytes()


def test_pdf_x1a_has_no_rgb_and_no_transparency(press: dict[str, Path]) -> None:
    _check_pdfx(press["x1a"], "PDF/X-1a:2003")
    data = press["x1a"].read_bytes()
    assert data.startswith(b"%PDF-1.4") and b"/ObjStm" not in data  # PDF 1.4: no object streams
    with pikepdf.open(press["x1a"]) as pdf:
        assert str(pdf.docinfo.GTS_PDFXConformance) == "PDF/X-1a:2003"
        operators = set()
        for owner in _content_owners(pdf):
            operators |= {str(op) for _, op in pikepdf.parse_content_stream(owner)}
            resources = owner.Resources if isinstance(owner, pikepdf.Page) else owner.get(
                "/Resources", {})  # fmt: skip
            for state in (resources.get("/ExtGState") or {}).values():
                assert float(state.get("/ca", 1)) == 1 and float(state.get("/CA", 1)) == 1
            for xobject in (resources.get("/XObject") or {}).values():
                if xobject.get("/Subtype") == "/Image":
                    assert xobject.ColorSpace == "/DeviceCMYK"
                    assert "/SMask" not in xobject
        assert not operators & {"rg", "RG"}
        assert {"k", "scn"} & operators  # colours are there, in CMYK


def test_marks_are_outside_the_bleed_in_registration_colour(press: dict[str, Path]) -> None:
    with pikepdf.open(press["x4"]) as pdf:
        page = pdf.pages[0]
        bleed = [float(v) for v in page.BleedBox]
        media = [float(v) for v in page.MediaBox]
        marks = page.Contents[-1]  # appended after the page's own content
        instructions = list(pikepdf.parse_content_stream(marks))
        [name] = [o[0] for o, op in instructions if str(op) == "CS"]
        space = page.Resources.ColorSpace[str(name)]
        assert space[0] == "/Separation" and space[1] == "/All"  # every plate, 100%
        points = [(float(o[0]), float(o[1])) for o, op in instructions if str(op) in "ml"]
        assert len(points) >= 16  # 8 crop marks, and the registration targets' cross hairs
        for x, y in points:
            assert media[0] <= x <= media[2] and media[1] <= y <= media[3]
            inside = bleed[0] < x < bleed[2] and bleed[1] < y < bleed[3]
            assert not inside, (x, y)
        # The page's own content is clipped to the BleedBox (nothing prints in the slug).
        clip = list(pikepdf.parse_content_stream(page.Contents[0]))
        assert [str(op) for _, op in clip] == ["q", "re", "W", "n"]


def test_split_pages_writes_one_pdf_x_per_plate(press: dict[str, Path]) -> None:
    plates = sorted(press["plates"].iterdir())
    assert len(plates) >= 2
    for number, plate in enumerate(plates, start=1):
        assert plate.name == f"dostor-2023-05-02-wahdat-al-jabahat-p{number:02}.pdf"
        _check_pdfx(plate, "PDF/X-4")
        with pikepdf.open(plate) as pdf:
            assert len(pdf.pages) == 1
            # The reading order the text layer is written for (sahifa.lineorder).
            assert pdf.Root.ViewerPreferences.Direction == "/R2L"
    assert not list(press["plates"].glob(".*"))  # no temporary files left


@pytest.fixture(scope="module")
def bad_press(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose press limit is newsprint's 240%, with a rich-black byline and a
    dark, tiny photograph: three things the preflight must catch."""
    root = _project(tmp_path_factory.mktemp("bad") / "paper", press_yaml=f"""press:
  variant: pdf/x-4
  bleed: 3mm
  icc:
    path: {ICC}
    sha256: 8472fa1493a024b800b67dee9424835ec0c41ab79490200ae8ec4a689fd1b9a9
  ink_limit: 240
""")  # fmt: skip
    with (root / "layouts/a4/style.css").open("a", encoding="utf-8") as css:
        css.write("\n.byline { color: device-cmyk(1 1 1 1); }\n")
    articles = root / "articles"
    Image.new("RGB", (60, 40), (30, 20, 10)).save(articles / "tiny.png")
    (articles / "tiny.yaml").write_text(
        "headline: صورة صغيرة\ndate: 2023-05-02\nbyline: كتب المحرر\n"
        "image:\n  src: tiny.png\n  caption: صورة\nbody: |\n  نص الخبر.\n",
        encoding="utf-8",
    )
    return articles / "tiny.yaml"


def test_preflight_catches_low_resolution_and_ink_over_the_limit(bad_press: Path) -> None:
    result = run_cli("check", "--press", bad_press, "--layout", "a4")
    assert result.code == 1, result.out + result.err
    lines = result.out.splitlines()
    assert len(lines) <= 20  # one screen
    errors = [line for line in lines if line.startswith("error: preflight: ")]
    assert any(re.search(r"page 1: image tiny\.png: \d+ ppi at print size", e) for e in errors)
    assert any("total ink 400% is over the limit of 240%" in e for e in errors)  # the byline
    assert any("image tiny.png: total ink" in e for e in errors)  # the dark photograph
    assert "tiny.yaml" in errors[0]


def test_preflight_catches_an_rgb_image_in_pdf_x1a(bad_press: Path, tmp_path: Path) -> None:
    plain = tmp_path / "plain.pdf"  # not press output: the photograph is still RGB
    assert run_cli("render", bad_press, "--layout", "a4", "-o", plain).code == 0
    result = run_cli("check", "--press", plain, "--pdf-variant", "pdf/x-1a")
    assert result.code == 1
    assert "page 1: image 60×40 px is RGB" in result.out
    assert "no PDF/X output intent" in result.out


def test_preflight_passes_press_output(press: dict[str, Path]) -> None:
    result = run_cli("check", "--press", press["x1a"])
    assert result.code == 0, result.out
    assert "PDF/X-1A" in result.out and "0 error(s)" in result.out


def _settings_with(tmp_path: Path, old: str, new: str) -> Path:
    root = _project(tmp_path / "paper")
    settings = root / "sahifa.yaml"
    text = settings.read_text(encoding="utf-8")
    assert old in text
    settings.write_text(text.replace(old, new), encoding="utf-8")
    shutil.copy(ARTICLE, root / "articles" / ARTICLE.name)
    shutil.copytree(ARTICLE.parent / "images", root / "articles" / "images")
    return root


def _line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip().startswith(start))


def test_a_missing_icc_profile_is_a_config_error_but_plain_renders_work(tmp_path: Path) -> None:
    root = _settings_with(tmp_path, str(ICC), "/nonexistent/plant.icc")
    article = root / "articles" / ARTICLE.name
    result = run_cli("render", article, "--press", "-o", tmp_path / "x.pdf")
    line = _line_of(root / "sahifa.yaml", "path:")
    assert result.code == 1 and "Traceback" not in result.err
    assert re.search(rf"^config: .*sahifa\.yaml:{line}: press\.icc\.path: cannot read the ICC "
                     r"profile /nonexistent/plant\.icc", result.err)  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()
    assert run_cli("render", article, "--layout", "a4", "-o", tmp_path / "plain.pdf").code == 0


def test_a_changed_icc_profile_is_refused_by_its_sha256(tmp_path: Path) -> None:
    root = _settings_with(tmp_path, "sha256: 8472fa", "sha256: 0472fa")
    result = run_cli("render", root / "articles" / ARTICLE.name, "--press", "-o",
                     tmp_path / "x.pdf")  # fmt: skip
    line = _line_of(root / "sahifa.yaml", "sha256:")
    assert result.code == 1
    assert f"sahifa.yaml:{line}: press.icc.sha256: the ICC profile" in result.err
    assert "not the pinned one" in result.err


@pytest.mark.parametrize("flags", [["--bleed", "3cm"], ["--bleed", "lots"],
                                   ["--marks", "crop,stars"]])  # fmt: skip
def test_bad_press_flags_are_one_line_errors(flags: list[str], tmp_path: Path) -> None:
    result = run_cli("render", ARTICLE, "-o", tmp_path / "x.pdf", *flags)
    assert result.code == 1
    assert result.err.startswith("config: --") and len(result.err.splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists()


def test_a_bad_bleed_in_sahifa_yaml_names_its_line(tmp_path: Path) -> None:
    root = _settings_with(tmp_path, "bleed: 3mm", "bleed: 3 millimetres")
    result = run_cli("render", root / "articles" / ARTICLE.name, "-o", tmp_path / "x.pdf")
    line = _line_of(root / "sahifa.yaml", "bleed:")
    assert result.code == 1  # the settings are wrong even for a plain render
    assert f"sahifa.yaml:{line}: press.bleed: expected a bleed such as 3mm" in result.err


@pytest.mark.parametrize(("pattern", "why"), [
    ("{date.year}-{page}.pdf", "unknown field(s) date.year"),
    ("{paper}-{page[0]}.pdf", "unknown field(s) page[0]"),
    ("{page}-{paper!r}.pdf", "no conversions"),
    ("plate-{page}", "plate names end in .pdf"),
])  # fmt: skip
def test_a_bad_split_pattern_is_a_one_line_error(pattern: str, why: str, tmp_path: Path) -> None:
    root = _settings_with(tmp_path, 'split_pattern: "{paper}-{date}-{edition}-p{page:02}.pdf"',
                          f'split_pattern: "{pattern}"')  # fmt: skip
    result = run_cli("check", root / "articles" / ARTICLE.name)  # even without --press
    line = _line_of(root / "sahifa.yaml", "split_pattern:")
    assert result.code == 1 and len(result.err.splitlines()) == 1, result.err
    assert f"sahifa.yaml:{line}: press.split_pattern: " in result.err and why in result.err


def test_stray_rgb_colours_become_cmyk_and_greys_black_ink_only() -> None:
    """A designer's RGB colour (CSS #c00, #555) must not reach a plate as RGB."""
    from sahifa.press.cmyk import Converter
    from sahifa.press.config import PressOptions
    from sahifa.press.pdfx import prepare_pages

    icc = ICC.read_bytes()
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    pdf.pages[0].obj.Contents = pdf.make_stream(
        b"1 0 0 rg 0 0 10 10 re f 0.5 0.5 0.5 RG /DeviceRGB cs 0 1 0 sc 0 0 m 10 10 l S"
    )
    options = PressOptions("pdf/x-1a", BLEED_PT, ("crop",), icc, "c", "c", 300, False,
                           "{page}.pdf", None)  # fmt: skip
    prepare_pages(pdf, options, Converter(icc))
    content = list(pikepdf.parse_content_stream(pdf.pages[0].Contents[1]))
    ops = [(str(op), [float(v) if not isinstance(v, pikepdf.Name) else str(v) for v in o])
           for o, op in content]  # fmt: skip
    assert not {op for op, _ in ops} & {"rg", "RG"}
    red = next(values for op, values in ops if op == "k")
    assert red[1] > 0.9 and red[2] > 0.9  # magenta and yellow through the profile
    assert ("K", [0.0, 0.0, 0.0, 0.5]) in ops  # a grey: black ink only
    assert ("cs", ["/DeviceCMYK"]) in ops
