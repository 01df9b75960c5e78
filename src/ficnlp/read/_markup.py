"""Turn parsed HTML into the analysed text: paragraphs, inline styles and structural parts.

Shared by the HTML, EPUB and FanFicFare readers. The layout of the text is simple and
deterministic (documented in ``docs/formats-reading.md``):

* every block element (``<p>``, ``<div>``, headings, ``<blockquote>``, list items, table
  cells …) starts and ends a paragraph, and so does every ``<br/>``: lines split by
  ``<br/>`` inside one ``<p>`` become separate paragraphs;
* whitespace inside a paragraph is collapsed as a browser does (ASCII whitespace runs
  become one space; no-break spaces are kept) and trimmed at both ends; a paragraph with
  no visible text is dropped;
* paragraphs are joined with ``"\\n\\n"``;
* ``<hr/>`` becomes a paragraph ``* * *`` (the scene-break line FanFicFare's
  ``replace_hr`` and html2text write), so the structure stage sees the break;
* ``<script>``, ``<style>``, ``<head>`` and other non-text elements are skipped, and so
  are AO3's ``h3.landmark`` headings ("Chapter Text", "Work Text:").

Italic, bold, underline and strike-through come from the tags (``<em>``, ``<i>``,
``<b>``, ``<strong>``, ``<u>``, ``<s>`` …), from ``style="font-style: italic"``-type
attributes, and (for EPUB) from CSS classes whose rules set those properties. They
become :class:`~ficnlp.model.StyleSpan` values, split at paragraph boundaries.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser, LexborNode

from ficnlp.errors import EmptyStoryError
from ficnlp.model import Part, SourceRef, Span, Story, StyleSpan, WorkMetadata

__all__ = [
    "TextBuilder",
    "classes",
    "css_class_styles",
    "finish_story",
    "fix_self_closing",
    "has_class",
    "has_class_prefix",
    "node_text",
    "parse_html",
]

_BLOCK = frozenset(
    "p div h1 h2 h3 h4 h5 h6 blockquote li ul ol dl dt dd table tbody thead tfoot tr td th caption "
    "section article header footer aside nav main center address figure figcaption pre form fieldset "
    "legend details summary hgroup body html".split()
)
_SKIP = frozenset(
    "head script style noscript template iframe object embed svg math title meta link button select "
    "textarea input canvas video audio map area img".split()
)
_TAG_STYLES = {
    "em": "italic",
    "i": "italic",
    "cite": "italic",
    "var": "italic",
    "dfn": "italic",
    "b": "bold",
    "strong": "bold",
    "u": "underline",
    "ins": "underline",
    "s": "strike",
    "strike": "strike",
    "del": "strike",
}
_HTML_WS = re.compile(r"[ \t\n\r\f]+")
_STYLE_DECL = re.compile(r"([\w-]+)\s*:\s*([^;]+)")
#: The text of an ``<hr/>``: FanFicFare's ``replace_hr`` and html2text both write it
#: (docs/formats.md 1.4), and the structure stage recognises it as a scene break.
HR_TEXT = "* * *"


def parse_html(text: str) -> LexborHTMLParser:
    """Parse HTML with lexbor (no scripts run, no DTD processed, nothing fetched)."""
    return LexborHTMLParser(text)


_VOID = "br|hr|img|meta|link|input|col|area|base|embed|source|track|wbr|param|basefont|frame|keygen"
_SELF_CLOSING = re.compile(rf"<(?!(?:{_VOID})\b)([A-Za-z][\w:.-]*)((?:\s[^<>]*?)?)\s*/>")


def fix_self_closing(text: str) -> str:
    """Rewrite XHTML self-closing non-void tags (``<div/>``, ``<a id="x"/>``, ``<title/>``).

    An HTML parser reads ``<div/>`` as an open ``<div>`` that swallows what follows, and
    ``<title/>`` as a title that swallows the whole body; ``<div></div>`` is what the
    XHTML meant.
    """
    return _SELF_CLOSING.sub(r"<\1\2></\1>", text)


def classes(node: LexborNode) -> list[str]:
    """The element's class names."""
    attrs = node.attributes
    value = attrs.get("class") if attrs else None
    return value.split() if value else []


def has_class(node: LexborNode, name: str) -> bool:
    """Whether the element has this class."""
    return name in classes(node)


def has_class_prefix(node: LexborNode, prefix: str) -> bool:
    """Whether one of the element's classes starts with ``prefix`` (calibre renames
    ``userstuff`` to ``userstuff1``, ``userstuff2`` …; docs/formats.md 1.2)."""
    return any(c.startswith(prefix) for c in classes(node))


def node_text(node: LexborNode) -> str:
    """The element's text, whitespace collapsed and trimmed."""
    return _HTML_WS.sub(" ", node.text(deep=True, separator="") or "").strip()


def _declared_styles(declarations: str) -> set[str]:
    out: set[str] = set()
    for prop, value in _STYLE_DECL.findall(declarations):
        prop = prop.lower()
        value = value.strip().lower()
        if prop == "font-style" and ("italic" in value or "oblique" in value):
            out.add("italic")
        elif prop == "font-weight" and (value.startswith("bold") or value in ("600", "700", "800", "900")):
            out.add("bold")
        elif prop in ("text-decoration", "text-decoration-line"):
            if "underline" in value:
                out.add("underline")
            if "line-through" in value:
                out.add("strike")
    return out


_CSS_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CLASS_SELECTOR = re.compile(r"^(?:[a-z][a-z0-9]*)?\.([\w-]+)$", re.IGNORECASE)


def css_class_styles(css: str) -> dict[str, frozenset[str]]:
    """Class names whose CSS rules make text italic, bold, underlined or struck through.

    Only simple selectors are read (``.calibre5``, ``span.italic``): calibre writes its
    converted formatting that way. Other selectors are ignored.

    Returns:
        ``{class name: styles}``, styles from ``italic``, ``bold``, ``underline``, ``strike``.
    """
    out: dict[str, set[str]] = {}
    for selectors, body in _CSS_RULE.findall(_CSS_COMMENT.sub("", css)):
        styles = _declared_styles(body)
        if not styles:
            continue
        for sel in selectors.split(","):
            m = _CLASS_SELECTOR.match(sel.strip())
            if m:
                out.setdefault(m.group(1), set()).update(styles)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(slots=True, eq=False)
class _OpenStyle:
    style: str
    start: int  # code point offset where the style began


@dataclass(slots=True)
class _Exit:
    styles: list[_OpenStyle]
    block: bool
    pre: bool


@dataclass(slots=True)
class TextBuilder:
    """Accumulates paragraphs, style spans and parts while markup is walked.

    Attributes:
        css: class name -> styles, from :func:`css_class_styles` (EPUB stylesheets).
    """

    css: Mapping[str, frozenset[str]] = field(default_factory=dict)
    _paras: list[str] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _total: int = 0
    _cur: list[str] = field(default_factory=list)
    _cur_len: int = 0
    _cur_space: bool = True
    _pre: int = 0
    _open_styles: list[_OpenStyle] = field(default_factory=list)
    _styles: list[tuple[str, int, int]] = field(default_factory=list)
    _parts: list[Part] = field(default_factory=list)
    _last_part: tuple[str, int, int] | None = None
    _part: tuple[str, int | None, int] | None = None

    # -- positions -------------------------------------------------------------------
    def _cur_start(self) -> int:
        return self._total + 2 if self._paras else 0

    def _pos(self) -> int:
        return self._cur_start() + self._cur_len

    @property
    def paragraph_count(self) -> int:
        """Paragraphs finished so far."""
        return len(self._paras)

    # -- text ------------------------------------------------------------------------
    def append_text(self, s: str) -> None:
        """Add inline text to the current paragraph (HTML whitespace rules)."""
        if not s:
            return
        if self._pre:
            lines = s.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            for i, line in enumerate(lines):
                if i:
                    self.flush()
                self._append_collapsed(line)
            return
        self._append_collapsed(s)

    def _append_collapsed(self, s: str) -> None:
        s = _HTML_WS.sub(" ", s)
        if self._cur_space:
            s = s.lstrip()
        if not s:
            return
        self._cur.append(s)
        self._cur_len += len(s)
        self._cur_space = s[-1].isspace()

    def flush(self) -> None:
        """End the current paragraph (dropped when it holds no visible text)."""
        if not self._cur:
            return
        para = "".join(self._cur).rstrip()
        start = self._cur_start()
        self._cur = []
        self._cur_len = 0
        self._cur_space = True
        if not para:
            # Nothing visible: styles opened inside it restart at the next paragraph.
            for open_style in self._open_styles:
                open_style.start = min(open_style.start, start)
            self._styles = [s for s in self._styles if s[1] < start]
            return
        self._paras.append(para)
        self._starts.append(start)
        self._total = start + len(para)

    def add_paragraph(self, text: str) -> None:
        """Add a whole paragraph of plain text (collapsed and trimmed like markup text)."""
        self.flush()
        self.append_text(text)
        self.flush()

    # -- styles ----------------------------------------------------------------------
    def _styles_of(self, node: LexborNode, tag: str) -> list[str]:
        found: set[str] = set()
        if tag in _TAG_STYLES:
            found.add(_TAG_STYLES[tag])
        attrs = node.attributes
        if attrs:
            style = attrs.get("style")
            if style:
                found |= _declared_styles(style)
            if self.css:
                for c in (attrs.get("class") or "").split():
                    found |= self.css.get(c, frozenset())
        return sorted(found)

    # -- parts -----------------------------------------------------------------------
    @contextmanager
    def part(self, kind: str, chapter: int | None = None) -> Iterator[None]:
        """Everything added inside the ``with`` block forms one part of this kind.

        A part that ends up with no paragraph is not recorded.

        Raises:
            RuntimeError: parts were nested (a reader bug, not an input problem).
        """
        if self._part is not None:
            raise RuntimeError(f"part {kind!r} opened inside part {self._part[0]!r}")
        self.flush()
        self._part = (kind, chapter, len(self._paras))
        try:
            yield
        finally:
            self.flush()
            first = self._part[2]
            self._part = None
            if len(self._paras) > first:
                span = Span(self._starts[first], self._starts[-1] + len(self._paras[-1]))
                self._parts.append(Part(span, kind, chapter))
                self._last_part = (kind, first, len(self._paras))
            else:
                self._last_part = None

    def last_part_text(self, kind: str) -> str | None:
        """The text of the part just closed, if it was of this kind and not empty."""
        if self._last_part is None or self._last_part[0] != kind:
            return None
        _, first, end = self._last_part
        return "\n\n".join(self._paras[first:end])

    # -- walking ---------------------------------------------------------------------
    def add_node(self, node: LexborNode, *, skip: Callable[[LexborNode], bool] | None = None) -> None:
        """Add an element (or text node) and everything inside it.

        Args:
            node: the element to add.
            skip: elements for which this returns ``True`` are left out with their content.
        """
        stack: list[LexborNode | _Exit] = [node]
        while stack:
            item = stack.pop()
            if isinstance(item, _Exit):
                for opened_style in reversed(item.styles):
                    self._open_styles.remove(opened_style)
                    self._styles.append((opened_style.style, opened_style.start, self._pos()))
                if item.pre:
                    self._pre -= 1
                if item.block:
                    self.flush()
                continue
            tag = item.tag
            if tag == "-text":
                self.append_text(item.text_content or "")
                continue
            if not tag or tag.startswith(("-", "!", "_")) or tag in _SKIP:
                continue
            if skip is not None and skip(item):
                continue
            if tag == "br":
                self.flush()
                continue
            if tag == "hr":
                self.add_paragraph(HR_TEXT)
                continue
            if tag[:1] == "h" and tag[1:].isdigit() and has_class(item, "landmark"):
                continue
            block = tag in _BLOCK
            if block:
                self.flush()
            opened: list[_OpenStyle] = []
            for style in self._styles_of(item, tag):
                st = _OpenStyle(style, self._pos())
                self._open_styles.append(st)
                opened.append(st)
            pre = tag == "pre"
            if pre:
                self._pre += 1
            stack.append(_Exit(opened, block, pre))
            stack.extend(reversed(list(item.iter(include_text=True))))

    # -- result ----------------------------------------------------------------------
    def build(self) -> tuple[str, tuple[Span, ...], tuple[Part, ...], tuple[StyleSpan, ...]]:
        """The text, its paragraph spans, the parts and the style spans.

        Returns:
            ``(text, paragraphs, parts, styles)``: paragraphs sorted and non-overlapping;
            parts sorted by start and non-overlapping; styles sorted by ``(start, end,
            style)``, each inside one paragraph and trimmed of whitespace.
        """
        self.flush()
        text = "\n\n".join(self._paras)
        paragraphs = tuple(Span(s, s + len(p)) for s, p in zip(self._starts, self._paras, strict=True))
        starts = self._starts
        styles: set[tuple[int, int, str]] = set()
        for style, s, e in self._styles:
            if e <= s:
                continue
            k = max(bisect_right(starts, s) - 1, 0)
            while k < len(paragraphs) and paragraphs[k].start < e:
                a = max(s, paragraphs[k].start)
                b = min(e, paragraphs[k].end)
                while a < b and text[a].isspace():
                    a += 1
                while b > a and text[b - 1].isspace():
                    b -= 1
                if a < b:
                    styles.add((a, b, style))
                k += 1
        merged: list[tuple[int, int, str]] = []
        for a, b, style in sorted(styles, key=lambda t: (t[2], t[0], t[1])):
            if merged and merged[-1][2] == style and merged[-1][1] >= a:
                prev = merged[-1]
                merged[-1] = (prev[0], max(prev[1], b), style)
            else:
                merged.append((a, b, style))
        style_spans = tuple(StyleSpan(Span(a, b), st) for a, b, st in sorted(merged, key=lambda t: (t[0], t[1], t[2])))
        parts = tuple(sorted(self._parts, key=lambda p: p.span.start))
        return text, paragraphs, parts, style_spans


def finish_story(
    tb: TextBuilder,
    *,
    raw: bytes,
    source: str,
    fmt: str,
    encoding: str,
    metadata: WorkMetadata,
) -> Story:
    """Build the :class:`~ficnlp.model.Story` from a filled builder.

    Args:
        tb: the builder holding the text, parts and styles.
        raw: the input's bytes (hashed for ``Story.id`` and ``SourceRef.sha256``).
        source: the input's name.
        fmt: the detected format (``ao3-html``, ``fff-epub`` …).
        encoding: the encoding the markup was decoded with.
        metadata: the declared metadata.

    Raises:
        EmptyStoryError: no text was found.
    """
    text, paragraphs, parts, styles = tb.build()
    if not text.strip():
        raise EmptyStoryError(
            f"no story text was found in this {fmt} file: check that it is the story and not an index or cover page",
            source=source,
        )
    digest = hashlib.sha256(raw).hexdigest()
    return Story(
        id=digest[:16],
        text=text,
        source=SourceRef(path=source, format=fmt, sha256=digest, encoding=encoding),
        metadata=metadata,
        paragraphs=paragraphs,
        parts=parts,
        styles=styles,
    )
