"""Corpus runs: discovery, failures, duplicates, atomic batches, resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from corpus_util import (
    OWN_DUPLICATES,
    OWN_FAILED,
    OWN_FILES,
    OWN_OK,
    add_pdnc_chapters,
    canonical_tables,
    copy_own_corpus,
    duplicate_keys,
)
from ficnlp import batch, dataset
from ficnlp.batch import CorpusProgress, discover_inputs, run_corpus
from ficnlp.config import Config
from ficnlp.engines import InlineEngine, LocalEngine
from ficnlp.errors import InputError
from ficnlp.write.parquet import ALL_TABLES


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_own_corpus(tmp_path / "in")


def _run(inputs: list[Path], out: Path, **kw: object) -> batch.CorpusSummary:
    kw.setdefault("engine", InlineEngine())
    return run_corpus([str(p) for p in inputs], out, **kw)  # type: ignore[arg-type]


def test_batch_discover_inputs_sorted_recursive_and_filtered(corpus: Path, tmp_path: Path) -> None:
    found = list(discover_inputs([str(corpus)]))
    rel = [os.path.relpath(p, corpus) for p in found]
    assert "README.md" not in rel  # not a story suffix
    assert rel[:3] == ["bakery.txt", "empty.txt", "garden.txt"]
    assert rel[3:7] == [
        str(Path("harbour") / n) for n in ("ferry.txt", "lighthouse-copy.txt", "lighthouse.txt", "nets.txt")
    ]
    assert len(rel) == OWN_FILES
    # a pattern, an explicit file with any suffix, and the output folder never walked
    (corpus / "notes.story").write_text("A story with an odd suffix.", encoding="utf-8")
    out = corpus / "out"
    out.mkdir()
    (out / "leftover.txt").write_text("not an input", encoding="utf-8")
    pattern = list(discover_inputs([str(corpus / "winter" / "*.txt"), str(corpus / "notes.story")]))
    assert [Path(p).name for p in pattern] == ["letters.txt", "sledge.txt", "stove.txt", "notes.story"]
    walked = list(discover_inputs([str(corpus)], exclude=[out]))
    assert not any("leftover" in p for p in walked)
    hidden = corpus / ".git"
    hidden.mkdir()
    (hidden / "x.txt").write_text("hidden", encoding="utf-8")
    assert not any(".git" in p for p in discover_inputs([str(corpus)]))


@pytest.mark.parametrize("arg", ["missing-folder", "nothing-*.txt", "-"])
def test_batch_discover_inputs_bad_input_raises(tmp_path: Path, arg: str) -> None:
    with pytest.raises(InputError) as info:
        list(discover_inputs([str(tmp_path / arg) if arg != "-" else arg]))
    assert info.value.source.endswith(arg)


def test_batch_run_records_failures_and_duplicates(corpus: Path, tmp_path: Path) -> None:
    events: list[CorpusProgress] = []
    s = _run([corpus], tmp_path / "out", batch_size=4, progress=events.append)
    assert (s.discovered, s.analysed, s.failed, s.duplicates, s.skipped) == (
        OWN_FILES,
        OWN_OK,
        OWN_FAILED,
        OWN_DUPLICATES,
        0,
    )
    assert s.exit_code == 1
    assert s.batches == -(-OWN_FILES // 4)
    assert events[0].phase == "counting" and events[-1].phase == "done"
    assert events[-1].total == OWN_FILES and events[-1].done == OWN_FILES
    assert events[-1].words == s.words > 0
    out = tmp_path / "out"
    errors = dataset.read_table(out, "errors").to_pylist()
    assert len(errors) == 1
    e = errors[0]
    assert (Path(e["input_path"]).name, e["kind"], e["stage"]) == ("empty.txt", "EmptyStoryError", "read")
    assert "empty" in e["message"]
    inputs = {Path(r["input_path"]).name: r for r in dataset.read_table(out, "inputs").to_pylist()}
    # the first of two identical files (input order) is the work, the second a duplicate of it
    assert inputs["lighthouse-copy.txt"]["status"] == "ok"
    assert inputs["lighthouse.txt"]["status"] == "duplicate"
    assert inputs["lighthouse.txt"]["work_id"] == inputs["lighthouse-copy.txt"]["work_id"]
    works = dataset.read_table(out, "works").to_pylist()
    assert len(works) == OWN_OK
    assert {w["work_id"] for w in works} == {r["work_id"] for r in inputs.values() if r["status"] == "ok"}
    quotes = dataset.read_table(out, "quotations").to_pylist()
    assert quotes and all(q["work_id"] in {w["work_id"] for w in works} for q in quotes)
    # offsets point into the story: the quotation text is the slice of the input file
    q = quotes[0]
    src = next(w["source_path"] for w in works if w["work_id"] == q["work_id"])
    assert Path(src).read_text(encoding="utf-8")[q["start"] : q["end"]] == q["text"]
    assert duplicate_keys(out) == {}


def test_batch_unexpected_exception_is_recorded_as_stage_error(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = batch.analysis_tables  # type: ignore[attr-defined]

    def flaky(analysis):  # type: ignore[no-untyped-def]
        if analysis.story.source.path.endswith("garden.txt"):
            raise RuntimeError("boom")
        return real(analysis)

    monkeypatch.setattr(batch, "analysis_tables", flaky)
    s = _run([corpus], tmp_path / "out")
    assert s.failed == 2 and s.analysed == OWN_OK - 1
    errors = {Path(e["input_path"]).name: e for e in dataset.read_table(tmp_path / "out", "errors").to_pylist()}
    assert errors["garden.txt"]["kind"] == "StageError"
    assert errors["garden.txt"]["stage"] == "tables"
    assert errors["garden.txt"]["message"] == "RuntimeError: boom"
    assert errors["garden.txt"]["work_id"] is not None


def test_batch_all_failed_exit_code_3(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_bytes(b"")
    (folder / "b.txt").write_bytes(b"   \n\n")
    s = _run([folder], tmp_path / "out")
    assert (s.analysed, s.failed, s.works_total) == (0, 2, 0)
    assert s.exit_code == 3


def test_batch_resume_skips_finished_works(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _run([corpus], out, batch_size=5)
    before = canonical_tables(out)
    second = _run([corpus], out, batch_size=5)
    assert (second.skipped, second.analysed, second.failed, second.batches) == (OWN_FILES, 0, 0, 0)
    assert (second.works_total, second.failed_total) == (first.works_total, first.failed_total)
    assert canonical_tables(out) == before
    # a new file is analysed; a changed file is a new work; the rest is skipped
    (corpus / "new.txt").write_text('"Hello," said Ida.', encoding="utf-8")
    (corpus / "bakery.txt").write_text('"Bread," said Bea.', encoding="utf-8")
    third = _run([corpus], out, batch_size=5)
    assert (third.analysed, third.skipped) == (2, OWN_FILES - 1)
    assert len(dataset.read_table(out, "works")) == OWN_OK + 2
    assert duplicate_keys(out) == {}


def test_batch_uncommitted_staging_is_discarded(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run([corpus], out, batch_size=4)
    before = canonical_tables(out)
    # what a kill during a commit leaves: a half-written batch folder under .staging/
    half = out / ".staging" / "00000004"
    half.mkdir(parents=True)
    (half / "works.parquet").write_bytes(b"PAR1 half a file")
    assert canonical_tables(out) == before  # readers never look at .staging/
    s = _run([corpus], out)
    assert s.cleaned == 1 and not half.exists()
    assert canonical_tables(out) == before


def test_batch_refuses_other_settings_and_foreign_folders(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _run([corpus / "winter"], out)
    with pytest.raises(InputError, match="other config"):
        _run([corpus / "winter"], out, config=Config(quote_style="single"))
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "data.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="not a ficnlp corpus folder"):
        _run([corpus / "winter"], foreign)
    with dataset.CorpusLock(out), pytest.raises(InputError, match="another"):
        _run([corpus / "winter"], out)


def test_batch_rejects_bad_options(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        _run([corpus], tmp_path / "o", batch_size=0)
    with pytest.raises(ValueError, match="commit_seconds"):
        _run([corpus], tmp_path / "o", commit_seconds=0)
    assert not (tmp_path / "o").exists()


def test_batch_local_pool_gives_the_inline_tables(corpus: Path, tmp_path: Path) -> None:
    _run([corpus], tmp_path / "inline")
    with LocalEngine(2) as engine:
        s = _run([corpus], tmp_path / "pool", engine=engine, batch_size=3)
    assert s.analysed == OWN_OK
    assert canonical_tables(tmp_path / "pool") == canonical_tables(tmp_path / "inline")


def _wait_for(path: Path, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"the run ended (exit {proc.returncode}) before {path.name} was committed")
        if time.monotonic() > deadline:
            raise AssertionError(f"no batch committed within {timeout} s")
        time.sleep(0.02)


def _sigkill_then_resume(inputs: Path, tmp_path: Path, expected_works: int) -> None:
    reference = tmp_path / "reference"
    with LocalEngine(2) as engine:
        ref = run_corpus([str(inputs)], reference, engine=engine, batch_size=4)
    assert ref.analysed == expected_works
    out = tmp_path / "killed"
    cmd = [sys.executable, "-m", "ficnlp", "corpus", str(inputs), "-o", str(out),
           "--jobs", "1", "--batch-size", "2", "--no-progress", "--delay-per-work", "0.25"]  # fmt: skip
    with (tmp_path / "killed.log").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log, start_new_session=True)
        try:
            _wait_for(out / "batches" / "00000000", proc, timeout=60)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, mid-way
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    committed = dataset.batch_dirs(out)
    total_files = ref.discovered
    assert 1 <= len(committed) < -(-total_files // 2), "the kill must land mid-way"
    partial = dataset.read_table(out, "inputs")
    assert len(partial) == 2 * len(committed)  # whole batches only
    assert duplicate_keys(out) == {}
    # resume through the CLI: exit 1 (the corpus has one failed work)
    done = subprocess.run(
        [sys.executable, "-m", "ficnlp", "corpus", str(inputs), "-o", str(out), "--jobs", "2", "--no-progress"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"{len(partial)} already done" in done.stdout
    assert duplicate_keys(out) == {}
    assert canonical_tables(out) == canonical_tables(reference)
    for name in ALL_TABLES:  # nothing lost, nothing doubled: same row counts too
        assert len(dataset.read_table(out, name)) == len(dataset.read_table(reference, name)), name


def test_batch_sigkill_mid_run_then_resume_equals_uninterrupted_run(corpus: Path, tmp_path: Path) -> None:
    _sigkill_then_resume(corpus, tmp_path, OWN_OK)


@pytest.mark.shared
def test_batch_sigkill_resume_with_pdnc_chapters(corpus: Path, tmp_path: Path, shared_dir: Path) -> None:
    n = add_pdnc_chapters(shared_dir, corpus)
    if n == 0:
        pytest.skip("no PDNC novels under ../shared/data/pdnc")
    _sigkill_then_resume(corpus, tmp_path, OWN_OK + n)


def test_batch_interrupt_commits_finished_works(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"

    def stop_after_five(p: CorpusProgress) -> None:
        if p.analysed + p.failed + p.duplicates == 5:
            raise KeyboardInterrupt  # what Ctrl-C raises in the main thread

    with pytest.raises(KeyboardInterrupt):
        _run([corpus], out, batch_size=100, progress=stop_after_five)
    assert len(dataset.read_table(out, "inputs")) == 5  # the five finished works, committed
    s = _run([corpus], out)
    assert (s.skipped, s.analysed + s.failed + s.duplicates) == (5, OWN_FILES - 5)
    _run([corpus], tmp_path / "reference")
    assert canonical_tables(out) == canonical_tables(tmp_path / "reference")
