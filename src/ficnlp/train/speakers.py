"""Train the speaker ranker on PDNC, with whole novels held out.

Steps (``ficnlp train``, ``make train``):

1. **Examples.** Each PDNC novel is analysed by ficnlp's own pipeline up to its
   characters (structure, quotes, characters), then the speaker rules run
   (:func:`ficnlp.speakers.rule_state`) and every quotation gets its candidates and
   features (:func:`ficnlp.speaker_features.candidate_table`). A candidate is
   *positive* when the predicted quotation matches a gold one (the eval's matching
   rule) and the candidate's character maps to the gold speaker by names only
   (:func:`ficnlp.eval.map_characters`, never through the quotations). Quotations
   without a positive candidate (unmatched, or the speaker not among the candidates)
   are left out of training but still count, as misses, in every figure.
2. **Folds.** Novels are dealt into :data:`DEFAULT_FOLDS` folds by decreasing number of
   gold quotations (a snake draft, so folds have similar sizes); the assignment is a
   pure function of the novel names and sizes.
3. **Cross-validation.** For each fold, a two-pass ranker is trained on the other
   folds' novels only: a first LightGBM ``lambdarank`` forest over
   :data:`~ficnlp.speaker_features.FEATURES`; then, to train the second pass, the
   training novels get *out-of-fold* first-pass scores (an inner cross-validation over
   the training folds: each is scored by a first-pass forest trained on the others),
   from which :func:`~ficnlp.speaker_features.context_features` are computed, and a
   second forest is trained over both feature sets (stacking). The fold's novels are
   then attributed end to end by :func:`ficnlp.speakers.attribute_speakers` with that
   ranker and scored by :func:`ficnlp.eval.score_document`; nothing in their ranker
   has seen them. These held-out figures are the ones we claim.
4. **Shipped model.** A ranker trained on every novel (``full``, used for texts that
   are not PDNC novels; its second pass learns from the fold forests' out-of-fold
   scores) and the fold rankers (used, by text digest, for the PDNC novels they never
   saw) are written to ``ficnlp/data/models/speakers.json``.

Deterministic: fixed seeds, ``deterministic=True``, a fixed thread count. Needs the
``train`` extra (``pip install 'ficnlp[train]'``).

Source: LightGBM (Ke et al., NeurIPS 2017) with LambdaRank (Burges 2010); leave-novels-
out evaluation as issue 3 of the ficnlp tracker asks; PDNC (Vishnubhotla, Hammond &
Hirst, LREC 2022), read from ../shared and never copied.
"""

from __future__ import annotations

import logging
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ficnlp import __version__, speakers
from ficnlp.config import Config
from ficnlp.errors import InputError, MissingExtraError
from ficnlp.eval.metrics import (
    DocumentResult,
    EvalResult,
    EvaluationError,
    GoldDocument,
    map_characters,
    match_quotes,
    score_document,
)
from ficnlp.eval.pdnc import PDNC_CREDIT, find_pdnc_root, list_pdnc_novels, load_pdnc_novel
from ficnlp.model import Analysis
from ficnlp.pipeline import analyze_story
from ficnlp.read import read_story, story_from_text
from ficnlp.speaker_features import (
    CONTEXT_FEATURES,
    FEATURE_VERSION,
    FEATURES,
    CandidateTable,
    candidate_table,
    context_features,
)
from ficnlp.speaker_model import SCHEMA, Forest, Ranker, SpeakerModel, model_from_json, text_digest
from ficnlp.speakers import RuleState

__all__ = [
    "DEFAULT_FOLDS",
    "DEPTH",
    "PARAMS",
    "ROUNDS",
    "NovelExamples",
    "TrainResult",
    "assign_folds",
    "booster_to_forest",
    "novel_examples",
    "train_markdown",
    "train_speaker_model",
]

logger = logging.getLogger(__name__)

#: Leave-novels-out folds: 21 PDNC novels -> 3 novels per fold.
DEFAULT_FOLDS = 7
#: Tree depth of the exported forest (complete trees; see :mod:`ficnlp.speaker_model`).
DEPTH = 4
#: Boosting rounds. From 60 rounds (learning rate 0.15) to 400 (0.05, depth 7) the
#: held-out accuracy on PDNC moved by less than 0.003; 60 keeps scoring fast
#: (``docs/speakers.md``).
ROUNDS = 60
#: LightGBM parameters. ``max_depth`` must equal :data:`DEPTH`.
PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "lambdarank_truncation_level": 3,
    "learning_rate": 0.15,
    "num_leaves": 15,
    "max_depth": DEPTH,
    "min_data_in_leaf": 50,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "seed": 1,
    "deterministic": True,
    "force_row_wise": True,
    "num_threads": 2,
    "verbose": -1,
}


@dataclass
class NovelExamples:
    """One novel's analysis (up to characters), candidates, features and labels.

    Attributes:
        doc: the gold novel.
        pre: ficnlp's analysis before the speaker stage.
        X: ``(pairs, features)`` float32 features.
        quote: ``(pairs,)`` quotation index of each pair (grouped, in order).
        y: ``(pairs,)`` int8, 1 when the candidate maps to the gold speaker.
        seconds: time to analyse and build the examples.
    """

    doc: GoldDocument
    pre: Analysis
    X: np.ndarray
    quote: np.ndarray
    y: np.ndarray
    seconds: float = 0.0
    table: CandidateTable | None = None
    state: RuleState | None = None

    @property
    def name(self) -> str:
        """The novel's folder name."""
        return self.doc.id

    def training_rows(self, x: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Features, labels and group sizes of the ranked quotations that have a positive candidate.

        Args:
            x: another ``(pairs, k)`` feature matrix for the same pairs (the second
                pass's); default :attr:`X`.
        """
        x = self.X if x is None else x
        if len(self.quote) == 0:
            return x[:0], self.y[:0], np.zeros(0, np.int64)
        n_q = int(self.quote.max()) + 1
        has_pos = np.zeros(n_q, bool)
        np.logical_or.at(has_pos, self.quote, self.y == 1)
        keep = has_pos[self.quote]
        q = self.quote[keep]
        groups = np.diff(np.flatnonzero(np.r_[True, q[1:] != q[:-1], True]))
        return x[keep], self.y[keep], groups

    def second_pass_x(self, first_scores: np.ndarray) -> np.ndarray:
        """The second pass's feature matrix given first-pass scores of this novel's pairs."""
        if self.table is None or self.state is None or len(self.quote) == 0:
            return np.zeros((len(self.quote), len(FEATURES) + len(CONTEXT_FEATURES)), np.float32)
        return np.hstack([self.X, context_features(self.table, self.state, first_scores)])


def novel_examples(doc: GoldDocument) -> NovelExamples:
    """Analyse a gold novel up to its characters and build its ranking examples.

    Raises:
        EvaluationError: ficnlp's text is not the gold text.
        InputError, StageError: as :func:`ficnlp.analyze`.
    """
    t0 = time.perf_counter()
    story = read_story(doc.path) if doc.path is not None else story_from_text(doc.text, path=doc.id)
    pre = analyze_story(story, Config(), stages=("structure", "quotes", "characters"))
    if pre.text != doc.text:
        raise EvaluationError(f"{doc.id}: the analysed text is not the gold text")
    analysis, state = speakers.rule_state(pre)
    table = candidate_table(analysis, state)
    mapping = map_characters(analysis.characters, doc.characters)
    pairs = match_quotes([g.span for g in doc.quotes], [q.span for q in analysis.quotes])
    gold_speaker: dict[int, str | None] = {j: doc.quotes[i].speaker for i, j, _ in pairs}
    cand_gold = [mapping.get(table.char_ids[c]) for c in table.char]
    y = np.array(
        [g is not None and g == gold_speaker.get(int(q)) for g, q in zip(cand_gold, table.quote, strict=True)], np.int8
    )
    return NovelExamples(doc, pre, table.X, table.quote, y, time.perf_counter() - t0, table, state)


def assign_folds(sizes: dict[str, int], k: int) -> dict[str, int]:
    """Deal novels into ``k`` folds, largest first, in a snake draft (0..k-1, k-1..0, …).

    Args:
        sizes: novel name -> number of gold quotations.
        k: number of folds (2 <= k <= number of novels).

    Returns:
        novel name -> fold number.

    Raises:
        InputError: ``k`` out of range.
    """
    if not 2 <= k <= len(sizes):
        raise InputError(f"cannot make {k} folds of {len(sizes)} novels: choose 2 to {len(sizes)}", source="folds")
    order = sorted(sizes, key=lambda n: (-sizes[n], n))
    out = {}
    for i, name in enumerate(order):
        r, c = divmod(i, k)
        out[name] = c if r % 2 == 0 else k - 1 - c
    return out


def _lightgbm() -> Any:
    try:
        import lightgbm
    except ImportError as exc:
        raise MissingExtraError("lightgbm", "train") from exc
    return lightgbm


def fit_booster(
    examples: Sequence[NovelExamples],
    params: dict[str, Any] = PARAMS,
    rounds: int = ROUNDS,
    matrices: Sequence[np.ndarray] | None = None,
) -> Any:
    """Train a LightGBM ranker on the novels' examples.

    Args:
        examples: the training novels.
        params: LightGBM parameters.
        rounds: boosting rounds.
        matrices: one feature matrix per novel for the second pass (default: the
            first pass's :attr:`NovelExamples.X`).

    Raises:
        MissingExtraError: lightgbm is not installed.
        InputError: there is no training example.
    """
    lgb = _lightgbm()
    if matrices is None:
        parts = [ex.training_rows() for ex in examples]
        names = list(FEATURES)
    else:
        parts = [ex.training_rows(m) for ex, m in zip(examples, matrices, strict=True)]
        names = list(FEATURES) + list(CONTEXT_FEATURES)
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    groups = np.concatenate([p[2] for p in parts])
    if len(groups) == 0:
        raise InputError(
            "no training example: no quotation has a candidate that maps to its gold speaker", source="PDNC"
        )
    data = lgb.Dataset(x, y, group=groups, feature_name=names, free_raw_data=True)
    return lgb.train(dict(params), data, num_boost_round=rounds)


def booster_to_forest(booster: Any, depth: int = DEPTH) -> Forest:
    """Export a LightGBM booster's trees as complete trees of ``depth`` (see :mod:`ficnlp.speaker_model`).

    Raises:
        InputError: a tree is deeper than ``depth`` or uses a split other than ``<=``.
    """
    dump = booster.dump_model()
    inner = (1 << depth) - 1
    trees = dump["tree_info"]
    feature = np.zeros((len(trees), inner), np.int32)
    threshold = np.full((len(trees), inner), np.finfo(np.float32).max, np.float32)
    leaf = np.zeros((len(trees), inner + 1), np.float64)

    def down(t64: float) -> np.float32:
        t32 = np.float32(t64)
        if float(t32) > t64:
            t32 = np.nextafter(t32, np.float32(-np.inf))
        return t32

    def fill(t: int, node: dict[str, Any], pos: int, level: int) -> None:
        if "leaf_value" in node:
            value = float(node["leaf_value"])
            if level == depth:
                leaf[t, pos - inner] = value
                return
            # Pad: a split that always goes left, the same value on both sides.
            fill(t, node, 2 * pos + 1, level + 1)
            fill(t, node, 2 * pos + 2, level + 1)
            return
        if level >= depth:
            raise InputError(f"tree {t} is deeper than {depth}: train with max_depth={depth}", source="model")
        if node.get("decision_type", "<=") != "<=":
            raise InputError(
                f"tree {t} uses split {node.get('decision_type')!r}; only '<=' is supported", source="model"
            )
        feature[t, pos] = int(node["split_feature"])
        threshold[t, pos] = down(float(node["threshold"]))
        fill(t, node["left_child"], 2 * pos + 1, level + 1)
        fill(t, node["right_child"], 2 * pos + 2, level + 1)

    for t, info in enumerate(trees):
        fill(t, info["tree_structure"], 0, 0)
    return Forest(feature, threshold, leaf.astype(np.float32), depth)


def _check_export(booster: Any, forest: Forest, x: np.ndarray) -> None:
    """The exported forest must score like LightGBM (float32 leaf sums: 1e-3 tolerance)."""
    sample = x[:: max(1, len(x) // 5000)]
    diff = np.abs(booster.predict(sample) - forest.score(sample))
    if diff.size and float(diff.max()) > 1e-3:
        raise InputError(f"exported forest disagrees with LightGBM by up to {diff.max():.2g}", source="model")


def _inner_groups(names: Sequence[str], folds: dict[str, int]) -> list[list[str]]:
    """Groups of training novels for the inner (out-of-fold) first pass.

    The outer folds restricted to ``names`` when they make at least two groups, else one
    group per novel; no group (no second pass) for a single novel.
    """
    by_fold: dict[int, list[str]] = {}
    for n in names:
        by_fold.setdefault(folds[n], []).append(n)
    if len(by_fold) >= 2:
        return [by_fold[k] for k in sorted(by_fold)]
    return [[n] for n in names] if len(names) >= 2 else []


def fit_ranker(
    examples: dict[str, NovelExamples],
    names: Sequence[str],
    groups: Sequence[Sequence[str]],
    params: dict[str, Any] = PARAMS,
    rounds: int = ROUNDS,
    *,
    first: Any | None = None,
    oof: dict[str, np.ndarray] | None = None,
) -> tuple[Ranker, list[Any], list[np.ndarray]]:
    """Train a two-pass ranker on the novels ``names`` only.

    The second pass is trained on first-pass scores that are out of fold: each group of
    ``groups`` is scored by a first-pass forest trained on the other groups (or ``oof``
    gives those scores ready-made).

    Args:
        examples: every novel's examples (only ``names`` are used).
        names: the training novels.
        groups: a partition of ``names`` for the out-of-fold scores (fewer than two
            groups and no ``oof``: the ranker has one pass).
        params: LightGBM parameters.
        rounds: boosting rounds (each pass).
        first: a first-pass booster already trained on ``names``.
        oof: out-of-fold first-pass scores by novel.

    Returns:
        The ranker, its boosters (for checking the export) and a sample of each pass's
        input (for the same).

    Raises:
        InputError: no training example.
    """
    train = [examples[n] for n in names]
    first = first if first is not None else fit_booster(train, params, rounds)
    boosters = [first]
    samples = [train[0].X]
    if oof is None and len(groups) >= 2:
        oof = {}
        for g in groups:
            inner = booster_to_forest(fit_booster([examples[n] for n in names if n not in g], params, rounds))
            for n in g:
                oof[n] = inner.score(examples[n].X)
    if oof is not None:
        mats = [examples[n].second_pass_x(oof[n]) for n in names]
        boosters.append(fit_booster(train, params, rounds, matrices=mats))
        samples.append(mats[0])
    return Ranker(tuple(booster_to_forest(b) for b in boosters)), boosters, samples


@dataclass
class TrainResult:
    """What :func:`train_speaker_model` produced.

    Attributes:
        model: the model file's content (JSON-ready).
        ranker: held-out evaluation with the fold forests (the claimed figures).
        rules: the same novels attributed by the rules alone (for comparison).
        folds: novel -> fold number.
        seconds: wall-clock seconds by step.
    """

    model: dict[str, Any]
    ranker: EvalResult
    rules: EvalResult
    folds: dict[str, int]
    seconds: dict[str, float] = field(default_factory=dict)


def train_speaker_model(
    pdnc: str | Path,
    *,
    n_folds: int = DEFAULT_FOLDS,
    novels: Sequence[str] | None = None,
    rounds: int = ROUNDS,
    params: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> TrainResult:
    """Cross-validate and train the speaker ranker on PDNC.

    Args:
        pdnc: the PDNC folder (``../shared/data/pdnc``).
        n_folds: leave-novels-out folds.
        novels: novel folder names (default: all).
        rounds: boosting rounds.
        params: LightGBM parameters (default :data:`PARAMS`).
        progress: called with a line of progress text (the CLI prints it on stderr).

    Returns:
        The model and the held-out figures.

    Raises:
        InputError: the folder is not PDNC, or a novel cannot be read.
        MissingExtraError: lightgbm is not installed.
    """
    say = progress or (lambda s: None)
    params = dict(params or PARAMS)
    _lightgbm()
    root = find_pdnc_root(pdnc)
    names = list(novels) if novels is not None else list_pdnc_novels(root)
    seconds: dict[str, float] = {}
    t0 = time.perf_counter()
    examples: dict[str, NovelExamples] = {}
    for name in names:
        ex = novel_examples(load_pdnc_novel(root / "data" / name))
        examples[name] = ex
        say(f"{name}: {len(ex.doc.quotes)} gold quotes, {len(ex.quote)} candidate pairs ({ex.seconds:.1f} s)")
    seconds["examples"] = time.perf_counter() - t0
    folds = assign_folds({n: len(examples[n].doc.quotes) for n in names}, n_folds)

    t0 = time.perf_counter()
    fold_entries = []
    ranker_docs: dict[str, DocumentResult] = {}
    rules_docs: dict[str, DocumentResult] = {}
    fold_first: dict[int, Forest] = {}
    for k in range(n_folds):
        held = sorted(n for n in names if folds[n] == k)
        train = [n for n in names if folds[n] != k]
        ranker, boosters, samples = fit_ranker(examples, train, _inner_groups(train, folds), params, rounds)
        for b, f, x in zip(boosters, ranker.stages, samples, strict=True):
            _check_export(b, f, x)
        fold_first[k] = ranker.stages[0]
        model = SpeakerModel(full=ranker)
        for n in held:
            ex = examples[n]
            t1 = time.perf_counter()
            ranked = speakers.attribute_speakers(ex.pre, Config(), model=model)
            ranker_docs[n] = score_document(ex.doc, ranked, seconds=time.perf_counter() - t1)
            t1 = time.perf_counter()
            ruled = speakers.attribute_speakers(ex.pre, Config(use_speaker_model=False))
            rules_docs[n] = score_document(ex.doc, ruled, seconds=time.perf_counter() - t1)
            figs = ranker_docs[n].figures()
            say(
                f"fold {k}: {n}: speaker accuracy {figs['speaker_accuracy']:.3f} (rules {rules_docs[n].figures()['speaker_accuracy']:.3f})"
            )
        fold_entries.append(
            {
                "name": f"fold{k}",
                "held_out": held,
                "held_out_sha256": [text_digest(examples[n].doc.text) for n in held],
                **ranker.to_json(),
            }
        )
    seconds["cross_validation"] = time.perf_counter() - t0
    ranker_result = EvalResult("pdnc", tuple(ranker_docs[n] for n in names), notes=(PDNC_CREDIT,))
    rules = EvalResult("pdnc", tuple(rules_docs[n] for n in names), notes=(PDNC_CREDIT,))

    t0 = time.perf_counter()
    # The full ranker's second pass learns from the fold forests' out-of-fold scores.
    oof = {n: fold_first[folds[n]].score(examples[n].X) for n in names}
    full, boosters, samples = fit_ranker(examples, names, [], params, rounds, oof=oof)
    for b, f, x in zip(boosters, full.stages, samples, strict=True):
        _check_export(b, f, x)
    seconds["full_model"] = time.perf_counter() - t0
    say(f"full model: {len(full.stages)} passes, {full.trees} trees of depth {DEPTH}")

    micro_r, micro_b = ranker_result.micro(), rules.micro()
    model_json: dict[str, Any] = {
        "schema": SCHEMA,
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURES),
        "context_features": list(CONTEXT_FEATURES),
        "depth": DEPTH,
        "trained_on": {
            "data": "PDNC (Vishnubhotla, Hammond & Hirst, LREC 2022), read from ../shared, not redistributed",
            "source_commit": _source_commit(root),
            "novels": names,
            "ficnlp": __version__,
        },
        "params": {**params, "rounds": rounds},
        "cv": {
            "folds": n_folds,
            "ranker": {k: _round(v) for k, v in micro_r.items() if "accuracy" in k},
            "rules": {k: _round(v) for k, v in micro_b.items() if "accuracy" in k},
            "per_novel": {n: _round(ranker_docs[n].figures()["speaker_accuracy"]) for n in names},
        },
        "full": full.to_json(),
        "folds": fold_entries,
    }
    model_from_json(model_json, "<trained model>")  # the file we write must load
    return TrainResult(model_json, ranker_result, rules, folds, seconds)


def _round(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _source_commit(root: Path) -> str | None:
    p = root / "SOURCE_COMMIT.txt"
    return p.read_text(encoding="utf-8").strip() or None if p.is_file() else None


def train_markdown(result: TrainResult, *, command: str, model_path: str, model_bytes: int) -> str:
    """The ``train`` section of docs/benchmarks.md: held-out figures per novel and pooled.

    Args:
        result: what :func:`train_speaker_model` returned.
        command: the command line that produced it.
        model_path: where the model was written (shown as is).
        model_bytes: the model file's size.
    """

    def fmt(v: float | None) -> str:
        return "–" if v is None else f"{v:.3f}"

    lines = [
        "## Speaker model (leave-novels-out cross-validation)",
        "",
        f"Produced by `{command}` on {time.strftime('%Y-%m-%d')}; machine: {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}, ficnlp {__version__}. Method: [docs/speakers.md](speakers.md).",
        "",
        f"Every figure is **held out**: each novel is attributed by the ranker trained on the other "
        f"{len(set(result.folds.values())) - 1} folds only (two passes of LightGBM lambdarank, "
        f"{result.model['params']['rounds']} trees of depth {result.model['depth']} each; the second pass "
        "trained on out-of-fold first-pass scores), end to end (ficnlp's own quotations and characters; "
        "definitions: [docs/eval.md](eval.md)). **rules** is the same pipeline with `use_speaker_model=False`.",
        "",
        "| novel | fold | gold | rules spk | ranker spk | expl | anaph | impl |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for d, b in zip(result.ranker.documents, result.rules.documents, strict=True):
        f, fb = d.figures(), b.figures()
        lines.append(
            f"| {d.doc.id} | {result.folds[d.doc.id]} | {d.counts.speaker_gold} | {fmt(fb['speaker_accuracy'])} | "
            f"{fmt(f['speaker_accuracy'])} | {fmt(f['explicit_accuracy'])} | {fmt(f['anaphoric_accuracy'])} | "
            f"{fmt(f['implicit_accuracy'])} |"
        )
    fr, fb = result.ranker.micro(), result.rules.micro()
    lines.append(
        f"| **micro** |  | {result.ranker.total.speaker_gold} | {fmt(fb['speaker_accuracy'])} | "
        f"**{fmt(fr['speaker_accuracy'])}** | {fmt(fr['explicit_accuracy'])} | {fmt(fr['anaphoric_accuracy'])} | "
        f"{fmt(fr['implicit_accuracy'])} |"
    )
    lines += [
        "",
        f"Rules alone, by type: explicit {fmt(fb['explicit_accuracy'])}, anaphoric {fmt(fb['anaphoric_accuracy'])}, "
        f"implicit {fmt(fb['implicit_accuracy'])}. Over matched quotations only: ranker "
        f"{fmt(fr['speaker_accuracy_matched'])}, rules {fmt(fb['speaker_accuracy_matched'])}.",
    ]
    s = result.seconds
    lines += [
        "",
        f"Model file: `{model_path}`, {model_bytes / 1024:.0f} KiB ({len(result.model['folds'])} fold rankers + "
        f"the full ranker). Training time: examples {s.get('examples', 0):.0f} s, cross-validation "
        f"{s.get('cross_validation', 0):.0f} s, full model {s.get('full_model', 0):.0f} s.",
        "",
        PDNC_CREDIT,
    ]
    return "\n".join(lines)
