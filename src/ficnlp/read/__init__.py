"""Readers: turn a file (plain text, AO3/FanFicFare HTML, EPUB) into a :class:`~ficnlp.model.Story`.

The format is detected from the content, not the file name: a zip archive is an EPUB,
markup that opens with an HTML/XML tag is HTML, anything else is plain text.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ficnlp.errors import InputError, UnsupportedFormatError
from ficnlp.model import Story
from ficnlp.read.plain import read_plain, story_from_text

__all__ = ["FORMATS", "detect_format", "read_bytes", "read_story", "story_from_text"]

#: The formats :func:`read_story` accepts for ``format=``.
FORMATS = ("auto", "txt", "html", "epub")

_ZIP_MAGIC = b"PK\x03\x04"
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body", b"<div", b"<p>", b"<p ")


def detect_format(data: bytes) -> str:
    """Guess the format of a story file from its first bytes: ``epub``, ``html`` or ``txt``."""
    if data.startswith(_ZIP_MAGIC):
        return "epub"
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):
        head = head.decode("utf-16", "ignore").encode("ascii", "ignore").lstrip().lower()
    if head.startswith(b"<") and any(head.startswith(tag) or tag in head[:512] for tag in _HTML_SNIFF):
        return "html"
    return "txt"


def read_bytes(data: bytes, *, source: str = "<bytes>", format: str = "auto", encoding: str | None = None) -> Story:
    """Read a story from raw bytes.

    Args:
        data: the file content.
        source: a name for the input (its path), used in errors and ``Story.source``.
        format: one of :data:`FORMATS`; ``auto`` detects it with :func:`detect_format`.
        encoding: force a text encoding for text formats.

    Raises:
        UnsupportedFormatError: ``format`` is not one of :data:`FORMATS`.
        InputError: the content cannot be read in that format (subclasses say why).
    """
    if format not in FORMATS:
        raise UnsupportedFormatError(f"unknown format {format!r}: use one of {', '.join(FORMATS)}", source=source)
    fmt = detect_format(data) if format == "auto" else format
    if fmt == "txt":
        from ficnlp.read import fanficfare

        if fanficfare.looks_like_fff_txt(data):
            return fanficfare.read_fff_txt(data, source=source, encoding=encoding)
        return read_plain(data, source=source, encoding=encoding)
    if fmt == "html":
        from ficnlp.read.html import read_html

        return read_html(data, source=source, encoding=encoding)
    from ficnlp.read.epub import read_epub

    return read_epub(data, source=source)


def read_story(
    path: str | os.PathLike[str],
    *,
    format: str = "auto",
    encoding: str | None = None,
    max_bytes: int = 200_000_000,
) -> Story:
    """Read a story file; ``"-"`` reads standard input.

    Args:
        path: the file to read.
        format: one of :data:`FORMATS`.
        encoding: force a text encoding.
        max_bytes: refuse larger files (a guard for corpus runs).

    Raises:
        InputError: the file is missing, unreadable, too large, or not a story.
    """
    name = os.fspath(path)
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(name)
        try:
            size = p.stat().st_size
            if size > max_bytes:
                raise InputError(
                    f"the file is {size:,} bytes, over the {max_bytes:,}-byte limit: split it or raise max_input_bytes",
                    source=name,
                )
            data = p.read_bytes()
        except IsADirectoryError as exc:
            raise InputError(
                "this is a folder, not a story file: give a file (or use `ficnlp corpus` for folders)", source=name
            ) from exc
        except FileNotFoundError as exc:
            raise InputError("no such file: check the path", source=name) from exc
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror}): check its permissions", source=name) from exc
    return read_bytes(data, source=name, format=format, encoding=encoding)
