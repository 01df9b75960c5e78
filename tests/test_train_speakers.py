"""Training the speaker ranker (``ficnlp train``) on a small invented PDNC-shaped corpus.

The four "novels" are written here: they only exercise the training path (examples,
leave-novels-out folds, export, model file, report). Figures on real PDNC come from
``make train`` and live in docs/benchmarks.md.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from ficnlp.cli import main
from ficnlp.errors import InputError
from ficnlp.speaker_model import load_model, model_from_json, text_digest

pytest.importorskip("lightgbm")

from ficnlp.train.speakers import assign_folds, train_markdown, train_speaker_model

CASTS = [
    (("Ada Quill", "she"), ("Bruno Marsh", "he"), ("Cora Vell", "she")),
    (("Dora Penn", "she"), ("Evan Roth", "he"), ("Fiona Lake", "she")),
    (("Gwen Holt", "she"), ("Hugo Tarn", "he"), ("Iris Wade", "she")),
    (("Jules Fenn", "he"), ("Kate Orme", "she"), ("Leo Brandt", "he")),
]


def _novel(folder: Path, cast: tuple[tuple[str, str], ...], seed: int) -> None:
    """Write novel_text.txt, quotation_info.csv and character_info.csv for an invented story."""
    (a, _), (b, b_pro), (c, _) = cast
    first = {n: n.split()[0] for n, _ in cast}
    parts: list[str] = []
    quotes: list[tuple[int, int, str, str, str]] = []
    pos = 0

    def para(chunks: list[tuple[str, str | None, str | None, str | None]]) -> None:
        """chunks: (text, speaker, addressee, type); a chunk with a speaker is quoted."""
        nonlocal pos
        for text, speaker, addressee, kind in chunks:
            if speaker is not None:
                quotes.append((pos + 1, pos + 1 + len(text), speaker, addressee or "", kind or "implicit"))
                chunk = f'"{text}"'
            else:
                chunk = text
            parts.append(chunk)
            pos += len(chunk)
        parts.append("\n\n")
        pos += 2

    para([(f"{a} and {b} met at the station on a grey morning; {c} was late again.", None, None, None)])
    for k in range(14 + seed):
        para(
            [
                (f"Have you heard from {first[c]} today, number {k}?", a, b, "implicit"),
                (" asked ", None, None, None),
                (first[a], None, None, None),
                (".", None, None, None),
            ]
        )
        quotes[-1] = (*quotes[-1][:4], "explicit")
        para([(f"Not a word since the {k} letters came", b, a, "anaphoric"), (f", {b_pro} said.", None, None, None)])
        para([(f"Then we wait for her, {first[b]}.", a, b, "implicit")])
        para([(f"We always wait, time {k}.", b, a, "implicit")])
        if k % 3 == 0:
            para([(f"{c} came running along the platform with her bag.", None, None, None)])
            para([("I am here at last", c, a, "explicit"), (f", cried {first[c]}.", None, None, None)])
    text = "".join(parts).rstrip() + "\n"
    folder.mkdir(parents=True)
    (folder / "novel_text.txt").write_text(text, encoding="utf-8")
    with (folder / "quotation_info.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["quoteID", "quoteText", "quoteByteSpans", "speaker", "addressees", "quoteType"])
        for i, (s, e, speaker, addressee, kind) in enumerate(quotes):
            assert text[s - 1] == '"' and text[e] == '"'
            w.writerow([f"Q{i}", text[s:e], f"[[{s}, {e}]]", speaker, f"['{addressee}']" if addressee else "[]", kind])
    with (folder / "character_info.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["Character ID", "Main Name", "Aliases", "Gender", "Category"])
        for i, (name, pro) in enumerate(cast):
            aliases = "{" + ", ".join(repr(x) for x in (name, name.split()[0])) + "}"
            w.writerow([i, name, aliases, "F" if pro == "she" else "M", "major"])


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shared")
    for k, cast in enumerate(CASTS):
        _novel(root / "data" / "pdnc" / "data" / f"Novel{k}", cast, k)
    return root


def test_train_assign_folds_is_balanced_and_deterministic() -> None:
    sizes = {"A": 400, "B": 300, "C": 200, "D": 100, "E": 50}
    folds = assign_folds(sizes, 2)
    assert folds == assign_folds(dict(reversed(sizes.items())), 2)
    assert folds == {"A": 0, "B": 1, "C": 1, "D": 0, "E": 0}
    with pytest.raises(InputError, match="cannot make 6 folds of 5 novels"):
        assign_folds(sizes, 6)


def test_train_speaker_model_cross_validates_and_exports(shared: Path) -> None:
    pdnc = shared / "data" / "pdnc"
    lines: list[str] = []
    result = train_speaker_model(pdnc, n_folds=2, progress=lines.append)
    model = model_from_json(result.model)
    assert len(model.folds) == 2
    held = sorted(n for f in model.folds for n in f.held_out)
    assert held == [f"Novel{k}" for k in range(4)]
    texts = {
        f"Novel{k}": (pdnc / "data" / f"Novel{k}" / "novel_text.txt").read_text(encoding="utf-8") for k in range(4)
    }
    for fold in model.folds:
        assert sorted(fold.held_out_sha256) == sorted(text_digest(texts[n]) for n in fold.held_out)
        for n in fold.held_out:
            assert model.ranker_for(texts[n])[1] is fold
        # Two training novels: the second pass is trained on their out-of-fold scores.
        assert len(fold.ranker.stages) == 2
    assert len(model.full.stages) == 2
    assert [d.doc.id for d in result.ranker.documents] == [f"Novel{k}" for k in range(4)]
    for res in (result.ranker, result.rules):
        f = res.micro()
        assert res.errors == () and 0.0 <= f["speaker_accuracy"] <= 1.0  # type: ignore[operator]
    assert result.model["cv"]["folds"] == 2 and set(result.model["cv"]["per_novel"]) == set(texts)
    assert any("fold 0" in line for line in lines)
    md = train_markdown(result, command="ficnlp train --shared X", model_path="m.json", model_bytes=1000)
    assert "held out" in md and "| Novel3 |" in md and "**micro**" in md
    # Deterministic: the same data gives the same model file.
    again = train_speaker_model(pdnc, n_folds=2)
    assert json.dumps(again.model, sort_keys=True) == json.dumps(result.model, sort_keys=True)


def test_train_command_writes_model_and_docs(shared: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "model.json"
    docs = tmp_path / "bench.md"
    docs.write_text("# Benchmarks\n\n<!-- BEGIN train -->\nNOT YET RUN\n<!-- END train -->\n", encoding="utf-8")
    code = main(["train", "--shared", str(shared), "--folds", "2", "--out", str(out), "--update-docs", str(docs), "-q"])
    assert code == 0
    assert len(load_model(out).folds) == 2
    section = docs.read_text(encoding="utf-8")
    assert "NOT YET RUN" not in section and "Speaker model (leave-novels-out cross-validation)" in section
    assert "| Novel0 |" in capsys.readouterr().out
    # An existing --out file needs --force.
    assert main(["train", "--shared", str(shared), "--folds", "2", "--out", str(out), "--no-docs", "-q"]) == 2


def test_train_command_without_shared_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["train", "--shared", str(tmp_path / "nowhere"), "--no-docs"])
    assert code == 2
    err = capsys.readouterr().err
    assert "PDNC not found" in err and "--shared DIR" in err
