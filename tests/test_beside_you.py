"""The canonical real input, ../shared/corpus/beside-you.txt (issue 2's checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

import ficnlp
from ficnlp.model import Analysis, Character


@pytest.fixture(scope="module")
def analysis(shared_dir: Path) -> Analysis:
    return ficnlp.analyze(shared_dir / "corpus" / "beside-you.txt")


def _one(a: Analysis, *names: str) -> Character:
    found = {c.id for name in names for c in a.characters if name in c.names}
    assert len(found) == 1, (names, [c.names for c in a.characters if set(c.names) & set(names)])
    return a.character(found.pop())


def test_beside_you_main_characters_are_one_character_each(analysis: Analysis) -> None:
    people = [
        _one(analysis, "Addison", "Addie", "Adds"),
        _one(analysis, "Alex", "Karev", "Alex Karev", "Dr Karev"),
        _one(analysis, "Derek", "Shepard"),
        _one(analysis, "Mark", "Sloan"),
        _one(analysis, "Meredith"),
        _one(analysis, "Cristina"),
        _one(analysis, "George"),
    ]
    assert len({c.id for c in people}) == 7


def test_beside_you_quotes_note_time_skips_rating(analysis: Analysis) -> None:
    assert len(analysis.quotes) >= 400
    first = analysis.notes[0]
    assert first.span.start == 0 and analysis.text[first.span.start : first.span.end].startswith("A/N:")
    assert not any(first.span.overlaps(q.span) for q in analysis.quotes)
    assert [analysis.text[t.span.start : t.span.end] for t in analysis.time_skips] == [
        "1 month later.",
        "1 month later.",
        "1 month later.",
        "1 week later.",
    ]
    assert analysis.rating is not None and analysis.rating.estimate == "Explicit"
