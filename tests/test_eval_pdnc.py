"""PDNC loading and evaluation on two small novels (../shared; skipped when absent).

The full 21-novel check (every novel analyses without error and its text equals
novel_text.txt) is the slow test below and part of ``make eval``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ficnlp.cli import main
from ficnlp.errors import InputError
from ficnlp.eval.pdnc import evaluate_pdnc, find_pdnc_root, list_pdnc_novels, load_pdnc_novel, split_paragraph_quotes

SMALL = ["DaisyMiller", "TheSportOfTheGods"]


@pytest.fixture(scope="module")
def pdnc(shared_dir: Path) -> Path:
    root = shared_dir / "data" / "pdnc"
    if not (root / "data").is_dir():
        pytest.skip("PDNC is not in ../shared/data/pdnc")
    return root


def test_pdnc_lists_novels_and_finds_root(pdnc: Path, tmp_path: Path) -> None:
    novels = list_pdnc_novels(pdnc)
    assert set(SMALL) <= set(novels) and novels == sorted(novels)
    assert find_pdnc_root(pdnc / "data") == pdnc
    with pytest.raises(InputError, match="not a PDNC folder"):
        find_pdnc_root(tmp_path)


def test_pdnc_load_daisy_miller(pdnc: Path) -> None:
    doc = load_pdnc_novel(pdnc / "data" / "DaisyMiller")
    assert doc.text == (pdnc / "data" / "DaisyMiller" / "novel_text.txt").read_bytes().decode("utf-8")
    assert doc.title == "Daisy Miller" and doc.narrative_person == "1"
    names = {c.name: c for c in doc.characters}
    assert "Daisy" in names["Daisy Miller"].aliases and names["Daisy Miller"].gender == "she/her"
    assert {names["Daisy Miller"].id, names["Winterbourne"].id} == set(doc.major)
    # Sub-quotations are separate units with the same speaker: "Yes, you may take one," / "but I ..."
    first = [q for q in doc.quotes if q.id.startswith("Q1.")]
    assert [q.id for q in first] == ["Q1.0", "Q1.1"]
    assert {q.speaker for q in first} == {names["Winterbourne"].id}
    assert doc.text[first[0].span.start : first[0].span.end].startswith("Yes,")
    # Units hold no quote marks and are sorted; every speaker resolves in this novel.
    spans = [q.span for q in doc.quotes]
    assert spans == sorted(spans)
    assert all(doc.text[s.start - 1] in '" ' for s in spans[:50])
    assert all(q.speaker is not None for q in doc.quotes)
    assert {q.type for q in doc.quotes} == {"explicit", "anaphoric", "implicit"}


def test_pdnc_split_multi_paragraph_units(pdnc: Path) -> None:
    doc = load_pdnc_novel(pdnc / "data" / "TheInvisibleMan")
    # No unit crosses a paragraph break into a new quoted paragraph.
    for q in doc.quotes:
        assert split_paragraph_quotes(doc.text, q.span.start, q.span.end) == [q.span]
    assert any(q.id.count(".") for q in doc.quotes)


def test_pdnc_evaluate_small_novels(pdnc: Path) -> None:
    res = evaluate_pdnc(pdnc, novels=SMALL)
    assert [d.doc.id for d in res.documents] == SMALL
    assert res.errors == ()  # analysed without error, and the analysed text is novel_text.txt
    for d in res.documents:
        c = d.counts
        assert c.gold_quotes == len(d.doc.quotes) == len(d.records)
        assert 0 < c.matched <= c.gold_quotes and 0 < c.predicted_matched <= c.predicted_quotes
        assert c.speaker_correct == sum(r.correct for r in d.records)
        assert c.explicit_gold + c.anaphoric_gold + c.implicit_gold == c.speaker_gold
        assert len(d.unmatched_predicted) == c.predicted_quotes - c.predicted_matched
        assert c.major_characters == len(d.doc.major)
    assert res.total.gold_quotes == sum(d.counts.gold_quotes for d in res.documents)


def test_pdnc_unknown_novel(pdnc: Path) -> None:
    with pytest.raises(InputError, match="no PDNC novel named Nope"):
        evaluate_pdnc(pdnc, novels=["Nope"])


def test_pdnc_cli(pdnc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, rec = tmp_path / "pdnc.json", tmp_path / "records.jsonl"
    args = ["eval", "pdnc", str(pdnc), "--novels", "DaisyMiller", "--json", str(out), "--records", str(rec), "-q"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "DaisyMiller" in text and "Vishnubhotla" in text
    figures = json.loads(out.read_text(encoding="utf-8"))["datasets"]["pdnc"]["micro"]
    rows = [json.loads(line) for line in rec.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == figures["counts"]["gold_quotes"]
    assert sum(r["correct"] for r in rows) == figures["counts"]["speaker_correct"]
    assert rows[0]["gold_id"] == "Q0" and "text" not in rows[0]


@pytest.mark.slow
def test_pdnc_every_novel_analyses_to_its_text(pdnc: Path) -> None:
    res = evaluate_pdnc(pdnc)
    assert len(res.documents) == len(list_pdnc_novels(pdnc))
    assert [d.doc.id for d in res.errors] == []


def test_pdnc_reader_keeps_every_novel_text(pdnc: Path) -> None:
    """The reader gives back novel_text.txt exactly, so PDNC offsets index the analysed text."""
    from ficnlp.read import read_story

    for name in list_pdnc_novels(pdnc):
        doc = load_pdnc_novel(pdnc / "data" / name)
        assert doc.path is not None
        assert read_story(doc.path).text == doc.text, name


def test_pdnc_eval_all_refreshes_docs_section(pdnc: Path, shared_dir: Path, tmp_path: Path) -> None:
    """`ficnlp eval all` over a small ../shared subset (links, no copies) writes the eval section."""
    shared = tmp_path / "shared"
    (shared / "data" / "pdnc" / "data").mkdir(parents=True)
    (shared / "data" / "pdnc" / "PDNC-Novel-Index.csv").symlink_to(pdnc / "PDNC-Novel-Index.csv")
    (shared / "data" / "pdnc" / "data" / "DaisyMiller").symlink_to(pdnc / "data" / "DaisyMiller")
    lb, work = shared_dir / "data" / "litbank", "1342_pride_and_prejudice"
    for rel in (
        f"quotations/tsv/{work}_brat.txt",
        f"quotations/tsv/{work}_brat.ann",
        f"coref/tsv/{work}_brat.ann",
        f"original/{work}.txt",
    ):
        (shared / "data" / "litbank" / rel).parent.mkdir(parents=True, exist_ok=True)
        (shared / "data" / "litbank" / rel).symlink_to(lb / rel)
    md = tmp_path / "benchmarks.md"
    md.write_text("# Benchmarks\n\n<!-- BEGIN eval -->\nold\n<!-- END eval -->\n\nkept\n", encoding="utf-8")
    args = [
        "eval",
        "all",
        "--shared",
        str(shared),
        "--gold-dir",
        str(tmp_path / "gold"),
        "--update-docs",
        str(md),
        "-q",
    ]
    assert main(args) == 0
    out = md.read_text(encoding="utf-8")
    assert "\nold\n" not in out and out.endswith("kept\n")
    assert "### pdnc" in out and "| DaisyMiller | 1 | 725 |" in out
    assert "### litbank" in out and "CC BY 4.0" in out
    assert "no gold file found" in out
