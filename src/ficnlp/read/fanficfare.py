"""FanFicFare output: EPUB chapters and title page, the one-file HTML, and the TXT layout.

What FanFicFare writes is described in ``docs/formats.md`` §1.4 (from its
``writers/writer_{epub,html,txt}.py`` and ``defaults.ini``):

* **Title page**: ``<b>Label:</b> value<br/>`` lines (EPUB ``body.fff_titlepage``) or a
  ``table.full`` of label/value rows (HTML, and EPUB with ``titlepage_use_table``).
  Labels are configurable; the defaults are mapped to :class:`~ficnlp.model.WorkMetadata`
  (for AO3 stories ``Category`` holds the fandoms and ``Genre`` the additional tags plus
  the AO3 categories).
* **Chapters**: ``h3.fff_chapter_title`` (EPUB) or ``<a name="sectionNNNN"><h2>`` (HTML),
  then ``div.fff_chapter_notes.fff_head_notes``, the chapter text, and
  ``div.fff_chapter_notes.fff_foot_notes``. Each note is a ``<b>Label:</b>`` followed by
  a blockquote. The labels differ between FanFicFare versions and settings (FFF#1347),
  so the kind of a note comes from its ``fff_*`` class first (head or foot) and from
  keywords in the label second: "summary" -> chapter summary; "author"/"work" -> the
  work's notes (head notes of the first chapter) or end notes (foot notes of the last
  chapter); anything else -> chapter notes / chapter end notes.
* **TXT**: CRLF line ends, lines wrapped at 78 by :mod:`textwrap` (which turns the tab of
  a chapter heading into spaces), a header ("Title" / "by Author"), ``Label: value``
  lines, ``TABLE OF CONTENTS``, each chapter as blank lines + an indented title + the
  chapter as html2text markdown (``_italic_``, ``**bold**``, ``> `` quoted notes), and
  ``End file.`` at the end. The TXT text is kept exactly as decoded (like plain text);
  parts and styles point into it.
"""

from __future__ import annotations

import hashlib
import logging
import re
from bisect import bisect_left
from collections.abc import Iterable

from selectolax.lexbor import LexborNode

from ficnlp.model import Part, SourceRef, Span, Story, StyleSpan
from ficnlp.read._markup import TextBuilder, has_class, node_text
from ficnlp.read.ao3 import AO3_CATEGORIES, MetadataBuilder
from ficnlp.read.plain import decode_bytes, find_paragraphs, line_spans

__all__ = [
    "apply_titlepage_fields",
    "is_fff_html",
    "looks_like_fff_txt",
    "read_fff_chapter",
    "read_fff_epub_docs",
    "read_fff_html_tree",
    "read_fff_txt",
    "titlepage_fields",
]

log = logging.getLogger(__name__)

_DATE = re.compile(r"(\d{4})[-/](\d{2})[-/](\d{2})")
_SERIES = re.compile(r"^(.*?)\s*\[(\d+)\]\s*$")


# -- title page ---------------------------------------------------------------------
def _is_label(node: LexborNode) -> bool:
    return node.tag in ("b", "strong") and node_text(node).endswith(":")


def _inline_fields(container: LexborNode) -> list[tuple[str, list[LexborNode]]]:
    fields: list[tuple[str, list[LexborNode]]] = []
    for child in container.iter(include_text=True):
        if _is_label(child):
            fields.append((node_text(child)[:-1].strip(), []))
        elif fields:
            fields[-1][1].append(child)
    return fields


def titlepage_fields(container: LexborNode) -> list[tuple[str, list[LexborNode]]]:
    """The ``(label, value nodes)`` pairs of a FanFicFare title page, in order.

    Reads ``table.full`` rows (label cell + value cell, or one wide cell) and
    ``<b>Label:</b> value<br/>`` runs.
    """
    table = container.css_first("table.full") if container.tag != "table" else container
    if table is not None:
        fields: list[tuple[str, list[LexborNode]]] = []
        for tr in table.css("tr"):
            cells = tr.css("td")
            if len(cells) >= 2 and cells[0].css_first("b") is not None:
                fields.append((node_text(cells[0]).rstrip(":").strip(), [cells[1]]))
            elif cells:
                fields.extend(_inline_fields(cells[0]))
        return fields
    block = next((d for d in container.css("div") if d.css_first("b") is not None), container)
    return _inline_fields(block)


def _value_text(nodes: list[LexborNode]) -> str:
    parts = []
    for n in nodes:
        if n.tag == "-text":
            parts.append(n.text_content or "")
        elif n.tag == "br":
            parts.append(" ")
        elif n.tag and not n.tag.startswith(("-", "!", "_")):
            parts.append(" " + (n.text(deep=True, separator=" ") or "") + " ")
    return " ".join("".join(parts).split())


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(", ") if v.strip()]


def _date(value: str) -> str | None:
    m = _DATE.search(value)
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else None


def _series(value: str) -> str:
    m = _SERIES.match(value)
    return f"Part {m.group(2)} of {m.group(1)}" if m else value


def apply_titlepage_fields(meta: MetadataBuilder, fields: Iterable[tuple[str, str]]) -> None:
    """Map FanFicFare's title-page labels to metadata (``defaults.ini`` default labels).

    ``Category``/``Fandoms`` -> fandoms; ``Genre`` -> AO3 categories (F/F, F/M, Gen,
    M/M, Multi, Other) and additional tags, unless ``AO3 Categories`` / ``Freeform Tags``
    are given; ``Relationships``, ``Characters``, ``Rating``, ``Warnings``,
    ``Language``, ``Series`` (``Name [N]`` -> ``Part N of Name``), ``Published``,
    ``Updated``, ``Words``, ``Chapters``, ``Publisher`` (-> ``source_site``),
    ``Story URL``, ``Summary``; ``Status: Completed`` sets ``completed`` to the update
    date. Everything else goes to ``extra``.
    """
    genre: list[str] | None = None
    freeform: list[str] | None = None
    categories: list[str] | None = None
    status = ""
    for label, value in fields:
        key = " ".join(label.lower().split())
        value = value.strip()
        if not value:
            continue
        if key in ("category", "fandoms", "fandom"):
            meta.set_tags("fandoms", _split(value))
        elif key == "genre":
            genre = _split(value)
        elif key in ("freeform tags", "additional tags"):
            freeform = _split(value)
        elif key in ("ao3 categories", "categories"):
            categories = _split(value)
        elif key == "characters":
            meta.set_tags("characters", _split(value))
        elif key in ("relationships", "ships", "pairings", "pairing"):
            meta.set_tags("relationships", _split(value))
        elif key in ("rating", "rated"):
            meta.set_tags("rating", [value])
        elif key in ("warnings", "warning", "archive warning", "archive warnings"):
            meta.set_tags("warnings", _split(value))
        elif key == "language":
            meta.set("language", value)
        elif key in ("series", "additional series"):
            meta.set("series", [_series(v) for v in _split(value)])
        elif key in ("published", "updated"):
            meta.set(key, _date(value))
        elif key == "status":
            status = value
            meta.add_extra("status", value)
        elif key == "words":
            digits = re.sub(r"\D", "", value)
            if digits:
                meta.set("words", int(digits))
        elif key in ("chapters/total chapters", "chapters"):
            meta.set("chapters", value.replace(" ", ""))
        elif key in ("publisher", "site"):
            meta.set("source_site", value)
        elif key in ("story url", "url"):
            meta.set("url", value)
        elif key in ("summary", "description"):
            meta.set("summary", value)
        elif key == "title":
            meta.set("title", value)
        elif key in ("author", "authors"):
            meta.set("authors", _split(value))
        else:
            meta.add_extra(key.replace(" ", "_"), value)
    if categories is None and genre is not None:
        categories = [g for g in genre if g in AO3_CATEGORIES]
    if freeform is None and genre is not None:
        freeform = [g for g in genre if g not in AO3_CATEGORIES]
    meta.set_tags("categories", categories or [])
    meta.set_tags("additional_tags", freeform or [])
    if status.lower().startswith("complete"):
        meta.set("completed", meta.values.get("updated") or meta.values.get("published"))


def _read_titlepage(container: LexborNode, tb: TextBuilder, meta: MetadataBuilder) -> None:
    fields = titlepage_fields(container)
    texts: list[tuple[str, str]] = []
    for label, nodes in fields:
        if " ".join(label.lower().split()) in ("summary", "description"):
            with tb.part("summary"):
                for n in nodes:
                    tb.add_node(n)
            summary = tb.last_part_text("summary")
            if summary:
                meta.set("summary", summary)
            continue
        texts.append((label, _value_text(nodes)))
    apply_titlepage_fields(meta, texts)


def _read_heading(h: LexborNode, meta: MetadataBuilder) -> None:
    """``<a href=storyUrl>Title</a> by <a>Author</a>`` (the h1/h3 atop a title page)."""
    links = h.css("a")
    if links:
        meta.set("title", node_text(links[0]))
        href = (links[0].attributes or {}).get("href")
        if href:
            meta.set("url", href.strip())
        authors = [node_text(a) for a in links[1:] if node_text(a)]
        if authors:
            meta.set("authors", authors)
    text = node_text(h)
    if " by " in text:
        title, _, author = text.rpartition(" by ")
        meta.set("title", title.strip())
        meta.set("authors", _split(author))


# -- chapters -----------------------------------------------------------------------
def _note_kind(label: str, head: bool, chapter: int, last: bool) -> str:
    label = label.lower()
    if "summary" in label:
        return "chapter_summary" if head else "chapter_end_notes"
    if "author" in label or "work" in label:
        # FanFicFare puts the work's notes in the first chapter's head notes and the
        # work's end notes in the last chapter's foot notes (base_otw_adapter.py).
        if head:
            return "work_notes" if chapter == 0 else "chapter_notes"
        return "work_end_notes" if last else "chapter_end_notes"
    return "chapter_notes" if head else "chapter_end_notes"


def _read_notes(div: LexborNode, tb: TextBuilder, chapter: int, *, head: bool, last: bool) -> None:
    label = ""
    group: list[LexborNode] = []

    def emit() -> None:
        if not group:
            return
        kind = _note_kind(label, head, chapter, last)
        with tb.part(kind, chapter if kind.startswith("chapter_") else None):
            for n in group:
                tb.add_node(n)
        group.clear()

    for child in div.iter(include_text=True):
        if _is_label(child):
            emit()
            label = node_text(child)
            continue
        if child.tag == "hr" or (child.attributes or {}).get("id") == "children":
            continue
        group.append(child)
    emit()


def read_fff_chapter(
    nodes: list[LexborNode],
    tb: TextBuilder,
    chapter: int,
    *,
    title: LexborNode | None,
    last: bool,
) -> None:
    """Read one FanFicFare chapter into ``tb``: title, head notes, text, foot notes.

    Args:
        nodes: the chapter's content nodes, in order (title excluded).
        tb: the builder.
        chapter: the 0-based chapter index.
        title: the chapter heading element, if any.
        last: whether this is the work's last chapter (its foot notes may hold the
            work's end notes).
    """
    if title is not None:
        with tb.part("chapter_title", chapter):
            tb.add_node(title)
    items: list[tuple[str, LexborNode]] = []

    def collect(ns: Iterable[LexborNode]) -> None:
        for n in ns:
            if n.tag and not n.tag.startswith(("-", "!", "_")):
                if has_class(n, "fff_head_notes") or (has_class(n, "fff_chapter_notes") and not items):
                    items.append(("head", n))
                    continue
                if has_class(n, "fff_foot_notes") or has_class(n, "fff_chapter_notes"):
                    items.append(("foot", n))
                    continue
                if n.css_first(".fff_chapter_notes") is not None:
                    collect(n.iter(include_text=True))
                    continue
            items.append(("body", n))

    collect(nodes)
    body: list[LexborNode] = []

    def flush_body() -> None:
        if body:
            with tb.part("chapter_body", chapter):
                for n in body:
                    tb.add_node(n)
            body.clear()

    for kind, n in items:
        if kind == "body":
            body.append(n)
        else:
            flush_body()
            _read_notes(n, tb, chapter, head=kind == "head", last=last)
    flush_body()


# -- HTML -----------------------------------------------------------------------------
def _section_anchor(node: LexborNode) -> bool:
    if node.tag != "a":
        return False
    name = (node.attributes or {}).get("name") or ""
    return re.fullmatch(r"section\d+", name) is not None


def is_fff_html(root: LexborNode) -> bool:
    """Whether the page is FanFicFare's HTML output (section anchors plus its title table or TOC)."""
    if root.css_first("a[name^='section']") is None:
        return False
    return (
        root.css_first("table.full") is not None
        or root.css_first("a[name='TOCTOP']") is not None
        or root.css_first(".fff_chapter_notes") is not None
    )


def read_fff_html_tree(root: LexborNode, tb: TextBuilder) -> MetadataBuilder:
    """Read FanFicFare's one-file HTML: ``h1`` title line, ``table.full``, chapters.

    Returns:
        The metadata builder.
    """
    meta = MetadataBuilder()
    h1 = root.css_first("h1")
    if h1 is not None:
        _read_heading(h1, meta)
    table = root.css_first("table.full")
    if table is not None:
        _read_titlepage(table, tb, meta)
    chapters: list[tuple[LexborNode, list[LexborNode]]] = []
    for child in root.iter(include_text=True):
        if _section_anchor(child):
            chapters.append((child, []))
        elif chapters:
            chapters[-1][1].append(child)
    for ci, (anchor, nodes) in enumerate(chapters):
        heading = anchor.css_first("h1, h2, h3, h4") or anchor
        read_fff_chapter(nodes, tb, ci, title=heading, last=ci == len(chapters) - 1)
    return meta


# -- EPUB (called by ficnlp.read.epub) -------------------------------------------------
def read_fff_epub_docs(bodies: list[LexborNode], tb: TextBuilder, meta: MetadataBuilder) -> None:
    """Read the spine documents of a FanFicFare EPUB (title page, then chapters)."""
    chapter_bodies = [b for b in bodies if has_class(b, "fff_chapter")]
    for b in bodies:
        if has_class(b, "fff_titlepage"):
            h = b.css_first("h3") or b.css_first("h1")
            if h is not None:
                _read_heading(h, meta)
            _read_titlepage(b, tb, meta)
    for ci, b in enumerate(chapter_bodies):
        title = b.css_first("h3.fff_chapter_title")
        nodes = [n for n in b.iter(include_text=True) if title is None or n.mem_id != title.mem_id]
        read_fff_chapter(nodes, tb, ci, title=title, last=ci == len(chapter_bodies) - 1)


# -- TXT ------------------------------------------------------------------------------
#: Title-page labels FanFicFare writes by default (``defaults.ini`` ``*_label`` and the
#: AO3 ``extra_valid_entries`` labels), lower-cased; a TXT header line ``Label: value``
#: starts a field only with one of these (wrapped values continue on unlabelled lines).
_TXT_LABELS = frozenset(
    "title|story url|summary|author|author url|file format|file extension|category|genre|language|characters|"
    "relationships|series|series url|status|published|updated|packaged|rating|warnings|chapters|words|publisher|"
    "site abbrev|story id|author id|extra tags|downloader version|fandoms|freeform tags|ao3 categories|comments|"
    "chapters/total chapters|total chapters|kudos|hits|bookmarks|collections|additional series|bookmarked|"
    "bookmark tags|bookmark summary|bookmark private|bookmark rec|restricted to registered users|"
    "archive warning|additional tags".split("|")
)
_TXT_LABEL_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9/ ]{0,40}?):(?:\s+(.*))?$")
_TXT_NOTE_LABEL = re.compile(r"^\*\*([^*\r\n]{1,80}?):?\*\*:?\s*$")
_TXT_EMPHASIS = (
    (re.compile(r"\*\*(?=\S)([^*]{1,400}?)(?<=\S)\*\*"), "bold"),
    (re.compile(r"(?<![\w*])\*(?=\S)([^*]{1,400}?)(?<=\S)\*(?![\w*])"), "italic"),
    (re.compile(r"(?<![\w_])_(?=\S)([^_]{1,400}?)(?<=\S)_(?![\w_])"), "italic"),
)


def looks_like_fff_txt(data: bytes) -> bool:
    """Whether the bytes look like FanFicFare's TXT output.

    It must end with ``End file.`` and have either a ``TABLE OF CONTENTS`` line or a
    ``by Author`` line near the top (the writer's fixed header and footer).
    """
    if not data.rstrip().endswith(b"End file."):
        return False
    head = data[:200_000]
    return (
        re.search(rb"(?m)^TABLE OF CONTENTS\r?$", head) is not None
        or re.search(rb"(?m)^by \S", head[:4096]) is not None
    )


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def read_fff_txt(data: bytes, *, source: str = "<bytes>", encoding: str | None = None) -> Story:
    """Read FanFicFare TXT output.

    The text is the decoded file, unchanged; paragraphs are found as for plain text
    (:func:`ficnlp.read.plain.find_paragraphs`, which joins the 78-column wrapped lines).
    Parts: ``preface`` (title, labels, table of contents), ``summary``, per chapter
    ``chapter_title`` (the indented heading), head/foot notes (``**Label:**`` followed
    by ``>`` lines) and ``chapter_body``, and ``afterword`` (``End file.``). Markdown
    emphasis (``_x_``, ``*x*``, ``**x**``) in chapter bodies becomes style spans over the
    marked words (markers included in the text, not in the span).

    Raises:
        DecodeError: the bytes cannot be decoded.
        EmptyStoryError: the file has no text.
    """
    text, used = decode_bytes(data, source=source, encoding=encoding)
    lines = line_spans(text)
    stripped = [text[s:e].strip() for s, e in lines]
    n = len(lines)
    meta = MetadataBuilder()
    parts: list[Part] = []

    # Header: title, "by Author", Label: value lines.
    i = 0
    while i < n and not stripped[i]:
        i += 1
    header_start = lines[i][0] if i < n else 0
    if i < n:
        meta.set("title", stripped[i])
        i += 1
    while i < n and not stripped[i]:
        i += 1
    if i < n and stripped[i].startswith("by "):
        meta.set("authors", _split(stripped[i][3:]))
        i += 1
    fields: list[tuple[str, int, int]] = []  # label, first line, last line
    toc_line = next((k for k in range(i, n) if stripped[k] == "TABLE OF CONTENTS"), None)
    k = i
    header_end = toc_line if toc_line is not None else n
    while k < header_end:
        m = _TXT_LABEL_LINE.match(stripped[k])
        if m and m.group(1).lower() in _TXT_LABELS:
            fields.append((m.group(1), k, k))
        elif stripped[k] and fields:
            label, first, _ = fields[-1]
            fields[-1] = (label, first, k)
        elif not stripped[k] and fields and toc_line is None:
            # Without a TOC the header ends at the first blank run after its fields.
            if k + 1 < n and not stripped[k + 1]:
                header_end = k
                break
        k += 1

    # Chapters: indented headings; with a TOC, headings match its entries in order.
    toc: list[str] = []
    body_from = header_end
    if toc_line is not None:
        k = toc_line + 1
        while k < n:
            raw = text[lines[k][0] : lines[k][1]]
            if stripped[k] and raw[:1] in ("\t", " "):
                break
            if stripped[k]:
                toc.append(stripped[k])
            k += 1
        body_from = k
    headings: list[int] = []
    expected = 0
    for k in range(body_from, n):
        raw = text[lines[k][0] : lines[k][1]]
        if not stripped[k] or raw[:1] not in ("\t", " "):
            continue
        blank_before = k > 0 and not stripped[k - 1]
        blank_after = k + 1 >= n or not stripped[k + 1]
        if not (blank_before and blank_after):
            continue
        if toc:
            if expected < len(toc) and stripped[k] == toc[expected]:
                headings.append(k)
                expected += 1
        elif k >= 2 and not stripped[k - 2]:
            headings.append(k)
    end_line = next((k for k in range(n - 1, -1, -1) if stripped[k]), n)
    has_end = end_line < n and stripped[end_line] == "End file."

    # Preface / summary parts from the header.
    summary_field = next((f for f in fields if f[0].lower() in ("summary", "description")), None)
    values: list[tuple[str, str]] = []
    for label, first, last in fields:
        s, e = lines[first]
        line = text[s:e]
        value_start = s + line.index(":") + 1
        value = " ".join(text[value_start : lines[last][1]].split())
        if (label, first, last) == summary_field:
            continue
        values.append((label, re.sub(r"<[^>]+>", " ", value)))
    apply_titlepage_fields(meta, values)
    front_end_line = (headings[0] if headings else (end_line if has_end else n)) - 1
    while front_end_line >= 0 and not stripped[front_end_line]:
        front_end_line -= 1
    if summary_field is not None:
        _, first, last = summary_field
        s = lines[first][0]
        value_start = s + text[s : lines[first][1]].index(":") + 1
        summary = _trimmed(text, s, lines[last][1])  # from the "Summary:" label, like its paragraph
        before = _trimmed(text, header_start, s)
        after_start = lines[last][1]
        after = _trimmed(text, after_start, lines[front_end_line][1]) if front_end_line > last else None
        if before.end > before.start:
            parts.append(Part(before, "preface"))
        if summary.end > summary.start:
            parts.append(Part(summary, "summary"))
            meta.set("summary", " ".join(re.sub(r"<[^>]+>", " ", text[value_start : summary.end]).split()))
        if after is not None and after.end > after.start:
            parts.append(Part(after, "preface"))
    elif front_end_line >= 0 and headings:
        front = _trimmed(text, header_start, lines[front_end_line][1])
        if front.end > front.start:
            parts.append(Part(front, "preface"))

    paragraphs = find_paragraphs(text)
    para_starts = [p.start for p in paragraphs]
    styles: list[StyleSpan] = []
    for ci, h in enumerate(headings):
        title_span = _trimmed(text, *lines[h])
        parts.append(Part(title_span, "chapter_title", ci))
        stop = headings[ci + 1] if ci + 1 < len(headings) else (end_line if has_end else n)
        region_end = lines[stop][0] if stop < n else len(text)
        lo = bisect_left(para_starts, title_span.end)
        hi = bisect_left(para_starts, region_end)
        paras = [p for p in paragraphs[lo:hi] if p.end <= region_end]
        parts.extend(_txt_chapter_parts(text, paras, ci, last=ci == len(headings) - 1, styles=styles))
    if has_end:
        parts.append(Part(_trimmed(text, *lines[end_line]), "afterword"))
    parts.sort(key=lambda p: p.span.start)
    if not text.strip():
        from ficnlp.errors import EmptyStoryError

        raise EmptyStoryError("there is no text to analyse (the file is empty or only whitespace)", source=source)
    digest = hashlib.sha256(data).hexdigest()
    return Story(
        id=digest[:16],
        text=text,
        source=SourceRef(path=source, format="fff-txt", sha256=digest, encoding=used),
        metadata=meta.build(),
        paragraphs=paragraphs,
        parts=tuple(parts),
        styles=tuple(sorted(styles, key=lambda s: (s.span.start, s.span.end, s.style))),
    )


def _is_quoted(text: str, span: Span) -> bool:
    return all(line.lstrip().startswith(">") for line in text[span.start : span.end].splitlines() if line.strip())


def _txt_chapter_parts(
    text: str, paras: list[Span], chapter: int, *, last: bool, styles: list[StyleSpan]
) -> list[Part]:
    """Head notes, body and foot notes of one TXT chapter (html2text markdown)."""

    def label_of(p: Span) -> str | None:
        m = _TXT_NOTE_LABEL.match(text[p.start : p.end])
        return m.group(1) if m else None

    # Head notes: label, quoted paragraphs, label, quoted ... at the start.
    k = 0
    head: list[tuple[str, list[Span]]] = []
    while k < len(paras):
        label = label_of(paras[k])
        if label is None:
            break
        j = k + 1
        group = [paras[k]]
        while j < len(paras) and _is_quoted(text, paras[j]):
            group.append(paras[j])
            j += 1
        if len(group) == 1:
            break
        head.append((label, group))
        k = j
    body_start = k
    # Foot notes: the earliest label after which only labels and quoted paragraphs follow.
    foot_start = len(paras)
    j = len(paras) - 1
    while j >= body_start:
        if label_of(paras[j]) is not None:
            foot_start = j
        elif not _is_quoted(text, paras[j]):
            break
        j -= 1
    foot: list[tuple[str, list[Span]]] = []
    for p in paras[foot_start:]:
        label = label_of(p)
        if label is not None:
            foot.append((label, [p]))
        elif foot:
            foot[-1][1].append(p)
    out: list[Part] = []
    for groups, is_head in ((head, True), (foot, False)):
        for label, spans in groups:
            # The part runs from the "**Label:**" line over its quoted paragraphs.
            kind = _note_kind(label, is_head, chapter, last)
            out.append(
                Part(Span(spans[0].start, spans[-1].end), kind, chapter if kind.startswith("chapter_") else None)
            )
    body = paras[body_start:foot_start]
    if body:
        out.append(Part(Span(body[0].start, body[-1].end), "chapter_body", chapter))
        for p in body:
            chunk = text[p.start : p.end]
            for pattern, style in _TXT_EMPHASIS:
                for m in pattern.finditer(chunk):
                    styles.append(StyleSpan(Span(p.start + m.start(1), p.start + m.end(1)), style))
    return out
