"""The JSON contract: keys, offsets, round trip."""

from __future__ import annotations

import json

import pytest

import ficnlp
from ficnlp.errors import InputError
from ficnlp.model import Analysis

TEXT = (
    'A/N: hi!\n\nChapter 1: Start\n\n"Hello, Bo," said Ann. 😀 Bo waved.\n\n* * *\n\n1 week later.\n\n'
    'Ann: u there\nBo: yes\n\n"Good," she said.'
)


def test_json_contract_keys_and_offsets() -> None:
    a = ficnlp.analyze(TEXT)
    d = json.loads(a.to_json())
    for key in (
        "text",
        "characters",
        "quotes",
        "chapters",
        "scenes",
        "notes",
        "time_skips",
        "lyrics",
        "messages",
        "rating",
    ):
        assert key in d
    assert d["text"] == TEXT
    assert set(d["characters"][0]) >= {"id", "name", "aliases", "gender", "narrator"}
    assert set(d["quotes"][0]) >= {"start", "end", "speaker", "addressees"}
    assert set(d["rating"]) >= {"estimate", "warnings", "advisories", "evidence"}
    # Offsets are code points: the emoji before the later quote does not shift them.
    last = d["quotes"][-1]
    assert TEXT[last["start"] : last["end"]] == '"Good,"'
    assert d["chapters"][0]["title"] == "Start"
    assert d["messages"][0]["speaker"] in {c["id"] for c in d["characters"]}


def test_json_round_trip_is_exact() -> None:
    a = ficnlp.analyze(TEXT)
    assert Analysis.from_json(a.to_json()) == a
    assert Analysis.from_json(a.to_json()).to_json() == a.to_json()


def test_json_rejects_other_documents() -> None:
    with pytest.raises(InputError, match="not a ficnlp analysis"):
        Analysis.from_json('{"text": "x"}')
    with pytest.raises(InputError, match="not valid JSON"):
        Analysis.from_json("{oops")
