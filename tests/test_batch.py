"""Archive batches: parallel warm workers, isolation, manifest, resume after kill -9."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdfium2 as pdfium

from conftest import REPO, run_cli
from sahifa.archive.verify import verified_input_hash

ISSUE = REPO / "articles/2023/05/02"
SHORT = ["brief-qamh.yaml", "brief-qanat.yaml", "taqs-harara.yaml", "sehha-tatim.yaml"]


def _corpus(project: Path, names: list[str] = SHORT) -> Path:
    src = project / "articles" / "archive"
    for year, name in enumerate(names):
        folder = src / str(1990 + year)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy(ISSUE / name, folder / name)
    return src


def _manifest(out: Path) -> list[dict]:
    lines = (out / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_batch_isolates_bad_items_and_renders_the_rest(project: Path, tmp_path: Path) -> None:
    src = _corpus(project)
    (src / "broken.yaml").write_text("headline: خبر\nbody: [unclosed\n", encoding="utf-8")
    (src / "no-image.yaml").write_text(
        "headline: خبر\nimage:\n  src: missing.jpg\n", encoding="utf-8"
    )
    body = (ISSUE / "wahdat-al-jabahat.yaml").read_text(encoding="utf-8").split("body: |\n")[1]
    (src / "huge.yaml").write_text("headline: طويل\nbody: |\n" + body * 150, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", src, "--project", project, "-o", out, "--jobs", "2", "--timeout", "4")
    assert result.code == 1
    failed = {r["input"]: r["error"] for r in _manifest(out) if r["status"] == "failed"}
    assert set(failed) == {"broken.yaml", "no-image.yaml", "huge.yaml"}
    assert "malformed YAML" in failed["broken.yaml"]
    assert "image file not found: missing.jpg" in failed["no-image.yaml"]
    assert "took longer than 4 s" in failed["huge.yaml"]
    for year, name in enumerate(SHORT):  # the tree is mirrored, every good item rendered
        pdf = out / str(1990 + year) / name.replace(".yaml", ".pdf")
        assert len(pdfium.PdfDocument(pdf)) >= 1
    assert "4 rendered" in result.out and "3 failed" in result.out
    for name in failed:
        assert f"failed: {name}: " in result.out


def test_two_runs_are_byte_identical_and_carry_their_input_hash(
    project: Path, tmp_path: Path
) -> None:
    src = _corpus(project)
    shutil.copytree(ISSUE / "images", src / "images")
    for run in ("a", "b"):
        batch = run_cli("batch", src, "--project", project, "-o", tmp_path / run, "--jobs", "2")
        assert batch.code == 0
    first, second = _manifest(tmp_path / "a"), _manifest(tmp_path / "b")
    assert {r["input"]: r["sha256"] for r in first} == {r["input"]: r["sha256"] for r in second}
    for record in first:
        output = Path(record["output"])
        assert verified_input_hash(output) == record["input_hash"]
        assert record["stories"] and record["pages"] >= 1


def test_resume_after_kill_9_finishes_without_rendering_twice(
    project: Path, tmp_path: Path
) -> None:
    names = SHORT + ["ahly-afrika.yaml", "sudan-hudna.yaml", "qitar-kahraba.yaml"] * 2
    src = project / "articles" / "archive"
    for number, name in enumerate(names):
        folder = src / f"issue-{number:02d}"
        folder.mkdir(parents=True)
        shutil.copy(ISSUE / name, folder / name)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sahifa", "batch", str(src), "-o", str(out), "--jobs", "2"]
    process = subprocess.Popen(
        command, cwd=project, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    manifest = out / "manifest.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline:
        if manifest.is_file() and len(manifest.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the coordinator and its workers, mid-batch
    process.wait()
    before = {r["input"]: r for r in _manifest(out) if r["status"] == "ok"}
    assert 3 <= len(before) < len(names)
    mtimes = {key: Path(r["output"]).stat().st_mtime_ns for key, r in before.items()}
    result = run_cli("batch", src, "--project", project, "-o", out, "--jobs", "2", "--resume")
    assert result.code == 0, result.out
    assert f"{len(before)} unchanged" in result.out
    for key, record in before.items():  # no finished item was rendered again
        assert Path(record["output"]).stat().st_mtime_ns == mtimes[key]
    final = {r["input"]: r for r in _manifest(out)}
    assert len(final) == len(names) and all(r["status"] == "ok" for r in final.values())
    for record in final.values():  # every PDF whole, and the one the manifest names
        output = Path(record["output"])
        assert len(pdfium.PdfDocument(output)) >= 1
        assert verified_input_hash(output) == record["input_hash"]
    assert not list(out.rglob("*.tmp"))
    again = run_cli("batch", src, "--project", project, "-o", out, "--resume")
    assert f"{len(names)} unchanged" in again.out and "0 rendered" in again.out


def test_a_batch_removes_the_half_written_files_a_killed_one_left(
    project: Path, tmp_path: Path
) -> None:
    """``kill -9`` during a PDF's write leaves ``.NAME.pdf.XXXX.tmp`` beside it; the next
    batch into that folder removes those of its items, and nothing else."""
    src = _corpus(project, SHORT[:2])
    out = tmp_path / "out"
    first = run_cli("batch", src, "--project", project, "-o", out)
    assert first.code == 0, first.out
    pdfs = sorted(out.rglob("*.pdf"))
    stale = [pdf.parent / f".{pdf.name}.k1ll3d.tmp" for pdf in pdfs]
    for path in stale:
        path.write_bytes(b"%PDF-1.7 half")
    kept = [out / "notes.tmp", pdfs[0].parent / ".other.pdf.x.tmp"]
    for path in kept:
        path.write_bytes(b"not ours")
    again = run_cli("batch", src, "--project", project, "-o", out, "--resume")
    assert again.code == 0, again.out
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)


def test_dask_cluster_gives_the_same_bytes(project: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    src = _corpus(project, SHORT[:3])
    (src / "broken.yaml").write_text("headline: [x\n", encoding="utf-8")
    local = run_cli("batch", src, "--project", project, "-o", tmp_path / "local", "--jobs", "2")
    assert local.code == 1
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:  # fmt: skip
        result = run_cli(
            "batch", src, "--project", project, "-o", tmp_path / "dask",
            "--scheduler", cluster.scheduler_address,
        )  # fmt: skip
    assert result.code == 1 and "3 rendered" in result.out and "1 failed" in result.out
    local = {r["input"]: r.get("sha256") for r in _manifest(tmp_path / "local")}
    remote = {r["input"]: r.get("sha256") for r in _manifest(tmp_path / "dask")}
    assert local == remote and len([v for v in local.values() if v]) == 3


def test_pdf_a_archive_carries_its_sources_and_extract_restores_them(
    project: Path, tmp_path: Path
) -> None:
    import pikepdf

    src = project / "articles" / "archive"
    shutil.copytree(ISSUE, src)
    out = tmp_path / "out"
    result = run_cli("batch", src, "--project", project, "-o", out, "--pdf-variant", "pdf/a-3b",
                     "--jobs", "2")  # fmt: skip
    assert result.code == 0, result.out
    pdf_path = out / "edition.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf's structural check
        with pdf.open_metadata() as xmp:
            assert xmp["pdfaid:part"] == "3" and xmp["pdfaid:conformance"] == "B"
        intents = pdf.Root.OutputIntents
        assert any(intent.S == "/GTS_PDFA1" for intent in intents)
        files = pdf.Root.Names.EmbeddedFiles.Names
        specs = [files[i + 1] for i in range(0, len(files), 2)]
        af = {spec.objgen for spec in pdf.Root.AF}
        assert specs and all(spec.objgen in af and "/AFRelationship" in spec for spec in specs)
        for page in pdf.pages:  # every font embedded
            for font in page.Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
            # The output intent is sRGB: the layouts' CMYK colours must be written as RGB.
            operators = {str(op) for _, op in pikepdf.parse_content_stream(page)}
            assert not operators & {"k", "K"}, "DeviceCMYK in a PDF/A with an sRGB intent"
            spaces = {str(operands[0]) for operands, op in pikepdf.parse_content_stream(page)
                      if str(op) in ("cs", "CS")}  # fmt: skip
            assert "/DeviceCMYK" not in spaces
    restored = tmp_path / "restored"
    extracted = run_cli("extract", pdf_path, "-o", restored)
    assert extracted.code == 0, extracted.err
    for name in ["edition.yaml", "wahdat-al-jabahat.yaml", "images/metro.jpg"]:
        original = src / name
        copy = restored / "articles" / "archive" / name
        assert copy.read_bytes() == original.read_bytes(), name
    record = json.loads((restored / "sahifa-inputs.json").read_text(encoding="utf-8"))
    assert record["input_hash"] and "fonts/NotoNaskhArabic-Regular.ttf" in record["pinned"]
    # Reproducible for PDF/A too: a second run gives the same bytes.
    again = tmp_path / "again"
    again_run = run_cli("batch", src, "--project", project, "-o", again,
                        "--pdf-variant", "pdf/a-3b")  # fmt: skip
    assert again_run.code == 0
    assert (again / "edition.pdf").read_bytes() == pdf_path.read_bytes()


def test_extract_refuses_names_that_escape(seed_pdf: Path, tmp_path: Path) -> None:
    import pikepdf

    from sahifa.archive.extract import safe_target

    for name in ["../evil.txt", "/etc/evil", "a/../../evil", "C:/evil", ""]:
        assert safe_target(tmp_path, name) is None, name
    assert safe_target(tmp_path, "articles/a.yaml") == (tmp_path / "articles/a.yaml").resolve()
    hostile = tmp_path / "hostile.pdf"
    with pikepdf.open(seed_pdf) as pdf:
        for name, data in (("../../evil.txt", b"evil"), ("ok.txt", b"fine")):
            pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
        pdf.save(hostile)
    result = run_cli("extract", hostile, "-o", tmp_path / "out")
    assert result.code == 1 and "refused attachment name '../../evil.txt'" in result.err
    assert (tmp_path / "out" / "ok.txt").read_bytes() == b"fine"
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path.parent / "evil.txt").exists()


def test_batch_text_writes_each_pdfs_stories_beside_it_and_resume_keeps_them(
    project: Path, tmp_path: Path
) -> None:
    src = _corpus(project, SHORT[:2])
    out = tmp_path / "out"
    assert run_cli("batch", src, "--project", project, "-o", out, "--jobs", "1", "--text").code == 0
    for year, name in enumerate(SHORT[:2]):
        pdf = out / str(1990 + year) / name.replace(".yaml", ".pdf")
        data = json.loads(pdf.with_name(pdf.stem + ".text.json").read_text(encoding="utf-8"))
        assert data == json.loads(run_cli("text", pdf, "--json").out) | {"pdf": pdf.name}
        (story,) = data["stories"]
        assert story["story"] == name.removesuffix(".yaml") and story["pages"] == [1]
    # --resume renders nothing again but writes a text that went missing.
    missing = out / "1990" / (SHORT[0].replace(".yaml", ".text.json"))
    missing.unlink()
    result = run_cli("batch", src, "--project", project, "-o", out, "--resume", "--text")
    assert result.code == 0 and "2 unchanged" in result.out and missing.exists()
