"""Exports for other tools: CSV tables, GraphML/GEXF networks, BookNLP-style TSV, ``ficnlp export``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import networkx as nx
import pytest

import ficnlp
from ficnlp.cli import main
from ficnlp.errors import ConfigError
from ficnlp.write.booknlp import ENTITY_COLUMNS, QUOTE_COLUMNS, TOKEN_COLUMNS, booknlp_texts, write_booknlp
from ficnlp.write.csv import CSV_TABLES, INTERACTION_COLUMNS, csv_texts, write_csv
from ficnlp.write.graph import gexf_text, graphml_text, write_gexf, write_graphml
from ficnlp.write.tables import TABLES

ROOT = Path(__file__).resolve().parents[1]
STORY = ROOT / "tests" / "data" / "stories" / "lighthouse.txt"
EMOJI_STORY = (
    "🌊🌊 The tide came in. 🐚\n\n"
    '"Did you see that? 🦀" asked Ivo.\n\n'
    '"I saw it, Ivo," said Wren. "A crab with a hat 🎩."\n\n'
    '"Tabs\tand\nbreaks," Ivo said.\n'
)


@pytest.fixture(scope="module")
def lighthouse() -> ficnlp.Analysis:
    return ficnlp.analyze(STORY)


@pytest.fixture(scope="module")
def emoji() -> ficnlp.Analysis:
    return ficnlp.analyze_text(EMOJI_STORY)


# --------------------------------------------------------------------------- CSV


def _read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_every_table_with_its_columns(lighthouse: ficnlp.Analysis, tmp_path: Path) -> None:
    paths = write_csv(lighthouse, tmp_path / "out")
    assert [p.name for p in paths] == [f"{t}.csv" for t in CSV_TABLES]
    for p in paths:
        header = next(csv.reader(io.StringIO(p.read_text(encoding="utf-8"))))
        expected = INTERACTION_COLUMNS if p.stem == "interactions" else TABLES[p.stem]
        assert tuple(header) == expected


def test_csv_rows_match_the_analysis(lighthouse: ficnlp.Analysis) -> None:
    texts = csv_texts(lighthouse, ("characters", "quotations", "scenes"))
    assert set(texts) == {"characters", "quotations", "scenes"}
    chars = _read_csv(texts["characters"])
    assert [r["character_id"] for r in chars] == [c.id for c in lighthouse.characters]
    for row, c in zip(chars, lighthouse.characters, strict=True):
        assert row["name"] == c.name and row["aliases"] == "; ".join(c.aliases)
        assert row["narrator"] == ("true" if c.narrator else "false")
    quotes = _read_csv(texts["quotations"])
    assert len(quotes) == len(lighthouse.quotes)
    for row, q in zip(quotes, lighthouse.quotes, strict=True):
        assert lighthouse.text[int(row["start"]) : int(row["end"])] == row["text"]
        assert row["speaker_id"] == (q.speaker_id or "")
        assert row["addressee_ids"] == "; ".join(q.addressee_ids)
    scenes = _read_csv(texts["scenes"])
    assert [(int(r["start"]), int(r["end"])) for r in scenes] == [(s.span.start, s.span.end) for s in lighthouse.scenes]


def test_csv_interactions_list_both_counts(lighthouse: ficnlp.Analysis) -> None:
    rows = _read_csv(csv_texts(lighthouse, ("interactions",))["interactions"])
    assert rows, "the lighthouse story has dialogue between characters"
    spoke = {(q.speaker_id, ad) for q in lighthouse.quotes for ad in q.addressee_ids if q.speaker_id != ad}
    listed = {(r["source_id"], r["target_id"]) for r in rows if int(r["spoke_to"]) > 0}
    assert listed == spoke
    assert all(int(r["spoke_to"]) > 0 or int(r["co_scenes"]) > 0 for r in rows)


def test_csv_unknown_table_raises(lighthouse: ficnlp.Analysis) -> None:
    with pytest.raises(ConfigError, match="choose from"):
        csv_texts(lighthouse, ("characters", "nope"))


# --------------------------------------------------------------------------- GraphML / GEXF


def test_graph_graphml_and_gexf_round_trip(lighthouse: ficnlp.Analysis, tmp_path: Path) -> None:
    gm = nx.read_graphml(write_graphml(lighthouse, tmp_path / "g.graphml"))
    gx = nx.read_gexf(write_gexf(lighthouse, tmp_path / "g.gexf"))
    for g in (gm, gx):
        assert g.is_directed()
        assert set(g.nodes) == {c.id for c in lighthouse.characters}
        assert {g.nodes[c.id]["label"] for c in lighthouse.characters} == {c.name for c in lighthouse.characters}
        assert g.number_of_edges() > 0
        for _, _, d in g.edges(data=True):
            assert float(d["weight"]) == float(d["spoke_to"]) > 0
            assert int(d["co_scenes"]) >= 0


def test_graph_output_is_deterministic(lighthouse: ficnlp.Analysis) -> None:
    assert graphml_text(lighthouse) == graphml_text(lighthouse)
    gexf = gexf_text(lighthouse)
    assert gexf == gexf_text(lighthouse)
    assert "lastmodifieddate" not in gexf
    assert gexf.startswith("<?xml") and graphml_text(lighthouse).startswith("<?xml")


def test_graph_co_scenes_weight(lighthouse: ficnlp.Analysis) -> None:
    g = nx.read_graphml(io.BytesIO(graphml_text(lighthouse, weight="co_scenes").encode()))
    assert g.number_of_edges() > 0
    for _, _, d in g.edges(data=True):
        assert d["weight"] == d["co_scenes"] > 0


@pytest.mark.shared
def test_graph_beside_you_heaviest_edge_is_addison_alex(shared_dir: Path, tmp_path: Path) -> None:
    story = shared_dir / "corpus" / "beside-you.txt"
    if not story.is_file():
        pytest.skip(f"{story} is not present")
    out = tmp_path / "beside-you.graphml"
    assert main(["export", str(story), "--graphml", str(out)]) == 0
    g = nx.read_graphml(out)
    u, v, d = max(g.edges(data=True), key=lambda e: e[2]["weight"])
    names = {g.nodes[u]["label"].split()[0], g.nodes[v]["label"].split()[0]}
    assert names == {"Addison", "Alex"}, (g.nodes[u]["label"], g.nodes[v]["label"], d)


# --------------------------------------------------------------------------- BookNLP-style


def _tsv(text: str) -> tuple[list[str], list[list[str]]]:
    lines = text.split("\n")
    assert lines[-1] == "", "files end with a newline"
    rows = [line.split("\t") for line in lines[:-1]]
    return rows[0], rows[1:]


def test_booknlp_columns_are_honestly_named(emoji: ficnlp.Analysis) -> None:
    files = booknlp_texts(emoji)
    for name, columns in (("tokens", TOKEN_COLUMNS), ("entities", ENTITY_COLUMNS), ("quotes", QUOTE_COLUMNS)):
        header, rows = _tsv(files[name])
        assert tuple(header) == columns
        assert all(len(r) == len(columns) for r in rows), f"{name}: a field holds a tab or a line break"
        assert not any("byte" in c.lower() for c in header)


def test_booknlp_token_offsets_are_code_points(emoji: ficnlp.Analysis) -> None:
    text = emoji.text
    _, rows = _tsv(booknlp_texts(emoji)["tokens"])
    words = [r[4] for r in rows]
    assert "🦀" in words and "Ivo" in words
    last = -1
    for i, r in enumerate(rows):
        start, end = int(r[5]), int(r[6])
        assert text[start:end] == r[4]
        assert int(r[3]) == i and start >= last
        last = end
    # sentence ids never decrease, and restart token numbering
    sents = [int(r[1]) for r in rows]
    assert sents == sorted(sents) and sents[0] == 0


def test_booknlp_entities_and_quotes_point_at_their_tokens(emoji: ficnlp.Analysis) -> None:
    files = booknlp_texts(emoji)
    _, tokens = _tsv(files["tokens"])
    _, entities = _tsv(files["entities"])
    _, quotes = _tsv(files["quotes"])
    text = emoji.text
    assert len(entities) == len(emoji.mentions) and len(quotes) == len(emoji.quotes)
    for e in entities:
        lo, hi = int(e[1]), int(e[2])
        covered = "".join(t[4] for t in tokens[lo : hi + 1])
        assert covered.replace(" ", "") == text[int(e[7]) : int(e[8])].replace(" ", "")
        assert int(e[0]) == int(e[6][1:])
        assert all(t[8] == e[6] for t in tokens[lo : hi + 1])
    for q, quote in zip(quotes, emoji.quotes, strict=True):
        lo, hi = int(q[0]), int(q[1])
        assert tokens[lo][4] in ('"', "“") and int(tokens[lo][5]) == quote.span.start
        assert int(tokens[hi][6]) == quote.span.end
        assert q[7] == quote.id and all(t[7] == quote.id for t in tokens[lo : hi + 1])
        assert "\n" not in q[6] and "\t" not in q[6]
        if quote.speaker_id:
            assert q[10] == quote.speaker_id and int(q[5]) == int(quote.speaker_id[1:])


def test_booknlp_write_three_files(emoji: ficnlp.Analysis, tmp_path: Path) -> None:
    paths = write_booknlp(emoji, tmp_path / "sub" / "story")
    assert [p.name for p in paths] == ["story.tokens", "story.entities", "story.quotes"]
    assert all(p.read_text(encoding="utf-8").count("\n") >= 1 for p in paths)


def test_exports_doc_lists_every_column() -> None:
    doc = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    for col in (*TOKEN_COLUMNS, *ENTITY_COLUMNS, *QUOTE_COLUMNS, *INTERACTION_COLUMNS):
        assert f"`{col}`" in doc, f"docs/exports.md does not describe {col}"
    for attr in ("spoke_to", "co_scenes", "weight", "relationship", "words_spoken", "label"):
        assert f"`{attr}`" in doc


# --------------------------------------------------------------------------- CLI


def test_export_cli_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "x"
    argv = ["export", str(STORY), "--csv", str(out / "csv"), "--graphml", str(out / "n.graphml")]
    argv += ["--gexf", str(out / "n.gexf"), "--booknlp", str(out / "bn" / "story")]
    out.mkdir()
    assert main(argv) == 0
    assert sorted(p.name for p in (out / "csv").iterdir()) == sorted(f"{t}.csv" for t in CSV_TABLES)
    assert nx.read_graphml(out / "n.graphml").number_of_nodes() > 0
    assert nx.read_gexf(out / "n.gexf").number_of_nodes() > 0
    assert (out / "bn" / "story.tokens").is_file()
    # a second run refuses to overwrite, then --force allows it
    assert main(argv) == 2
    assert main([*argv, "--force"]) == 0


def test_export_cli_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", str(STORY)])
    assert exc.value.code == 2
    assert "nothing to export" in capsys.readouterr().err


def test_export_cli_reads_a_saved_analysis(lighthouse: ficnlp.Analysis, tmp_path: Path) -> None:
    saved = tmp_path / "a.json"
    saved.write_text(lighthouse.to_json(), encoding="utf-8")
    assert main(["export", str(saved), "--graphml", str(tmp_path / "n.graphml")]) == 0
    assert (tmp_path / "n.graphml").read_text(encoding="utf-8") == graphml_text(lighthouse)
