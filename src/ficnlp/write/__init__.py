"""Writers: JSON, tables, graphs, BookNLP-style TSV and the HTML report."""

from __future__ import annotations

from ficnlp.model import Analysis, Span

__all__ = ["text_blocks"]


def text_blocks(a: Analysis) -> list[Span]:
    """The story's paragraphs plus any non-blank stretch of text between them, in order.

    Every visible character of ``a.text`` lies in exactly one block (readers may leave
    text outside paragraphs, e.g. a title page), so writers that walk the text block by
    block lose nothing.
    """
    text = a.text
    out: list[Span] = []
    pos = 0
    for p in [*a.story.paragraphs, Span(len(text), len(text))]:
        gap = text[pos : p.start]
        if gap.strip():
            lead = len(gap) - len(gap.lstrip())
            out.append(Span(pos + lead, pos + len(gap.rstrip())))
        if p.end > p.start:
            out.append(p)
        pos = max(pos, p.end)
    return out
