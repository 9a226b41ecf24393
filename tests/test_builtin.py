"""The layouts and fonts that ship with sahifa: one copy, in the wheel, resolved after a
project's own, pinned (not attached) in archives, and vendored to freeze a paper's pages."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pikepdf
import pytest

from conftest import REPO, SEED, run_cli
from sahifa import __version__

SAMPLE = "brief-qamh.yaml"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def small_project(folder: Path, layout: str = "extends: builtin:tabloid\n",
                  style: str | None = None) -> Path:  # fmt: skip
    """A project that keeps nothing of its own but a layout extending a built-in one."""
    folder.mkdir(parents=True)
    shutil.copy(REPO / "sahifa.yaml", folder / "sahifa.yaml")
    (folder / "layouts" / "tabloid").mkdir(parents=True)
    (folder / "layouts" / "tabloid" / "layout.yaml").write_text(layout, encoding="utf-8")
    if style is not None:
        (folder / "layouts" / "tabloid" / "style.css").write_text(style, encoding="utf-8")
    (folder / "fonts").mkdir()
    (folder / "fonts" / "fonts.yaml").write_text("builtin: true\nfonts: []\n", encoding="utf-8")
    (folder / "articles").mkdir()
    shutil.copytree(SEED.parent / "images", folder / "articles" / "images")
    for name in (SEED.name, SAMPLE):
        shutil.copy(SEED.parent / name, folder / "articles" / name)
    return folder


def _render(project: Path, out: Path, *extra: str) -> bytes:
    article = SEED if project == REPO else project / "articles" / SEED.name
    result = run_cli("render", article, "-o", out, *extra)
    assert result.code == 0, result.err
    return out.read_bytes()


def test_a_layout_that_only_extends_a_builtin_renders_byte_identically(tmp_path: Path) -> None:
    builtin_only = _render(REPO, tmp_path / "repo.pdf")  # the repository's layouts ARE them
    paper = small_project(tmp_path / "paper")
    assert _sha(_render(paper, tmp_path / "paper.pdf")) == _sha(builtin_only)


def test_overriding_one_custom_property_equals_editing_it(tmp_path: Path) -> None:
    edited = small_project(tmp_path / "edited", "extends: builtin:tabloid\nimage:\n"
                           "  height: 100mm\n")  # fmt: skip
    overridden = small_project(tmp_path / "overridden",
                               style=":root { --image-height: 100mm; }\n")  # fmt: skip
    a = _render(edited, tmp_path / "edited.pdf")
    b = _render(overridden, tmp_path / "overridden.pdf")
    assert _sha(a) == _sha(b)
    assert _sha(a) != _sha(_render(REPO, tmp_path / "repo.pdf"))  # the edit shows


def test_a_pdf_a_pins_builtin_files_and_never_attaches_them(tmp_path: Path) -> None:
    paper = small_project(tmp_path / "paper")
    out = tmp_path / "a.pdf"
    _render(paper, out, "--pdf-variant", "pdf/a-3b")
    with pikepdf.open(out) as pdf:
        names = set(pdf.attachments.keys())
        record = json.loads(pdf.attachments["sahifa-inputs.json"].get_file().read_bytes())
    # The sources and the paper's settings; no layout, template, stylesheet or font file.
    assert names == {"articles/wahdat-al-jabahat.yaml", "sahifa.yaml", "sahifa-inputs.json"}
    assert record["sahifa"] == __version__
    pinned = record["pinned"]
    assert pinned["layouts/tabloid/layout.yaml"]  # the project's own file, by its path
    font = _sha((REPO / "fonts" / "NotoNaskhArabic-Regular.ttf").read_bytes())
    assert pinned["builtin:fonts/NotoNaskhArabic-Regular.ttf"] == font
    assert pinned["builtin:layouts/base/style.css"] == _sha(
        (REPO / "layouts" / "base" / "style.css").read_bytes())  # fmt: skip


def test_vendoring_freezes_the_pages(tmp_path: Path) -> None:
    paper = small_project(tmp_path / "paper")
    before = _render(paper, tmp_path / "before.pdf")
    result = run_cli("layout", "vendor", "tabloid", "--project", paper)
    assert result.code == 0, result.err
    copy = "tabloid-sahifa-" + __version__.replace(".", "-")
    assert (paper / "layouts" / copy / "style.css").is_file()
    assert (paper / "layouts" / "base" / "edition.html.j2").is_file()
    assert f"extends: {copy}" in (paper / "layouts" / "tabloid" / "layout.yaml").read_text()
    assert "builtin: false" in (paper / "fonts" / "fonts.yaml").read_text()
    assert (paper / "fonts" / "NotoNaskhArabic-Regular.ttf").is_file()
    after = _render(paper, tmp_path / "after.pdf")
    assert _sha(after) == _sha(before)
    _render(paper, tmp_path / "a.pdf", "--pdf-variant", "pdf/a-3b")
    with pikepdf.open(tmp_path / "a.pdf") as pdf:
        record = json.loads(pdf.attachments["sahifa-inputs.json"].get_file().read_bytes())
    assert not [k for k in record["pinned"] if k.startswith("builtin:")]  # all the paper's own


def test_a_pinned_version_that_differs_warns(tmp_path: Path) -> None:
    paper = small_project(tmp_path / "paper")
    settings = paper / "sahifa.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + 'sahifa: "0.0.1"\n', "utf-8")
    result = run_cli("check", paper / "articles" / SAMPLE)
    assert "pins sahifa 0.0.1" in result.err and "sahifa layout vendor" in result.err


def _tracked(folder: str) -> dict[str, str]:
    base = REPO / folder
    return {p.relative_to(base).as_posix(): _sha(p.read_bytes())
            for p in base.rglob("*") if p.is_file()}  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built offline with what scripts/setup.sh installs."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-build-isolation",
                    "--no-deps", "--no-index", "-w", str(out), str(REPO)],
                   check=True, capture_output=True, timeout=600)  # fmt: skip
    return next(out.glob("sahifa-*.whl"))


def test_the_wheel_carries_one_copy_of_every_layout_font_and_licence(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        files = {n: _sha(archive.read(n)) for n in archive.namelist()}
    for folder in ("layouts", "fonts"):
        for name, digest in _tracked(folder).items():
            assert files.get(f"sahifa/builtin/{folder}/{name}") == digest, (folder, name)


def test_the_installed_wheel_works_outside_the_repository(wheel: Path, tmp_path: Path) -> None:
    """Not editable, in a fresh environment outside the repository: sahifa comes from that
    environment (its dependencies from the test environment, offline)."""
    env_dir = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True,
                   timeout=120)  # fmt: skip
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                                "get_paths()['purelib'])"], check=True, capture_output=True,
                               text=True).stdout.strip())  # fmt: skip
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                    "--target", str(site), str(wheel)], check=True, capture_output=True,
                   timeout=300)  # fmt: skip
    # The dependencies, from the test environment (sahifa's own editable path is not added:
    # .pth files of an added folder are not read).
    (site / "zz-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", "utf-8")
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

    def sahifa(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(python), "-m", "sahifa", *args], capture_output=True,
                              text=True, cwd=cwd, env=env, timeout=300, check=False)  # fmt: skip

    where = subprocess.run([str(python), "-c", "import sahifa; print(sahifa.__file__)"],
                           check=True, capture_output=True, text=True, cwd=work,
                           env=env).stdout.strip()  # fmt: skip
    assert Path(where).is_relative_to(env_dir), where
    # A new user's first steps: a project, its sample edition, tomorrow's plan.
    made = sahifa("new", "project", "paper", cwd=work)
    assert made.returncode == 0, made.stderr
    paper = work / "paper"
    edition = "articles/2023/05/02/edition.yaml"
    done = sahifa("render", edition, "-o", str(tmp_path / "out.pdf"), cwd=paper)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    plan = sahifa("new", "edition", "2023-05-03", "--from", edition, cwd=paper)
    assert plan.returncode == 0, plan.stderr
    unfilled = sahifa("check", "articles/2023/05/03/edition.yaml", cwd=paper)
    assert unfilled.returncode == 1 and "is a placeholder" in unfilled.stderr, unfilled.stderr


def test_vendoring_checks_everything_before_writing(tmp_path: Path) -> None:
    paper = small_project(tmp_path / "paper")
    assert run_cli("layout", "vendor", "tabloid", "--project", paper).code == 0
    layouts = sorted(p.name for p in (paper / "layouts").iterdir())
    again = run_cli("layout", "vendor", "tabloid", "--project", paper)
    assert again.code == 1 and "nothing was changed" in again.err, again.err
    assert sorted(p.name for p in (paper / "layouts").iterdir()) == layouts
    broken = small_project(tmp_path / "broken")
    (broken / "fonts" / "fonts.yaml").write_text("fonts: 5\n", encoding="utf-8")
    refused = run_cli("layout", "vendor", "tabloid", "--project", broken)
    assert refused.code == 1 and "fonts.yaml" in refused.err
    assert sorted(p.name for p in (broken / "layouts").iterdir()) == ["tabloid"]


def test_vendored_fonts_yaml_reads_back_whatever_the_values(tmp_path: Path) -> None:
    paper = small_project(tmp_path / "paper")
    shutil.copy(REPO / "fonts" / "DejaVuSans.ttf", paper / "fonts" / "Own.ttf")
    licence = paper / "fonts" / "lic\\x.txt"
    licence.write_text("licence", encoding="utf-8")
    digest = _sha((paper / "fonts" / "Own.ttf").read_bytes())
    (paper / "fonts" / "fonts.yaml").write_text(
        f"builtin: true\nfonts:\n  - file: Own.ttf\n    sha256: {digest}\n"
        f"    licence: 'lic\\x.txt'\n    source: \"a: b # c\"\n", encoding="utf-8")  # fmt: skip
    assert run_cli("layout", "vendor", "tabloid", "--project", paper).code == 0
    result = run_cli("check", paper / "articles" / SAMPLE)
    assert result.code == 0, result.err
