"""Scoring on small invented gold/predicted cases, with the exact numbers checked."""

from __future__ import annotations

import json

import pytest

import ficnlp.eval as ev
from ficnlp.errors import StageError
from ficnlp.eval.metrics import (
    Counts,
    EvaluationError,
    GoldCharacter,
    GoldDocument,
    GoldQuote,
    cluster_counts,
    evaluate,
    figures,
    map_characters,
    match_quotes,
    normalize_name,
    score_document,
)
from ficnlp.eval.report import results_to_json, results_to_markdown
from ficnlp.model import Analysis, Character, Quote, SourceRef, Span, Story

# An invented scene: three quotations by two speakers.
TEXT = '"Hi," said Ann. "Hello, Ann." Bo waved. "Bye," she said. "Later."'


def _story(text: str = TEXT) -> Story:
    return Story(id="t", text=text, source=SourceRef(path="<t>", format="txt", sha256="0" * 64))


def _span(needle: str, text: str = TEXT) -> Span:
    i = text.index(needle)
    return Span(i, i + len(needle))


GOLD_CHARS = (
    GoldCharacter("ann", "Ann Lee", ("Ann", "Miss Lee"), "she/her", "major"),
    GoldCharacter("bo", "Bo", ("Mr. Bo",), "he/him", "major"),
    GoldCharacter("cy", "Cy", (), "unknown", "minor"),
)


def _gold_doc(quotes: tuple[GoldQuote, ...]) -> GoldDocument:
    return GoldDocument(
        id="doc",
        title="doc",
        text=TEXT,
        characters=GOLD_CHARS,
        quotes=quotes,
        major=frozenset({"ann", "bo"}),
        source="<doc>",
    )


GOLD_QUOTES = (
    # PDNC-style spans without the quote marks.
    GoldQuote("q0", _span("Hi,"), "ann", ("bo",), "explicit"),
    GoldQuote("q1", _span("Hello, Ann."), "bo", ("ann",), "implicit"),
    GoldQuote("q2", _span("Bye,"), "ann", ("bo",), "anaphoric"),
    GoldQuote("q3", _span("Later."), "bo", (), "implicit"),
)


def _analysis(quotes: tuple[Quote, ...], characters: tuple[Character, ...]) -> Analysis:
    return Analysis(story=_story(), characters=characters, quotes=quotes)


PRED_CHARS = (
    Character("c0", "Ann", ("Miss Lee",), "she/her"),
    Character("c1", "Bo", (), "he/him"),
    Character("c2", "Narrator", (), narrator=True),
)
PRED_QUOTES = (
    Quote("q0", _span('"Hi,"'), "c0", ("c1",), "explicit"),
    Quote("q1", _span('"Hello, Ann."'), "c0", ("c2",), "implicit"),  # wrong speaker, unmapped addressee
    Quote("q2", _span('"Bye,"'), "c0", ("c1",), "anaphoric"),
    # "Later." is missed; a false positive instead:
    Quote("q3", _span("Bo waved."), "c1"),
)


def test_eval_metrics_public_names_match_all() -> None:
    public = {
        n
        for n in dir(ev)
        if not n.startswith("_") and n not in {"annotations", "gold", "litbank", "metrics", "pdnc", "report"}
    }
    assert set(ev.__all__) == public


def test_eval_metrics_normalize_name_variants() -> None:
    assert normalize_name("Mr. Hale") == normalize_name("mr  hale") == normalize_name("MR HALE") == "mr hale"
    assert normalize_name("St. John’s") == normalize_name("Saint John's") == "saint john's"
    assert normalize_name("The Queen") == normalize_name("queen") == "queen"
    assert normalize_name("Theo") == "theo"


def test_eval_metrics_match_quotes_half_overlap_rule() -> None:
    # gold [0, 10): a prediction covering exactly 5 code points matches, 4 does not.
    assert match_quotes([Span(0, 10)], [Span(5, 20)]) == [(0, 0, 5)]
    assert match_quotes([Span(0, 10)], [Span(6, 20)]) == []
    assert match_quotes([Span(0, 10)], []) == []
    assert match_quotes([], [Span(0, 3)]) == []


def test_eval_metrics_match_quotes_pieces_of_one_prediction() -> None:
    # PDNC cuts a speech around an inner quotation; one prediction covering the pieces
    # (together more than half of it) matches each of them.
    gold = [Span(0, 10), Span(12, 30)]
    assert match_quotes(gold, [Span(0, 30)]) == [(0, 0, 10), (1, 0, 18)]
    # A giant prediction covering little gold keeps only its best match.
    assert match_quotes(gold, [Span(0, 200)]) == [(1, 0, 18)]
    # Two predictions for one gold: the larger overlap wins, the other stays unmatched.
    assert match_quotes([Span(0, 10)], [Span(0, 6), Span(3, 10)]) == [(0, 1, 7)]
    # Order of the inputs does not matter.
    assert match_quotes([Span(20, 30), Span(0, 10)], [Span(21, 29), Span(0, 9)]) == [(0, 0, 8), (1, 1, 9)]


def test_eval_metrics_map_characters_by_names_only() -> None:
    pred = (
        Character("c0", "Ann", ("Miss Lee",)),  # 2 names of ann
        Character("c1", "mr bo"),  # normalised match
        Character("c2", "Narrator", narrator=True),  # no gold "Narrator"
        Character("c3", "Dee"),  # no match
    )
    assert map_characters(pred, GOLD_CHARS) == {"c0": "ann", "c1": "bo", "c2": None, "c3": None}


def test_eval_metrics_map_characters_ties() -> None:
    gold = (
        GoldCharacter("jane", "Jane Bennet", ("Jane", "Miss Bennet")),
        GoldCharacter("liz", "Elizabeth Bennet", ("Elizabeth", "Lizzy", "Miss Bennet")),
    )
    pred = (
        Character("c0", "Miss Bennet"),  # ambiguous: one shared name -> None
        Character("c1", "Lizzy", ("Elizabeth", "Miss Bennet")),  # 3 vs 1 -> liz
        Character("c2", "Jane", ("Elizabeth",)),  # 1 vs 1, own name is Jane's -> jane
        Character("c3", "Narrator", ("Elizabeth Bennet",), narrator=True),  # learned name
    )
    assert map_characters(pred, gold) == {"c0": None, "c1": "liz", "c2": "jane", "c3": "liz"}


def test_eval_metrics_cluster_counts_statuses() -> None:
    gold = (
        GoldCharacter("a", "Ann Lee", ("Ann",)),
        GoldCharacter("b", "Bo Day", ("Bo",)),
        GoldCharacter("c", "Cy Fox", ("Cy",)),
        GoldCharacter("d", "Di Ray", ("Di",)),
        GoldCharacter("e", "Ed Ray", ("Ed", "Mr. Ray")),
    )
    pred = (
        Character("p0", "Ann Lee"),  # a whole
        Character("p1", "Bo Day"),  # b split over p1 and p2
        Character("p2", "Bo"),
        Character("p3", "Cy Fox", ("Di",)),  # c and d merged; spans two gold characters
        Character("p4", "Mr. Ray"),  # maps to e: whole
    )
    mapping = map_characters(pred, gold)
    res = cluster_counts(pred, gold, ["a", "b", "c", "d", "e", "missing-id"], mapping)
    assert dict(res.status) == {
        "a": "whole",
        "b": "split",
        "c": "merged",
        "d": "merged",
        "e": "whole",
        "missing-id": "missing",
    }
    assert dict(res.spanning) == {"p3": ("c", "d")}
    assert res.carrying == 5


def test_eval_metrics_score_document_exact_counts() -> None:
    doc = _gold_doc(GOLD_QUOTES)
    res = score_document(doc, _analysis(PRED_QUOTES, PRED_CHARS))
    c = res.counts
    assert (c.gold_quotes, c.predicted_quotes, c.matched) == (4, 4, 3)
    assert (c.speaker_gold, c.speaker_matched, c.speaker_correct) == (4, 3, 2)
    assert (c.explicit_gold, c.explicit_matched, c.explicit_correct) == (1, 1, 1)
    assert (c.anaphoric_gold, c.anaphoric_matched, c.anaphoric_correct) == (1, 1, 1)
    assert (c.implicit_gold, c.implicit_matched, c.implicit_correct) == (2, 1, 0)
    assert (c.addressee_gold, c.addressee_matched, c.addressee_hits) == (3, 3, 2)
    assert (c.major_characters, c.major_whole, c.predicted_characters, c.predicted_spanning) == (2, 2, 3, 0)
    f = res.figures()
    assert f["quote_precision"] == pytest.approx(0.75)
    assert f["quote_recall"] == pytest.approx(0.75)
    assert f["quote_f1"] == pytest.approx(0.75)
    assert f["speaker_accuracy"] == pytest.approx(0.5)
    assert f["speaker_accuracy_matched"] == pytest.approx(2 / 3)
    assert f["implicit_accuracy"] == 0.0
    assert f["implicit_accuracy_matched"] == 0.0
    assert f["addressee_hit_rate"] == pytest.approx(2 / 3)
    assert f["major_whole_rate"] == 1.0
    assert f["spanning_rate"] == 0.0
    # Per-quotation records for error analysis.
    r = res.records
    assert [x.gold.id for x in r] == ["q0", "q1", "q2", "q3"]
    assert [x.correct for x in r] == [True, False, True, False]
    assert r[1].predicted_speaker == "c0" and r[1].mapped_speaker == "ann"
    assert r[3].predicted is None and r[3].overlap == 0 and r[3].addressee_hit is None
    assert r[0].mapped_addressees == ("bo",) and r[0].addressee_hit is True
    assert r[1].mapped_addressees == () and r[1].addressee_hit is False
    assert [q.id for q in res.unmatched_predicted] == ["q3"]
    assert dict(res.mapping) == {"c0": "ann", "c1": "bo", "c2": None}


def test_eval_metrics_unknown_gold_speaker_left_out_of_speaker_figures() -> None:
    doc = _gold_doc((GoldQuote("q0", _span("Hi,"), None, (), "explicit"),))
    res = score_document(doc, _analysis(PRED_QUOTES[:1], PRED_CHARS))
    assert (res.counts.matched, res.counts.speaker_gold, res.counts.explicit_gold) == (1, 0, 0)
    assert res.figures()["speaker_accuracy"] is None
    assert res.figures()["quote_f1"] == 1.0


def test_eval_metrics_score_document_rejects_other_text() -> None:
    doc = _gold_doc(GOLD_QUOTES)
    other = Analysis(story=_story(TEXT.replace("Bo", "Bi")))
    with pytest.raises(EvaluationError, match="code point 31 "):
        score_document(doc, other)


def test_eval_metrics_figures_undefined_without_denominators() -> None:
    f = figures(Counts())
    assert set(f.values()) == {None}
    assert figures(Counts(gold_quotes=2, predicted_quotes=3, matched=0))["quote_f1"] == 0.0


def test_eval_metrics_evaluate_micro_macro_and_failures() -> None:
    good = _gold_doc(GOLD_QUOTES)
    small = GoldDocument(
        id="small",
        title="small",
        text=TEXT,
        characters=GOLD_CHARS,
        quotes=GOLD_QUOTES[:1],
        source="<small>",
    )
    broken = GoldDocument(
        id="broken", title="broken", text=TEXT, characters=GOLD_CHARS, quotes=GOLD_QUOTES[:2], major=frozenset({"ann"})
    )

    def fake(doc: GoldDocument) -> Analysis:
        if doc.id == "broken":
            raise StageError("speakers", "x", "boom")
        return _analysis(PRED_QUOTES, PRED_CHARS)

    seen: list[str] = []
    res = evaluate([good, small, broken], fake, dataset="test", progress=lambda d: seen.append(d.doc.id))
    assert seen == ["doc", "small", "broken"]
    assert [d.doc.id for d in res.errors] == ["broken"]
    assert "StageError" in (res.errors[0].error or "")
    total = res.total
    # doc: 4 gold, 3 matched, 2 right; small: 1 gold, 1 matched, 1 right; broken: 2 gold missed.
    assert (total.gold_quotes, total.matched, total.speaker_gold, total.speaker_correct) == (7, 4, 7, 3)
    assert total.predicted_quotes == 8
    assert (total.major_characters, total.major_missing) == (3, 1)
    assert res.micro()["speaker_accuracy"] == pytest.approx(3 / 7)
    # macro: mean of 0.5 (doc) and 1.0 (small); the failed document has no figures.
    assert res.macro()["speaker_accuracy"] == pytest.approx(0.75)
    assert len(res.records) == 5


def test_eval_metrics_reports_markdown_and_json() -> None:
    res = evaluate(
        [_gold_doc(GOLD_QUOTES)], lambda d: _analysis(PRED_QUOTES, PRED_CHARS), dataset="gold", notes=("credit line",)
    )
    md = results_to_markdown([res], command="ficnlp eval test", date="2000-01-02", remarks=["a remark"])
    assert "`ficnlp eval test` on 2000-01-02" in md
    assert "| spk\\|m |" in md
    assert "| doc |  | 4 | 4 | 0.750 | 0.750 | 0.750 | 0.500 | 0.667 |" in md
    assert "credit line" in md and "- a remark" in md
    data = json.loads(json.dumps(results_to_json([res], date="2000-01-02")))
    assert data["schema"] == "ficnlp-eval/1"
    micro = data["datasets"]["gold"]["micro"]
    assert micro["counts"]["speaker_correct"] == 2
    assert micro["figures"]["speaker_accuracy"] == 0.5
    assert data["datasets"]["gold"]["documents"][0]["clustering"]["status"] == {"ann": "whole", "bo": "whole"}
