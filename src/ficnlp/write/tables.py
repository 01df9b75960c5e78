"""Flat tables of an analysis: one list of rows per layer, keyed by work id.

These rows feed the CSV export, the Parquet corpus dataset and DuckDB. Every row
carries ``work_id`` (the story id: the first 16 hex digits of the input's SHA-256) and,
where it has one, a half-open ``start``/``end`` in code points of the story text.
List-valued columns (aliases, addressees, warnings) stay lists; the CSV writer joins
them with ``"; "``.

Tables and columns (in this order)::

    works:      work_id, source_path, format, sha256, title, authors, fandoms, language,
                rating_declared, rating_estimate, warnings_declared, words, chapters,
                characters, quotations, attributed_quotations
    characters: work_id, character_id, name, aliases, gender, narrator, mentions,
                quotations, words_spoken, first_start, last_end
    quotations: work_id, quote_id, start, end, speaker_id, speaker_name, addressee_ids,
                kind, confidence, chapter, scene, words, continues, text
    chapters:   work_id, chapter, title, number, start, end
    scenes:     work_id, scene, chapter, start, end, words
    notes:      work_id, start, end, kind
    ratings:    work_id, estimate, declared, warnings, advisories, evidence_spans, scores
    evidence:   work_id, start, end, category, reason
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any

from ficnlp.model import Analysis

__all__ = ["TABLES", "analysis_tables"]

#: Table name -> column names, in order.
TABLES: dict[str, tuple[str, ...]] = {
    "works": (
        "work_id",
        "source_path",
        "format",
        "sha256",
        "title",
        "authors",
        "fandoms",
        "language",
        "rating_declared",
        "rating_estimate",
        "warnings_declared",
        "words",
        "chapters",
        "characters",
        "quotations",
        "attributed_quotations",
    ),
    "characters": (
        "work_id",
        "character_id",
        "name",
        "aliases",
        "gender",
        "narrator",
        "mentions",
        "quotations",
        "words_spoken",
        "first_start",
        "last_end",
    ),
    "quotations": (
        "work_id",
        "quote_id",
        "start",
        "end",
        "speaker_id",
        "speaker_name",
        "addressee_ids",
        "kind",
        "confidence",
        "chapter",
        "scene",
        "words",
        "continues",
        "text",
    ),
    "chapters": ("work_id", "chapter", "title", "number", "start", "end"),
    "scenes": ("work_id", "scene", "chapter", "start", "end", "words"),
    "notes": ("work_id", "start", "end", "kind"),
    "ratings": ("work_id", "estimate", "declared", "warnings", "advisories", "evidence_spans", "scores"),
    "evidence": ("work_id", "start", "end", "category", "reason"),
}

_WORD = re.compile(r"\w+(?:['’]\w+)*")


def word_count(s: str) -> int:
    """Words in ``s``: runs of letters or digits, with inner apostrophes (``can't`` is one).

    The one word count of every table, the report and the ``analyze`` summary.
    """
    return sum(1 for _ in _WORD.finditer(s))


def _index_of(starts: list[int], pos: int) -> int | None:
    k = bisect_right(starts, pos) - 1
    return k if k >= 0 else None


def analysis_tables(a: Analysis) -> dict[str, list[dict[str, Any]]]:
    """Every table of :data:`TABLES` for one analysis; rows are dicts in column order.

    Returns:
        ``{table name: [row, …]}``; rows sorted by start (or by id for characters).
    """
    text = a.text
    wid = a.story.id
    names = {c.id: c.name for c in a.characters}
    chapter_starts = [c.span.start for c in a.chapters]
    scene_starts = [s.span.start for s in a.scenes]
    spoken_words: dict[str, int] = {}
    spoken_quotes: dict[str, int] = {}
    quotations = []
    for q in a.quotes:
        body = text[q.span.start : q.span.end]
        n = word_count(body)
        if q.speaker_id is not None:
            spoken_words[q.speaker_id] = spoken_words.get(q.speaker_id, 0) + n
            spoken_quotes[q.speaker_id] = spoken_quotes.get(q.speaker_id, 0) + 1
        quotations.append(
            {
                "work_id": wid,
                "quote_id": q.id,
                "start": q.span.start,
                "end": q.span.end,
                "speaker_id": q.speaker_id,
                "speaker_name": names.get(q.speaker_id) if q.speaker_id else None,
                "addressee_ids": list(q.addressee_ids),
                "kind": q.kind,
                "confidence": q.confidence,
                "chapter": _index_of(chapter_starts, q.span.start),
                "scene": _index_of(scene_starts, q.span.start),
                "words": n,
                "continues": q.continues,
                "text": body,
            }
        )
    first: dict[str, int] = {}
    last: dict[str, int] = {}
    for m in a.mentions:
        first.setdefault(m.character_id, m.span.start)
        last[m.character_id] = max(last.get(m.character_id, 0), m.span.end)
    characters = [
        {
            "work_id": wid,
            "character_id": c.id,
            "name": c.name,
            "aliases": list(c.aliases),
            "gender": c.gender,
            "narrator": c.narrator,
            "mentions": c.mention_count,
            "quotations": spoken_quotes.get(c.id, 0),
            "words_spoken": spoken_words.get(c.id, 0),
            "first_start": first.get(c.id),
            "last_end": last.get(c.id),
        }
        for c in a.characters
    ]
    md = a.story.metadata
    r = a.rating
    works = [
        {
            "work_id": wid,
            "source_path": a.story.source.path,
            "format": a.story.source.format,
            "sha256": a.story.source.sha256,
            "title": md.title,
            "authors": list(md.authors),
            "fandoms": list(md.fandoms),
            "language": md.language,
            "rating_declared": md.rating,
            "rating_estimate": r.estimate if r else None,
            "warnings_declared": list(md.warnings),
            "words": word_count(text),
            "chapters": len(a.chapters),
            "characters": len(a.characters),
            "quotations": len(a.quotes),
            "attributed_quotations": sum(1 for q in a.quotes if q.speaker_id is not None),
        }
    ]
    return {
        "works": works,
        "characters": characters,
        "quotations": quotations,
        "chapters": [
            {
                "work_id": wid,
                "chapter": i,
                "title": c.title,
                "number": c.number,
                "start": c.span.start,
                "end": c.span.end,
            }
            for i, c in enumerate(a.chapters)
        ],
        "scenes": [
            {
                "work_id": wid,
                "scene": i,
                "chapter": s.chapter,
                "start": s.span.start,
                "end": s.span.end,
                "words": word_count(text[s.span.start : s.span.end]),
            }
            for i, s in enumerate(a.scenes)
        ],
        "notes": [{"work_id": wid, "start": n.span.start, "end": n.span.end, "kind": n.kind} for n in a.notes],
        "ratings": []
        if r is None
        else [
            {
                "work_id": wid,
                "estimate": r.estimate,
                "declared": r.declared,
                "warnings": list(r.warnings),
                "advisories": list(r.advisories),
                "evidence_spans": len(r.evidence),
                "scores": json.dumps(dict(r.scores), sort_keys=True),
            }
        ],
        "evidence": []
        if r is None
        else [
            {"work_id": wid, "start": e.span.start, "end": e.span.end, "category": e.category, "reason": e.reason}
            for e in r.evidence
        ],
    }
