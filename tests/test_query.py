"""``ficnlp corpus`` and ``ficnlp query`` from the command line; DuckDB loading."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from corpus_util import OWN_OK, copy_own_corpus
from ficnlp import dataset
from ficnlp.cli import main

SHARE_SQL = """
SELECT q.work_id, q.speaker_name, sum(q.words) AS words,
       round(100.0 * sum(q.words) / sum(sum(q.words)) OVER (PARTITION BY q.work_id), 1) AS pct
FROM quotations q WHERE q.speaker_id IS NOT NULL
GROUP BY q.work_id, q.speaker_name ORDER BY q.work_id, words DESC, q.speaker_name
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A corpus folder and its DuckDB file, made once through the CLI."""
    tmp = tmp_path_factory.mktemp("query")
    corpus = copy_own_corpus(tmp / "in")
    out, db = tmp / "out", tmp / "corpus.duckdb"
    code = main(
        [
            "corpus",
            str(corpus),
            "-o",
            str(out),
            "--jobs",
            "1",
            "--batch-size",
            "5",
            "--duckdb",
            str(db),
            "--no-progress",
        ]
    )
    assert code == 1  # one empty file in the corpus fails
    return out, db


def _expected_shares(out: Path) -> list[tuple[str, str, int, float]]:
    words: dict[tuple[str, str], int] = {}
    for q in dataset.read_table(out, "quotations").to_pylist():
        if q["speaker_id"] is not None:
            key = (q["work_id"], q["speaker_name"])
            words[key] = words.get(key, 0) + q["words"]
    totals: dict[str, int] = {}
    for (wid, _), n in words.items():
        totals[wid] = totals.get(wid, 0) + n
    rows = [(wid, name, n, round(100.0 * n / totals[wid], 1)) for (wid, name), n in words.items()]
    return sorted(rows, key=lambda r: (r[0], -r[2], r[1]))


def test_query_dialogue_share_csv_matches_the_tables(built: tuple[Path, Path], tmp_path: Path) -> None:
    out, db = built
    expected = _expected_shares(out)
    assert expected and any(r[3] < 100 for r in expected)
    for source in (out, db):
        target = tmp_path / f"share-{source.name}.csv"
        assert main(["query", str(source), SHARE_SQL, "--csv", str(target)]) == 0
        rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
        assert rows[0] == ["work_id", "speaker_name", "words", "pct"]
        assert [(r[0], r[1], int(r[2]), float(r[3])) for r in rows[1:]] == expected


def test_query_prints_a_table_and_lists(built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = built
    assert main(["query", str(out), "SELECT count(*) AS n FROM works"]) == 0
    assert str(OWN_OK) in capsys.readouterr().out
    assert (
        main(["query", str(out), "SELECT name, aliases FROM characters WHERE name = 'Mara Quill'", "--csv", "-"]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "name,aliases" and lines[1].startswith("Mara Quill,")
    assert main(["query", str(out), "SELECT kind, stage FROM errors", "--csv", "-"]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "EmptyStoryError,read"


def test_query_bad_sql_and_bad_folder_are_usage_errors(
    built: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = built
    assert main(["query", str(out), "SELECT nope FROM works"]) == 2
    assert "the query failed" in capsys.readouterr().err
    assert main(["query", str(tmp_path), "SELECT 1"]) == 2
    assert "not a ficnlp corpus folder" in capsys.readouterr().err


def test_query_duckdb_file_holds_every_table(built: tuple[Path, Path]) -> None:
    import duckdb

    out, db = built
    con = duckdb.connect(str(db), read_only=True)
    try:
        for name in ("works", "characters", "quotations", "scenes", "notes", "ratings", "errors", "inputs"):
            (n,) = con.execute(f'SELECT count(*) FROM "{name}"').fetchone()  # type: ignore[misc]
            assert n == len(dataset.read_table(out, name)), name
    finally:
        con.close()


def test_query_corpus_cli_exit_codes(
    tmp_path: Path, built: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    out, db = built
    # resuming does nothing new; the existing DuckDB file needs --force
    assert (
        main(["corpus", str(out.parent / "in"), "-o", str(out), "--jobs", "1", "--no-progress", "--duckdb", str(db)])
        == 2
    )
    assert "--force" in capsys.readouterr().err
    assert main(["corpus", str(tmp_path / "missing"), "-o", str(tmp_path / "o"), "--no-progress"]) == 2
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text('"Morning," said Pip.', encoding="utf-8")
    assert main(["corpus", str(good), "-o", str(tmp_path / "o2"), "--jobs", "1", "--no-progress"]) == 0
    assert "1 work(s) analysed, 0 failed" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["corpus", str(good), "-o", str(tmp_path / "o3"), "--jobs", "0"])
    assert info.value.code == 2


def test_query_empty_corpus_has_typed_empty_tables(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dataset.write_manifest(out, {"format": dataset.FORMAT, "format_version": dataset.FORMAT_VERSION})
    con = dataset.connect(out)
    try:
        assert con.execute("SELECT count(*) FROM quotations").fetchone() == (0,)
        cols = [d[0] for d in con.execute("SELECT * FROM quotations").description]
        assert cols[:4] == ["work_id", "quote_id", "start", "end"]
    finally:
        con.close()


def test_query_wide_results_are_shown_a_row_at_a_time(
    built: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    out, _ = built
    assert main(["query", str(out), "SELECT * FROM works ORDER BY words LIMIT 1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # Every column keeps its whole name (not squeezed to one letter by a wide table).
    assert lines[0] == "-- row 1"
    assert any(line.startswith("rating_estimate ") for line in lines)
    assert any(line.split("|")[0].strip() == "work_id" for line in lines)


def test_corpus_progress_lines_count_duplicates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for name in ("a.txt", "copy-of-a.txt"):
        (src / name).write_text('"Morning," said Pip.\n\n"Morning," said Lo.', encoding="utf-8")
    assert main(["corpus", str(src), "-o", str(tmp_path / "o"), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    # stderr is not a terminal here: plain progress lines, the last one at "done"
    last = [line for line in captured.err.splitlines() if line.startswith("ficnlp corpus: done")][-1]
    assert "2/2 files" in last and "1 duplicate(s)" in last
