"""Article bodies: Markdown to safe HTML, run-in heads, digits, template syntax."""

from __future__ import annotations

from pathlib import Path

from conftest import run_cli
from sahifa.markup import render_body
from textlayer import pdfium_text


def test_raw_html_is_removed_and_reported() -> None:
    body = render_body(
        'نص <script>alert(1)</script> <img src="file:///etc/passwd">\n\n<iframe src=x></iframe>\n'
    )
    assert "<script" not in body.html and "<img" not in body.html and "<iframe" not in body.html
    assert [line for line, _ in body.removed_html] == [1, 1, 1, 3]


def test_run_in_heads_subheads_and_direction() -> None:
    html = render_body("**البعد الدبلوماسي:** نص\n\n## وحدة الجبهات\n\n# عنوان\n").html
    assert (
        '<p dir="rtl" class="run-in"><strong class="run-in-head">البعد الدبلوماسي:</strong>' in html
    )
    assert '<h2 dir="rtl">وحدة الجبهات</h2>' in html
    assert "<h1" not in html  # the headline is the page's only h1


def test_digits_outside_links_and_code_only() -> None:
    html = render_body("عام 2020 [تقرير 5](https://x.com/5) و`v2` و https://x.org/3").html
    assert "عام ٢٠٢٠" in html
    assert 'href="https://x.com/5">تقرير ٥</a>' in html  # the target keeps its digits
    assert "<code>v2</code>" in html
    assert '<bdi dir="ltr" class="address">https://x.org/3</bdi>' in html


def test_autolinks_are_isolated_left_to_right() -> None:
    html = render_body("انظر <https://example.com/2023/05> الآن").html
    assert '<bdi dir="ltr" class="address">https://example.com/2023/05</bdi></a>' in html


def test_template_syntax_in_articles_prints_literally(project: Path, tmp_path: Path) -> None:
    article = project / "articles" / "a.yaml"
    article.write_text(
        'headline: "{{ 7*7 }} <b>عاجل</b>"\nbody: "{% if true %}نص{% endif %}"\n',
        encoding="utf-8",
    )
    out, html = tmp_path / "a.pdf", tmp_path / "a.html"
    assert run_cli("render", article, "-o", out, "--html", html).code == 0
    page = html.read_text(encoding="utf-8")
    assert "{{ ٧*٧ }} &lt;b&gt;عاجل&lt;/b&gt;" in page  # autoescaped, never evaluated
    assert "{% if true %}نص{% endif %}" in page
    text = pdfium_text(out)  # (PDFium mirrors the brackets of an RTL line: check pieces)
    assert "عاجل" in text and "endif" in text and "٧*٧" in text
    assert "49" not in text and "٤٩" not in text
