"""The bundled sample story: what `make demo` analyses must come out right.

tests/data/sample_expectations.json was written by hand from the story (not from
ficnlp's output); it is checked with the same checker as ../shared/cases.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ficnlp
from conftest import DATA, ROOT
from test_cases import check_case

SAMPLE = ROOT / "src" / "ficnlp" / "data" / "sample" / "the-night-shift.txt"


def _as_case(exp: dict[str, Any]) -> dict[str, Any]:
    keep = (
        "quotes",
        "quotes_cover",
        "quote_count",
        "characters",
        "not_characters",
        "chapters_count",
        "scenes",
        "time_skips",
        "lyrics",
        "messages",
    )
    expect = {k: exp[k] for k in keep if k in exp}
    expect["chapters"] = [{"title": c["title"]} for c in exp["chapters"]]
    expect["notes"] = len(exp["notes"])
    expect["quotes"] = [{k: q[k] for k in ("text", "speaker", "addressees") if k in q} for q in exp["quotes"]]
    return {"id": "sample", "input": SAMPLE.read_text(encoding="utf-8"), "expect": expect}


def test_sample_story_structure_quotations_and_characters() -> None:
    exp = json.loads((DATA / "sample_expectations.json").read_text(encoding="utf-8"))
    case = _as_case(exp)
    case["expect"]["quotes"] = [{"text": q["text"]} for q in case["expect"]["quotes"]]
    case["expect"].pop("quotes_cover", None)
    analysis = ficnlp.analyze(Path(SAMPLE))
    assert check_case(case, analysis) == []


def test_sample_story_speakers_and_addressees() -> None:
    exp = json.loads((DATA / "sample_expectations.json").read_text(encoding="utf-8"))
    analysis = ficnlp.analyze(Path(SAMPLE))
    assert check_case(_as_case(exp), analysis) == []


def test_sample_story_genders_and_rating() -> None:
    exp = json.loads((DATA / "sample_expectations.json").read_text(encoding="utf-8"))
    a = ficnlp.analyze(Path(SAMPLE))
    for name, gender in exp["genders"].items():
        found = [c for c in a.characters if name in c.names]
        assert len(found) == 1 and found[0].gender in (gender, "unknown"), (name, found)
    known = sum(1 for name in exp["genders"] for c in a.characters if name in c.names and c.gender != "unknown")
    assert known >= 2
    assert a.rating is not None
    assert ficnlp.model.RATINGS.index(a.rating.estimate) <= ficnlp.model.RATINGS.index("Teen And Up Audiences")
