"""The pipeline: stage order, input kinds, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import ficnlp
from ficnlp.errors import ConfigError, EmptyStoryError, InputError, StageError
from ficnlp.pipeline import STAGES, analyze_story, build_pipeline


def test_pipeline_rejects_misordered_or_unknown_stages() -> None:
    with pytest.raises(ConfigError, match="needs"):
        build_pipeline(["speakers", "structure"])
    with pytest.raises(ConfigError, match="unknown stage"):
        build_pipeline(["structure", "nope"])
    assert [s.name for s in build_pipeline()] == list(STAGES)


def test_pipeline_analyze_accepts_path_text_bytes_and_story(tmp_path: Path) -> None:
    text = '"Hello," said Ann.'
    f = tmp_path / "s.txt"
    f.write_text(text, encoding="utf-8")
    results = [ficnlp.analyze(f), ficnlp.analyze(str(f)), ficnlp.analyze(text), ficnlp.analyze(text.encode())]
    assert {r.text for r in results} == {text}
    assert ficnlp.analyze(results[0].story).quotes == results[0].quotes
    assert [p.name for p in results[0].provenance] == list(STAGES)


def test_pipeline_bad_types_and_empty_text() -> None:
    with pytest.raises(TypeError, match="expected str"):
        ficnlp.analyze_text(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(EmptyStoryError):
        ficnlp.analyze("   ")


def test_pipeline_unexpected_failure_becomes_stage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from ficnlp import pipeline

    def boom(analysis: object, config: object) -> object:
        raise RuntimeError("kaboom")

    monkeypatch.setitem(pipeline.STAGES, "quotes", pipeline.Stage("quotes", boom, ("notes",), ("quotes",), "x"))  # type: ignore[arg-type]
    story = ficnlp.read_bytes(b'"Hi," said Ann.')
    with pytest.raises(StageError, match="kaboom") as err:
        analyze_story(story)
    assert err.value.stage == "quotes"
    assert isinstance(err.value.__cause__, RuntimeError)


def test_pipeline_same_input_same_output() -> None:
    text = '"Where?" asked Ivy.\n"Here," said Cal.\n\n1 week later.\n\nIvy smiled.'
    assert ficnlp.analyze(text).to_json() == ficnlp.analyze(text).to_json()


def test_pipeline_mistyped_path_raises_instead_of_being_a_story(tmp_path: Path) -> None:
    for name in ("story.epub", str(tmp_path / "missing.txt"), "folder/story"):
        with pytest.raises(InputError, match="no such file"):
            ficnlp.analyze(name)
    assert len(ficnlp.analyze('"Hello," said Ann.').quotes) == 1  # text stays text
    assert ficnlp.analyze("Hello.").text == "Hello."
