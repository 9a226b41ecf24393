"""The trust boundary (README, "Trust model"), tried as an attacker would.

Every path or name a contributor can write — ``layout``, ``extends``, a page ``template``,
``article``, ``briefs``, ``continued``, ``image.src`` — is tried with ``../``, an absolute
path, a symlink out of the project and a nested project folder. Each must be refused in one
line naming the file, the line and the key; no command may run (a marker file never
appears) and no byte of an outside file may reach any output.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from conftest import REPO, run_cli

HOSTILE = Path(__file__).parent / "data" / "hostile"
SECRET = "SAHIFA-OUTSIDE-SECRET-5d1c"
GOOD = "headline: خبر قصير\nbody: نص الخبر.\n"


@dataclass
class World:
    """A project, a folder outside it, and the marker that must never be created."""

    project: Path
    outside: Path
    marker: Path

    @property
    def articles(self) -> Path:
        return self.project / "articles"

    def evil_layout(self, target: Path) -> Path:
        """The hostile layout folder of the corpus, its probes aimed at the marker."""
        shutil.copytree(HOSTILE / "evil-layout", target)
        for template in target.rglob("*.j2"):
            text = template.read_text(encoding="utf-8")
            template.write_text(text.replace("@MARKER@", str(self.marker)), encoding="utf-8")
        return target

    def nested(self) -> Path:
        """A folder of articles that brings its own sahifa.yaml, layouts and fonts."""
        nested = self.articles / "nested"
        nested.mkdir(exist_ok=True)
        if not (nested / "sahifa.yaml").exists():
            (nested / "sahifa.yaml").write_text("paper: شر\nlayout: evil\n", encoding="utf-8")
            shutil.copytree(REPO / "layouts", nested / "layouts")
            self.evil_layout(nested / "layouts" / "evil")
            shutil.copytree(REPO / "fonts", nested / "fonts")
        return nested


@pytest.fixture
def world(project: Path, tmp_path: Path) -> World:
    outside = tmp_path / "outside"
    outside.mkdir()
    w = World(project, outside, tmp_path / "PWNED")
    w.evil_layout(outside / "evil")
    (outside / "private.yaml").write_text(f"headline: {SECRET}\nbody: {SECRET}\n", "utf-8")
    Image.new("RGB", (8, 8), (1, 2, 3)).save(outside / "secret.png")
    (w.articles / "good.yaml").write_text(GOOD, encoding="utf-8")
    return w


def edition(*, layout: str = "", template: str = "front", story: str = "article: good.yaml",
            continued: str = "") -> str:  # fmt: skip
    """An edition of one story (and a second page when ``continued`` is given)."""
    text = 'issue: "1"\ndate: 2023-05-02\n'
    text += f"layout: {layout}\n" if layout else ""
    text += (f"pages:\n  - template: {template}\n    stories:\n      - {story}\n"
             "        column: 1\n        span: 2\n        row: 1\n        rows: 4\n")  # fmt: skip
    if continued:
        text += (f"  - template: inside\n    stories:\n      - continued: {continued}\n"
                 "        column: 1\n        span: 2\n"
                 "        row: 1\n        rows: 4\n")  # fmt: skip
    return text


# Each case writes the hostile file and returns it (the file the desk would check or render).
Case = Callable[[World, str], Path]


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _value(w: World, variant: str, *, dotdot: str, outside: Path, link_name: str,
           base: Path) -> str:  # fmt: skip
    """The hostile value of one variant; for ``symlink`` a link in the contributor's folder
    leading to ``outside``, named relative to ``base``."""
    if variant == "dotdot":
        return dotdot
    if variant == "absolute":
        return str(outside)
    (w.articles / link_name).symlink_to(outside)
    up = len(base.relative_to(w.project).parts)  # from ``base`` back to the project
    return link_name if base == w.articles else "../" * up + f"articles/{link_name}"


def case_layout(w: World, variant: str) -> Path:
    if variant == "nested":
        return _write(w.nested() / "ed.yaml", edition(layout="evil"))
    value = _value(w, variant, dotdot="../../outside/evil", outside=w.outside / "evil",
                   link_name="evil-link", base=w.project / "layouts")  # fmt: skip
    return _write(w.articles / "ed.yaml", edition(layout=value))


def case_extends(w: World, variant: str) -> Path:
    if variant == "nested":
        w.nested()
        value = "evil"  # a layout only the nested folder has
    else:
        value = _value(w, variant, dotdot="../../outside/evil", outside=w.outside / "evil",
                       link_name="evil-link", base=w.project / "layouts")  # fmt: skip
    _write(w.project / "layouts" / "mine" / "layout.yaml", f"extends: {value}\n")
    return _write(w.articles / "ed.yaml", edition(layout="mine"))


def case_template(w: World, variant: str) -> Path:
    if variant == "nested":
        return _write(w.nested() / "ed.yaml", edition(template="evil"))
    value = _value(w, variant, dotdot="../../../outside/evil/pages/evil",
                   outside=w.outside / "evil" / "pages" / "evil",
                   link_name="evil-page", base=w.project / "layouts" / "base")  # fmt: skip
    return _write(w.articles / "ed.yaml", edition(template=value))


def _story_value(w: World, variant: str) -> str:
    if variant == "nested":
        _write(w.nested() / "a.yaml", GOOD)
        return "nested/a.yaml"
    return _value(w, variant, dotdot="../../outside/private.yaml",
                  outside=w.outside / "private.yaml", link_name="link.yaml",
                  base=w.articles)  # fmt: skip


def case_article(w: World, variant: str) -> Path:
    return _write(w.articles / "ed.yaml", edition(story=f"article: {_story_value(w, variant)}"))


def case_briefs(w: World, variant: str) -> Path:
    story = f"briefs: [good.yaml, {_story_value(w, variant)}]"
    return _write(w.articles / "ed.yaml", edition(story=story))


def case_continued(w: World, variant: str) -> Path:
    folder = w.nested() if variant == "nested" else w.articles
    value = {"dotdot": "../../outside/private", "absolute": str(w.outside / "private"),
             "symlink": "link", "nested": "good"}[variant]  # fmt: skip
    if variant == "symlink":
        (w.articles / "link.yaml").symlink_to(w.outside / "private.yaml")
    _write(folder / "good.yaml", GOOD)
    story = "article: good.yaml\n        overflow: continue"
    return _write(folder / "ed.yaml", edition(story=story, continued=value))


def case_image(w: World, variant: str) -> Path:
    folder = w.nested() if variant == "nested" else w.articles
    value = {"dotdot": "../../outside/secret.png", "absolute": str(w.outside / "secret.png"),
             "symlink": "photo.png", "nested": "photo.png"}[variant]  # fmt: skip
    if variant == "symlink":
        (folder / "photo.png").symlink_to(w.outside / "secret.png")
    if variant == "nested":
        Image.new("RGB", (8, 8)).save(folder / "photo.png")
    return _write(folder / "a.yaml", f"headline: خبر\nimage:\n  src: {value}\n  caption: صورة\n")


CASES: dict[str, tuple[Case, str]] = {  # the key each error must name
    "layout": (case_layout, "layout"),
    "extends": (case_extends, "extends"),
    "template": (case_template, "template"),
    "article": (case_article, "article"),
    "briefs": (case_briefs, "briefs"),
    "continued": (case_continued, "continued"),
    "image.src": (case_image, "image.src"),
}
VARIANTS = ["dotdot", "absolute", "symlink", "nested"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("key", list(CASES))
def test_every_path_a_contributor_writes_is_refused(
    key: str, variant: str, world: World, tmp_path: Path
) -> None:
    make, named = CASES[key]
    hostile = make(world, variant)
    out = tmp_path / "out.pdf"
    for command in (["check", hostile], ["render", hostile, "-o", out]):
        result = run_cli(*command)
        lines = result.err.strip().splitlines()
        assert result.code == 1, (command, result.out, result.err)
        # One line per problem (a file's problems are reported together): the refusal is
        # one of them, and every line is a located problem, never a traceback.
        assert 1 <= len(lines) <= 2 and all(": " in line for line in lines), result.err
        assert "internal error" not in result.err and "Traceback" not in result.err
        if variant == "nested" and key in ("layout", "template", "continued", "image.src"):
            # The file sits in a folder that brings its own sahifa.yaml: refused as a project.
            assert any("nested" in line and "sahifa.yaml" in line for line in lines), lines
        else:
            # file:line: key: names where the hostile value is written
            written = "layout.yaml" if key == "extends" else hostile.name
            assert any(named in line and f"{written}:" in line
                       and line.split(f"{written}:")[1][:1].isdigit() for line in lines), lines
        assert SECRET not in result.out + result.err
        assert not world.marker.exists(), f"{command[0]} ran the contributor's command"
        assert not out.exists()


def test_a_probe_in_the_trusted_layouts_is_one_line_not_a_command(world: World) -> None:
    from sahifa.fonts import load_registry
    from sahifa.layouts import load_layout

    template = world.project / "layouts" / "base" / "article.html.j2"
    probe = (HOSTILE / "evil-layout" / "article.html.j2").read_text(encoding="utf-8")
    template.write_text(probe.replace("@MARKER@", str(world.marker)) + template.read_text(
        encoding="utf-8"), encoding="utf-8")  # fmt: skip
    result = run_cli("render", world.articles / "good.yaml", "-o", world.outside / "x.pdf")
    assert result.code == 1 and len(result.err.strip().splitlines()) == 1, result.err
    assert result.err.startswith("template: ") and "sandbox" in result.err, result.err
    assert "article.html.j2:1:" in result.err
    assert not world.marker.exists()
    layout = load_layout(world.project / "layouts", "tabloid",
                         load_registry(world.project / "fonts"))  # fmt: skip
    import jinja2.sandbox

    assert isinstance(layout.environment(), jinja2.sandbox.ImmutableSandboxedEnvironment)


def test_a_folder_with_its_own_project_is_refused_unless_named(world: World,
                                                               tmp_path: Path) -> None:  # fmt: skip
    nested = world.nested()
    _write(nested / "a.yaml", GOOD)
    refused = run_cli("render", nested / "a.yaml", "-o", tmp_path / "a.pdf")
    assert refused.code == 1 and "--project" in refused.err and not world.marker.exists()
    # The user may choose a project explicitly: the outer one renders it with its own layouts.
    chosen = run_cli("render", nested / "a.yaml", "--project", world.project,
                     "-o", tmp_path / "a.pdf")  # fmt: skip
    assert chosen.code == 0, chosen.err
    assert not world.marker.exists()


def test_pdf_a_never_attaches_an_outside_file(world: World, tmp_path: Path) -> None:
    link = world.articles / "photo.png"
    link.symlink_to(world.outside / "secret.png")
    article = _write(world.articles / "a.yaml", "headline: خبر\nimage:\n  src: photo.png\n")
    out = tmp_path / "a.pdf"
    result = run_cli("render", article, "-o", out, "--pdf-variant", "pdf/a-3b")
    assert result.code == 1 and "image.src" in result.err and not out.exists()
    # And the archive attaches only the images the fetcher served (defence in depth).
    from sahifa.archive.attachments import archive_attachments
    from sahifa.pipeline import RenderJob, prepare

    link.unlink()
    Image.new("RGB", (8, 8)).save(link)
    prepared = prepare(RenderJob(source=article))
    assert "articles/photo.png" not in {a.name for a in archive_attachments(prepared, set())}
    served = {link.resolve()}
    assert "articles/photo.png" in {a.name for a in archive_attachments(prepared, served)}


def test_the_time_budget_covers_templates(world: World, tmp_path: Path) -> None:
    settings = world.project / "sahifa.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + "limits:\n  render_seconds: 2\n",
                        encoding="utf-8")  # fmt: skip
    template = world.project / "layouts" / "base" / "article.html.j2"
    template.write_text("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
                        "{% endfor %}" + template.read_text(encoding="utf-8"), "utf-8")  # fmt: skip
    result = run_cli("check", world.articles / "good.yaml")
    assert result.code == 1 and "took longer than 2 s (limits.render_seconds)" in result.err


def _pdf_streams(path: Path) -> bytes:
    with pikepdf.open(path) as pdf:
        return b"".join(o.read_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream))


def test_batch_of_the_hostile_corpus(world: World, tmp_path: Path) -> None:
    """One folder holding every hostile variant: each fails alone with its own line, the good
    article renders, no command runs and no outside byte reaches any output."""
    src = world.articles
    for key, (make, _) in CASES.items():
        for variant in ("dotdot", "absolute"):
            hostile = make(world, variant)
            hostile.rename(hostile.with_name(f"{key}-{variant}{hostile.suffix}"))
    (src / "escape.yaml").symlink_to(world.outside / "private.yaml")  # a symlinked article
    _write(src / "alone.yaml", GOOD)  # a loose article no edition claims
    _write(src / "twin.yaml", GOOD)
    _write(src / "twin.md", "---\nheadline: خبر\n---\nنص.\n")  # both would write twin.pdf
    out = tmp_path / "out"
    result = run_cli("batch", src, "--project", world.project, "-o", out, "--jobs", "2")
    assert result.code == 1
    failed = [line for line in result.out.splitlines() if line.startswith("failed: ")]
    assert "internal error" not in result.out + result.err
    assert any("escape.yaml" in line and "symlink" in line for line in failed), failed
    twins = [line for line in failed if "twin" in line]
    assert len(twins) == 2 and all("twin.yaml" in t and "twin.md" in t for t in twins), twins
    assert (out / "alone.pdf").is_file()
    assert not world.marker.exists()
    for pdf in out.rglob("*.pdf"):
        assert SECRET.encode() not in _pdf_streams(pdf)


def _records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "manifest.jsonl").read_text("utf-8").splitlines()]


def test_resume_never_takes_a_damaged_pdf(world: World, tmp_path: Path) -> None:
    """Zeros written into a finished PDF: with a manifest record (sha256 no longer matches)
    and without one (only the /ID could vouch for it), the item is rendered again."""
    src = world.articles / "archive"
    for name in ("a", "b", "c"):
        _write(src / f"{name}.yaml", GOOD.replace("قصير", name))
    out = tmp_path / "out"
    first = run_cli("batch", src, "--project", world.project, "-o", out, "--jobs", "1")
    assert first.code == 0, first.out
    for name in ("a", "b"):  # damage the middle of two finished PDFs
        pdf = out / f"{name}.pdf"
        data = bytearray(pdf.read_bytes())
        middle = len(data) // 2
        data[middle : middle + 300] = bytes(300)
        pdf.write_bytes(bytes(data))
    damaged = {name: (out / f"{name}.pdf").read_bytes() for name in ("a", "b")}
    # b's record is lost (a kill between the PDF and its record): only the /ID is left.
    kept = [r for r in _records(out) if r["input"] != "b.yaml"]
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept), "utf-8")
    resumed = run_cli("batch", src, "--project", world.project, "-o", out, "--resume")
    assert resumed.code == 0, resumed.out
    assert "2 rendered, 1 unchanged, 0 recovered" in resumed.out, resumed.out
    last = {r["input"]: r for r in _records(out)}
    for name in ("a", "b"):
        data = (out / f"{name}.pdf").read_bytes()
        assert data != damaged[name] and not last[f"{name}.yaml"].get("recovered")
        assert last[f"{name}.yaml"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "sha256" in last["a.yaml"]["note"]
    # An undamaged PDF without a record is taken after a full parse, not rendered again.
    kept = [r for r in _records(out) if r["input"] != "c.yaml"]
    (out / "manifest.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept), "utf-8")
    again = run_cli("batch", src, "--project", world.project, "-o", out, "--resume")
    assert "0 rendered, 2 unchanged, 1 recovered" in again.out, again.out


def test_discovery_reads_editions_with_the_strict_reader(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An alias-nested edition (a 9 KB file took 46 s in yaml.safe_load) fails at once, by
    name; discovery never uses PyYAML's permissive loaders."""
    import yaml

    calls: list[str] = []

    def forbidden(*args: object, **kwargs: object) -> None:
        calls.append("a permissive YAML loader read a contributor's file")
        raise RuntimeError(calls[-1])

    monkeypatch.setattr(yaml, "safe_load", forbidden)
    monkeypatch.setattr(yaml, "load", forbidden)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 60)]
    src = world.articles / "archive"
    _write(src / "bomb.yaml", "\n".join(lines) + "\npages: [*a59]\n")
    _write(src / "alone.yaml", GOOD)
    out = tmp_path / "out"
    result = run_cli("batch", src, "--project", world.project, "-o", out, "--jobs", "1")
    assert result.code == 1
    assert "failed: bomb.yaml: " in result.out and "aliases" in result.out, result.out
    assert (out / "alone.pdf").is_file()
    assert calls == []


def test_control_and_bidi_characters_never_reach_the_page_or_the_terminal(
    world: World, tmp_path: Path
) -> None:
    article = world.articles / "a.yaml"
    article.write_text("headline: خبر\ntags: [\"\\e[31mred\"]\n", encoding="utf-8")
    refused = run_cli("check", article)
    assert refused.code == 1 and "\x1b" not in refused.err and "tags" in refused.err
    article.write_text("headline: خبر\nbody: ارتفع المؤشر \u202e2023\u202c نقطة.\n", "utf-8")
    out = tmp_path / "a.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0 and "bidi control" in result.err, result.err
    import pypdfium2 as pdfium

    text = pdfium.PdfDocument(out)[0].get_textpage().get_text_range()
    assert "\u202e" not in text and ("2023" in text or "٢٠٢٣" in text)


def test_preview_of_hostile_files_shows_one_line_and_runs_nothing(world: World) -> None:
    from sahifa.pipeline import RenderJob
    from sahifa.preview.server import Previewer

    for make, named in (CASES["layout"], CASES["article"], CASES["image.src"]):
        hostile = make(world, "dotdot")
        previewer = Previewer(RenderJob(source=hostile, allow_overset=True), world.project)
        try:
            previewer.render_once()
        finally:
            previewer.stop()
        error = previewer.state.error
        assert error and len(error.splitlines()) == 1 and named in error, error
        assert "internal error" not in error and SECRET not in error
        assert not world.marker.exists() and previewer.state.pages == []


def test_import_of_the_hostile_corpus(tmp_path: Path) -> None:
    """Undecodable, mixed-encoding, binary and escape-laden files: each reported in one line
    naming it, the good one imported, no internal error and no raw control character."""
    out = tmp_path / "imported"
    result = run_cli("import", HOSTILE / "import", "-o", out)
    assert result.code == 1
    assert "internal error" not in result.err + result.out and "\x1b" not in result.err
    for name in ("bom-then-cp1256.txt", "mixed-encodings.txt", "binary.txt"):
        assert sum(name in line for line in result.err.splitlines()) == 1, (name, result.err)
        assert not (out / name).with_suffix(".yaml").exists()
    assert (out / "good.yaml").is_file()


def test_an_unknown_page_template_is_named_not_an_internal_error(world: World) -> None:
    hostile = _write(world.articles / "ed.yaml", edition(template="nosuch"))
    result = run_cli("check", hostile)
    assert result.code == 1 and "internal error" not in result.err, result.err
    assert "ed.yaml:4: pages[1].template: page 1: layout 'tabloid' has no page template " in (
        result.err)  # fmt: skip


def test_batch_output_and_source_must_not_contain_one_another(world: World) -> None:
    """A contributor could ship a manifest and PDFs into an output folder inside SOURCE."""
    src = world.articles
    for out in (src / "out", world.project):  # inside SOURCE; SOURCE inside it
        result = run_cli("batch", src, "--project", world.project, "-o", out)
        assert result.code == 1 and "must not contain one another" in result.err, result.err
        assert not (out / "manifest.jsonl").exists()


def test_one_odd_edition_does_not_stop_a_resume(world: World, tmp_path: Path) -> None:
    src = world.articles / "archive"
    _write(src / "good.yaml", GOOD)
    _write(src / "alone.yaml", GOOD)  # a loose article, no edition claims it
    _write(src / "odd.yaml", 'pages: [{stories: [{article: good.yaml, column: "²", span: 1, '
                             "row: 1, rows: 1}]}]\n")  # fmt: skip
    out = tmp_path / "out"
    for extra in ([], ["--resume"]):
        result = run_cli("batch", src, "--project", world.project, "-o", out, *extra)
        assert result.code == 1 and "internal error" not in result.out + result.err
        assert "failed: odd.yaml: " in result.out and "column" in result.out, result.out
    assert (out / "alone.pdf").is_file()


def test_an_edition_of_too_many_pages_is_refused_before_any_work(world: World) -> None:
    pages = "".join("  - template: inside\n    stories: []\n" for _ in range(301))
    edition = _write(world.articles / "ed.yaml", "pages:\n" + pages)
    result = run_cli("check", edition)
    assert result.code == 1 and "301 pages, over the limit of 300 (limits.pages)" in result.err


def test_an_edition_cannot_choose_a_builtin_layout(world: World) -> None:
    """The paper's own layouts (and a vendored freeze) must not be stepped around."""
    hostile = _write(world.articles / "ed.yaml", edition(layout="builtin:a4"))
    result = run_cli("check", hostile)
    assert result.code == 1 and "ed.yaml:3: layout: layout must be a plain name" in result.err


def test_the_preview_page_keeps_a_hostile_file_name_as_text() -> None:
    from sahifa.preview.server import page_html

    page = page_html("articles/x</script><img src=x onerror=alert(1)>.yaml")
    assert b"</script><img" not in page and b"\\u003c/script\\u003e" in page
    assert page.count(b"</script>") == 1  # the page's own


def _tagged(tmp_path: Path, name: str, build: Callable[[pikepdf.Pdf], pikepdf.Object]) -> Path:
    """A one-page PDF whose structure tree's document element ``build`` makes."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    document = build(pdf)
    pdf.Root.StructTreeRoot = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.StructTreeRoot, K=pikepdf.Array([document])))  # fmt: skip
    path = tmp_path / name
    pdf.save(path)
    return path


def _element(pdf: pikepdf.Pdf, kind: str, **entries: object) -> pikepdf.Dictionary:
    return pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem,
                                                S=pikepdf.Name("/" + kind), **entries))  # fmt: skip


def test_sahifa_text_of_hostile_structure_trees(tmp_path: Path) -> None:
    """A tree that loops back, one nested past any sahifa writes, odd types, and text that
    would drive the terminal: one line or the printable text, never a traceback."""

    def looping(pdf: pikepdf.Pdf) -> pikepdf.Object:
        document = _element(pdf, "Document")
        paragraph = _element(pdf, "P", ActualText=pikepdf.String("نص\x1b]0;owned\x07"))
        art = _element(pdf, "Art", T=pikepdf.String("s\x1b[2J"),
                       K=pikepdf.Array([paragraph, document]))  # fmt: skip
        document.K = pikepdf.Array([art, art, pikepdf.Name.Bogus, 7])
        return document

    def deep(pdf: pikepdf.Pdf) -> pikepdf.Object:
        inner = _element(pdf, "P", ActualText=pikepdf.String("x"))
        for _ in range(2000):
            inner = _element(pdf, "Div", K=pikepdf.Array([inner]))
        return _element(pdf, "Document", K=pikepdf.Array([_element(pdf, "Art", K=inner)]))

    def odd(pdf: pikepdf.Pdf) -> pikepdf.Object:
        paragraph = _element(pdf, "P", ActualText=pikepdf.Array([1]))
        art = _element(pdf, "Art", T=5, K=pikepdf.Array([paragraph, pikepdf.Dictionary(
            Type=pikepdf.Name.MCR, Pg=3, MCID=0)]))  # fmt: skip
        return _element(pdf, "Document", K=art)

    result = run_cli("text", _tagged(tmp_path, "loop.pdf", looping), "--json")
    assert result.code == 0 and "\x1b" not in result.out
    (story,) = json.loads(result.out)["stories"]  # the Art listed twice is read once
    assert story["story"] == "s\\x1b[2J" and story["paragraphs"] == ["نص\\x1b]0;owned\\x07"]
    result = run_cli("text", _tagged(tmp_path, "deep.pdf", deep))
    assert result.code == 1 and result.err.count("\n") == 1 and "damaged" in result.err
    result = run_cli("text", _tagged(tmp_path, "odd.pdf", odd), "--json")
    assert result.code == 0
    assert json.loads(result.out)["stories"] == [
        {"story": "", "headline": "", "pages": [], "blocks": [], "paragraphs": []}]
