"""Evaluation against gold annotations: PDNC, LitBank and our own gold files.

Quick start (library)::

    from ficnlp.eval import evaluate_pdnc
    res = evaluate_pdnc("../shared/data/pdnc", novels=["DaisyMiller"])
    res.micro()["speaker_accuracy"]                 # figures: ficnlp.eval.metrics.figures
    [r for r in res.records if not r.correct]       # per-quotation records for error analysis

A training script passes its own ``analyze_fn`` (``GoldDocument -> Analysis``) and the
held-out novels. Definitions of every figure: ``docs/eval.md`` and
:mod:`ficnlp.eval.metrics`. Command line: ``ficnlp eval pdnc|litbank|gold|all``.
"""

from __future__ import annotations

from ficnlp.eval.gold import GoldFormatError, SourceMismatchError, evaluate_gold, find_gold_files, load_gold
from ficnlp.eval.litbank import LITBANK_CREDIT, evaluate_litbank, load_litbank_work
from ficnlp.eval.metrics import (
    AnalyzeFn,
    Counts,
    DocumentResult,
    EvalResult,
    EvaluationError,
    GoldCharacter,
    GoldDocument,
    GoldQuote,
    QuoteRecord,
    default_analyze,
    evaluate,
    figures,
    map_characters,
    match_quotes,
    normalize_name,
    score_document,
)
from ficnlp.eval.pdnc import PDNC_CREDIT, evaluate_pdnc, list_pdnc_novels, load_pdnc_novel

__all__ = [
    "LITBANK_CREDIT",
    "PDNC_CREDIT",
    "AnalyzeFn",
    "Counts",
    "DocumentResult",
    "EvalResult",
    "EvaluationError",
    "GoldCharacter",
    "GoldDocument",
    "GoldFormatError",
    "GoldQuote",
    "QuoteRecord",
    "SourceMismatchError",
    "default_analyze",
    "evaluate",
    "evaluate_gold",
    "evaluate_litbank",
    "evaluate_pdnc",
    "figures",
    "find_gold_files",
    "list_pdnc_novels",
    "load_gold",
    "load_litbank_work",
    "load_pdnc_novel",
    "map_characters",
    "match_quotes",
    "normalize_name",
    "score_document",
]
