"""The command line: in-process main(argv) and one subprocess smoke test."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ficnlp.cli import main

STORY = '"Hello," said Ann.\n\n"Hi," said Bo.\n'


@pytest.fixture
def story(tmp_path: Path) -> Path:
    p = tmp_path / "story.txt"
    p.write_text(STORY, encoding="utf-8")
    return p


def test_cli_analyze_prints_a_summary(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(story)]) == 0
    out = capsys.readouterr().out
    assert "2 quotation(s)" in out and "Ann" in out


def test_cli_analyze_json_to_stdout_and_file(story: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(story), "--json", "-"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["text"] == STORY
    out = tmp_path / "out.json"
    assert main(["analyze", str(story), "--json", str(out), "-q"]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["text"] == STORY


def test_cli_refuses_to_overwrite_without_force(
    story: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    out.write_text("keep me", encoding="utf-8")
    assert main(["analyze", str(story), "--json", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"
    assert main(["analyze", str(story), "--json", str(story), "--force"]) == 2  # never over the input


def test_cli_bad_input_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    assert main(["analyze", str(empty)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ficnlp: error: ") and "empty.txt" in err and "Traceback" not in err


def test_cli_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2


def test_cli_subprocess_smoke(story: Path) -> None:
    r = subprocess.run([sys.executable, "-m", "ficnlp", "--version"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and r.stdout.startswith("ficnlp ")
    r = subprocess.run(
        [sys.executable, "-m", "ficnlp", "analyze", "-", "--json", "-"],
        input=STORY,
        capture_output=True,
        text=True,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["quotes"][0]["start"] == 0


def test_cli_summary_into_a_closed_pipe_ends_with_status_0(story: Path) -> None:
    # "ficnlp analyze STORY | head -1": the reader goes away before the summary is
    # written; that is not a failure (exit 1 means "some stories failed").
    p = subprocess.Popen(
        [sys.executable, "-m", "ficnlp", "analyze", str(story)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()
    with p.stderr:
        err = p.stderr.read().decode("utf-8", "replace")
    assert p.wait(timeout=60) == 0, err
    assert "Traceback" not in err


def test_cli_missing_story_path_is_an_error_not_a_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["analyze"], ["report", "-o", str(tmp_path / "r.html")]):
        assert main([*command[:1], str(tmp_path / "nope.txt"), *command[1:]]) == 2
        err = capsys.readouterr().err
        assert "nope.txt" in err and "no such file" in err and "Traceback" not in err
    assert not (tmp_path / "r.html").exists()


def test_cli_unwritable_output_is_a_clear_error(
    story: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The output's folder is a file; and an output that is a folder.
    assert main(["analyze", str(story), "--json", str(story) + "/out.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ficnlp: error: ") and "Traceback" not in err
    assert main(["report", str(story), "-o", str(tmp_path), "--force"]) == 2
    assert "folder" in capsys.readouterr().err
