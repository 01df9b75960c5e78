"""Plain-text stories: decode the bytes, find the paragraphs; never rewrite the text.

The analysed text is exactly the decoded file: line endings (``\\n``, ``\\r\\n``, ``\\r``)
and whitespace are kept, and every offset indexes that string. Only a byte-order mark
is dropped, since it is an encoding signature, not text.
"""

from __future__ import annotations

import codecs
import hashlib
import re

from ficnlp.errors import DecodeError, EmptyStoryError
from ficnlp.model import SourceRef, Span, Story, WorkMetadata

__all__ = ["decode_bytes", "find_paragraphs", "line_spans", "read_plain", "story_from_text"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Single-byte Western encodings that charset-normalizer may report for Windows-1252 text;
# when cp1252 decodes the bytes too, cp1252 is the better reading (it maps 0x80-0x9F to
# curly quotes and dashes, which fan fiction written in Word is full of).
_WESTERN = {"cp1252", "latin_1", "iso8859_15", "iso8859_1", "cp1250", "iso8859_2", "mac_roman", "cp850", "cp437"}

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_FIRST_WORD = re.compile(r"\s*(\S+)")

#: A document counts as hard-wrapped when its 95th-percentile line length lies in this
#: range (Project Gutenberg wraps at 70-75; FanFicFare TXT at 78, ``docs/formats.md`` 1.4;
#: 100 leaves room for other tools) and it has at least this many non-blank lines.
_WRAP_WIDTH_RANGE = (50, 100)
_WRAP_MIN_LINES = 8
#: Blank lines needed before a hard-wrapped text counts as blank-line separated, and the
#: text lines per blank line it must average (wrapped paragraphs, not one line each).
_BLOCKS_MIN = 10
_BLOCK_LINES = 1.5


def decode_bytes(data: bytes, *, source: str = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode a story file's bytes.

    Tries, in order: a forced ``encoding``; a byte-order mark (UTF-8, UTF-16, UTF-32);
    UTF-16 without a BOM (NUL bytes in every other position); strict UTF-8; then
    charset-normalizer's best guess, preferring cp1252 among Western single-byte guesses.

    Args:
        data: the raw file content.
        source: the file name, for error messages.
        encoding: a Python codec name to use instead of detection.

    Returns:
        ``(text, encoding)``: the decoded text (BOM removed) and the codec used.

    Raises:
        DecodeError: the bytes do not decode (position = byte offset) or look binary.
        EmptyStoryError: the file is empty or holds only whitespace.
    """
    if not data:
        raise EmptyStoryError("the file is empty: give a story file with text in it", source=source)
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except LookupError as exc:
            raise DecodeError(
                f"unknown encoding {encoding!r}: use a Python codec name such as cp1252", source=source
            ) from exc
        except UnicodeDecodeError as exc:
            raise DecodeError(
                f"the bytes are not valid {encoding} (byte {data[exc.start : exc.start + 1]!r}): "
                "try another --encoding or leave it out to detect one",
                source=source,
                position=exc.start,
            ) from exc
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec.replace("-sig", "")
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"the file starts with a {codec} byte-order mark but is not valid {codec}: "
                    "re-save it as UTF-8 or pass --encoding",
                    source=source,
                    position=exc.start,
                ) from exc
    if b"\x00" in data:
        guess = _utf16_without_bom(data)
        if guess is None:
            raise DecodeError(
                "this looks like a binary file (it contains NUL bytes), not a text story: "
                "give a .txt, .html or .epub file",
                source=source,
                position=data.index(b"\x00"),
            )
        return guess
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        return _detect(data, source, utf8_error)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a BOM: NUL in (almost) every other byte, and printable text."""
    if len(data) % 2:
        return None
    half = max(len(data) // 2, 1)
    even = data[0::2].count(0) / half
    odd = data[1::2].count(0) / half
    for zeros, other, codec in ((odd, even, "utf-16-le"), (even, odd, "utf-16-be")):
        if zeros >= 0.6 and other <= 0.05:
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                return None
            printable = sum(1 for ch in text if ch.isprintable() or ch in "\r\n\t")
            return (text, codec) if printable >= 0.95 * len(text) else None
    return None


def _detect(data: bytes, source: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise DecodeError(
            "no text encoding fits these bytes (not UTF-8 at this byte offset, and no other "
            "encoding found): if it is text, pass --encoding; if it is binary, give a story file",
            source=source,
            position=utf8_error.start,
        )
    codec = best.encoding
    if codec in _WESTERN:
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), codec


def line_spans(text: str) -> list[tuple[int, int]]:
    """Each line's ``(start, end)``, the end excluding its line break; code points."""
    out: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        if m.start() == len(text) and out:
            break
        line = m.group()
        end = m.end() - (len(line) - len(line.rstrip("\r\n")))
        out.append((m.start(), end))
        if m.end() == len(text):
            break
    return out


def _wrap_width(text: str, lines: list[tuple[int, int]]) -> int | None:
    lengths = sorted(len(text[s:e].rstrip()) for s, e in lines if text[s:e].strip())
    if len(lengths) < _WRAP_MIN_LINES:
        return None
    p95 = lengths[min(len(lengths) - 1, int(len(lengths) * 0.95))]
    lo, hi = _WRAP_WIDTH_RANGE
    return p95 if lo <= p95 <= hi else None


def _blank_line_separated(text: str, lines: list[tuple[int, int]]) -> bool:
    """Whether paragraphs are blocks of several lines between blank lines (Project
    Gutenberg's layout): at least :data:`_BLOCKS_MIN` blank lines, and on average at least
    :data:`_BLOCK_LINES` text lines per blank line."""
    blank = sum(1 for s, e in lines if not text[s:e].strip())
    return blank >= _BLOCKS_MIN and len(lines) - blank >= _BLOCK_LINES * blank


def find_paragraphs(text: str) -> tuple[Span, ...]:
    """Paragraph spans of a plain text, trimmed of surrounding whitespace.

    Blank lines always separate paragraphs. A single line break separates them too,
    unless the text is hard-wrapped (its 95th-percentile line length is 50-100 code
    points) and either its paragraphs are blocks of lines between blank lines (Project
    Gutenberg's layout: then every single line break is a wrap, as wrapping tools leave
    ragged lines: "…so dusty" ended a 66-character line in a text wrapped at 72, before
    "and hot," said Diana) or the next line's first word would not have fitted on this
    line: the usual test for a soft wrap. So fan fiction with one paragraph per line and
    Gutenberg-style wrapped novels both come out right. Verse inside a block stays one
    paragraph; the structure stage finds its short lines (lyrics).

    Returns:
        Spans sorted by start, non-overlapping, each non-empty.
    """
    lines = line_spans(text)
    width = _wrap_width(text, lines)
    # In a hard-wrapped text whose paragraphs are blocks between blank lines, a single
    # line break is always a wrap (a ragged wrap can leave room for the next word).
    blocks = width is not None and _blank_line_separated(text, lines)
    paragraphs: list[Span] = []
    start: int | None = None
    prev_end = 0
    prev_len = 0
    for s, e in lines:
        line = text[s:e]
        stripped = line.strip()
        if not stripped:
            if start is not None:
                paragraphs.append(_trim(text, start, prev_end))
                start = None
            continue
        if start is not None:
            soft = False
            if blocks:
                soft = True
            elif width is not None:
                m = _FIRST_WORD.match(line)
                next_word = len(m.group(1)) if m else 0
                soft = prev_len + 1 + next_word > width - 2
            if not soft:
                paragraphs.append(_trim(text, start, prev_end))
                start = None
        if start is None:
            start = s
        prev_end = e
        prev_len = len(line.rstrip())
    if start is not None:
        paragraphs.append(_trim(text, start, prev_end))
    return tuple(p for p in paragraphs if p.end > p.start)


def _trim(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def story_from_text(
    text: str,
    *,
    path: str = "<text>",
    fmt: str = "txt",
    raw: bytes | None = None,
    encoding: str = "utf-8",
    metadata: WorkMetadata | None = None,
) -> Story:
    """Build a :class:`Story` from already-decoded plain text.

    Raises:
        EmptyStoryError: the text is empty or only whitespace.
    """
    if not text.strip():
        raise EmptyStoryError("there is no text to analyse (the input is empty or only whitespace)", source=path)
    digest = hashlib.sha256(raw if raw is not None else text.encode("utf-8", "surrogatepass")).hexdigest()
    return Story(
        id=digest[:16],
        text=text,
        source=SourceRef(path=path, format=fmt, sha256=digest, encoding=encoding),
        metadata=metadata or WorkMetadata(),
        paragraphs=find_paragraphs(text),
    )


def read_plain(data: bytes, *, source: str = "<bytes>", encoding: str | None = None) -> Story:
    """Read a plain-text story from its raw bytes.

    Args:
        data: the file's bytes.
        source: the file name, kept in ``Story.source.path`` and used in errors.
        encoding: force a codec instead of detecting one.

    Returns:
        The story; its text is exactly the decoded bytes.

    Raises:
        DecodeError: see :func:`decode_bytes`.
        EmptyStoryError: the file is empty or only whitespace.
    """
    text, used = decode_bytes(data, source=source, encoding=encoding)
    return story_from_text(text, path=source, fmt="txt", raw=data, encoding=used)
