"""The engine seam: each WeasyPrint patch has a contract test that fails without it, the
engine is checked at start-up, and only ``sahifa.render`` imports WeasyPrint or pydyf.

Draw tests follow WeasyPrint's own ``assert_pixels`` style: tiny pages, one pixel per CSS
pixel, compared with ASCII maps (``B`` blue, ``R`` red, ``_`` white). Each contract test also
runs with its patch removed and checks that the expectation then fails, so a test that
passes for another reason is caught.
"""

from __future__ import annotations

import ast
import io
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from conftest import REPO, SEED
from sahifa import render
from sahifa.fetch import FONT, Fetcher
from sahifa.fonts import load_registry
from sahifa.render import compat, patches

SRC = REPO / "src" / "sahifa"


@contextmanager
def without(name: str) -> Iterator[None]:
    """WeasyPrint's own function in place of patch ``name`` for the block."""
    render.warm_up()
    patch = patches.all_patches()[name]
    patches.remove(patch)
    try:
        yield
    finally:
        patches.install(patch)


def _lay_out(html: str, roots: dict[Path, frozenset[str]] | None = None) -> render.LaidOut:
    return render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots or {}),
                          source=Path("probe.html"))  # fmt: skip


def pixel_map(pdf: bytes) -> list[str]:
    """The first page, one pixel per CSS pixel (96 dpi), as letters."""
    page = pdfium.PdfDocument(pdf)[0]
    image = page.render(scale=96 / 72, no_smoothpath=True).to_pil().convert("RGB")
    rows = []
    for y in range(image.height):
        row = ""
        for x in range(image.width):
            r, g, b = image.getpixel((x, y))
            row += ("R" if r > 200 and g < 80 and b < 80 else "B" if b > 200 and r < 80
                    else "_" if min(r, g, b) > 200 else "?")  # fmt: skip
        rows.append(row)
    return rows


RTL_COLUMNS = """<html dir="{dir}"><style>@page {{ size: 20px 2px; margin: 0 }} body {{ margin: 0 }}
.c {{ columns: 3; column-gap: 4px; column-rule: 2px solid #f00; height: 2px;
      column-fill: auto }}
.c div {{ height: 2px; background: #00f }}</style>
<body><div class="c"><div></div><div></div><div></div></div></body></html>"""


def test_column_rules_fall_in_the_gaps_of_rtl_columns() -> None:
    """column_rules: in RTL the first column is the rightmost; both gaps get their rule."""
    expected = ["BBBB_RR_BBBB_RR_BBBB"] * 2
    assert pixel_map(_lay_out(RTL_COLUMNS.format(dir="rtl")).write()) == expected
    assert pixel_map(_lay_out(RTL_COLUMNS.format(dir="ltr")).write()) == expected  # LTR twin
    with without("column_rules"):  # WeasyPrint 70: the rightmost gap has no rule
        assert pixel_map(_lay_out(RTL_COLUMNS.format(dir="rtl")).write()) == [
            "BBBB_RR_BBBB____BBBB"
        ] * 2


FIXED_GRID = """<html><style>@page { size: 100px 100px; margin: 0 } body { margin: 0 }
.g { display: grid; grid-template-columns: repeat(4, 20px); grid-template-rows: repeat(4, 20px) }
.g div { grid-column: span 2; grid-row: span 2; columns: 2; background: #00f }</style>
<body><div class="g"><div></div><div></div><div></div></div></body></html>"""


def test_fixed_grid_tracks_are_not_sized_by_laying_items_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """grid_tracks: the same pages either way, without laying the spanning items out to size
    tracks that are all fixed lengths (~90 s a pass on a four-page edition)."""
    render.warm_up()
    from weasyprint.layout import grid

    calls: list[str] = []
    for name in ("min_content_width", "max_content_width"):
        original = getattr(grid, name)

        def counting(*args: object, _original: object = original, _name: str = name,
                     **kwargs: object) -> object:  # fmt: skip
            calls.append(_name)
            return _original(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(grid, name, counting)
    patched = _lay_out(FIXED_GRID).write()
    assert calls == []
    with without("grid_tracks"):
        unpatched = _lay_out(FIXED_GRID).write()
    assert len(calls) > 0
    assert pixel_map(patched) == pixel_map(unpatched)


CMYK_BOX = """<html><style>@page { size: 4px 2px; margin: 0 } body { margin: 0 }
div { height: 2px; background: device-cmyk(0 0 0 1) }</style><body><div></div></body></html>"""


def _colour_operators(pdf: bytes) -> set[str]:
    """The page's colour operators, with the colour space a ``cs``/``CS`` sets."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = set()
        for operands, op in pikepdf.parse_content_stream(document.pages[0]):
            found.add(str(op))
            if str(op) in ("cs", "CS"):
                found.add(str(operands[0]))
        return found


def test_archives_write_cmyk_colours_as_rgb() -> None:
    """archive_colours: no DeviceCMYK under PDF/A's sRGB intent; other output keeps CMYK."""
    assert "/DeviceCMYK" in _colour_operators(_lay_out(CMYK_BOX).write())
    archive = _colour_operators(_lay_out(CMYK_BOX).write(variant="pdf/a-3b"))
    assert not archive & {"k", "K", "/DeviceCMYK"} and "rg" in archive
    with without("archive_colours"):
        assert "/DeviceCMYK" in _colour_operators(_lay_out(CMYK_BOX).write(variant="pdf/a-3b"))


def _kufi_page(body: str) -> tuple[str, dict[Path, frozenset[str]]]:
    """A page set in the shipped Kufi (its dots are glyphs of their own)."""
    registry = load_registry(REPO / "fonts")
    roots = {REPO / "fonts": frozenset({FONT})}
    roots.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: 600px '
            "60px; margin: 5px } body { margin: 0; font: 700 16px 'Noto Kufi Arabic' }</style>"
            f"<body><p>{body}</p></body></html>")  # fmt: skip
    return html, roots


def _pdfium_text(pdf: bytes) -> str:
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


LINE = "<b>البعد الدبلوماسي:</b> إسرائيل في أذربيجان"
LOGICAL = "البعد الدبلوماسي: إسرائيل في أذربيجان"


@pytest.mark.parametrize("name", ["draw_first_line", "fonts_dictionary", "line_deferral"])
def test_text_layer_gives_back_the_line_in_order(name: str) -> None:
    """draw_first_line (codes per glyph and text), fonts_dictionary (maps for those codes)
    and line_deferral (text-less glyphs after the line box: the run-in head is read first)."""
    html, roots = _kufi_page(LINE)
    assert _pdfium_text(_lay_out(html, roots).write()).split() == LOGICAL.split()
    with without(name):
        assert _pdfium_text(_lay_out(html, roots).write()).split() != LOGICAL.split()


def test_every_patch_names_its_upstream_function_and_is_fingerprinted() -> None:
    render.warm_up()
    found = patches.all_patches()
    assert set(found) == {p.stem for p in (SRC / "render" / "patches").glob("*.py")} - {
        "__init__"
    }
    for name, patch in found.items():
        module = sys.modules[f"sahifa.render.patches.{name}"]
        assert f"``{patch.upstream.replace(':', '.')}``" in (module.__doc__ or ""), name
        assert patches.installed(patch), name
        for watched in (patch.upstream, *patch.calls):
            assert watched in compat.FINGERPRINTS, watched
    compat.check()  # the installed engine is the pinned one


@pytest.mark.unit
def test_another_engine_version_or_source_stops_in_one_line() -> None:
    with pytest.raises(compat.EngineMismatch) as version:
        compat.check(versions={"weasyprint": "71.0", "pydyf": "0.13.0"}, sources=[])
    assert str(version.value).startswith("engine: sahifa needs WeasyPrint 70.0, found 71.0")
    with pytest.raises(compat.EngineMismatch) as source:
        compat.check(versions=dict(compat.VERSIONS), sources=list(compat.FINGERPRINTS),
                     fingerprint_of=lambda name: "0" * 16)  # fmt: skip
    assert "is not the one sahifa's engine patches were written for" in str(source.value)


@pytest.mark.parametrize(
    "fake",
    [
        "import weasyprint; weasyprint.__version__ = '71.0'",
        # A changed helper a patch relies on (as a WeasyPrint upgrade would bring).
        "import weasyprint.draw.border as b\n"
        "exec('def percentage(value, style, refer_to):\\n    return 0', b.__dict__)",
    ],
)  # fmt: skip
def test_the_cli_refuses_an_engine_it_was_not_written_for(fake: str, tmp_path: Path) -> None:
    out = tmp_path / "x.pdf"
    code = (f"{fake}\nimport sys\nfrom sahifa.cli import main\n"
            f"sys.exit(main(['render', {str(SEED)!r}, '-o', {str(out)!r}]))")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=REPO, timeout=120, check=False)  # fmt: skip
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1, result.stderr
    assert lines[0].startswith("engine: ") and not out.exists()


BLOCK_ENGINE = """
import importlib, pkgutil, sys
sys.modules['weasyprint'] = None  # any import of it raises ImportError
sys.modules['pydyf'] = None
import sahifa
failed = []
for info in pkgutil.walk_packages(sahifa.__path__, 'sahifa.'):
    if info.name.startswith('sahifa.render') or info.name.endswith('__main__'):
        continue
    try:
        importlib.import_module(info.name)
    except ImportError as exc:
        failed.append(f'{info.name}: {exc}')
print('\\n'.join(failed))
"""


def test_only_the_render_package_imports_the_engine() -> None:
    """With WeasyPrint and pydyf blocked, every module outside sahifa.render imports, and the
    unit tier (no engine) passes; batch/ and preview/ reach the engine through the pipeline."""
    result = subprocess.run([sys.executable, "-c", BLOCK_ENGINE], capture_output=True,
                            text=True, cwd=REPO, timeout=120, check=False)  # fmt: skip
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr
    for path in SRC.rglob("*.py"):
        if path.is_relative_to(SRC / "render"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])  # fmt: skip
            for name in names:
                assert name.split(".")[0] not in ("weasyprint", "pydyf"), (path, name)
                if path.parent.name in ("batch", "preview"):
                    assert not name.startswith("sahifa.render"), (path, name)
                    if isinstance(node, ast.ImportFrom) and name == "sahifa":
                        assert "render" not in [a.name for a in node.names], path
    unit = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['weasyprint'] = None; "
         "sys.modules['pydyf'] = None; import pytest; "
         "sys.exit(pytest.main(['-q', '-m', 'unit', '-p', 'no:cacheprovider', 'tests']))"],
        capture_output=True, text=True, cwd=REPO, timeout=300, check=False,
    )  # fmt: skip
    assert unit.returncode == 0, unit.stdout[-3000:] + unit.stderr[-2000:]
    assert " passed" in unit.stdout and "deselected" in unit.stdout


def _tagged_two_pages() -> bytes:
    """A story continued on a second page, with a running head (a margin box)."""
    registry = load_registry(REPO / "fonts")
    roots = {REPO / "fonts": frozenset({FONT})}
    roots.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: 300px '
            "120px; margin: 30px 5px; @top-center { content: 'الدستور' } } body { margin: 0; "
            "font: 16px 'Noto Kufi Arabic' } .next { break-before: page }</style><body>"
            '<article data-story="s"><h1>عنوان</h1><p>نص أول</p></article>'
            '<article class="next" data-story="s-continued" data-continues="s"><p>نص ثان</p>'
            "</article></body></html>")  # fmt: skip
    return _lay_out(html, roots).write()


def _tree_summary(data: bytes) -> tuple[list[str], int, int]:
    """The structure types under the document element ("content" for marked content held
    by the document itself); MCIDs drawn; MCIDs in the tree."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root.StructTreeRoot
        document = root.K[0] if isinstance(root.K, pikepdf.Array) else root.K
        kinds = [str(k.get("/S", "content")) for k in document.K]
        drawn = sum(1 for page in pdf.pages for operands, op in pikepdf.parse_content_stream(page)
                    if str(op) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
                    and "/MCID" in operands[1])  # fmt: skip
        nums = root.ParentTree.Nums
        mapped = sum(len(nums[i + 1]) for i in range(0, len(nums), 2))
    return kinds, drawn, mapped


def test_a_story_is_one_element_across_pages_and_running_heads_are_artifacts() -> None:
    """structure_tree (one Art for a story and its continuation) and marked_content (the
    running head is an artifact, not tagged content left out of the tree)."""
    kinds, drawn, mapped = _tree_summary(_tagged_two_pages())
    assert kinds == ["/Art"] and drawn == mapped == 3
    # WeasyPrint's own tree expects the margin boxes' text marked: both patches go.
    with without("structure_tree"), without("marked_content"):
        kinds, drawn, mapped = _tree_summary(_tagged_two_pages())
        assert kinds.count("/Art") >= 2
    with without("marked_content"):  # the running head is tagged, outside any story
        kinds, drawn, mapped = _tree_summary(_tagged_two_pages())
        assert "content" in kinds and drawn == mapped > 3
