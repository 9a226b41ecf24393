"""``sahifa new project`` and ``sahifa new edition``, and the placeholder slot they rely on.

New projects are made under ``tmp_path``, outside this repository: the repository's root holds
a ``sahifa.yaml``, and a project inside another is refused.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run_cli
from sahifa.content.edition import read_edition
from sahifa.content.plan import default_output, next_issue
from sahifa.content.yamlfile import parse_yaml
from sahifa.settings import load_settings

SAMPLES = REPO / "articles/2023/05/02"
SAMPLE_EDITION = "articles/2023/05/02/edition.yaml"
PLACEHOLDER_LINE = re.compile(
    r"^edition: (?P<file>\S+):(?P<line>\d+): pages\[(?P<page>\d+)\]\.stories\[\d+\]: story slot "
    r"'(?P<id>[^']+)' is a placeholder: assign an article"
)


def _new_project(tmp_path: Path, *options: str) -> Path:
    paper = tmp_path / "paper"
    result = run_cli("new", "project", paper, *options)
    assert result.code == 0, result.err
    return paper


def _placeholder_lines(err: str) -> list[re.Match[str]]:
    lines = err.strip().splitlines()
    matches = [PLACEHOLDER_LINE.match(line) for line in lines]
    assert all(matches), lines  # every line is one unfilled slot, nothing else
    return [m for m in matches if m]


# -- sahifa new project -----------------------------------------------------------------------


def test_new_project_writes_a_ready_project(tmp_path: Path) -> None:
    paper = _new_project(tmp_path, "--paper", "الأهرام", "--layout", "broadsheet",
                         "--digits", "western")  # fmt: skip
    files = sorted(str(p.relative_to(paper)) for p in paper.rglob("*") if p.is_file())
    assert files == [
        "README.md",
        "articles/2023/05/02/edition.yaml",
        "articles/2023/05/02/taqs-harara.yaml",
        "fonts/fonts.yaml",
        "layouts/broadsheet/layout.yaml",
        "layouts/broadsheet/style.css",
        "sahifa.yaml",
    ]
    settings, warnings = load_settings(paper)
    assert settings.paper == "الأهرام"
    assert (settings.layout, settings.digits) == ("broadsheet", "western")
    assert settings.masthead and settings.press is None and not warnings
    text = (paper / "sahifa.yaml").read_text(encoding="utf-8")
    assert "\n# press:\n" in text and "#   icc:" in text  # the preset is there, commented out
    layout = (paper / "layouts/broadsheet/layout.yaml").read_text(encoding="utf-8")
    assert "\nextends: builtin:broadsheet\n" in layout
    css = (paper / "layouts/broadsheet/style.css").read_text(encoding="utf-8")
    assert ":root { --grid-rule: 1pt; }" in css and css.rstrip().endswith("*/")  # commented
    fonts = parse_yaml((paper / "fonts/fonts.yaml").read_text(encoding="utf-8"), paper)
    assert fonts == {"builtin": "true", "fonts": []}
    # The sample article is the repository's, its words verbatim.
    sample = paper / "articles/2023/05/02/taqs-harara.yaml"
    assert sample.read_bytes() == (SAMPLES / "taqs-harara.yaml").read_bytes()
    edition = read_edition(paper / SAMPLE_EDITION)
    assert [s.id for s in edition.pages[0].slots] == ["taqs-harara"]
    readme = (paper / "README.md").read_text(encoding="utf-8")
    assert readme.startswith("# الأهرام\n") and f"sahifa render {SAMPLE_EDITION}" in readme


def test_new_project_paper_name_is_written_as_typed(tmp_path: Path) -> None:
    name = 'صحيفة "الغد": # العدد الأول'  # quotes, a colon and a hash: YAML must quote it
    paper = _new_project(tmp_path, "--paper", name)
    assert load_settings(paper)[0].paper == name


def test_new_project_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    (paper / "notes.txt").write_text("keep me", encoding="utf-8")
    result = run_cli("new", "project", paper)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "not empty" in lines[0] and "paper" in lines[0], lines
    assert [p.name for p in paper.iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["paper"]  # no staging folder left


def test_new_project_accepts_an_empty_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = tmp_path / "paper"
    paper.mkdir()
    monkeypatch.chdir(paper)  # "sahifa new project ." in the folder the shell is in
    assert run_cli("new", "project", ".").code == 0
    assert Path("sahifa.yaml").is_file() and Path.cwd().samefile(paper)  # the same folder
    assert [p.name for p in tmp_path.iterdir()] == ["paper"]  # no staging folder left


@pytest.mark.parametrize("where", ["tmp", "repository"])
def test_new_project_refuses_a_folder_inside_a_project(where: str, tmp_path: Path) -> None:
    if where == "tmp":
        outer = tmp_path / "outer"
        outer.mkdir()
        (outer / "sahifa.yaml").write_text("paper: x\n", encoding="utf-8")
        target = outer / "articles" / "paper"
    else:
        outer, target = REPO, REPO / "build" / "test-new-never-made" / "paper"
    result = run_cli("new", "project", target)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and f"inside the project {outer}" in lines[0], lines
    assert not target.exists() and not target.parent.exists()


def test_new_project_bad_options_are_usage_errors(tmp_path: Path) -> None:
    assert run_cli("new", "project", tmp_path / "p", "--layout", "tabloid2").code == 2
    assert run_cli("new").code == 2
    bad = run_cli("new", "project", tmp_path / "p", "--paper", "a\u202eb")
    assert bad.code == 1 and "U+202E" in bad.err
    assert not (tmp_path / "p").exists()


def test_new_project_renders_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``cd paper && sahifa render articles/…/edition.yaml``: the built-in layout and fonts."""
    paper = _new_project(tmp_path)
    monkeypatch.chdir(paper)
    result = run_cli("render", SAMPLE_EDITION)
    assert result.code == 0, result.err
    assert (paper / "build/edition.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize("layout", ["tabloid", "broadsheet", "a4"])
def test_sample_edition_fits_every_builtin_layout(
    layout: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = _new_project(tmp_path, "--layout", layout)
    monkeypatch.chdir(paper)
    result = run_cli("check", SAMPLE_EDITION)
    assert result.code == 0, result.out + result.err
    assert "nothing overset" in result.out


# -- sahifa new edition -----------------------------------------------------------------------


@pytest.fixture
def yesterday(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample issue (4512) in a throwaway project, with a Hijri override; cwd: project."""
    folder = project / "articles/2023/05/02"
    shutil.copytree(SAMPLES, folder)
    edition = folder / "edition.yaml"
    text = edition.read_text(encoding="utf-8")
    edition.write_text(text.replace("date: 2023-05-02\n", "date: 2023-05-02\n"
                                    "hijri_date: 1444-10-12\n"), encoding="utf-8")  # fmt: skip
    monkeypatch.chdir(project)
    return edition


def test_new_edition_plans_from_yesterday(yesterday: Path, project: Path) -> None:
    result = run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION)
    assert result.code == 0, result.err
    plan = project / "articles/2023/05/03/edition.yaml"  # the default: the date's folder
    assert "articles/2023/05/03/edition.yaml" in result.out and "issue 4513" in result.out
    warnings = result.err.strip().splitlines()
    assert len(warnings) == 1 and "hijri_date: not carried over" in warnings[0], warnings
    assert ":6: hijri_date:" in warnings[0]  # names the previous file's line

    before, after = read_edition(yesterday, (project,)), read_edition(plan)
    assert (after.issue, str(after.date), after.hijri_date) == ("4513", "2023-05-03", None)
    assert (after.layout, after.paper) == (before.layout, before.paper)
    assert [(p.template, p.section) for p in after.pages] == [
        (p.template, p.section) for p in before.pages
    ]
    for old_page, new_page in zip(before.pages, after.pages, strict=True):
        for old, new in zip(old_page.slots, new_page.slots, strict=True):
            geometry = ("column", "span", "row", "rows", "size", "overflow", "title", "continues")
            assert [getattr(new, k) for k in geometry] == [getattr(old, k) for k in geometry]
            assert new.articles == ()
            if old.kind == "continued":
                assert new.kind == "continued" and new.continues == "wahdat-al-jabahat"
            else:
                assert new.kind == "placeholder"
                if old.kind == "story":  # the story ids continued: slots name survive
                    assert new.id == old.id


def test_check_reports_every_unfilled_slot(yesterday: Path, project: Path) -> None:
    assert run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION).code == 0
    plan = "articles/2023/05/03/edition.yaml"
    result = run_cli("check", plan)
    assert result.code == 1
    found = _placeholder_lines(result.err)
    assert len(found) == 15  # 16 slots, one of them a continuation
    text = (project / plan).read_text(encoding="utf-8").splitlines()
    for match in found:
        assert match["file"] == plan
        assert text[int(match["line"]) - 1].strip().startswith("- placeholder: true")
    assert [m["page"] for m in found] == ["1"] * 4 + ["2"] * 4 + ["3"] * 3 + ["4"] * 4

    # Filling one slot (keeping its id) makes its line go away.
    filled = (project / plan).read_text(encoding="utf-8").replace(
        "- placeholder: true  # previous: article: taqs-harara.yaml",
        "- article: ../02/taqs-harara.yaml",
    )
    (project / plan).write_text(filled, encoding="utf-8")
    again = run_cli("check", plan)
    assert again.code == 1
    ids = [m["id"] for m in _placeholder_lines(again.err)]
    assert len(ids) == 14 and "taqs-harara" not in ids


def test_render_refuses_an_unfilled_plan(yesterday: Path, project: Path) -> None:
    assert run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION).code == 0
    out = project / "build/plan.pdf"
    result = run_cli("render", "articles/2023/05/03/edition.yaml", "-o", out)
    assert result.code == 1
    assert len(_placeholder_lines(result.err)) == 15
    assert not out.exists()


def test_a_filled_plan_checks_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The new project's own sample: plan tomorrow, assign its one slot, check passes."""
    paper = _new_project(tmp_path)
    monkeypatch.chdir(paper)
    result = run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION, "-o", "plan.yaml")
    assert result.code == 0 and "issue 2" in result.out, result.err
    plan = paper / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    assert "placeholder: true" in text and "id: taqs-harara" in text
    plan.write_text(re.sub(r"placeholder: true.*", "article: " + SAMPLE_EDITION.replace(
        "edition.yaml", "taqs-harara.yaml"), text), encoding="utf-8")  # fmt: skip
    checked = run_cli("check", "plan.yaml")
    assert checked.code == 0, checked.err


def test_new_edition_never_overwrites(yesterday: Path, project: Path) -> None:
    target = project / "articles/2023/05/03/edition.yaml"
    target.parent.mkdir(parents=True)
    target.write_text("mine\n", encoding="utf-8")
    result = run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION)
    assert result.code == 1 and "never overwrites" in result.err
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert [p.name for p in target.parent.iterdir()] == ["edition.yaml"]  # no temporary left


def test_new_edition_refuses_an_issue_that_is_not_a_number(yesterday: Path) -> None:
    text = yesterday.read_text(encoding="utf-8").replace('issue: "4512"', "issue: خاص")
    yesterday.write_text(text, encoding="utf-8")
    result = run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION, "-o", "x.yaml")
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "edition.yaml:4: issue:" in lines[0], lines
    assert "not a number" in lines[0] and not Path("x.yaml").exists()


@pytest.mark.parametrize("date", ["2023-5-3", "2023-02-30", "tomorrow"])
def test_new_edition_bad_date_is_a_usage_error(
    date: str, yesterday: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli("new", "edition", date, "--from", SAMPLE_EDITION)
    assert result.code == 2 and "expected a date as yyyy-mm-dd" in capsys.readouterr().err
    assert not Path("articles/2023/05/03").exists()


def test_next_issue_keeps_digits_and_width() -> None:
    assert next_issue("4512") == "4513"
    assert next_issue("0099") == "0100"
    assert next_issue("٤٥١٢") == "٤٥١٣"
    assert next_issue("٠٩٩") == "١٠٠"
    for bad in ("", "12a", "٤5", "-3", "4 512"):
        with pytest.raises(ValueError):
            next_issue(bad)


def test_default_output_follows_the_folder_scheme() -> None:
    import datetime as dt

    day = dt.date(2023, 6, 1)
    assert default_output(Path("/p/articles/2023/05/31/edition.yaml"), day) == Path(
        "/p/articles/2023/06/01/edition.yaml"
    )
    assert default_output(Path("/p/issues/2023-05-31/e.yaml"), day) == Path(
        "/p/issues/2023-06-01/e.yaml"
    )


# -- the placeholder slot in the edition format -----------------------------------------------

HEAD = 'issue: "1"\ndate: 2023-05-02\npages:\n  - template: front\n    stories:\n'


@pytest.mark.parametrize(
    ("slot", "message"),
    [
        ("      - placeholder: true\n        column: 1\n        span: 2\n        row: 1\n"
         "        rows: 2\n", "pages[1].stories[1].id: a placeholder needs an id:"),
        ("      - placeholder: false\n        id: a\n        column: 1\n        span: 2\n"
         "        row: 1\n        rows: 2\n", "placeholder: expected true"),
        ("      - placeholder: true\n        article: x.yaml\n        id: a\n        column: 1\n"
         "        span: 2\n        row: 1\n        rows: 2\n", "exactly one of article:"),
        ("      - placeholder: true\n        id: a\n        overflow: continue\n        column: 1\n"
         "        span: 2\n        row: 1\n        rows: 2\n", "no later page"),
    ],
    ids=["no-id", "false", "two-kinds", "continue-without-jump"],
)  # fmt: skip
def test_bad_placeholder_slots(slot: str, message: str, project: Path, tmp_path: Path) -> None:
    edition = project / "articles/edition.yaml"
    (project / "articles/x.yaml").write_text("headline: x\n", encoding="utf-8")
    edition.write_text(HEAD + slot, encoding="utf-8")
    result = run_cli("check", edition)
    assert result.code == 1
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "edition.yaml" in lines[0] and message in lines[0], lines


def test_new_edition_refuses_a_plan_that_would_not_read_back(yesterday: Path) -> None:
    """An id carried over from yesterday that tonight's reader refuses is named at once."""
    text = yesterday.read_text(encoding="utf-8").replace(
        "      - article: wahdat-al-jabahat.yaml\n",
        '      - article: wahdat-al-jabahat.yaml\n        id: "x\\e]0;pwned\\a"\n', 1)
    yesterday.write_text(text, encoding="utf-8")
    result = run_cli("new", "edition", "2023-05-03", "--from", SAMPLE_EDITION, "-o", "x.yaml")
    assert result.code == 1 and "would not read back" in result.err, result.err
    assert "\x1b" not in result.err and not Path("x.yaml").exists()
