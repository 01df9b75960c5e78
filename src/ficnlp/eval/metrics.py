"""Scoring: match predicted quotations to gold ones, map characters by name, count hits.

Every figure is defined here and documented in ``docs/eval.md``; the loaders
(:mod:`ficnlp.eval.pdnc`, :mod:`ficnlp.eval.litbank`, :mod:`ficnlp.eval.gold`) only turn
a data set into :class:`GoldDocument` values.

Definitions (one document; a data set sums the counts, see :class:`Counts`):

- **Quotation match.** A gold quotation matches a predicted one when the two share at
  least half of the gold quotation's code points (:data:`MIN_OVERLAP`). Matching is
  one-to-one and greedy: candidate pairs are taken by decreasing overlap (ties: earlier
  gold, then earlier predicted), each gold and each predicted quotation used once.
  Precision = matched / predicted, recall = matched / gold.
- **Character mapping.** A predicted character maps to a gold character by names only
  (:func:`map_characters`), never through the quotations being scored.
- **Speaker accuracy** (end to end) = gold quotations whose matched predicted quotation's
  speaker maps to the gold speaker / gold quotations with a known gold speaker; an
  unmatched gold quotation counts as wrong. "Matched" accuracy divides by the matched
  gold quotations with a known speaker instead. The same by quotation type.
- **Addressee hit rate** = gold quotations with at least one (resolved) gold addressee
  whose matched predicted quotation has at least one addressee mapping to one of the
  gold addressees / gold quotations with at least one gold addressee (end to end;
  "matched" divides by those that were matched).
- **Clustering** over the document's *major* gold characters (:attr:`GoldDocument.major`):
  see :func:`cluster_counts`.

Source: the matching rule and the figures follow issue 3 of the ficnlp tracker and the
PDNC evaluation (Vishnubhotla et al., LREC 2022), which scores speaker attribution over
all quotations of full novels.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ficnlp.errors import FicnlpError
from ficnlp.model import QUOTE_KINDS, Analysis, Character, Quote, Span

__all__ = [
    "MIN_OVERLAP",
    "QUOTE_TYPES",
    "AnalyzeFn",
    "ClusterResult",
    "Counts",
    "DocumentResult",
    "EvalResult",
    "EvaluationError",
    "GoldCharacter",
    "GoldDocument",
    "GoldQuote",
    "QuoteRecord",
    "cluster_counts",
    "default_analyze",
    "evaluate",
    "figures",
    "map_characters",
    "match_quotes",
    "normalize_name",
    "score_document",
]

logger = logging.getLogger(__name__)

#: A gold quotation matches a predicted one sharing at least this share of the gold
#: quotation's code points. Set by issue 3; half tolerates quote marks inside or outside
#: the span (PDNC spans leave them out, ours include them) and small boundary slips.
MIN_OVERLAP = 0.5

#: The quotation types scored separately (PDNC's ``quoteType``, lower-cased).
QUOTE_TYPES = QUOTE_KINDS


class EvaluationError(FicnlpError):
    """An evaluation cannot be scored: the analysis does not belong to the gold text."""


@dataclass(frozen=True, slots=True)
class GoldCharacter:
    """A gold character with every name it goes by.

    Attributes:
        id: the data set's id for the character (PDNC ``Character ID``, LitBank entity
            id, our gold file's ``id``).
        name: the main name.
        aliases: other names, as listed by the data set.
        gender: one of :data:`ficnlp.model.GENDERS`.
        category: ``major`` / ``intermediate`` / ``minor`` as the data set says, or
            ``unknown``.
    """

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"
    category: str = "unknown"

    @property
    def names(self) -> tuple[str, ...]:
        """The main name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class GoldQuote:
    """One gold quotation unit.

    Attributes:
        id: the data set's quotation id (``Q12``; ``Q12.1`` for the second unit of a
            quotation that the loader split).
        span: code points of :attr:`GoldDocument.text`, half-open.
        speaker: the gold speaker's character id, or ``None`` when the data set names a
            speaker that is not in its character list (left out of speaker accuracy).
        addressees: gold character ids of the addressees that resolve, sorted.
        type: ``explicit`` / ``anaphoric`` / ``implicit``, or ``None`` when the data set
            gives none.
    """

    id: str
    span: Span
    speaker: str | None
    addressees: tuple[str, ...] = ()
    type: str | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    """A text with gold quotations and characters, ready to score.

    Attributes:
        id: a short id (PDNC folder name, LitBank work name, gold file stem).
        title: a human-readable title.
        text: the exact text the offsets index (and the analysis must have).
        characters: the gold characters.
        quotes: gold quotation units, sorted by span.
        major: ids of the characters the clustering figures are about.
        source: where the gold came from (a path, for messages).
        path: the file whose decoded content is :attr:`text`, analysed by
            :func:`default_analyze`; ``None`` when :attr:`text` is an excerpt.
        narrative_person: ``"1"`` for first-person narration, ``"3"`` for third, or
            ``None`` when unknown.
        warnings: notes on the gold data (names that do not resolve, …).
    """

    id: str
    title: str
    text: str
    characters: tuple[GoldCharacter, ...]
    quotes: tuple[GoldQuote, ...]
    major: frozenset[str] = frozenset()
    source: str = ""
    path: Path | None = None
    narrative_person: str | None = None
    warnings: tuple[str, ...] = ()


#: How a document is analysed: a function from the gold document to an analysis of
#: exactly ``doc.text``. The default, :func:`default_analyze`, runs the full pipeline.
AnalyzeFn = Callable[[GoldDocument], Analysis]


def default_analyze(doc: GoldDocument) -> Analysis:
    """Analyse a gold document with the default pipeline.

    Reads ``doc.path`` through the story reader when the document is a whole file (so
    the reader's decoding is tested too), else analyses ``doc.text`` as plain text.

    Raises:
        InputError, StageError: as :func:`ficnlp.analyze`.
    """
    from ficnlp.pipeline import analyze, analyze_text

    if doc.path is not None:
        return analyze(Path(doc.path))
    return analyze_text(doc.text, name=doc.source or doc.id)


# --------------------------------------------------------------------------- names

_PERIOD = re.compile(r"\.")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})


_TITLE_ABBREVIATIONS = {
    "mme": "madame",
    "mlle": "mademoiselle",
    "dr": "doctor",
    "prof": "professor",
    "capt": "captain",
    "col": "colonel",
    "gen": "general",
    "lt": "lieutenant",
    "sgt": "sergeant",
    "rev": "reverend",
    "st": "saint",
}


def normalize_name(name: str) -> str:
    """The form two names are compared in: NFKC, case-folded, no periods, one space, no leading "the".

    ``"Mr. Hale"``, ``"mr  hale"`` and ``"MR HALE"`` all become ``"mr hale"``; curly
    apostrophes become straight ones; ``"The Queen"`` and ``"Queen"`` both become
    ``"queen"`` (PDNC lists descriptive names with the article, ficnlp without); a
    leading abbreviated honorific is spelt out (``"Mme"`` = ``"Madame"``, ``"Dr"`` =
    ``"Doctor"``).

    Example:
        >>> normalize_name("  Mr.  St. John’s ")
        "mr st john's"
        >>> normalize_name("Mme. Olenska") == normalize_name("Madame Olenska")
        True
        >>> normalize_name("The  Queen")
        'queen'
    """
    s = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).casefold()
    words = _PERIOD.sub(" ", s).split()
    # An abbreviated honorific is the same honorific ("Mme Olenska" = "Madame Olenska").
    if words:
        words[0] = _TITLE_ABBREVIATIONS.get(words[0], words[0])
    s = " ".join(words)
    return s[4:] if s.startswith("the ") else s


def _name_set(names: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in (normalize_name(x) for x in names) if n)


def map_characters(predicted: Sequence[Character], gold: Sequence[GoldCharacter]) -> dict[str, str | None]:
    """Map each predicted character to a gold character by names and aliases only.

    For a predicted character ``p`` with normalised names ``P`` (name + aliases) and a
    gold character ``g`` with ``G``, the score is the tuple (``|P ∩ G|``, whether
    ``p.name`` is in ``G``, whether ``g.name`` is in ``P``). ``p`` maps to the gold
    character with the highest score when ``|P ∩ G| > 0`` and no other gold character
    has the same score; otherwise (no shared name, or a tie) it maps to ``None``. Several
    predicted characters may map to the same gold one (a split cluster). The narrator
    gets no special treatment: it maps only if its names (``Narrator`` plus any learned
    name) match a gold character's.

    Args:
        predicted: the analysis' characters.
        gold: the gold characters.

    Returns:
        ``{predicted id: gold id or None}`` for every predicted character.

    Source: issue 3 ("predicted characters map to gold ones by names and aliases only").
    """
    gold_sets = [(g, _name_set(g.names), normalize_name(g.name)) for g in gold]
    index: dict[str, list[int]] = defaultdict(list)
    for i, (_, names, _) in enumerate(gold_sets):
        for n in names:
            index[n].append(i)
    out: dict[str, str | None] = {}
    for p in predicted:
        pnames = _name_set(p.names)
        pmain = normalize_name(p.name)
        candidates = {i for n in pnames for i in index.get(n, ())}
        best: tuple[int, bool, bool] | None = None
        best_ids: list[str] = []
        for i in sorted(candidates):
            g, gnames, gmain = gold_sets[i]
            score = (len(pnames & gnames), pmain in gnames, gmain in pnames)
            if best is None or score > best:
                best, best_ids = score, [g.id]
            elif score == best:
                best_ids.append(g.id)
        out[p.id] = best_ids[0] if len(best_ids) == 1 else None
    return out


# --------------------------------------------------------------------------- quotes


def match_quotes(gold: Sequence[Span], predicted: Sequence[Span]) -> list[tuple[int, int, int]]:
    """Match each gold quotation to the predicted one that overlaps at least half of it.

    A gold span matches the predicted span with the largest overlap, provided it covers
    at least :data:`MIN_OVERLAP` of the gold span's code points (the issue's rule: "a
    gold quotation matches the predicted one overlapping at least half of it"). Several
    gold spans may match one predicted span: PDNC cuts a speech that quotes someone
    else into pieces around the inner quotation, and one predicted quotation covers
    them all. So that a single giant prediction cannot match everything, a predicted
    span keeps several gold matches only when they cover at least :data:`MIN_OVERLAP`
    of it together; otherwise it keeps the one with the largest overlap.

    Args:
        gold: gold spans (any order).
        predicted: predicted spans (any order).

    Returns:
        ``(gold index, predicted index, overlap in code points)`` triples, sorted by gold
        index.

    Example:
        >>> match_quotes([Span(0, 10), Span(20, 30)], [Span(0, 4), Span(2, 12), Span(21, 29)])
        [(0, 1, 8), (1, 2, 8)]
        >>> match_quotes([Span(0, 10), Span(14, 30)], [Span(0, 30)])
        [(0, 0, 10), (1, 0, 16)]
    """
    order = sorted(range(len(predicted)), key=lambda j: (predicted[j].start, predicted[j].end))
    starts = [predicted[j].start for j in order]
    # The longest predicted span bounds how far back an overlapping one can start.
    longest = max((len(s) for s in predicted), default=0)
    best: dict[int, tuple[int, int]] = {}
    for i, g in enumerate(gold):
        lo = bisect_left(starts, g.start - longest)
        hi = bisect_right(starts, g.end)
        for k in range(lo, hi):
            j = order[k]
            p = predicted[j]
            overlap = min(g.end, p.end) - max(g.start, p.start)
            if overlap > 0 and overlap >= MIN_OVERLAP * len(g) and overlap > best.get(i, (-1, 0))[1]:
                best[i] = (j, overlap)
    by_pred: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for i, (j, overlap) in best.items():
        by_pred[j].append((i, overlap))
    out: list[tuple[int, int, int]] = []
    for j, hits in by_pred.items():
        if len(hits) > 1 and sum(o for _, o in hits) < MIN_OVERLAP * len(predicted[j]):
            hits = [max(hits, key=lambda h: (h[1], -h[0]))]
        out.extend((i, j, o) for i, o in hits)
    out.sort()
    return out


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class QuoteRecord:
    """What happened to one gold quotation (for error analysis and training labels).

    Attributes:
        doc_id: the gold document's id.
        gold: the gold quotation.
        predicted: the matched predicted quotation, or ``None``.
        overlap: shared code points with the matched quotation (0 if unmatched).
        predicted_speaker: the predicted quotation's speaker id (a predicted character
            id), or ``None``.
        mapped_speaker: the gold character id that speaker maps to, or ``None``.
        correct: whether ``mapped_speaker`` is the gold speaker (``False`` when
            unmatched or when the gold speaker is unknown).
        mapped_addressees: gold ids the predicted addressees map to, sorted.
        addressee_hit: whether a mapped addressee is a gold addressee; ``None`` when
            the gold quotation has no addressee.
    """

    doc_id: str
    gold: GoldQuote
    predicted: Quote | None
    overlap: int
    predicted_speaker: str | None
    mapped_speaker: str | None
    correct: bool
    mapped_addressees: tuple[str, ...] = ()
    addressee_hit: bool | None = None


@dataclass(frozen=True, slots=True)
class Counts:
    """Raw counts behind every figure; they add up over documents (micro-average).

    The ``<type>_*`` fields count gold quotations of that type: ``_gold`` with a known
    speaker, ``_matched`` of those matched, ``_correct`` attributed to the right speaker.
    Clustering fields: see :func:`cluster_counts`.
    """

    gold_quotes: int = 0
    predicted_quotes: int = 0
    predicted_matched: int = 0
    matched: int = 0
    speaker_gold: int = 0
    speaker_matched: int = 0
    speaker_correct: int = 0
    explicit_gold: int = 0
    explicit_matched: int = 0
    explicit_correct: int = 0
    anaphoric_gold: int = 0
    anaphoric_matched: int = 0
    anaphoric_correct: int = 0
    implicit_gold: int = 0
    implicit_matched: int = 0
    implicit_correct: int = 0
    addressee_gold: int = 0
    addressee_matched: int = 0
    addressee_hits: int = 0
    major_characters: int = 0
    major_whole: int = 0
    major_split: int = 0
    major_merged: int = 0
    major_missing: int = 0
    predicted_characters: int = 0
    predicted_mapped: int = 0
    predicted_spanning: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in dataclasses.fields(self)})

    def as_dict(self) -> dict[str, int]:
        """The counts by field name."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def figures(c: Counts) -> dict[str, float | None]:
    """The figures derived from counts; ``None`` where the denominator is 0.

    Keys: ``quote_precision``, ``quote_recall``, ``quote_f1``, ``speaker_accuracy`` (end
    to end), ``speaker_accuracy_matched``, ``<type>_accuracy`` and
    ``<type>_accuracy_matched`` for each of :data:`QUOTE_TYPES`, ``addressee_hit_rate``,
    ``addressee_hit_rate_matched``, ``major_whole_rate`` (major gold characters found
    whole in exactly one predicted character), ``spanning_rate`` (predicted characters
    carrying names of two or more gold characters, over those carrying any). All are
    proportions in [0, 1].
    """
    p = _ratio(c.predicted_matched, c.predicted_quotes)
    r = _ratio(c.matched, c.gold_quotes)
    f1 = None if p is None or r is None else (2 * p * r / (p + r) if p + r else 0.0)
    out: dict[str, float | None] = {
        "quote_precision": p,
        "quote_recall": r,
        "quote_f1": f1,
        "speaker_accuracy": _ratio(c.speaker_correct, c.speaker_gold),
        "speaker_accuracy_matched": _ratio(c.speaker_correct, c.speaker_matched),
    }
    for t in QUOTE_TYPES:
        out[f"{t}_accuracy"] = _ratio(getattr(c, f"{t}_correct"), getattr(c, f"{t}_gold"))
        out[f"{t}_accuracy_matched"] = _ratio(getattr(c, f"{t}_correct"), getattr(c, f"{t}_matched"))
    out["addressee_hit_rate"] = _ratio(c.addressee_hits, c.addressee_gold)
    out["addressee_hit_rate_matched"] = _ratio(c.addressee_hits, c.addressee_matched)
    out["major_whole_rate"] = _ratio(c.major_whole, c.major_characters)
    out["spanning_rate"] = _ratio(c.predicted_spanning, c.predicted_mapped)
    return out


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """Clustering outcome of one document.

    Attributes:
        status: major gold character id -> ``whole`` / ``split`` / ``merged`` /
            ``missing`` (see :func:`cluster_counts`).
        spanning: predicted character id -> the gold ids whose distinctive names it
            carries, for predicted characters carrying two or more.
        carrying: how many predicted characters carry at least one distinctive gold name.
    """

    status: Mapping[str, str] = field(default_factory=dict)
    spanning: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    carrying: int = 0


def cluster_counts(
    predicted: Sequence[Character],
    gold: Sequence[GoldCharacter],
    major: Iterable[str],
    mapping: Mapping[str, str | None],
) -> ClusterResult:
    """Judge how the predicted characters cluster the major gold characters' names.

    A gold name is *distinctive* for ``g`` when no other gold character lists it
    (normalised as :func:`normalize_name`); shared names such as ``Miss Bennet`` say
    nothing about which sister a cluster holds. A predicted character *carries* ``g``
    when one of its names is distinctive for ``g`` or when it maps to ``g``
    (:func:`map_characters`). It *spans* gold characters when it carries distinctive
    names of two or more. For each major gold character ``g``:

    - ``missing``: no predicted character carries ``g``;
    - ``split``: two or more predicted characters map to ``g`` (or, with at most one
      mapping to it, two or more carry it and none of them spans);
    - ``merged``: otherwise, when a predicted character carrying ``g`` spans ``g`` and
      another gold character;
    - ``whole``: exactly one predicted character carries ``g`` and it spans nothing.

    The statuses are checked in that order, so each major character gets exactly one.

    Args:
        predicted: the analysis' characters.
        gold: all gold characters (for distinctiveness).
        major: the gold ids to judge.
        mapping: :func:`map_characters` output.

    Returns:
        The per-character statuses and the spanning predicted characters.
    """
    sets = {g.id: _name_set(g.names) for g in gold}
    owners: dict[str, set[str]] = defaultdict(set)
    for gid, names in sets.items():
        for n in names:
            owners[n].add(gid)
    distinctive = {n: next(iter(ids)) for n, ids in owners.items() if len(ids) == 1}
    carried: dict[str, set[str]] = {}
    for p in predicted:
        gids = {distinctive[n] for n in _name_set(p.names) if n in distinctive}
        mapped = mapping.get(p.id)
        if mapped is not None:
            gids.add(mapped)
        carried[p.id] = gids
    holders: dict[str, list[str]] = defaultdict(list)
    for pid, gids in carried.items():
        for gid in gids:
            holders[gid].append(pid)
    spanning = {pid: tuple(sorted(g)) for pid, g in carried.items() if len(g) >= 2}
    status: dict[str, str] = {}
    for gid in sorted(set(major)):
        carriers = holders.get(gid, [])
        mapped_here = [pid for pid in carriers if mapping.get(pid) == gid]
        if not carriers:
            status[gid] = "missing"
        elif len(mapped_here) >= 2:
            status[gid] = "split"
        elif any(pid in spanning for pid in carriers):
            status[gid] = "merged"
        elif len(carriers) == 1:
            status[gid] = "whole"
        else:
            status[gid] = "split"
    return ClusterResult(status=status, spanning=spanning, carrying=sum(1 for g in carried.values() if g))


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The evaluation of one gold document.

    Attributes:
        doc: the gold document.
        counts: the raw counts (all zero but the gold ones when ``error`` is set).
        records: one record per gold quotation, in gold order (empty on error).
        unmatched_predicted: predicted quotations no gold quotation matched (false
            positives), in text order.
        mapping: predicted character id -> gold character id or ``None``.
        clustering: the clustering outcome.
        seconds: wall-clock seconds the analysis took.
        error: why the document could not be scored, or ``None``.
    """

    doc: GoldDocument
    counts: Counts
    records: tuple[QuoteRecord, ...] = ()
    unmatched_predicted: tuple[Quote, ...] = ()
    mapping: Mapping[str, str | None] = field(default_factory=dict)
    clustering: ClusterResult = field(default_factory=ClusterResult)
    seconds: float = 0.0
    error: str | None = None

    def figures(self) -> dict[str, float | None]:
        """:func:`figures` of this document's counts."""
        return figures(self.counts)


def score_document(doc: GoldDocument, analysis: Analysis, *, seconds: float = 0.0) -> DocumentResult:
    """Score an analysis of a gold document.

    Args:
        doc: the gold document.
        analysis: an analysis whose text is exactly ``doc.text``.
        seconds: how long the analysis took (kept in the result).

    Returns:
        The counts, per-quotation records, character mapping and clustering.

    Raises:
        EvaluationError: the analysis' text differs from ``doc.text`` (the message gives
            the first differing offset).
    """
    if analysis.text != doc.text:
        raise EvaluationError(f"{doc.source or doc.id}: {_text_difference(doc.text, analysis.text)}")
    predicted = analysis.quotes
    mapping = map_characters(analysis.characters, doc.characters)
    pairs = match_quotes([q.span for q in doc.quotes], [q.span for q in predicted])
    by_gold = {i: (j, overlap) for i, j, overlap in pairs}
    matched_pred = {j for _, j, _ in pairs}
    n: dict[str, int] = defaultdict(int)
    records = []
    for i, g in enumerate(doc.quotes):
        hit = by_gold.get(i)
        pq = predicted[hit[0]] if hit else None
        mapped = mapping.get(pq.speaker_id) if pq is not None and pq.speaker_id is not None else None
        correct = pq is not None and g.speaker is not None and mapped == g.speaker
        mapped_addr = tuple(sorted({m for a in (pq.addressee_ids if pq else ()) if (m := mapping.get(a)) is not None}))
        addr_hit = bool(set(mapped_addr) & set(g.addressees)) if g.addressees else None
        records.append(
            QuoteRecord(
                doc_id=doc.id,
                gold=g,
                predicted=pq,
                overlap=hit[1] if hit else 0,
                predicted_speaker=pq.speaker_id if pq else None,
                mapped_speaker=mapped,
                correct=correct,
                mapped_addressees=mapped_addr,
                addressee_hit=addr_hit,
            )
        )
        n["matched"] += pq is not None
        if g.speaker is not None:
            n["speaker_gold"] += 1
            n["speaker_matched"] += pq is not None
            n["speaker_correct"] += correct
            if g.type in QUOTE_TYPES:
                n[f"{g.type}_gold"] += 1
                n[f"{g.type}_matched"] += pq is not None
                n[f"{g.type}_correct"] += correct
        if g.addressees:
            n["addressee_gold"] += 1
            n["addressee_matched"] += pq is not None
            n["addressee_hits"] += bool(addr_hit)
    clustering = cluster_counts(analysis.characters, doc.characters, doc.major, mapping)
    statuses = list(clustering.status.values())
    counts = Counts(
        gold_quotes=len(doc.quotes),
        predicted_quotes=len(predicted),
        predicted_matched=len(matched_pred),
        major_characters=len(statuses),
        major_whole=statuses.count("whole"),
        major_split=statuses.count("split"),
        major_merged=statuses.count("merged"),
        major_missing=statuses.count("missing"),
        predicted_characters=len(analysis.characters),
        predicted_mapped=clustering.carrying,
        predicted_spanning=len(clustering.spanning),
        **n,
    )
    return DocumentResult(
        doc=doc,
        counts=counts,
        records=tuple(records),
        unmatched_predicted=tuple(q for j, q in enumerate(predicted) if j not in matched_pred),
        mapping=mapping,
        clustering=clustering,
        seconds=seconds,
    )


def _text_difference(gold: str, got: str) -> str:
    k = next((i for i, (a, b) in enumerate(zip(gold, got, strict=False)) if a != b), min(len(gold), len(got)))
    return (
        f"the analysed text differs from the gold text at code point {k} "
        f"(gold {len(gold):,} code points, analysed {len(got):,}; gold {gold[k : k + 20]!r}, "
        f"analysed {got[k : k + 20]!r}): the reader changed the text, so offsets cannot be compared"
    )


@dataclass(frozen=True, slots=True)
class EvalResult:
    """The evaluation of a data set: one :class:`DocumentResult` per document.

    Attributes:
        dataset: ``pdnc``, ``litbank`` or ``gold``.
        documents: the results, in evaluation order.
        notes: data-set level remarks for the report (e.g. attribution lines).
    """

    dataset: str
    documents: tuple[DocumentResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def total(self) -> Counts:
        """Counts summed over documents (failed documents add their gold quotations)."""
        out = Counts()
        for d in self.documents:
            out = out + d.counts
        return out

    def micro(self) -> dict[str, float | None]:
        """Figures over the pooled counts (micro-average)."""
        return figures(self.total)

    def macro(self) -> dict[str, float | None]:
        """The mean of each figure over the documents where it is defined (macro-average)."""
        per = [d.figures() for d in self.documents if d.error is None]
        keys = figures(Counts()).keys()
        out: dict[str, float | None] = {}
        for k in keys:
            vals = [f[k] for f in per if f[k] is not None]
            out[k] = sum(vals) / len(vals) if vals else None  # type: ignore[arg-type]
        return out

    @property
    def records(self) -> tuple[QuoteRecord, ...]:
        """Every per-quotation record, document by document."""
        return tuple(r for d in self.documents for r in d.records)

    @property
    def errors(self) -> tuple[DocumentResult, ...]:
        """The documents that could not be analysed or scored."""
        return tuple(d for d in self.documents if d.error is not None)


def evaluate(
    docs: Iterable[GoldDocument],
    analyze_fn: AnalyzeFn | None = None,
    *,
    dataset: str = "gold",
    progress: Callable[[DocumentResult], None] | None = None,
    notes: Sequence[str] = (),
) -> EvalResult:
    """Analyse and score each gold document.

    A document whose analysis raises :class:`~ficnlp.errors.FicnlpError` (including a
    text that differs from the gold text) is recorded with ``error`` set; its gold
    quotations still count, as misses, in the pooled figures.

    Args:
        docs: the gold documents.
        analyze_fn: ``doc -> Analysis`` of exactly ``doc.text``; default
            :func:`default_analyze`.
        dataset: the data set's name, kept in the result.
        progress: called with each document's result as it is done (for a progress line).
        notes: remarks carried into the report (credits, skipped files).

    Returns:
        The per-document results.
    """
    fn = analyze_fn or default_analyze
    results = []
    for doc in docs:
        t0 = time.perf_counter()
        try:
            analysis = fn(doc)
            seconds = time.perf_counter() - t0
            result = score_document(doc, analysis, seconds=seconds)
        except FicnlpError as exc:
            logger.warning("%s: %s", doc.id, exc)
            result = DocumentResult(
                doc=doc,
                counts=Counts(
                    gold_quotes=len(doc.quotes),
                    speaker_gold=sum(q.speaker is not None for q in doc.quotes),
                    addressee_gold=sum(bool(q.addressees) for q in doc.quotes),
                    major_characters=len(doc.major),
                    major_missing=len(doc.major),
                    **{
                        f"{t}_gold": sum(q.speaker is not None and q.type == t for q in doc.quotes) for t in QUOTE_TYPES
                    },
                ),
                seconds=time.perf_counter() - t0,
                error=f"{type(exc).__name__}: {exc}",
            )
        results.append(result)
        if progress is not None:
            progress(result)
    return EvalResult(dataset=dataset, documents=tuple(results), notes=tuple(notes))
