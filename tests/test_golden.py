"""Golden analysis of the bundled sample story: any change in output shows up as a diff.

The golden file keeps what a reviewer reads: each layer with the quoted text beside its
offsets, characters with aliases, speakers by name; not the full story text, timings or
paths. ``pytest --update-golden`` rewrites it; the diff is reviewed like code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ficnlp
from conftest import DATA, ROOT
from ficnlp.model import Analysis

SAMPLE = ROOT / "src" / "ficnlp" / "data" / "sample" / "the-night-shift.txt"
GOLDEN = DATA / "golden" / "the-night-shift.analysis.json"


def golden_view(a: Analysis) -> dict[str, Any]:
    """The reviewable summary of an analysis that the golden file stores."""
    t = a.text

    def span(s: Any) -> dict[str, Any]:
        return {"start": s.start, "end": s.end, "text": t[s.start : s.end]}

    name = {c.id: c.name for c in a.characters}
    return {
        "characters": [
            {"id": c.id, "name": c.name, "aliases": list(c.aliases), "gender": c.gender, "narrator": c.narrator}
            for c in a.characters
        ],
        "quotes": [
            {
                **span(q.span),
                "speaker": name.get(q.speaker_id) if q.speaker_id else None,
                "addressees": [name[x] for x in q.addressee_ids],
                "kind": q.kind,
            }
            for q in a.quotes
        ],
        "chapters": [
            {"title": c.title, "number": c.number, "heading": span(c.heading) if c.heading else None}
            for c in a.chapters
        ],
        "scenes": [{"start": s.span.start, "end": s.span.end, "chapter": s.chapter} for s in a.scenes],
        "notes": [{**span(n.span), "kind": n.kind} for n in a.notes],
        "time_skips": [span(x.span) for x in a.time_skips],
        "lyrics": [span(x.span) for x in a.lyrics],
        "messages": [{**span(m.span), "speaker": name.get(m.speaker_id) if m.speaker_id else None} for m in a.messages],
        "rating": None
        if a.rating is None
        else {
            "estimate": a.rating.estimate,
            "warnings": list(a.rating.warnings),
            "advisories": list(a.rating.advisories),
        },
    }


def _dump(view: dict[str, Any]) -> str:
    return json.dumps(view, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def test_golden_sample_story(update_golden: bool) -> None:
    actual = _dump(golden_view(ficnlp.analyze(Path(SAMPLE))))
    if update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(actual, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing: run pytest --update-golden and review it"
    assert actual == GOLDEN.read_text(encoding="utf-8"), (
        "output changed: review the diff and run pytest --update-golden"
    )
