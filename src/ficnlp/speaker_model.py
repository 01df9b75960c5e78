"""The shipped speaker ranker: load it, pick the right forest, score candidates with numpy.

The model is a two-pass ranker of gradient-boosted forests (LightGBM ``lambdarank``,
trained by :mod:`ficnlp.train.speakers` with ``ficnlp train``) exported to a small JSON
file, ``ficnlp/data/models/speakers.json``, so that running it needs numpy only. The
first forest scores each candidate from :data:`~ficnlp.speaker_features.FEATURES`; the
second also sees what the first thought of each candidate in the turns around
(:data:`~ficnlp.speaker_features.CONTEXT_FEATURES`: soft alternation, the
conversation's participants) and gives the final scores (stacking, Wolpert 1992; the
second forest is trained on out-of-fold first-pass scores). Each tree is
stored *complete* to a fixed depth (a leaf above that depth is padded with splits that
always go left), which lets all trees be walked at once, level by level::

    node = 0 for every (row, tree)
    repeat depth times: node = 2 * node + 1 + (x[feature[tree, node]] > threshold[tree, node])
    score = sum over trees of leaf[tree, node - (2**depth - 1)]

Thresholds are stored rounded *down* to float32, so ``x > t`` on float32 features
decides exactly as LightGBM's ``x <= t`` on the original double threshold.

**Held-out forests.** The file holds one forest trained on all PDNC novels (``full``)
and one per cross-validation fold, each trained without that fold's novels and listing
their SHA-256 text digests. When the text being analysed is one of those novels, the
fold's forests score it: a novel is never scored by a forest that saw it, so
``ficnlp eval pdnc`` (and ``make eval``) reports leave-novels-out figures with the
shipped file. Any other text gets ``full``.

File schema (``ficnlp-speaker-model/2``)::

    {"schema": "ficnlp-speaker-model/2", "feature_version": 2, "features": [...],
     "context_features": [...], "depth": 4, "trained_on": "...", "params": {...},
     "cv": {...figures...},
     "full": {"stages": [{"feature": [[...]], "threshold": [[...]], "leaf": [[...]]},
                         {...second pass...}]},
     "folds": [{"name": "fold0", "held_out": ["OliverTwist", ...],
                "held_out_sha256": ["…", ...], "stages": [{...}, {...}]}]}

The first stage's splits test columns of ``features``; the second's, columns of
``features`` followed by ``context_features``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ficnlp.errors import FicnlpError
from ficnlp.model import Analysis
from ficnlp.speaker_features import (
    CONTEXT_FEATURES,
    FEATURE_VERSION,
    FEATURES,
    CandidateTable,
    candidate_table,
    context_features,
    quote_shares,
    speech_turns,
    turn_distributions,
)

if TYPE_CHECKING:
    from ficnlp.speakers import RuleState

__all__ = [
    "MIN_QUOTES",
    "MODEL_FILE",
    "SCHEMA",
    "Forest",
    "Ranker",
    "SpeakerModel",
    "SpeakerModelError",
    "held_out_summary",
    "load_model",
    "rerank",
    "shipped_model",
    "text_digest",
]

logger = logging.getLogger(__name__)

SCHEMA = "ficnlp-speaker-model/2"
#: Where the shipped model lives inside the package.
MODEL_FILE = "data/models/speakers.json"
#: Stories with fewer quotations are left to the rules. The ranker's story-level cues
#: (each character's share of the tags, mention counts, tags per conversation) are
#: learned on novels of 700-4,300 quotations; on the ../shared cases (3-10 quotations)
#: it overrode plain alternation ('"Ready?" "Not even close," Theo admitted.'). On
#: 10-quotation excerpts of beside-you it still beat the rules (0.88 against 0.84), so
#: the cut sits just above the size of those cases.
MIN_QUOTES = 12
#: Rows scored per block: keeps the (rows x trees) work arrays in cache (measured on a
#: 2-core laptop-class CPU: 512-row blocks were the fastest of 512-4096).
_BLOCK = 512


class SpeakerModelError(FicnlpError):
    """The speaker model file is unreadable, of another schema, or built for other features.

    Retrain it with ``ficnlp train`` (``make train``), or analyse with
    ``Config(use_speaker_model=False)``.
    """


def text_digest(text: str) -> str:
    """SHA-256 hex digest of a text's UTF-8 encoding (how held-out novels are recognised)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Forest:
    """A forest of complete binary trees of one depth.

    Attributes:
        feature: ``(trees, 2**depth - 1)`` int32, the feature column each split tests.
        threshold: ``(trees, 2**depth - 1)`` float32; a row goes right when its value is
            greater.
        leaf: ``(trees, 2**depth)`` float32 leaf values.
        depth: the trees' depth.
    """

    feature: np.ndarray
    threshold: np.ndarray
    leaf: np.ndarray
    depth: int

    @property
    def trees(self) -> int:
        """Number of trees."""
        return int(self.feature.shape[0])

    def score(self, x: np.ndarray) -> np.ndarray:
        """Sum of the trees' leaf values for each row.

        Args:
            x: ``(rows, features)`` float32 matrix.

        Returns:
            ``(rows,)`` float64 scores (higher = more likely the speaker).
        """
        x = np.ascontiguousarray(x, dtype=np.float32)
        n_rows, n_feat = x.shape
        out = np.zeros(n_rows, np.float64)
        if n_rows == 0 or self.trees == 0:
            return out
        n_trees = self.trees
        inner = (1 << self.depth) - 1
        ff = self.feature.ravel()
        tt = self.threshold.ravel()
        lf = self.leaf.ravel()
        toff = (np.arange(n_trees, dtype=np.int32) * inner)[None, :]
        loff = (np.arange(n_trees, dtype=np.int32) * (inner + 1))[None, :]
        for lo in range(0, n_rows, _BLOCK):
            block = x[lo : lo + _BLOCK]
            n = block.shape[0]
            flat = block.ravel()
            rowoff = (np.arange(n, dtype=np.int32) * n_feat)[:, None]
            node = np.zeros((n, n_trees), np.int32)
            for _ in range(self.depth):
                k = toff + node
                node = 2 * node + 1 + (flat[ff[k] + rowoff] > tt[k])
            out[lo : lo + n] = lf[loff + node - inner].sum(axis=1, dtype=np.float64)
        return out

    def to_json(self) -> dict[str, Any]:
        """The forest as JSON-ready lists."""
        return {
            "feature": self.feature.tolist(),
            "threshold": [[float(x) for x in row] for row in self.threshold],
            "leaf": [[float(x) for x in row] for row in self.leaf],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], depth: int, n_features: int, where: str) -> Forest:
        """Rebuild a forest from :meth:`to_json` output.

        Raises:
            SpeakerModelError: arrays of the wrong shape or features out of range.
        """
        try:
            feature = np.array(data["feature"], np.int32).reshape(-1, (1 << depth) - 1)
            threshold = np.array(data["threshold"], np.float32).reshape(-1, (1 << depth) - 1)
            leaf = np.array(data["leaf"], np.float32).reshape(-1, 1 << depth)
        except (KeyError, ValueError, TypeError) as exc:
            raise SpeakerModelError(f"{where}: malformed forest ({exc}); retrain with 'ficnlp train'") from exc
        if not (feature.shape[0] == threshold.shape[0] == leaf.shape[0]):
            raise SpeakerModelError(
                f"{where}: forest arrays disagree on the number of trees; retrain with 'ficnlp train'"
            )
        if feature.size and (feature.min() < 0 or feature.max() >= n_features):
            raise SpeakerModelError(f"{where}: a split tests a feature out of range; retrain with 'ficnlp train'")
        return cls(feature, threshold, leaf, depth)


@dataclass(frozen=True, slots=True)
class Ranker:
    """The forests of the ranking passes, applied in order.

    Attributes:
        stages: the first-pass forest (over :data:`FEATURES`), then the second-pass
            forest (over :data:`FEATURES` + :data:`CONTEXT_FEATURES`), if any.
    """

    stages: tuple[Forest, ...]

    @property
    def trees(self) -> int:
        """Number of trees over all passes."""
        return sum(f.trees for f in self.stages)

    def score(self, table: CandidateTable, state: RuleState) -> np.ndarray:
        """Final scores of a candidate table's pairs.

        Args:
            table: the candidates and features (:func:`candidate_table`).
            state: the rules' state the table was built from.

        Returns:
            ``(pairs,)`` float64 scores of the last pass (higher = more likely the speaker).
        """
        scores = self.stages[0].score(table.X)
        for forest in self.stages[1:]:
            scores = forest.score(np.hstack([table.X, context_features(table, state, scores)]))
        return scores

    def to_json(self) -> dict[str, Any]:
        """The passes as JSON-ready lists."""
        return {"stages": [f.to_json() for f in self.stages]}

    @classmethod
    def from_json(cls, data: dict[str, Any], depth: int, where: str) -> Ranker:
        """Rebuild a ranker from :meth:`to_json` output.

        Raises:
            SpeakerModelError: no pass, more than two, or a malformed forest.
        """
        stages = data.get("stages") if isinstance(data, dict) else None
        if not isinstance(stages, list) or not 1 <= len(stages) <= 2:
            raise SpeakerModelError(f"{where}: expected 1 or 2 ranking passes; retrain with 'ficnlp train'")
        widths = (len(FEATURES), len(FEATURES) + len(CONTEXT_FEATURES))
        return cls(tuple(Forest.from_json(f, depth, widths[k], f"{where}: pass {k + 1}") for k, f in enumerate(stages)))


@dataclass(frozen=True, slots=True)
class Fold:
    """A cross-validation ranker and the novels it never saw."""

    name: str
    held_out: tuple[str, ...]
    held_out_sha256: tuple[str, ...]
    ranker: Ranker


@dataclass(frozen=True, slots=True)
class SpeakerModel:
    """The speaker ranker: a full ranker plus one held-out ranker per fold.

    Attributes:
        full: the ranker trained on every training novel (used for any other text).
        folds: the cross-validation rankers.
        info: the file's other fields (``trained_on``, ``params``, ``cv`` figures).
        source: where it was loaded from.
    """

    full: Ranker
    folds: tuple[Fold, ...] = ()
    info: dict[str, Any] | None = None
    source: str = ""

    def ranker_for(self, text: str) -> tuple[Ranker, Fold | None]:
        """The ranker to score a text with: its fold's when it is a training novel, else ``full``."""
        if self.folds:
            digest = text_digest(text)
            for fold in self.folds:
                if digest in fold.held_out_sha256:
                    return fold.ranker, fold
        return self.full, None

    def held_out_novels(self) -> dict[str, str]:
        """``{novel name: fold name}`` for every training novel."""
        return {n: f.name for f in self.folds for n in f.held_out}


def held_out_summary(texts: list[str], model: SpeakerModel | None = None) -> str:
    """One line saying which forest scored the given texts (for evaluation reports).

    Args:
        texts: the evaluated documents' texts.
        model: the model (default: the shipped one).

    Returns:
        E.g. ``speakers: ranker; 21 of 21 documents scored by the fold forest that held
        them out (leave-novels-out, 7 folds), 0 by the full forest``.

    Raises:
        SpeakerModelError: the shipped model file cannot be used.
    """
    model = model or shipped_model()
    if model is None:
        return "speakers: rules only (the package ships no speaker model)"
    held = sum(1 for t in texts if model.ranker_for(t)[1] is not None)
    return (
        f"speakers: ranker; {held} of {len(texts)} documents scored by the fold forest that held them out "
        f"(leave-novels-out, {len(model.folds)} folds), {len(texts) - held} by the forest trained on all "
        "PDNC novels (docs/speakers.md)"
    )


def load_model(path: str | Path) -> SpeakerModel:
    """Load a speaker model file.

    Raises:
        SpeakerModelError: the file is missing, not JSON, of another schema, or made for
            another feature set (:data:`~ficnlp.speaker_features.FEATURE_VERSION`).
    """
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SpeakerModelError(f"{p}: no speaker model file; build it with 'ficnlp train'") from exc
    except (OSError, ValueError) as exc:
        raise SpeakerModelError(f"{p}: cannot read the speaker model ({exc}); rebuild it with 'ficnlp train'") from exc
    return model_from_json(data, str(p))


def model_from_json(data: dict[str, Any], where: str = "<model>") -> SpeakerModel:
    """Build a :class:`SpeakerModel` from the parsed JSON of a model file.

    Raises:
        SpeakerModelError: see :func:`load_model`.
    """
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise SpeakerModelError(f"{where}: not a {SCHEMA} file; rebuild it with 'ficnlp train'")
    if (
        data.get("feature_version") != FEATURE_VERSION
        or tuple(data.get("features", ())) != FEATURES
        or tuple(data.get("context_features", ())) != CONTEXT_FEATURES
    ):
        got = tuple(data.get("features", ())) + tuple(data.get("context_features", ()))
        detail = (
            f"built for feature set {data.get('feature_version')}, this ficnlp computes {FEATURE_VERSION}"
            if data.get("feature_version") != FEATURE_VERSION
            else f"its {len(got)} features differ from the {len(FEATURES) + len(CONTEXT_FEATURES)} this ficnlp computes"
        )
        raise SpeakerModelError(
            f"{where}: {detail}; retrain with 'ficnlp train' (or use Config(use_speaker_model=False))"
        )
    depth = int(data.get("depth", 0))
    if not 1 <= depth <= 12:
        raise SpeakerModelError(f"{where}: tree depth {depth} out of range 1-12")
    full = Ranker.from_json(data.get("full", {}), depth, f"{where}: full")
    folds = tuple(
        Fold(
            name=str(f.get("name", f"fold{k}")),
            held_out=tuple(f.get("held_out", ())),
            held_out_sha256=tuple(f.get("held_out_sha256", ())),
            ranker=Ranker.from_json(f, depth, f"{where}: fold {k}"),
        )
        for k, f in enumerate(data.get("folds", ()))
    )
    info = {k: v for k, v in data.items() if k not in ("full", "folds")}
    return SpeakerModel(full=full, folds=folds, info=info, source=where)


@lru_cache(maxsize=1)
def shipped_model() -> SpeakerModel | None:
    """The model shipped in the package, or ``None`` when the package has none (rules only).

    Raises:
        SpeakerModelError: the shipped file exists but cannot be used.
    """
    ref = resources.files("ficnlp").joinpath(MODEL_FILE)
    if not ref.is_file():
        logger.warning("no speaker model in the package (%s): speakers come from the rules alone", MODEL_FILE)
        return None
    data = json.loads(ref.read_text(encoding="utf-8"))
    return model_from_json(data, f"ficnlp/{MODEL_FILE}")


def rerank(analysis: Analysis, state: RuleState, model: SpeakerModel | None = None) -> Fold | None:
    """Re-choose every quotation's speaker with the ranker (in place on ``state.qs``).

    Each quotation's candidates (:func:`~ficnlp.speaker_features.candidate_table`;
    none for a quotation whose own tag names its speaker, which keeps the rules'
    choice) are scored by the ranker's passes (:meth:`Ranker.score`); the best becomes
    the speaker, with confidence = its softmax share of the
    candidates' scores. The ``kind`` follows the evidence: ``explicit`` when the
    winner is named in a tag, ``anaphoric`` when a pronoun tag resolved to it, else
    ``implicit``.

    Args:
        analysis: the analysis the rules ran on.
        state: the rules' state (:class:`ficnlp.speakers.RuleState`).
        model: the model to use; default :func:`shipped_model` (nothing happens when
            the package ships none).

    Returns:
        The fold whose ranker scored the text (a held-out training novel), else ``None``.

    Raises:
        SpeakerModelError: the shipped model file cannot be used.
    """
    if len(state.qs) < MIN_QUOTES:
        return None
    model = model or shipped_model()
    if model is None:
        return None
    table = candidate_table(analysis, state)
    if len(table.quote) == 0:
        return None
    ranker, fold = model.ranker_for(analysis.text)
    choose(state, table.quote, table.char, table.char_ids, ranker.score(table, state))
    return fold


def choose(
    state: RuleState, quote: np.ndarray, char: np.ndarray, char_ids: tuple[str, ...], scores: np.ndarray
) -> None:
    """Give each quotation its best-scoring candidate (pairs grouped by quotation, in order).

    The quotations of one turn (one paragraph's speech, split by its tags) share a
    speaker: on PDNC 97 % of the rules' multi-quotation turns have one gold speaker. So
    a candidate's score is its softmax share averaged over the turn's quotations (a
    quotation whose tag names its speaker counts as certain of that speaker). The
    paragraphs of one multi-paragraph speech pool as one turn (:func:`speech_turns`):
    their mean, not the one most confident piece, decides the speech.
    """
    if len(quote) == 0:
        return
    starts = np.flatnonzero(np.r_[True, quote[1:] != quote[:-1]])
    share = quote_shares(len(state.qs), quote, scores)
    qturn = speech_turns(state)
    keys, mean_share = turn_distributions(state, char_ids, quote, char, share, qturn)
    pooled = mean_share[np.searchsorted(keys, qturn[quote] * len(char_ids) + char)]
    # A quotation with a tag of its own keeps its own share: one paragraph may hold two
    # speakers ('"Yep" Addison nodded, … "Drink" he said simply.').
    own_tag = np.array([q.tag is not None for q in state.qs], bool)
    decide = np.where(own_tag[quote], share, pooled)
    is_best = decide == np.repeat(np.maximum.reduceat(decide, starts), np.diff(np.r_[starts, len(quote)]))
    # First row reaching the group's best (ties keep the earlier, higher-priority candidate).
    first = np.minimum.reduceat(np.where(is_best, np.arange(len(quote)), len(quote)), starts)
    for row in first:
        q = state.qs[int(quote[row])]
        cid = char_ids[int(char[row])]
        conf = float(share[row])
        if cid != q.speaker:
            if (cid == q.after_name and q.after_strength == 2) or (cid == q.before_name and q.before_strength == 2):
                q.kind = "explicit"
            elif cid == q.resolved:
                q.kind = "anaphoric"
            else:
                q.kind = "implicit"
            q.speaker = cid
        q.confidence = conf
