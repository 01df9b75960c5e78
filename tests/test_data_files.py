"""Integrity of the hand-written data files: the bundled sample story, its expectations, and the gold files.

These check the data against the texts they describe (not against ficnlp's output), so a later edit of the
sample or a changed file in ../shared is caught before any accuracy test reads wrong offsets.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "ficnlp" / "data" / "sample" / "the-night-shift.txt"
EXPECT = ROOT / "tests" / "data" / "sample_expectations.json"
GOLD_DIR = ROOT / "tests" / "data" / "eval"
QUOTE_TYPES = {"explicit", "anaphoric", "implicit"}


def _sample_text() -> str:
    raw = SAMPLE.read_bytes()
    assert b"\r" not in raw, "sample must use LF line endings"
    return raw.decode("utf-8")


def test_sample_story_has_the_shape_the_expectations_describe() -> None:
    text = _sample_text()
    exp = json.loads(EXPECT.read_text(encoding="utf-8"))
    words = len(text.split())
    assert 1500 <= words <= 3000, words
    for chapter in exp["chapters"]:
        assert f"\n\nChapter {chapter['number']}: {chapter['title']}\n\n" in text
    for skip in exp["time_skips"]:
        assert f"\n\n{skip}\n\n" in text
    for block in exp["lyrics_blocks"]:
        start = text.index(f"\n\n{block['first_line']}\n") + 2
        end = text.index("\n\n", start)
        lines = text[start:end].split("\n")
        assert len(lines) == block["lines"] and lines[-1] == block["last_line"]
        assert '"' not in text[start:end]
    assert text.count("\n\n\n") == 1 and "\n\n\n\n" not in text
    for brk in exp["scene_breaks"]:
        if "text" in brk:
            assert f"\n\n{brk['text']}\n\n" in text
        else:
            assert f"{brk['before']}\n\n\n" in text
    labels = re.findall(r"^([A-Z][a-z]+): \S.*$", text, flags=re.MULTILINE)
    chat = [label for label in labels if label not in {"Disclaimer", "Chapter"}]
    assert chat == [m["label"] for m in exp["messages"]]
    for note in exp["notes"]:
        assert text.startswith(note["starts"]) or f"\n\n{note['starts']}" in text


def test_sample_expectations_quotes_occur_exactly_once_in_the_story_body() -> None:
    text = _sample_text()
    exp = json.loads(EXPECT.read_text(encoding="utf-8"))
    body = text.index("Chapter 1:")
    for q in exp["quotes"]:
        assert text.count(q["text"]) == 1, q["text"]
        assert text.index(q["text"]) > body
        assert q["text"][0] == '"' and q["text"][-1] == '"'
    for cover in exp["quotes_cover"]:
        assert text.count(cover["from"]) == 1 and text.count(cover["to"]) == 1
        assert text.index(cover["from"]) < text.index(cover["to"])
    for nq in exp["not_quotes"]:
        assert text.index(nq) < body
    # quote_count: closed quotes per line, plus each paragraph that opens a quote and never closes it.
    story = text[body:]
    paragraphs = story.split("\n\n")
    count = sum(p.count('"') // 2 + p.count('"') % 2 for p in paragraphs)
    assert count == exp["quote_count"]
    names = [n for group in exp["characters"] for n in group]
    assert len(names) == len(set(names)), "a name may belong to one character only"
    canonical = {group[0] for group in exp["characters"]}
    for q in exp["quotes"]:
        assert q["speaker"] in canonical and set(q.get("addressees", [])) <= canonical
        assert q["kind"] in QUOTE_TYPES
    for name in names:
        assert re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text), name


@pytest.mark.shared
@pytest.mark.parametrize("gold_path", sorted(GOLD_DIR.glob("*.gold.json")), ids=lambda p: p.name)
def test_gold_files_match_their_shared_text(gold_path: Path, shared_dir: Path) -> None:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    assert gold["schema"] == "ficnlp-gold/1"
    raw = (shared_dir / gold["source"]).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == gold["sha256"], f"{gold['source']} changed since it was annotated"
    text = raw.decode("utf-8")
    assert len(text) == gold["text_length"]
    ids = {c["id"] for c in gold["characters"]}
    assert len(ids) == len(gold["characters"])
    for c in gold["characters"]:
        for alias in c["aliases"]:
            assert re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", text), (c["id"], alias)
    previous_end = 0
    for q in gold["quotes"]:
        span = text[q["start"] : q["end"]]
        assert q["start"] >= previous_end, q
        previous_end = q["end"]
        assert span.startswith('"'), q
        assert span.endswith('"') or text[q["end"] : q["end"] + 2] == "\n\n", q
        assert q["speaker"] in ids and set(q["addressees"]) <= ids, q
        assert q["type"] in QUOTE_TYPES
    # every quote mark in the text lies in some quotation (the A/N here has none)
    marks = [i for i, ch in enumerate(text) if ch in '"“”']
    covered = {i for q in gold["quotes"] for i in (q["start"], q["end"] - 1)}
    assert set(marks) == covered


def test_gold_files_hold_no_story_text() -> None:
    for gold_path in GOLD_DIR.glob("*.gold.json"):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        for q in gold["quotes"]:
            assert set(q) == {"start", "end", "speaker", "addressees", "type"}, gold_path.name
