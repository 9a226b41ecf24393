"""Untrusted content: no network, no file outside the project, limits, fuzzed articles."""

from __future__ import annotations

import os
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from conftest import REPO, loopback_server, run_cli

SECRET = "SAHIFA-SECRET-7f3a9c1e"


@pytest.fixture
def counting_server() -> tuple[str, list[str]]:
    """A loopback HTTP server that records every request it gets."""
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x")

        def log_message(self, *args: object) -> None:
            pass

    with loopback_server(Handler) as base:
        yield base, requests


def test_remote_references_make_no_request(
    counting_server: tuple[str, list[str]], project: Path, tmp_path: Path
) -> None:
    base, requests = counting_server
    css = project / "layouts" / "tabloid" / "style.css"
    css.write_text(
        f'@import url("{base}/import.css");\n'
        + css.read_text(encoding="utf-8")
        + f'\n@font-face {{ font-family: Remote; src: url("{base}/font.ttf"); }}\n'
        f'.headline {{ background: url("{base}/background.png"); font-family: Remote; }}\n',
        encoding="utf-8",
    )
    folder = project / "articles"
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="100" height="100"><image href="{base}/svg.png" width="50" height="50"/>'
        f'<image xlink:href="{base}/svg2.png" width="50" height="50"/></svg>',
        encoding="utf-8",
    )
    article = folder / "remote.yaml"
    article.write_text(
        f"headline: خبر\nimage:\n  src: drawing.svg\n  caption: رسم\n"
        f"body: |\n  ![صورة]({base}/body.png)\n\n  نص [رابط]({base}/link)\n",
        encoding="utf-8",
    )
    out = tmp_path / "remote.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0, result.err
    assert requests == []
    for name in ("import.css", "font.ttf", "background.png", "body.png", "svg.png", "svg2.png"):
        assert f"refused {base}/{name}: network access is off" in result.err, name
    strict = run_cli("render", article, "-o", tmp_path / "strict.pdf", "--strict")
    assert strict.code == 1 and strict.err.startswith("resource: ")
    assert not (tmp_path / "strict.pdf").exists()
    assert requests == []


def test_no_byte_of_an_outside_file_reaches_the_pdf(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(SECRET, encoding="utf-8")
    Image.new("RGB", (8, 8), (1, 2, 3)).save(outside / "secret.png")
    folder = project / "articles"
    (folder / "inside.png").symlink_to(outside / "secret.png")
    (folder / "notes.txt").write_text(SECRET, encoding="utf-8")  # inside, but not an image
    (folder / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{(outside / "secret.png").as_uri()}" width="10" height="10"/></svg>',
        encoding="utf-8",
    )
    article = folder / "a.yaml"
    article.write_text(
        "headline: خبر\nimage:\n  src: drawing.svg\nbody: |\n"
        "  ![a](inside.png)\n\n  ![b](notes.txt)\n\n  ![c](../../outside/secret.png)\n\n"
        "  ![d](%2e%2e/%2e%2e/outside/secret.txt)\n",
        encoding="utf-8",
    )
    out = tmp_path / "a.pdf"
    result = run_cli("render", article, "-o", out)
    assert result.code == 0, result.err
    assert result.err.count("resource: ") >= 4, result.err
    with pikepdf.open(out) as pdf:
        assert "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_bytes()
                assert SECRET.encode() not in data
                if obj.get("/Subtype") == "/Image":
                    raise AssertionError("an image reached the PDF")


def test_decompression_bomb_fails_the_render(project: Path, tmp_path: Path) -> None:
    settings_file = project / "sahifa.yaml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8") + "limits:\n  image_megapixels: 1\n", "utf-8"
    )
    Image.new("1", (3000, 1000)).save(project / "articles" / "big.png")
    article = project / "articles" / "a.yaml"
    article.write_text("headline: خبر\nimage:\n  src: big.png\n", encoding="utf-8")
    result = run_cli("render", article, "-o", tmp_path / "a.pdf")
    assert result.code == 1
    assert "3000 x 1000 pixels is over the 1-megapixel limit" in result.err
    assert not (tmp_path / "a.pdf").exists()


@pytest.mark.parametrize(
    ("limit", "message"),
    [("pages: 1", "over the limit of 1 (limits.pages)"),
     ("render_seconds: 1", "took longer than 1 s")],
)  # fmt: skip
def test_render_limits(limit: str, message: str, project: Path, tmp_path: Path) -> None:
    settings_file = project / "sahifa.yaml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8") + f"limits:\n  {limit}\n", "utf-8"
    )
    body = (REPO / "articles/2023/05/02/wahdat-al-jabahat.yaml").read_text(encoding="utf-8")
    paragraphs = body.split("body: |\n", 1)[1]
    article = project / "articles" / "long.yaml"
    # Far more than one second of layout on any machine (about 60 A4 pages; the seed is
    # laid out at well under 0.1 s a page here): the limit, not the machine, decides.
    article.write_text("headline: خبر طويل\nbody: |\n" + paragraphs * 120, encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("render", article, "-o", tmp_path / "long.pdf", "--layout", "a4")
    assert result.code == 1 and message in result.err, result.err
    assert time.perf_counter() - started < 30
    assert not (tmp_path / "long.pdf").exists()


# Random article files: random Unicode, random YAML structures, Markdown and HTML.
_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=80)
_MARKUP = st.lists(
    st.sampled_from([
        "## عنوان", "**بند:** نص", "> اقتباس", "- بند", "1. أول", "<script>x</script>",
        "<img src=file:///etc/passwd>", "![x](/etc/passwd)", "[a](javascript:alert(1))",
        "{{ 7*7 }}", "&amp; &#x202e;", "\u202e\u200f", "```\ncode\n```", "|a|b|\n|-|-|",
    ]) | _TEXT,
    max_size=8,
).map("\n\n".join)  # fmt: skip
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT | _MARKUP,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_TEXT, children, max_size=3),
    max_leaves=8,
)
_ARTICLES = st.fixed_dictionaries(
    {"headline": _TEXT.filter(str.strip) | _VALUES},
    optional={
        "body": _MARKUP | _VALUES,
        "kicker": _TEXT | _VALUES,
        "deck": _MARKUP,
        "date": st.dates().map(str) | _TEXT,
        "image": st.fixed_dictionaries({}, optional={"caption": _TEXT, "src": _TEXT}) | _VALUES,
        "tags": st.lists(_TEXT, max_size=3) | _VALUES,
        "extra": _VALUES,
    },
)


# 40 examples in CI; SAHIFA_FUZZ_EXAMPLES=1000 for a longer hunt.
@settings(
    max_examples=int(os.environ.get("SAHIFA_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=_ARTICLES, raw=st.booleans(), garbage=st.binary(max_size=40))
def test_random_articles_render_or_fail_with_one_line_per_problem(
    data: dict, raw: bool, garbage: bytes, tmp_path_factory: pytest.TempPathFactory
) -> None:
    import yaml

    folder = tmp_path_factory.mktemp("fuzz")
    article = folder / "a.yaml"
    if raw:
        article.write_bytes(garbage + yaml.safe_dump(data, allow_unicode=True).encode())
    else:
        article.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    started = time.perf_counter()
    result = run_cli("render", article, "-o", folder / "a.pdf")
    assert time.perf_counter() - started < 60
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    if result.code == 0:
        assert (folder / "a.pdf").read_bytes().startswith(b"%PDF-")
    else:
        assert result.code == 1
        # One line per problem (every problem of the file is reported), each naming the file.
        errors = [line for line in result.err.strip().splitlines()
                  if not line.startswith("warning: ")]  # fmt: skip
        assert errors and all("a.yaml" in line and ": " in line for line in errors), result.err
        assert not (folder / "a.pdf").exists()


def test_the_time_limit_survives_an_alarm_a_finalizer_swallowed(tmp_path: Path) -> None:
    """Python drops an exception raised inside a finalizer or a weakref callback; the limit's
    alarm that lands in one must not let the render run on unbounded."""
    from sahifa.errors import SahifaError
    from sahifa.limits import _Expired, time_limit

    swallowed = []
    limited = time_limit(0.2, tmp_path / "article.yaml")
    with pytest.raises(SahifaError, match=r"took longer than 0\.2 s"), limited:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # work that outlives its budget
            try:
                time.sleep(0.01)
            except _Expired:  # what "Exception ignored in ..." does to the first alarm
                if swallowed:
                    raise
                swallowed.append(time.monotonic())
    assert swallowed
