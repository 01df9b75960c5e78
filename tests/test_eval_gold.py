"""The ficnlp-gold/1 loader: strict validation, source checks, evaluation and the CLI."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from ficnlp.cli import main
from ficnlp.eval.gold import (
    GoldFormatError,
    SourceMismatchError,
    evaluate_gold,
    find_gold_files,
    load_gold,
    parse_gold,
)
from ficnlp.eval.metrics import GoldDocument
from ficnlp.model import Analysis, Character, Quote, Span
from ficnlp.pipeline import analyze_text

# An invented story (ours): two people, three quotations, one unquoted sung line.
STORY = (
    '"You\'re late, Theo," said Mara.\n\n'
    '"Traffic," Theo said. "And the rain."\n\n'
    "Mara hummed under her breath.\n\n"
    "Rain on the roof, rain on the road\n"
)


def _off(needle: str) -> tuple[int, int]:
    i = STORY.index(needle)
    return i, i + len(needle)


def _gold() -> dict[str, Any]:
    data = STORY.encode("utf-8")
    q = [
        ('"You\'re late, Theo,"', "mara", ["theo"], "explicit"),
        ('"Traffic,"', "theo", ["mara"], "explicit"),
        ('"And the rain."', "theo", ["mara"], "anaphoric"),
        ("Rain on the roof, rain on the road", "mara", [], "implicit"),
    ]
    return {
        "schema": "ficnlp-gold/1",
        "source": "corpus/late.txt",
        "sha256": hashlib.sha256(data).hexdigest(),
        "text_length": len(STORY),
        "title": "Late",
        "characters": [
            {"id": "mara", "name": "Mara Quinn", "aliases": ["Mara"], "gender": "she/her", "category": "major"},
            {"id": "theo", "name": "Theo", "aliases": [], "gender": "he/him"},
        ],
        "quotes": [
            {"start": _off(t)[0], "end": _off(t)[1], "speaker": s, "addressees": a, "type": k} for t, s, a, k in q
        ],
    }


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    root = tmp_path / "shared"
    (root / "corpus").mkdir(parents=True)
    (root / "corpus" / "late.txt").write_bytes(STORY.encode("utf-8"))
    return root


def _write(tmp_path: Path, data: dict[str, Any], name: str = "late.gold.json") -> Path:
    p = tmp_path / name
    p.write_text(json.dumps(data), encoding="utf-8")
    return p


def test_gold_load_valid_file(tmp_path: Path, shared: Path) -> None:
    doc = load_gold(_write(tmp_path, _gold()), shared)
    assert doc.id == "late" and doc.title == "Late"
    assert doc.text == STORY
    assert doc.path == shared / "corpus" / "late.txt"
    assert [doc.text[q.span.start : q.span.end] for q in doc.quotes][:2] == ['"You\'re late, Theo,"', '"Traffic,"']
    assert [q.speaker for q in doc.quotes] == ["mara", "theo", "theo", "mara"]
    assert doc.quotes[2].type == "anaphoric" and doc.quotes[2].addressees == ("mara",)
    assert [c.category for c in doc.characters] == ["major", "unknown"]
    assert doc.major == frozenset()  # nobody has the 5 quotations that make a major character


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema="ficnlp-gold/2"), "schema is 'ficnlp-gold/2'"),
        (lambda d: d.update(extra=1), "unknown field"),
        (lambda d: d.pop("sha256"), "lacks sha256"),
        (lambda d: d.update(sha256="ABC"), "64 lower-case hex"),
        (lambda d: d["characters"][1].update(gender="male"), r"characters\[1\]\.gender 'male'"),
        (lambda d: d["characters"][1].update(id="mara"), r"characters\[1\]\.id 'mara' is used twice"),
        (lambda d: d["characters"][0].update(aliases=["Mara", "Mara"]), "twice"),
        (lambda d: d["characters"][0].update(category="main"), "category 'main'"),
        (lambda d: d["quotes"][1].update(speaker="nobody"), r"quotes\[1\]\.speaker 'nobody' is not a character id"),
        (lambda d: d["quotes"][1].update(addressees=["ghost"]), r"quotes\[1\]\.addressees\[0\] 'ghost'"),
        (lambda d: d["quotes"][1].update(type="direct"), r"quotes\[1\]\.type 'direct'"),
        (lambda d: d["quotes"][1].update(end=d["quotes"][1]["start"]), r"quotes\[1\] .* empty or reversed"),
        (lambda d: d["quotes"][1].update(start=d["quotes"][0]["start"] + 2), r"quotes\[1\] .* must be sorted"),
        (lambda d: d["quotes"][3].update(end=len(STORY) + 5), "runs past text_length"),
        (lambda d: d["quotes"][0].update(end=d["quotes"][0]["end"] + 1), "whitespace"),
        (lambda d: d["quotes"][0].update(text="no story text here"), r"quotes\[0\] has unknown field\(s\) text"),
        (lambda d: d["quotes"][0].update(start=-1), "non-negative integer"),
        (lambda d: d.update(characters=[]), "non-empty list"),
    ],
)
def test_gold_rejects_broken_entries(tmp_path: Path, shared: Path, change: Any, message: str) -> None:
    data = copy.deepcopy(_gold())
    change(data)
    path = _write(tmp_path, data)
    with pytest.raises(GoldFormatError, match=message) as info:
        load_gold(path, shared)
    assert str(path) in str(info.value)


def test_gold_changed_source_is_reported(tmp_path: Path, shared: Path) -> None:
    path = _write(tmp_path, _gold())
    (shared / "corpus" / "late.txt").write_bytes((STORY + "An extra line.\n").encode("utf-8"))
    with pytest.raises(SourceMismatchError, match=r"sha256 .* the source changed"):
        load_gold(path, shared)


def test_gold_wrong_length_is_reported(tmp_path: Path) -> None:
    data = _gold()
    with pytest.raises(SourceMismatchError, match="text_length"):
        parse_gold(data, source="x.gold.json", text=STORY + "!")


def test_gold_missing_source_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(SourceMismatchError, match="does not exist"):
        load_gold(_write(tmp_path, _gold()), tmp_path / "nowhere")
    bad = tmp_path / "bad.gold.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(GoldFormatError, match="not valid JSON"):
        load_gold(bad, tmp_path)


def test_gold_find_files(tmp_path: Path) -> None:
    assert find_gold_files(tmp_path / "absent") == []
    _write(tmp_path, _gold(), "b.gold.json")
    _write(tmp_path, _gold(), "a.gold.json")
    (tmp_path / "c.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in find_gold_files(tmp_path)] == ["a.gold.json", "b.gold.json"]


def test_gold_evaluate_with_given_analysis(tmp_path: Path, shared: Path) -> None:
    path = _write(tmp_path, _gold())

    def fake(doc: GoldDocument) -> Analysis:
        a = analyze_text(doc.text)
        chars = (Character("c0", "Mara"), Character("c1", "Theo"))
        qs = tuple(
            Quote(f"q{i}", Span(*_off(t)), sp)
            for i, (t, sp) in enumerate(
                [('"You\'re late, Theo,"', "c0"), ('"Traffic,"', "c0"), ('"And the rain."', "c1")]
            )
        )
        return a.replace(characters=chars, quotes=qs)

    res = evaluate_gold([path], shared, fake)
    c = res.total
    assert (c.gold_quotes, c.predicted_quotes, c.matched, c.speaker_correct) == (4, 3, 3, 2)
    assert res.micro()["speaker_accuracy"] == pytest.approx(0.5)


def test_gold_evaluate_default_pipeline_reads_same_text(tmp_path: Path, shared: Path) -> None:
    res = evaluate_gold([_write(tmp_path, _gold())], shared)
    assert res.errors == ()
    assert res.total.gold_quotes == 4
    assert res.total.predicted_quotes >= 1


def test_gold_cli_json(tmp_path: Path, shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _gold())
    out = tmp_path / "figures.json"
    code = main(["eval", "gold", str(path), "--shared", str(shared), "--json", str(out), "-q"])
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["datasets"]["gold"]["micro"]["counts"]["gold_quotes"] == 4
    assert "gold: quotations and speakers" in capsys.readouterr().out
    # An existing output is not overwritten without --force.
    assert main(["eval", "gold", str(path), "--shared", str(shared), "--json", str(out), "-q"]) == 2


def test_gold_repository_files_are_valid(shared_dir: Path) -> None:
    """Every gold file kept in the repository validates against its ../shared source."""
    files = find_gold_files(Path(__file__).parent / "data" / "eval")
    if not files:
        pytest.skip("no gold file in tests/data/eval yet")
    for f in files:
        doc = load_gold(f, shared_dir)
        assert doc.quotes, f"{f} has no quotations"


def test_gold_eval_all_without_data_sets(tmp_path: Path, shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`eval all` on a shared folder with only a gold source: missing data sets are remarked, not fatal."""
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    _write(gold_dir, _gold())
    md = tmp_path / "bench.md"
    assert (
        main(["eval", "all", "--shared", str(shared), "--gold-dir", str(gold_dir), "--update-docs", str(md), "-q"]) == 0
    )
    out = md.read_text(encoding="utf-8")
    assert "<!-- BEGIN eval -->" in out and "### gold" in out and "| late |" in out
    assert "pdnc: not found" in out and "litbank: not found" in out
    assert main(["eval", "all", "--shared", str(tmp_path / "absent"), "-q"]) == 2


def test_gold_cli_json_to_stdout_is_only_json(tmp_path: Path, shared: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _gold())
    assert main(["eval", "gold", str(path), "--shared", str(shared), "--json", "-", "-q"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["schema"] == "ficnlp-eval/1"  # the table went to stderr
    assert "late" in captured.err
