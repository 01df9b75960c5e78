"""Every ../shared/cases/*.json becomes a test (fields: ../shared/cases/README.md).

Each case is a small story showing a kind of fault reported against tools in this field;
its ``expect`` block lists what the analysis must contain. A case listed in
``tests/data/cases_xfail.json`` (case id -> reason) runs as ``xfail(strict=True)``, so a
fix is noticed. Skipped cleanly when ../shared is absent.

How each ``expect`` field is checked:

- ``quotes``: each ``text`` is located in the story (in order: the first occurrence after
  the previous expected quotation, else the first anywhere) and a predicted quotation
  must have exactly that span; its speaker (and each listed addressee) must be a
  character carrying that name as its name or an alias (``NARRATOR``: the character with
  ``narrator=True``).
- ``quotes_cover``: the stretch from the start of ``from`` to the end of ``to``; a
  predicted quotation must start where ``from`` starts and one must end where ``to``
  ends; every paragraph in the stretch that opens with a quote mark must be covered from
  its first character by a predicted quotation (one span or several); and every
  predicted quotation overlapping the stretch must be given to ``speaker``.
- ``quote_count``: the number of predicted quotations outside notes.
- ``characters``: all names of a group belong to one and the same predicted character,
  and different groups to different characters.
- ``not_characters`` / ``not_speakers``: no character carries the name / no quotation's
  speaker does.
- ``chapters`` (titles, in order), ``chapters_count``, ``scenes``, ``notes``, ``lyrics``
  (counts), ``time_skips`` (texts, in order), ``messages`` (a count, or a list of
  ``{"label", "text", "speaker"}`` with the fields given).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, SHARED
from ficnlp.model import Analysis, Character, Span
from ficnlp.pipeline import analyze_text

CASES_DIR = SHARED / "cases"
XFAIL = json.loads((DATA / "cases_xfail.json").read_text(encoding="utf-8"))
OPENING_MARKS = "\"“'‘"
KNOWN_FIELDS = {
    "quotes",
    "quotes_cover",
    "quote_count",
    "characters",
    "not_characters",
    "not_speakers",
    "chapters",
    "chapters_count",
    "scenes",
    "notes",
    "time_skips",
    "lyrics",
    "messages",
}


def _case_params() -> list[Any]:
    if not CASES_DIR.is_dir():
        return [pytest.param(None, id="no-shared-cases")]
    params = []
    for path in sorted(CASES_DIR.glob("*.json")):
        case_id = path.stem
        marks = [pytest.mark.xfail(reason=XFAIL[case_id], strict=True)] if case_id in XFAIL else []
        params.append(pytest.param(path, id=case_id, marks=marks))
    return params


def _carriers(a: Analysis, name: str) -> list[Character]:
    if name == "NARRATOR":
        return [c for c in a.characters if c.narrator]
    return [c for c in a.characters if name in c.names]


def _is(a: Analysis, character_id: str | None, name: str) -> bool:
    return character_id is not None and any(c.id == character_id for c in _carriers(a, name))


def _who(a: Analysis, character_id: str | None) -> str:
    if character_id is None:
        return "nobody"
    c = a.character(character_id)
    return f"{c.name!r} (aliases {list(c.aliases)}{', narrator' if c.narrator else ''})"


def _outside_notes(a: Analysis, span: Span) -> bool:
    return not any(n.span.contains(span) for n in a.notes)


def check_case(case: dict[str, Any], a: Analysis) -> list[str]:
    """The ways the analysis falls short of the case's ``expect`` block (empty: it passes)."""
    expect = case["expect"]
    text = a.text
    problems: list[str] = []
    unknown = set(expect) - KNOWN_FIELDS
    if unknown:
        problems.append(f"unknown expect field(s) {sorted(unknown)}: teach tests/test_cases.py about them")
    by_span = {(q.span.start, q.span.end): q for q in a.quotes}

    pos = 0
    for exp in expect.get("quotes", []):
        t = exp["text"]
        start = text.find(t, pos)
        if start < 0:
            start = text.find(t)
        if start < 0:
            problems.append(f"expected quotation {t!r} is not in the story text (case error)")
            continue
        pos = start + len(t)
        q = by_span.get((start, start + len(t)))
        if q is None:
            near = [text[p.span.start : p.span.end] for p in a.quotes if p.span.overlaps(Span(start, start + len(t)))]
            problems.append(f"quotation {t!r} not found as a span (overlapping predictions: {near})")
            continue
        if "speaker" in exp and not _is(a, q.speaker_id, exp["speaker"]):
            problems.append(f"{t!r}: speaker should be {exp['speaker']!r}, got {_who(a, q.speaker_id)}")
        for name in exp.get("addressees", []):
            if not any(_is(a, cid, name) for cid in q.addressee_ids):
                got = [_who(a, cid) for cid in q.addressee_ids]
                problems.append(f"{t!r}: addressees should include {name!r}, got {got}")

    for cov in expect.get("quotes_cover", []):
        s = text.find(cov["from"])
        e_from = text.find(cov["to"], s if s >= 0 else 0)
        if s < 0 or e_from < 0:
            problems.append(f"quotes_cover {cov['from']!r}..{cov['to']!r} is not in the story text (case error)")
            continue
        e = e_from + len(cov["to"])
        stretch = Span(s, e)
        inside = [q for q in a.quotes if q.span.overlaps(stretch)]
        label = f"quotes_cover {cov['from']!r}..{cov['to']!r}"
        if not any(q.span.start == s for q in inside):
            problems.append(f"{label}: no quotation starts at {cov['from']!r}")
        if not any(q.span.end == e for q in inside):
            problems.append(f"{label}: no quotation ends at {cov['to']!r}")
        for para in a.story.paragraphs:
            if stretch.contains(para) and text[para.start] in OPENING_MARKS:
                if not any(q.span.start <= para.start < q.span.end for q in inside):
                    problems.append(
                        f"{label}: the quoted paragraph {text[para.start : para.end][:40]!r} is not covered"
                    )
        for q in inside:
            if not _is(a, q.speaker_id, cov["speaker"]):
                problems.append(
                    f"{label}: {text[q.span.start : q.span.end][:40]!r} should be {cov['speaker']!r}, got {_who(a, q.speaker_id)}"
                )

    if "quote_count" in expect:
        n = sum(_outside_notes(a, q.span) for q in a.quotes)
        if n != expect["quote_count"]:
            got = [text[q.span.start : q.span.end] for q in a.quotes]
            problems.append(f"quote_count should be {expect['quote_count']}, got {n}: {got}")

    groups = expect.get("characters", [])
    owners: list[set[str]] = []
    for group in groups:
        ids: set[str] = set()
        for name in group:
            carriers = _carriers(a, name)
            if len(carriers) != 1:
                problems.append(
                    f"name {name!r} should belong to exactly one character, found {[c.name for c in carriers]}"
                )
            ids.update(c.id for c in carriers)
        if len(ids) > 1:
            problems.append(f"names {group} should be one character, found {sorted(a.character(i).name for i in ids)}")
        owners.append(ids)
    for i in range(len(owners)):
        for j in range(i + 1, len(owners)):
            if owners[i] & owners[j]:
                problems.append(f"groups {groups[i]} and {groups[j]} should be different characters")

    for name in expect.get("not_characters", []):
        if _carriers(a, name):
            problems.append(f"{name!r} should not be a character, found {[c.name for c in _carriers(a, name)]}")
    for name in expect.get("not_speakers", []):
        said = [text[q.span.start : q.span.end][:40] for q in a.quotes if _is(a, q.speaker_id, name)]
        if said:
            problems.append(f"{name!r} should not speak, but is given {said}")

    if "chapters" in expect:
        want = [c["title"] for c in expect["chapters"]]
        got = [c.title for c in a.chapters]
        if got != want:
            problems.append(f"chapter titles should be {want}, got {got}")
    if "chapters_count" in expect and len(a.chapters) != expect["chapters_count"]:
        problems.append(f"chapters_count should be {expect['chapters_count']}, got {len(a.chapters)}")
    for key, layer in (("scenes", a.scenes), ("notes", a.notes), ("lyrics", a.lyrics)):
        if key in expect and len(layer) != expect[key]:
            problems.append(f"{key} should be {expect[key]}, got {len(layer)}")
    if "time_skips" in expect:
        got = [text[t.span.start : t.span.end].strip() for t in a.time_skips]
        if got != expect["time_skips"]:
            problems.append(f"time_skips should be {expect['time_skips']}, got {got}")
    if "messages" in expect:
        want_m = expect["messages"]
        if isinstance(want_m, int):
            if len(a.messages) != want_m:
                problems.append(f"messages should be {want_m}, got {len(a.messages)}")
        else:
            if len(a.messages) != len(want_m):
                problems.append(f"messages should be {len(want_m)}, got {len(a.messages)}")
            for m, w in zip(a.messages, want_m, strict=False):
                if "label" in w and m.label != w["label"]:
                    problems.append(f"message label should be {w['label']!r}, got {m.label!r}")
                if "text" in w and w["text"] not in text[m.span.start : m.span.end]:
                    problems.append(f"message {text[m.span.start : m.span.end]!r} should contain {w['text']!r}")
                if "speaker" in w and not _is(a, m.speaker_id, w["speaker"]):
                    problems.append(f"message {m.label!r} should be from {w['speaker']!r}, got {_who(a, m.speaker_id)}")
    return problems


@pytest.mark.parametrize("path", _case_params())
def test_cases_case_passes(path: Path | None) -> None:
    if path is None:
        pytest.skip(f"../shared/cases is not present at {CASES_DIR}")
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case.get("format", "txt") == "txt", f"{path.name}: only txt cases are supported"
    analysis = analyze_text(case["input"], name=path.name)
    problems = check_case(case, analysis)
    assert not problems, f"{case['id']} ({case['pattern']}):\n  " + "\n  ".join(problems)


def test_cases_xfail_list_names_existing_cases() -> None:
    """Every id in cases_xfail.json is a case file, with a reason."""
    if not CASES_DIR.is_dir():
        pytest.skip("../shared/cases is not present")
    ids = {p.stem for p in CASES_DIR.glob("*.json")}
    assert set(XFAIL) <= ids
    assert all(isinstance(r, str) and r.strip() for r in XFAIL.values())


def test_cases_checker_reports_faults() -> None:
    """The checker itself: a wrong speaker, a missing quotation and a wrong count are reported."""
    case = {
        "id": "invented",
        "pattern": "checker self-test",
        "expect": {
            "quotes": [{"text": '"Hi,"', "speaker": "Bo"}, {"text": "Bo"}],
            "quote_count": 5,
            "not_speakers": ["Ann"],
            "characters": [["Ann"], ["Ann"]],
        },
    }
    a = analyze_text('"Hi," said Ann. Bo nodded.\n')
    problems = check_case(case, a)
    joined = "\n".join(problems)
    assert "speaker should be 'Bo'" in joined
    assert "quotation 'Bo' not found as a span" in joined
    assert "quote_count should be 5" in joined
    assert "'Ann' should not speak" in joined
    assert "should be different characters" in joined
