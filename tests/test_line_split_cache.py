"""line_split_cache: balanced columns reuse line splits, with byte-identical PDFs; two
patches of one WeasyPrint function compose in either order (``sahifa.render.patches``); the
engine check is remembered for the same sources (start-up)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from sahifa import render
from sahifa.fetch import FONT, Fetcher
from sahifa.fonts import load_registry
from sahifa.render import patches
from test_engine_patches import without

PARAGRAPH = ("قالت وزارة النقل إن الخط الثالث لمترو الأنفاق سيصل إلى المطار قبل نهاية العام، "
             "وإن القطارات الجديدة ستعمل كل ثلاث دقائق في ساعات الذروة. ")  # fmt: skip


def _page() -> tuple[str, dict[Path, frozenset[str]]]:
    """Three balanced RTL columns of justified Arabic: WeasyPrint lays them out many times."""
    registry = load_registry(REPO / "fonts")
    roots = {REPO / "fonts": frozenset({FONT})}
    roots.update({f.path.parent.resolve(): frozenset({FONT}) for f in registry.fonts})
    body = "".join(f"<p>{PARAGRAPH * (2 + i % 3)}</p>" for i in range(6))
    html = (f'<html dir="rtl" lang="ar"><style>{registry.font_face_css()} @page {{ size: 600px '
            "900px; margin: 10px } body { margin: 0; font: 14px 'Noto Naskh Arabic' }"
            ".c { columns: 3; column-gap: 12px; text-align: justify }</style>"
            f'<body><div class="c">{body}</div><p>{PARAGRAPH}</p></body></html>')  # fmt: skip
    return html, roots


def _composed_page() -> tuple[str, dict[Path, frozenset[str]]]:
    """The same columns broken by the paragraph composer with kashida, as sahifa's layouts
    set body text (``compose.py``: the inherited custom properties)."""
    html, roots = _page()
    props = "--sahifa-justify: kashida; --sahifa-line-breaking: paragraph;"
    return html.replace("text-align: justify", f"text-align: justify; {props}"), roots


def _write(html: str, roots: dict[Path, frozenset[str]], variant: str | None = None) -> bytes:
    laid = render.lay_out(html, base_url=Path("/nonexistent"), fetcher=Fetcher(roots),
                          source=Path("probe.html"))  # fmt: skip
    return laid.write(identifier=b"fixed", variant=variant)


@contextmanager
def _counting_pango_splits() -> Iterator[list[int]]:
    """Counts the draft Pango layouts ``split_first_line`` makes (one or more per split)."""
    from weasyprint.text import line_break

    original = line_break.create_layout
    count = [0]

    def create_layout(*args: Any, **kwargs: Any) -> Any:
        count[0] += 1
        return original(*args, **kwargs)

    line_break.create_layout = create_layout
    try:
        yield count
    finally:
        line_break.create_layout = original


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_balanced_columns_reuse_line_splits_with_identical_bytes(variant: str | None) -> None:
    render.warm_up()
    html, roots = _page()
    with _counting_pango_splits() as cached:
        with_cache = _write(html, roots, variant)
    with without("line_split_cache"), _counting_pango_splits() as uncached:
        without_cache = _write(html, roots, variant)
    assert with_cache == without_cache  # byte for byte
    assert uncached[0] > 1.5 * cached[0] > 0  # balancing re-split the same lines


def test_the_cache_wraps_the_paragraph_composer_with_identical_bytes() -> None:
    """Installed after ``paragraph_breaks``, the cache keeps the composer's answers too: a
    line laid out again while balancing is not planned and shaped again (it was, with the
    cache under the composer: 16% of a batch's CPU time)."""
    from sahifa.render.patches import paragraph_breaks

    render.warm_up()
    cache = patches.all_patches()["line_split_cache"]
    stack = patches._stacks[cache.target]
    assert stack.index(cache) > stack.index(patches.all_patches()["paragraph_breaks"])
    html, roots = _composed_page()
    planned = [0]
    original = paragraph_breaks.plan_first_line

    def counting(*args: Any) -> Any:
        planned[0] += 1
        return original(*args)

    paragraph_breaks.plan_first_line = counting  # looked up at each call by the patch
    try:
        with_cache = _write(html, roots)
        cached = planned[0]
        with without("line_split_cache"):
            planned[0] = 0
            without_cache = _write(html, roots)
    finally:
        paragraph_breaks.plan_first_line = original
    assert with_cache == without_cache  # byte for byte
    assert planned[0] > 1.5 * cached > 0


@pytest.mark.unit
def test_a_split_is_kept_under_every_argument() -> None:
    """Another width, style, start-of-line flag or justification is another split."""
    from sahifa.render.patches import line_split_cache

    seen: list[tuple[Any, ...]] = []

    def original(*args: Any) -> Any:
        seen.append(args)
        return (_Deactivated(), 3, None, 10.0, 5.0, 4.0)

    split = line_split_cache.make(original)
    context, style, other_style = _Context(), object(), object()
    first = split("نص", style, context, 100.0, 0)
    again = split("نص", style, context, 100.0, 0)
    assert len(seen) == 1 and first[1:] == again[1:] and first[0] is not again[0]
    for args in [("نص ", style, context, 100.0, 0), ("نص", other_style, context, 100.0, 0),
                 ("نص", style, context, 90.0, 0), ("نص", style, context, 100.0, 2.5),
                 ("نص", style, context, 100.0, 0, False), ("نص", style, context, 100.0, 0, True,
                                                         True)]:  # fmt: skip
        split(*args)
    assert len(seen) == 7
    split("نص", style, _Context(), 100.0, 0)  # another document: its own cache
    assert len(seen) == 8
    assert line_split_cache.cached_splits(context) == 7


class _Context:
    """Stands for a LayoutContext: an object that takes attributes."""


class _Deactivated:
    """Stands for a deactivated Pango layout: plain attributes only."""

    text = "نص"


def _layer(calls: list[str], name: str) -> Callable[[Any], Any]:
    def make(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            return original(*args, **kwargs)

        return wrapper

    return make


@pytest.mark.parametrize("order", ["cache first", "other first"])
def test_two_patches_of_one_function_compose_in_either_order(order: str) -> None:
    """Another patch of ``split_first_line`` (the lead's line breaking, say) and the cache
    both run, whichever is installed first, and removing one leaves the other."""
    render.warm_up()
    cache = patches.all_patches()["line_split_cache"]
    calls: list[str] = []
    other = patches.Patch(target=cache.target, upstream=cache.upstream, calls=(),
                          make=_layer(calls, "other"))  # fmt: skip
    html, roots = _page()
    reference = _write(html, roots)
    patches.remove(cache)
    try:
        first, second = (cache, other) if order == "cache first" else (other, cache)
        patches.install(first)
        patches.install(second)
        assert patches.installed(cache) and patches.installed(other)
        with _counting_pango_splits() as pango:
            assert _write(html, roots) == reference
        assert calls  # the other patch ran
        if order == "cache first":  # the other wraps the cache: it sees every call
            assert len(calls) > 1.5 * pango[0]
        else:  # the cache wraps the other: it runs once per distinct split
            assert len(calls) <= pango[0]
        patches.remove(other)
        assert patches.installed(cache) and not patches.installed(other)
        calls.clear()
        _write(html, roots)
        assert calls == []
    finally:
        patches.remove(other)
        patches.install(cache)
    assert patches.installed(cache)


def test_a_passed_engine_check_is_remembered_only_for_the_same_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Start-up: the fingerprint check is skipped when the stamp of the check that passed
    (source files' sha256, where each watched function is defined) is unchanged."""
    from sahifa.render import compat

    render.warm_up()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    full: list[int] = []
    original = compat._check_sources

    def counting(*args: Any) -> None:
        full.append(1)
        original(*args)

    monkeypatch.setattr(compat, "_check_sources", counting)
    compat.check()
    assert len(full) == 1 and (tmp_path / "sahifa" / "engine-check.json").is_file()
    compat.check()
    assert len(full) == 1  # remembered
    stamp = json.loads((tmp_path / "sahifa" / "engine-check.json").read_text())
    first = next(iter(stamp["files"]))
    stamp["files"][first] = "0" * 64  # as if that WeasyPrint file had changed
    (tmp_path / "sahifa" / "engine-check.json").write_text(json.dumps(stamp))
    compat.check()
    assert len(full) == 2  # checked in full again
    from weasyprint.draw import border

    fake = "def percentage(value, style, refer_to):\n    return 0"
    namespace: dict[str, Any] = {}
    exec(fake, namespace)
    monkeypatch.setattr(border, "percentage", namespace["percentage"])
    with pytest.raises(compat.EngineMismatch):  # defined elsewhere: a full check, which fails
        compat.check()


@contextmanager
def _justified_lines(forget: bool) -> Iterator[tuple[list[int], list[Any]]]:
    """Counts justified lines and keeps their layout contexts; ``forget``: every line plans
    its tatweels afresh (the kashida plans are dropped before each)."""
    from weasyprint.layout import inline

    from sahifa.render.patches import kashida

    patched = inline.justify_line
    calls, contexts = [0], []

    def justify_line(context: Any, line: Any, extra_width: float) -> Any:
        calls[0] += 1
        if forget and hasattr(context, kashida.PLANS):
            delattr(context, kashida.PLANS)
        if context not in contexts:
            contexts.append(context)
        return patched(context, line, extra_width)

    inline.justify_line = justify_line
    try:
        yield calls, contexts
    finally:
        inline.justify_line = patched


@pytest.mark.parametrize("variant", [None, "pdf/a-3b"])
def test_kashida_plans_are_reused_by_lines_laid_out_again(variant: str | None) -> None:
    """Balancing lays each line out again: its tatweels are planned once per document, with
    the same bytes as planning them every time."""
    from sahifa.render.patches import kashida

    render.warm_up()
    html, roots = _composed_page()
    with _justified_lines(forget=False) as (calls, contexts):
        kept = _write(html, roots, variant)
    plans = sum(len(getattr(c, kashida.PLANS, {})) for c in contexts)
    elongated = sum(1 for c in contexts for (plan, _) in getattr(c, kashida.PLANS, {}).values()
                    if plan[0])  # fmt: skip
    with _justified_lines(forget=True):
        afresh = _write(html, roots, variant)
    assert kept == afresh  # byte for byte
    assert calls[0] > 1.5 * plans > 0 and elongated > 0  # lines with tatweels among them
