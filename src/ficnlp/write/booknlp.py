"""A BookNLP-style export: ``PREFIX.tokens``, ``PREFIX.entities`` and ``PREFIX.quotes``.

BookNLP (Bamman et al., https://github.com/booknlp/booknlp) writes one tab-separated
file per layer, addressed by token index. These files follow its layout so that
scripts written for BookNLP output need few changes, but columns are named for what
they hold: ``start_char`` / ``end_char`` are half-open offsets in *code points* of the
story text (BookNLP's ``byte_onset`` / ``byte_offset`` hold character offsets too,
under a misleading name). Columns BookNLP fills from a parser (lemma, POS, dependency
relations, events) are left out rather than faked. Every column is described in
``docs/exports.md``.

Tokens come from spaCy's rule-based English tokenizer (``spacy.blank("en")``) and
sentences from its rule-based ``sentencizer``; no model is loaded or downloaded. Each
paragraph of ``story.paragraphs`` is tokenised on its own, so sentences never cross
paragraphs; whitespace tokens are dropped; text outside every paragraph (rare:
stray lines the reader did not take as paragraphs) forms paragraphs of its own.

Format: UTF-8, tab-separated, a header row, ``\\n`` line ends, no quoting (read with
``pandas.read_csv(path, sep="\\t", quoting=csv.QUOTE_NONE)``). No field contains a tab
or a line break: free-text fields (``text``, ``mention_phrase``, ``quote``) have each
run of whitespace replaced by one space; slice the story text with ``start_char`` /
``end_char`` for the exact characters. Token ranges (``start_token`` … ``end_token``)
are *inclusive*, as in BookNLP.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from ficnlp.model import Analysis, Span
from ficnlp.write import text_blocks

__all__ = ["ENTITY_COLUMNS", "QUOTE_COLUMNS", "TOKEN_COLUMNS", "Token", "booknlp_texts", "tokenize", "write_booknlp"]

#: Columns of ``.tokens``; one row per token in text order.
TOKEN_COLUMNS = (
    "paragraph_ID", "sentence_ID", "token_ID_within_sentence", "token_ID_within_document",
    "word", "start_char", "end_char", "quote_ID", "character_ID",
)  # fmt: skip

#: Columns of ``.entities``; one row per character mention.
ENTITY_COLUMNS = ("COREF", "start_token", "end_token", "prop", "cat", "text", "character_ID", "start_char", "end_char")

#: Columns of ``.quotes``; one row per quotation.
QUOTE_COLUMNS = (
    "quote_start", "quote_end", "mention_start", "mention_end", "mention_phrase", "char_id", "quote",
    "quote_ID", "start_char", "end_char", "speaker_ID", "addressee_IDs", "kind", "confidence",
)  # fmt: skip

#: Mention kind (``Mention.kind``) -> BookNLP's ``prop`` (PROP proper name, PRON pronoun).
_PROP = {"name": "PROP", "pronoun": "PRON", "narrator": "PRON"}
_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Token:
    """A token of the story text.

    Attributes:
        paragraph: 0-based paragraph index.
        sentence: 0-based sentence index within the document.
        in_sentence: 0-based index within its sentence.
        span: code-point offsets into ``story.text``.
        word: ``story.text[span.start:span.end]``.
    """

    paragraph: int
    sentence: int
    in_sentence: int
    span: Span
    word: str


@cache
def _nlp() -> Any:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def tokenize(a: Analysis) -> list[Token]:
    """The tokens of the story text, in order (see the module docstring for the rules).

    Returns:
        Tokens sorted by ``span.start``, non-overlapping, no whitespace tokens.
    """
    text = a.text
    units = text_blocks(a)
    nlp = _nlp()
    tokens: list[Token] = []
    sentence = -1
    for pi, (unit, doc) in enumerate(zip(units, nlp.pipe(text[u.start : u.end] for u in units), strict=True)):
        for sent in doc.sents:
            k = 0
            started = False
            for t in sent:
                if t.is_space:
                    continue
                if not started:
                    sentence += 1
                    started = True
                start = unit.start + t.idx
                tokens.append(Token(pi, sentence, k, Span(start, start + len(t.text)), t.text))
                k += 1
    return tokens


def _flat(s: str) -> str:
    return _WS.sub(" ", s).strip()


def _cid(character_id: str | None) -> int:
    """``"c12"`` -> 12 (BookNLP's integer ids); ``-1`` for none."""
    if character_id is None or not character_id[1:].isdigit():
        return -1
    return int(character_id[1:])


def _rows_to_tsv(columns: Sequence[str], rows: list[list[Any]]) -> str:
    lines = ["\t".join(columns)]
    lines.extend("\t".join(str(v) for v in r) for r in rows)
    return "\n".join(lines) + "\n"


def booknlp_texts(a: Analysis) -> dict[str, str]:
    """The three files as text, keyed by extension (``"tokens"``, ``"entities"``, ``"quotes"``).

    Returns:
        ``{"tokens": …, "entities": …, "quotes": …}``; rows follow
        :data:`TOKEN_COLUMNS`, :data:`ENTITY_COLUMNS` and :data:`QUOTE_COLUMNS`.
    """
    text = a.text
    tokens = tokenize(a)
    starts = [t.span.start for t in tokens]
    ends = [t.span.end for t in tokens]

    def first_token(span: Span) -> int:
        # The first token ending after span.start (a token that overlaps the span's start).
        return bisect_right(ends, span.start)

    def last_token(span: Span) -> int:
        # The last token starting before span.end.
        return bisect_left(starts, span.end) - 1

    token_quote = ["-"] * len(tokens)
    token_char = ["-"] * len(tokens)
    quote_rows = []
    mentions_by_start = sorted(a.mentions, key=lambda m: (m.span.start, m.span.end))
    for q in a.quotes:
        lo, hi = first_token(q.span), last_token(q.span)
        for i in range(lo, hi + 1):
            token_quote[i] = q.id
        m_start = m_end = -1
        phrase = "-"
        if q.speaker_id is not None and q.tag is not None:
            inside = [m for m in mentions_by_start if m.character_id == q.speaker_id and q.tag.contains(m.span)]
            if inside:
                m = inside[0]
                m_start, m_end = first_token(m.span), last_token(m.span)
                phrase = _flat(text[m.span.start : m.span.end]) or "-"
        quote_rows.append(
            [
                lo,
                hi,
                m_start,
                m_end,
                phrase,
                _cid(q.speaker_id),
                _flat(text[q.span.start : q.span.end]),
                q.id,
                q.span.start,
                q.span.end,
                q.speaker_id or "-",
                ",".join(q.addressee_ids) or "-",
                q.kind,
                f"{q.confidence:.3f}",
            ]
        )
    entity_rows = []
    for m in mentions_by_start:
        lo, hi = first_token(m.span), last_token(m.span)
        if hi < lo:
            continue  # a mention with no token (whitespace only): nothing to point at
        for i in range(lo, hi + 1):
            token_char[i] = m.character_id
        entity_rows.append(
            [
                _cid(m.character_id),
                lo,
                hi,
                _PROP.get(m.kind, "PROP"),
                "PER",
                _flat(text[m.span.start : m.span.end]) or "-",
                m.character_id,
                m.span.start,
                m.span.end,
            ]
        )
    token_rows = [
        [t.paragraph, t.sentence, t.in_sentence, i, t.word, t.span.start, t.span.end, token_quote[i], token_char[i]]
        for i, t in enumerate(tokens)
    ]
    return {
        "tokens": _rows_to_tsv(TOKEN_COLUMNS, token_rows),
        "entities": _rows_to_tsv(ENTITY_COLUMNS, entity_rows),
        "quotes": _rows_to_tsv(QUOTE_COLUMNS, quote_rows),
    }


def write_booknlp(a: Analysis, prefix: str | Path) -> list[Path]:
    """Write ``PREFIX.tokens``, ``PREFIX.entities`` and ``PREFIX.quotes``.

    Args:
        a: the analysis.
        prefix: path prefix, e.g. ``out/story`` gives ``out/story.tokens`` …; the
            directory is created.

    Returns:
        The three paths written.

    Raises:
        OSError: a file cannot be written.
    """
    base = Path(prefix)
    base.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, body in booknlp_texts(a).items():
        p = base.with_name(f"{base.name}.{ext}")
        p.write_text(body, encoding="utf-8", newline="")
        paths.append(p)
    return paths
