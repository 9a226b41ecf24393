"""Resources load only from the project's asset folders, through the one fetcher."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO, run_cli

IMAGE = REPO / "articles/2023/05/02/images/book-fair.jpg"


def _article(project: Path, body: str) -> Path:
    folder = project / "articles" / "story"
    folder.mkdir(exist_ok=True)
    shutil.copy(IMAGE, folder / "photo.jpg")
    path = folder / "a.yaml"
    path.write_text(f"headline: خبر\nbody: |\n  {body}\n", encoding="utf-8")
    return path


def test_image_in_the_article_folder_loads(project: Path, tmp_path: Path) -> None:
    article = _article(project, "![صورة](photo.jpg)")
    result = run_cli("render", article, "-o", tmp_path / "a.pdf")
    assert result.code == 0, result.err
    assert "refused" not in result.err


def test_local_files_outside_the_project_are_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    shutil.copy(IMAGE, secret)
    (project / "articles" / "story").mkdir()
    (project / "articles" / "story" / "link.jpg").symlink_to(secret)
    # (markdown-it itself drops file: links; the fetcher is the guard behind it.)
    for url in [
        "../../../secret.png",
        "%2e%2e/%2e%2e/%2e%2e/secret.png",
        "link.jpg",
        "https://example.com/x.jpg",
    ]:
        article = _article(project, f"![صورة]({url})")
        out = tmp_path / "a.pdf"
        result = run_cli("render", article, "-o", out)
        assert result.code == 0, result.err
        assert "resource: " in result.err and "refused" in result.err, (url, result.err)
        assert "Failed to load" not in result.err  # WeasyPrint's echo is the same event
        assert out.stat().st_size < 60_000, url  # the 97 kB photo was not embedded


def test_image_src_outside_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.jpg"
    shutil.copy(IMAGE, secret)
    article = project / "articles" / "a.yaml"
    article.write_text(f"headline: خبر\nimage:\n  src: {secret}\n", encoding="utf-8")
    out = tmp_path / "a.pdf"
    result = run_cli("render", article, "-o", out)
    # Refused where it is written (README, "Trust model"): file, line and key, no PDF.
    assert result.code == 1 and not out.exists()
    assert "a.yaml:3: image.src: " in result.err and "absolute path" in result.err
