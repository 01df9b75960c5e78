"""LitBank quotations: token-to-offset mapping and evaluation (../shared; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ficnlp.errors import InputError
from ficnlp.eval.litbank import evaluate_litbank, list_litbank_works, load_litbank_work

PP = "1342_pride_and_prejudice"


@pytest.fixture(scope="module")
def litbank(shared_dir: Path) -> Path:
    root = shared_dir / "data" / "litbank"
    if not (root / "quotations" / "tsv").is_dir():
        pytest.skip("LitBank is not in ../shared/data/litbank")
    return root


def test_litbank_every_work_maps_tokens(litbank: Path) -> None:
    works = list_litbank_works(litbank)
    assert PP in works
    for w in works:
        doc = load_litbank_work(litbank, w)
        original = (litbank / "original" / f"{w}.txt").read_text(encoding="utf-8")
        assert original.startswith(doc.text)
        for q in doc.quotes:
            assert 0 <= q.span.start < q.span.end <= len(doc.text)
            assert q.speaker in {c.id for c in doc.characters}


def test_litbank_pride_and_prejudice(litbank: Path) -> None:
    doc = load_litbank_work(litbank, PP)
    first = doc.quotes[0]
    assert doc.text[first.span.start : first.span.end] == "“My dear Mr. Bennet,”"
    chars = {c.id: c for c in doc.characters}
    assert chars[first.speaker].name == "Mrs. Bennet"
    assert first.type is None and first.addressees == ()
    assert first.speaker in doc.major


def test_litbank_evaluate_two_works(litbank: Path) -> None:
    res = evaluate_litbank(litbank, works=[PP, "120_treasure_island"])
    assert res.errors == ()
    assert res.total.gold_quotes == sum(len(d.doc.quotes) for d in res.documents)
    assert any("CC BY 4.0" in n for n in res.notes)
    with pytest.raises(InputError, match="no LitBank work"):
        evaluate_litbank(litbank, works=["0_nothing"])
