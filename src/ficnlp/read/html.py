"""HTML stories: AO3 downloads and work pages, FanFicFare HTML, and any other HTML page.

The kind of page is recognised from its markup, not its file name:

* an AO3 download (``div#preface`` whose ``p.message`` names the Archive of Our Own, or
  ``dl.tags`` beside ``div#chapters``) -> format ``ao3-html``;
* an AO3 work page (``div#workskin``, or ``dl.work.meta`` beside ``div#chapters``) ->
  ``ao3-html`` too;
* FanFicFare's HTML (``a[name=sectionNNNN]`` chapter anchors with its title table or TOC)
  -> ``fff-html``;
* anything else -> ``html``: paragraphs and styles only, chapters found later from the
  headings by the structure stage.

The page is parsed by lexbor (selectolax): no script runs, no DTD is read, nothing is
fetched. See ``docs/formats-reading.md`` for what each format maps to.
"""

from __future__ import annotations

import codecs
import logging
import re

from ficnlp.errors import MalformedSourceError
from ficnlp.model import Story
from ficnlp.read import ao3
from ficnlp.read._markup import TextBuilder, finish_story, fix_self_closing, node_text, parse_html
from ficnlp.read._safe import refuse_entities
from ficnlp.read.plain import decode_bytes

__all__ = ["decode_markup", "read_html"]

log = logging.getLogger(__name__)

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([\w.:-]+)""", re.IGNORECASE)
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# The HTML standard decodes these labels as windows-1252 (WHATWG Encoding, "Legacy
# single-byte encodings").
_AS_CP1252 = {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii", "windows-1252", "cp1252"}
_XHTML = re.compile(
    r"<\?xml|xmlns\s*=\s*[\"']http://www\.w3\.org/1999/xhtml|<!DOCTYPE\s+html\s+PUBLIC\s+\"-//W3C//DTD XHTML",
    re.IGNORECASE,
)
_OPENS_DOCUMENT = re.compile(r"<(?:html|body)[\s>]", re.IGNORECASE)
_CLOSES_DOCUMENT = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)


def decode_markup(data: bytes, *, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode HTML bytes.

    Order: a forced ``encoding``; a byte-order mark; strict UTF-8; the charset the page
    declares (``<meta charset>`` or the XML declaration); then detection
    (:func:`ficnlp.read.plain.decode_bytes`).

    Returns:
        ``(text, encoding)``.

    Raises:
        DecodeError: the bytes cannot be decoded.
        EmptyStoryError: the file is empty.
    """
    if encoding is None and not data.startswith(_BOMS):
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            head = data[:4096]
            m = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
            if m:
                declared = m.group(1).decode("ascii", "ignore").lower()
                codec = "cp1252" if declared in _AS_CP1252 else declared
                try:
                    return data.decode(codec), codec
                except (LookupError, UnicodeDecodeError):
                    pass
    return decode_bytes(data, source=source, encoding=encoding)


def _check_not_cut_in_a_tag(text: str, source: str, raw_len: int) -> None:
    """Refuse HTML that ends inside a tag: it was cut off (an interrupted download)."""
    tail = text.rstrip()
    if tail.rfind("<") > tail.rfind(">"):
        raise MalformedSourceError(
            "the HTML ends in the middle of a tag: the file looks truncated (an interrupted download?); "
            "download or save it again",
            source=source,
            position=raw_len,
        )


def _check_closed(text: str, source: str, raw_len: int, *, strict: bool) -> None:
    """Refuse a page that opens ``<html>``/``<body>`` but closes neither.

    AO3 and FanFicFare always write ``</body></html>`` (``strict``), so a missing end
    means the download was cut off. Other HTML may legally leave them out (HTML5), so
    there it is only logged.
    """
    if not _OPENS_DOCUMENT.search(text[:65536]) or _CLOSES_DOCUMENT.search(text):
        return
    if strict:
        raise MalformedSourceError(
            "the HTML document never closes </body> or </html>: the file looks truncated (an interrupted "
            "download?); download or save it again",
            source=source,
            position=raw_len,
        )
    log.warning("%s: the HTML never closes </body> or </html>; it may be truncated", source)


def read_html(data: bytes, *, source: str = "<bytes>", encoding: str | None = None) -> Story:
    """Read an HTML story: AO3 download or work page, FanFicFare HTML, or any HTML page.

    Args:
        data: the file's bytes.
        source: the file name, kept in ``Story.source.path`` and used in errors.
        encoding: force a text encoding instead of detecting one.

    Returns:
        The story: its text is the page's text laid out as paragraphs separated by blank
        lines (``docs/formats-reading.md``), with parts, styles and declared metadata.

    Raises:
        MalformedSourceError: the file ends inside a tag, is an AO3 or FanFicFare page
            without its closing ``</body>``/``</html>`` (truncated), declares XML
            entities, or is an AO3 download without its chapters.
        DecodeError: the bytes cannot be decoded.
        EmptyStoryError: the page has no text.
    """
    refuse_entities(data, source=source)
    text, used = decode_markup(data, source=source, encoding=encoding)
    _check_not_cut_in_a_tag(text, source, len(data))
    if _XHTML.search(text[:4096]):
        text = fix_self_closing(text)
    tree = parse_html(text)
    root = tree.body if tree.body is not None else tree.root
    if root is None:
        from ficnlp.errors import EmptyStoryError

        raise EmptyStoryError("the HTML has no body: give the story page itself", source=source)

    tb = TextBuilder()
    if ao3.is_ao3_download(root):
        if root.css_first("#chapters") is None:
            raise MalformedSourceError(
                "this AO3 download has a preface but no div#chapters: the file is incomplete; download it again",
                source=source,
            )
        meta = ao3.read_ao3_download(root, tb)
        fmt = "ao3-html"
    elif ao3.is_ao3_live(root):
        meta = ao3.read_ao3_live(root, tb)
        fmt = "ao3-html"
    else:
        from ficnlp.read import fanficfare

        if fanficfare.is_fff_html(root):
            meta = fanficfare.read_fff_html_tree(root, tb)
            fmt = "fff-html"
        else:
            meta = ao3.MetadataBuilder()
            title = tree.css_first("head title")
            if title is not None:
                meta.set("title", node_text(title))
            author = tree.css_first("meta[name='author']")
            if author is not None:
                meta.set("authors", [(author.attributes.get("content") or "").strip()])
            tb.add_node(root)
            fmt = "html"
    _check_closed(text, source, len(data), strict=fmt != "html")
    return finish_story(tb, raw=data, source=source, fmt=fmt, encoding=used, metadata=meta.build())
