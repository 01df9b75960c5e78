"""The same invented story in every format gives the same characters and quotations.

Each AO3/calibre/FanFicFare/generic rendering of a work is analysed and compared with the
story given as plain text: the set of character names and the list of (quotation text,
speaker) pairs must be equal. A character is identified by the names it is mentioned by
in the story: an AO3 Characters tag may give it a fuller canonical name ("Oriel
March" for a story that only says "Oriel"), which the plain text cannot know. Quotation texts are compared with whitespace collapsed
(FanFicFare TXT is wrapped at 78 columns) and markdown emphasis markers removed (its
``_italic_``, kept in the text as written).
"""

from __future__ import annotations

import re

import pytest

import fic_fixtures as fx
from ficnlp.pipeline import analyze_story
from ficnlp.read import read_bytes


def _renderings(work, tmp_path):
    out = {
        "ao3-html": fx.ao3_html(work).encode(),
        "ao3-epub": fx.ao3_epub(work),
        "fff-epub": fx.fff_epub(work),
        "fff-html": fx.fff_html(work).encode(),
        "fff-txt": fx.fff_txt(work),
        "epub": fx.generic_epub(work, tmp_path / f"{work.slug}.epub").read_bytes(),
    }
    if work is fx.STILL_WATER:
        out["ao3-live"] = fx.ao3_live_html(work, (1, 2, 4)).encode()
    return out


def _signature(data: bytes, name: str):
    analysis = analyze_story(read_bytes(data, source=name))

    seen: dict[str, set[str]] = {}
    for m in analysis.mentions:
        seen.setdefault(m.character_id, set()).add(analysis.text[m.span.start : m.span.end])

    def ident(cid: str) -> frozenset[str]:
        return frozenset(seen.get(cid, ()))

    names = {ident(c.id) for c in analysis.characters}
    quotes = [
        (
            " ".join(re.sub(r"[_*]", "", analysis.text[q.span.start : q.span.end]).split()),
            ident(q.speaker_id) if q.speaker_id else None,
        )
        for q in analysis.quotes
    ]
    return analysis, names, quotes


@pytest.mark.parametrize("work", fx.WORKS, ids=lambda w: w.slug)
def test_read_every_format_matches_plain_text(work, tmp_path):
    plain_analysis, plain_names, plain_quotes = _signature(fx.plain_text(work).encode(), "plain.txt")
    assert plain_analysis.story.source.format == "txt"
    # The comparison is only meaningful if the plain text finds something.
    assert {"Pell Arden", "Edna Corrigan"} <= {n for ident in plain_names for n in ident}
    assert len(plain_quotes) >= 6 and all(speaker for _, speaker in plain_quotes)
    for fmt, data in _renderings(work, tmp_path).items():
        analysis, names, quotes = _signature(data, f"{work.slug}.{fmt}")
        expected_format = "ao3-html" if fmt == "ao3-live" else fmt
        assert analysis.story.source.format == expected_format
        assert names == plain_names, fmt
        assert quotes == plain_quotes, fmt
