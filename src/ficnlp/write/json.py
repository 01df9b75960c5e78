"""The JSON form of an analysis: the contract other tools and evaluations read.

Every ``start``/``end`` is a half-open offset in code points into ``text`` (Python string
indices; JavaScript, which counts UTF-16 units, must convert). The top-level keys::

    schema, ficnlp_version, id, source, metadata, text,
    paragraphs: [{start, end}]            parts: [{start, end, kind, chapter}]
    styles:     [{start, end, style}]
    characters: [{id, name, aliases, gender, narrator, mention_count}]
    quotes:     [{id, start, end, speaker, addressees, kind, confidence, tag, continues}]
    mentions:   [{start, end, character, kind}]
    chapters:   [{start, end, title, number, heading}]
    scenes:     [{start, end, chapter}]   scene_breaks: [{start, end}]
    notes:      [{start, end, kind}]      time_skips: [{start, end}]   lyrics: [{start, end}]
    messages:   [{start, end, speaker, label, label_start, label_end}]
    rating:     {estimate, warnings, advisories, evidence: [{start, end, category, reason}], scores, declared}
    provenance: [{name, version}]

``speaker`` and ``addressees`` hold character ids (``"c3"``); ``speaker`` is ``null``
for an unattributed quotation. The same analysis always gives byte-identical JSON.
The full description is in ``docs/json.md``.
"""

from __future__ import annotations

import json
from typing import Any

from ficnlp.errors import InputError
from ficnlp.model import (
    Analysis,
    Chapter,
    Character,
    Evidence,
    Lyrics,
    Mention,
    Message,
    Note,
    Part,
    Quote,
    Rating,
    Relationship,
    Scene,
    SourceRef,
    Span,
    StageRun,
    Story,
    StyleSpan,
    TimeSkip,
    WorkMetadata,
)

__all__ = ["SCHEMA", "analysis_from_dict", "analysis_from_json", "analysis_to_dict", "analysis_to_json"]

#: Identifies the JSON layout; bumped when a key changes meaning or disappears.
SCHEMA = "ficnlp-analysis/1"


def _span(s: Span | None) -> dict[str, int] | None:
    return None if s is None else {"start": s.start, "end": s.end}


def _metadata(m: WorkMetadata) -> dict[str, Any]:
    return {
        "title": m.title,
        "authors": list(m.authors),
        "fandoms": list(m.fandoms),
        "rating": m.rating,
        "warnings": list(m.warnings),
        "categories": list(m.categories),
        "relationships": [{"tag": r.tag, "kind": r.kind, "names": list(r.names)} for r in m.relationships],
        "characters": list(m.characters),
        "additional_tags": list(m.additional_tags),
        "language": m.language,
        "series": list(m.series),
        "published": m.published,
        "updated": m.updated,
        "completed": m.completed,
        "words": m.words,
        "chapters": m.chapters,
        "summary": m.summary,
        "url": m.url,
        "source_site": m.source_site,
        "extra": dict(m.extra),
    }


def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    """The analysis as plain JSON-ready data (see the module docstring for the keys)."""
    from ficnlp import __version__

    st = a.story
    r = a.rating
    return {
        "schema": SCHEMA,
        "ficnlp_version": __version__,
        "id": st.id,
        "source": {
            "path": st.source.path,
            "format": st.source.format,
            "sha256": st.source.sha256,
            "encoding": st.source.encoding,
        },
        "metadata": _metadata(st.metadata),
        "text": st.text,
        "paragraphs": [_span(p) for p in st.paragraphs],
        "parts": [{**_span(p.span), "kind": p.kind, "chapter": p.chapter} for p in st.parts],  # type: ignore[dict-item]
        "styles": [{**_span(s.span), "style": s.style} for s in st.styles],  # type: ignore[dict-item]
        "characters": [
            {
                "id": c.id,
                "name": c.name,
                "aliases": list(c.aliases),
                "gender": c.gender,
                "narrator": c.narrator,
                "mention_count": c.mention_count,
            }
            for c in a.characters
        ],
        "quotes": [
            {
                "id": q.id,
                "start": q.span.start,
                "end": q.span.end,
                "speaker": q.speaker_id,
                "addressees": list(q.addressee_ids),
                "kind": q.kind,
                "confidence": q.confidence,
                "tag": _span(q.tag),
                "continues": q.continues,
            }
            for q in a.quotes
        ],
        "mentions": [{**_span(m.span), "character": m.character_id, "kind": m.kind} for m in a.mentions],  # type: ignore[dict-item]
        "chapters": [
            {**_span(c.span), "title": c.title, "number": c.number, "heading": _span(c.heading)}  # type: ignore[dict-item]
            for c in a.chapters
        ],
        "scenes": [{**_span(s.span), "chapter": s.chapter} for s in a.scenes],  # type: ignore[dict-item]
        "scene_breaks": [_span(b) for b in a.scene_breaks],
        "notes": [{**_span(n.span), "kind": n.kind} for n in a.notes],  # type: ignore[dict-item]
        "time_skips": [_span(t.span) for t in a.time_skips],
        "lyrics": [_span(ly.span) for ly in a.lyrics],
        "messages": [
            {
                **_span(m.span),  # type: ignore[dict-item]
                "speaker": m.speaker_id,
                "label": m.label,
                "label_start": m.label_span.start,
                "label_end": m.label_span.end,
            }
            for m in a.messages
        ],
        "rating": None
        if r is None
        else {
            "estimate": r.estimate,
            "warnings": list(r.warnings),
            "advisories": list(r.advisories),
            "evidence": [{**_span(e.span), "category": e.category, "reason": e.reason} for e in r.evidence],  # type: ignore[dict-item]
            "scores": dict(r.scores),
            "declared": r.declared,
        },
        "provenance": [{"name": p.name, "version": p.version} for p in a.provenance],
    }


def analysis_to_json(a: Analysis, *, indent: int | None = 2) -> str:
    """The analysis as JSON text (UTF-8 safe, non-ASCII kept, a trailing newline)."""
    return json.dumps(analysis_to_dict(a), ensure_ascii=False, indent=indent) + "\n"


def _sp(d: dict[str, Any]) -> Span:
    return Span(int(d["start"]), int(d["end"]))


def analysis_from_dict(d: dict[str, Any]) -> Analysis:
    """Rebuild an :class:`Analysis` from :func:`analysis_to_dict` output.

    Raises:
        InputError: the data is not a ficnlp analysis of this schema.
    """
    if not isinstance(d, dict) or d.get("schema") != SCHEMA:
        raise InputError(f"not a ficnlp analysis (expected schema {SCHEMA!r}): re-run `ficnlp analyze --json`")
    try:
        return _from_dict(d)
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"malformed ficnlp analysis JSON ({type(exc).__name__}: {exc})") from exc


def _from_dict(d: dict[str, Any]) -> Analysis:
    md = d["metadata"]
    metadata = WorkMetadata(
        title=md["title"],
        authors=tuple(md["authors"]),
        fandoms=tuple(md["fandoms"]),
        rating=md["rating"],
        warnings=tuple(md["warnings"]),
        categories=tuple(md["categories"]),
        relationships=tuple(Relationship(r["tag"], r["kind"], tuple(r["names"])) for r in md["relationships"]),
        characters=tuple(md["characters"]),
        additional_tags=tuple(md["additional_tags"]),
        language=md["language"],
        series=tuple(md["series"]),
        published=md["published"],
        updated=md["updated"],
        completed=md["completed"],
        words=md["words"],
        chapters=md["chapters"],
        summary=md["summary"],
        url=md["url"],
        source_site=md["source_site"],
        extra=tuple(md["extra"].items()),
    )
    src = d["source"]
    story = Story(
        id=d["id"],
        text=d["text"],
        source=SourceRef(src["path"], src["format"], src["sha256"], src["encoding"]),
        metadata=metadata,
        paragraphs=tuple(_sp(p) for p in d["paragraphs"]),
        parts=tuple(Part(_sp(p), p["kind"], p["chapter"]) for p in d["parts"]),
        styles=tuple(StyleSpan(_sp(s), s["style"]) for s in d["styles"]),
    )
    r = d["rating"]
    rating = (
        None
        if r is None
        else Rating(
            estimate=r["estimate"],
            warnings=tuple(r["warnings"]),
            advisories=tuple(r["advisories"]),
            evidence=tuple(Evidence(_sp(e), e["category"], e["reason"]) for e in r["evidence"]),
            scores=tuple(r["scores"].items()),
            declared=r["declared"],
        )
    )
    return Analysis(
        story=story,
        notes=tuple(Note(_sp(n), n["kind"]) for n in d["notes"]),
        chapters=tuple(
            Chapter(_sp(c), c["title"], c["number"], None if c["heading"] is None else _sp(c["heading"]))
            for c in d["chapters"]
        ),
        scenes=tuple(Scene(_sp(s), s["chapter"]) for s in d["scenes"]),
        scene_breaks=tuple(_sp(b) for b in d["scene_breaks"]),
        time_skips=tuple(TimeSkip(_sp(t)) for t in d["time_skips"]),
        lyrics=tuple(Lyrics(_sp(x)) for x in d["lyrics"]),
        messages=tuple(
            Message(_sp(m), m["label"], Span(m["label_start"], m["label_end"]), m["speaker"]) for m in d["messages"]
        ),
        mentions=tuple(Mention(_sp(m), m["character"], m["kind"]) for m in d["mentions"]),
        characters=tuple(
            Character(c["id"], c["name"], tuple(c["aliases"]), c["gender"], c["narrator"], c["mention_count"])
            for c in d["characters"]
        ),
        quotes=tuple(
            Quote(
                id=q["id"],
                span=_sp(q),
                speaker_id=q["speaker"],
                addressee_ids=tuple(q["addressees"]),
                kind=q["kind"],
                confidence=q["confidence"],
                tag=None if q["tag"] is None else _sp(q["tag"]),
                continues=q["continues"],
            )
            for q in d["quotes"]
        ),
        rating=rating,
        provenance=tuple(StageRun(p["name"], p["version"]) for p in d["provenance"]),
    )


def analysis_from_json(data: str | bytes) -> Analysis:
    """Parse :func:`analysis_to_json` output back into an :class:`Analysis`.

    Raises:
        InputError: the text is not JSON, or not a ficnlp analysis.
    """
    try:
        d = json.loads(data)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", position=exc.pos) from exc
    return analysis_from_dict(d)
