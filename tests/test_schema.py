"""Every YAML file kind reports all its problems in one run, each with file:line:key, and
unknown keys warn in content (articles, editions) and fail in configuration."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO, run_cli

ISSUE = REPO / "articles/2023/05/02"


def _problems(result_err: str, file: str) -> list[str]:
    return [line for line in result_err.strip().splitlines()
            if not line.startswith("warning: ") and file in line]  # fmt: skip


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def _article(project: Path) -> Path:
    return _write(project / "articles" / "a.yaml", "headline: خبر\nbody: نص.\n")


# kind: (how to make the bad file, the file named, the keys each problem names)
def bad_article(project: Path) -> Path:
    return _write(project / "articles" / "a.yaml",
                  "headline: [x]\ndate: 2023-13-45\ntags: {a: b}\nkicker: ok\n")  # fmt: skip


def bad_edition(project: Path) -> Path:
    _article(project)
    return _write(project / "articles" / "edition.yaml", (
        'issue: "1"\ndate: 2023-05-02\nhijri_date: 1444-13-40\npages:\n'
        "  - template: front\n    stories:\n      - article: a.yaml\n        column: one\n"
        "        span: 2\n        row: 1\n        rows: 2\n        overflow: spill\n"))  # fmt: skip


def bad_settings(project: Path) -> Path:
    settings = project / "sahifa.yaml"
    text = settings.read_text(encoding="utf-8").replace("digits: arabic-indic", "digits: roman")
    settings.write_text(text + "limits:\n  pages: many\nsize: A3\n", encoding="utf-8")
    return _article(project)


def bad_layout(project: Path) -> Path:
    _write(project / "layouts" / "tabloid" / "layout.yaml",
           "extends: base\ngrid:\n  columns: five\n  gap: 5 mm\ncolour: red\n")  # fmt: skip
    return _article(project)


def bad_fonts(project: Path) -> Path:
    manifest = project / "fonts" / "fonts.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("  - file: NotoSerif-Regular.ttf\n", "  - file: NotoSerif-Regular.ttf\n"
                        "    style: upright\n", 1)  # fmt: skip
    text = text.replace("sha256: 8c67", "sha256: zz67", 1)
    manifest.write_text(text, encoding="utf-8")
    return _article(project)


def bad_press(project: Path) -> Path:
    settings = project / "sahifa.yaml"
    text = settings.read_text(encoding="utf-8")
    text = text.replace("variant: pdf/x-4", "variant: pdf/x-9").replace(
        "ink_limit: 300", "ink_limit: 900")
    settings.write_text(text, encoding="utf-8")
    return _article(project)


CASES = {
    "article": (bad_article, "a.yaml", ["headline", "date", "tags"]),
    "edition": (bad_edition, "edition.yaml",
                ["hijri_date", "pages[1].stories[1].column", "pages[1].stories[1].overflow"]),
    "sahifa.yaml": (bad_settings, "sahifa.yaml", ["digits", "limits.pages", "size"]),
    "layout.yaml": (bad_layout, "layout.yaml", ["grid.columns", "grid.gap", "colour"]),
    "fonts.yaml": (bad_fonts, "fonts.yaml", ["fonts[1].sha256", "fonts[3].style"]),
    "press": (bad_press, "sahifa.yaml", ["press.variant", "press.ink_limit"]),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(CASES))
def test_every_problem_of_a_file_in_one_run(kind: str, project: Path) -> None:
    make, file, keys = CASES[kind]
    result = run_cli("check", make(project))
    assert result.code == 1 and "internal error" not in result.err, result.err
    problems = _problems(result.err, file)
    assert len(problems) == len(keys), result.err
    for key, line in zip(keys, problems, strict=True):
        # file:line: key: — the problems in the order of the file's lines
        assert f": {key}: " in line and line.split(f"{file}:")[1][:1].isdigit(), (key, line)


def test_the_crashes_of_the_review_are_clean_errors(project: Path) -> None:
    edition = bad_edition(project)
    result = run_cli("render", edition, "-o", project / "x.pdf")
    assert "edition.yaml:3: hijri_date: a Hijri date has" in result.err, result.err
    bad_layout(project)
    result = run_cli("check", project / "articles" / "a.yaml")
    assert "layout.yaml:3: grid.columns: expected a whole number from 1 to 24, got 'five'" in (
        result.err)  # fmt: skip
    assert "internal error" not in result.err


def test_unknown_keys_warn_in_content_and_fail_in_configuration(project: Path) -> None:
    article = _write(project / "articles" / "a.yaml", "headline: خبر\nheadlin: x\n")
    content = run_cli("check", article)
    assert content.code == 0 and "warning: article: " in content.err and "headlin" in content.err
    _append(project / "sahifa.yaml", "papr: x\n")
    config = run_cli("check", article)
    assert config.code == 1 and "sahifa.yaml" in config.err and "papr: unknown key" in config.err


ODD_VALUES = ["", "~", "[]", "{}", '"²"', '"\\0"', "1" * 5000, '"٣"', "[[1]]"]
EDITION_KEYS = ["issue", "date", "hijri_date", "layout", "paper", "pages", "page.template",
                "page.section", "page.stories", "slot.article", "slot.briefs", "slot.continued",
                "slot.placeholder", "slot.id", "slot.column", "slot.span", "slot.size"]  # fmt: skip


def _odd_edition(key: str, value: str) -> str:
    top = {"issue": '"1"', "date": "2023-05-02", "layout": "tabloid", "paper": "x"}
    page = {"template": "front", "section": "x"}
    slot = {"article": "a.yaml", "column": "1", "span": "2", "row": "1", "rows": "2"}
    where, _, name = key.rpartition(".")
    target = {"": top, "page": page, "slot": slot}[where]
    target[name] = value
    if name in ("briefs", "continued", "placeholder"):
        slot.pop("article")
    if name == "pages":
        return "".join(f"{k}: {v}\n" for k, v in top.items())
    if name == "stories":
        body = f"    stories: {page.pop('stories')}\n"
    else:
        body = "    stories:\n      - " + "\n        ".join(f"{k}: {v}" for k, v in slot.items())
    return ("".join(f"{k}: {v}\n" for k, v in top.items()) + "pages:\n  - "
            + "\n    ".join(f"{k}: {v}" for k, v in page.items()) + "\n" + body + "\n")


@pytest.mark.parametrize("value", ODD_VALUES)
@pytest.mark.parametrize("key", EDITION_KEYS)
def test_odd_values_anywhere_in_an_edition_are_located_problems(
    key: str, value: str, project: Path
) -> None:
    """Empty, null, a list, a mapping, "²", NUL, 5000 digits, Arabic-Indic digits, nested
    lists: in every field an edition has — an answer or a located problem, never a crash."""
    _article(project)
    edition = _write(project / "articles" / "e.yaml", _odd_edition(key, value))
    result = run_cli("check", edition)
    assert "internal error" not in result.err and "Traceback" not in result.err, result.err
    if result.code != 0:
        problems = [line for line in result.err.splitlines() if not line.startswith("warning")]
        fitting = re.search(r"\d+ overset, \d+ underset", result.out)  # a page that lays out
        assert (problems or fitting) and all(": " in line for line in problems), result.err


def test_unusual_digits_are_not_whole_numbers(project: Path) -> None:
    bad_layout(project)
    layout = project / "layouts" / "tabloid" / "layout.yaml"
    layout.write_text("extends: base\ngrid:\n  columns: \"²\"\n", encoding="utf-8")
    result = run_cli("check", project / "articles" / "a.yaml")
    assert result.code == 1 and "grid.columns: expected a whole number" in result.err
