"""AO3 markup: the download preface and chapters (HTML and calibre EPUB) and the live work page.

Two layouts, both described in ``docs/formats.md``:

* **Download** (§1.1, §1.2): ``div#preface`` (``p.message``, ``dl.tags``, ``h1``,
  ``div.byline``, Summary/Notes blockquotes), ``div#chapters`` (per chapter a meta group
  with ``h2.heading``, chapter summary/notes, then ``div.userstuff`` and
  ``div#endnotesN``; or, for a single-chapter work, just ``div.userstuff``) and
  ``div#afterword`` (``div#endnotes``). In calibre's EPUB the same markup is split over
  several files (the preface over two, so its id appears twice) and classes are renamed
  (``userstuff`` -> ``userstuff1``/``userstuff2``, ``dd`` -> ``calibre4``): parts are
  found by id, position and labels, and classes are matched by prefix.
* **Live page** (§1.3): ``dl.work.meta``, ``div.preface.group``, ``div#chapters`` with one
  ``div#chapter-N`` per chapter (numbers may skip), ``div.userstuff.module`` holding an
  ``h3.landmark`` ("Chapter Text") that is removed, ``div.end.notes`` and
  ``div#work_endnotes``.

Both write parts into a :class:`~ficnlp.read._markup.TextBuilder` in reading order and
return the work's :class:`~ficnlp.model.WorkMetadata`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from selectolax.lexbor import LexborNode

from ficnlp.model import Relationship, WorkMetadata
from ficnlp.read._markup import TextBuilder, classes, has_class, has_class_prefix, node_text

__all__ = [
    "AO3_CATEGORIES",
    "WARNING_NAMES",
    "MetadataBuilder",
    "is_ao3_download",
    "is_ao3_live",
    "normalise_warning",
    "parse_relationship",
    "read_ao3_download",
    "read_ao3_live",
    "tag_name",
]

log = logging.getLogger(__name__)

#: AO3's six categories (otwarchive ``config.yml``; docs/formats.md §2).
AO3_CATEGORIES = ("F/F", "F/M", "Gen", "M/M", "Multi", "Other")

#: Archive warnings under every name they have had, mapped to the name AO3 shows now.
#: "Underage" became "Underage Sex" in Nov 2024 (otwarchive a2478da485, AO3-6831); the
#: "choose not to warn" warning is displayed as "Creator Chose Not To Use Archive
#: Warnings" but its tag (URL, EPUB subject) is "Choose Not To Use Archive Warnings".
WARNING_NAMES = {
    "underage": "Underage Sex",
    "underage sex": "Underage Sex",
    "creator chose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
    "choose not to use archive warnings": "Creator Chose Not To Use Archive Warnings",
    "graphic depictions of violence": "Graphic Depictions Of Violence",
    "major character death": "Major Character Death",
    "rape/non-con": "Rape/Non-Con",
    "no archive warnings apply": "No Archive Warnings Apply",
}

_RATINGS = {
    "general audiences": "General Audiences",
    "teen and up audiences": "Teen And Up Audiences",
    "mature": "Mature",
    "explicit": "Explicit",
    "not rated": "Not Rated",
}

_DATE = r"(\d{4}-\d{2}-\d{2})"
_STATS = {
    "published": re.compile(rf"Published:\s*{_DATE}"),
    "updated": re.compile(rf"Updated:\s*{_DATE}"),
    "completed": re.compile(rf"Completed:\s*{_DATE}"),
    "words": re.compile(r"Words:\s*(\d[\d,.\s\u202f\xa0]*)"),
    "chapters": re.compile(r"Chapters:\s*(\d+\s*/\s*(?:\d+|\?))"),
}
_SERIES = re.compile(r"Part\s+(\d+)\s+of\s+(.+?)\s*(?=,\s*Part\s+\d+\s+of\b|$)", re.DOTALL)
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")

#: dt/dd labels of the download preface (singular and plural forms: newer downloads
#: pluralise when a group has more than one tag, older ones never do).
_LABEL_KEYS = {
    "rating": "rating",
    "ratings": "rating",
    "archive warning": "warnings",
    "archive warnings": "warnings",
    "warning": "warnings",
    "warnings": "warnings",
    "category": "categories",
    "categories": "categories",
    "fandom": "fandoms",
    "fandoms": "fandoms",
    "relationship": "relationships",
    "relationships": "relationships",
    "character": "characters",
    "characters": "characters",
    "additional tags": "additional_tags",
    "additional tag": "additional_tags",
    "freeform": "additional_tags",
    "freeforms": "additional_tags",
    "language": "language",
    "series": "series",
    "collections": "collections",
    "collection": "collections",
    "stats": "stats",
}

#: Live-page dd classes (``dd.rating.tags`` …) -> metadata keys.
_LIVE_CLASSES = {
    "rating": "rating",
    "warning": "warnings",
    "category": "categories",
    "fandom": "fandoms",
    "relationship": "relationships",
    "character": "characters",
    "freeform": "additional_tags",
    "language": "language",
    "series": "series",
    "collections": "collections",
    "stats": "stats",
}

_PREFACE_LABELS = {"summary": "summary", "notes": "work_notes"}
_CHAPTER_LABELS = {
    "chapter summary": "chapter_summary",
    "chapter notes": "chapter_notes",
    "chapter end notes": "chapter_end_notes",
    "summary": "chapter_summary",
    "notes": "chapter_notes",
    "end notes": "chapter_end_notes",
}
_AFTERWORD_LABELS = {"end notes": "work_end_notes", "notes": "work_end_notes"}
_SECTION_IDS = ("preface", "chapters", "afterword")


def tag_name(tag: str) -> str:
    """A character tag without AO3's fandom qualifier: ``"Peter Parker (Marvel)"`` -> ``"Peter Parker"``."""
    stripped = _QUALIFIER.sub("", tag).strip()
    return stripped or tag.strip()


def parse_relationship(tag: str) -> Relationship | None:
    """A relationship tag as a :class:`~ficnlp.model.Relationship`.

    ``A/B`` (AO3's romantic or sexual relationship) is ``romantic``; ``A & B`` (AO3's
    platonic relationship) is ``platonic``. Names lose their fandom qualifiers.

    Returns:
        The relationship, or ``None`` for a tag with neither separator.

    Example:
        >>> parse_relationship("Tamsin Vale/Oriel March (Lakeside)")
        Relationship(tag='Tamsin Vale/Oriel March (Lakeside)', kind='romantic', names=('Tamsin Vale', 'Oriel March'))
        >>> parse_relationship("Tamsin Vale & Pell").kind
        'platonic'
    """
    tag = tag.strip()
    if "/" in tag:
        kind = "romantic"
    elif " & " in tag:
        kind = "platonic"
    else:
        return None
    names = tuple(tag_name(n) for n in re.split(r"\s*/\s*|\s+&\s+", tag) if n.strip())
    if len(names) < 2:
        return None
    return Relationship(tag=tag, kind=kind, names=names)  # type: ignore[arg-type]


def normalise_warning(warning: str) -> str:
    """The current display name of an archive warning (old and tag-name spellings accepted)."""
    return WARNING_NAMES.get(" ".join(warning.split()).lower(), warning.strip())


def _normalise_rating(rating: str) -> str:
    return _RATINGS.get(" ".join(rating.split()).lower(), rating.strip())


@dataclass
class MetadataBuilder:
    """Collects declared metadata from any source, then builds a :class:`WorkMetadata`.

    Earlier values win: call :meth:`fill` with the richest source first.
    """

    values: dict[str, object] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)

    def set(self, key: str, value: object) -> None:
        """Set a field unless it already has a value (empty values are ignored)."""
        if value is None or (isinstance(value, (str, list, tuple)) and not value):
            return
        if key not in self.values:
            self.values[key] = value

    def add_extra(self, key: str, value: str) -> None:
        """Keep a declared value that has no field of its own (``WorkMetadata.extra``)."""
        value = value.strip()
        if value and key not in self.extra:
            self.extra[key] = value

    def set_tags(self, key: str, tags: list[str]) -> None:
        """Set a tag field: ``rating``, ``warnings``, ``categories``, ``fandoms``,
        ``relationships``, ``characters``, ``additional_tags``, ``language``, ``series``,
        ``collections``, or ``stats`` (one text)."""
        tags = [" ".join(t.split()) for t in tags if t and t.strip()]
        if not tags:
            return
        if key == "rating":
            self.set("rating", _normalise_rating(tags[0]))
        elif key == "warnings":
            self.set("warnings", _dedupe(normalise_warning(t) for t in tags))
        elif key == "language":
            self.set("language", tags[0])
        elif key == "collections":
            self.add_extra("collections", ", ".join(tags))
        elif key == "stats":
            self.set_stats(" ".join(tags))
        elif key == "series":
            self.set("series", _dedupe(_series_entries(" , ".join(tags))))
        else:
            self.set(key, _dedupe(tags))

    def set_stats(self, text: str) -> None:
        """Read AO3's Stats line (``Published: … Updated: … Words: … Chapters: …``)."""
        for key, pattern in _STATS.items():
            m = pattern.search(text)
            if not m:
                continue
            if key == "words":
                digits = re.sub(r"\D", "", m.group(1))
                if digits:
                    self.set("words", int(digits))
            elif key == "chapters":
                self.set("chapters", re.sub(r"\s", "", m.group(1)))
            elif key == "completed":
                self.set("completed", m.group(1))
                self.set("updated", m.group(1))
            else:
                self.set(key, m.group(1))

    def _str(self, key: str) -> str | None:
        value = self.values.get(key)
        return value if isinstance(value, str) else None

    def _tuple(self, key: str) -> tuple[str, ...]:
        value = self.values.get(key)
        return tuple(str(v) for v in value) if isinstance(value, (list, tuple)) else ()

    def build(self) -> WorkMetadata:
        """The collected metadata."""
        rels: list[Relationship] = []
        for tag in self._tuple("relationships"):
            rel = parse_relationship(tag)
            if rel is None:
                log.debug("relationship tag %r has no / or & separator; kept in extra", tag)
                self.add_extra("unparsed_relationships", tag)
            else:
                rels.append(rel)
        words = self.values.get("words")
        return WorkMetadata(
            title=self._str("title"),
            authors=self._tuple("authors"),
            fandoms=self._tuple("fandoms"),
            rating=self._str("rating"),
            warnings=self._tuple("warnings"),
            categories=self._tuple("categories"),
            relationships=tuple(rels),
            characters=self._tuple("characters"),
            additional_tags=self._tuple("additional_tags"),
            language=self._str("language"),
            series=self._tuple("series"),
            published=self._str("published"),
            updated=self._str("updated"),
            completed=self._str("completed"),
            words=words if isinstance(words, int) else None,
            chapters=self._str("chapters"),
            summary=self._str("summary"),
            url=self._str("url"),
            source_site=self._str("source_site"),
            extra=tuple(sorted(self.extra.items())),
        )


def _dedupe(items: Iterator[str] | list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in items:
        seen.setdefault(i, None)
    return list(seen)


def _series_entries(text: str) -> list[str]:
    text = " ".join(text.split())
    found = [f"Part {n} of {name.strip(' ,')}" for n, name in _SERIES.findall(text)]
    return found or [t.strip() for t in text.split(" , ") if t.strip()]


def _label(node: LexborNode) -> str:
    return node_text(node).rstrip(":").strip().lower()


def _elements(node: LexborNode) -> Iterator[LexborNode]:
    for child in node.iter(include_text=False):
        tag = child.tag
        if tag and not tag.startswith(("-", "!", "_")):
            yield child


def _tags_of(dd: LexborNode) -> list[str]:
    links = [node_text(a) for a in dd.css("a")]
    links = [t for t in links if t]
    if links:
        return links
    return [t.strip() for t in node_text(dd).split(", ") if t.strip()]


# -- detection ------------------------------------------------------------------------
def is_ao3_download(root: LexborNode) -> bool:
    """Whether the markup is an AO3 download (HTML or calibre EPUB content)."""
    if root.css_first("#chapters") is None and root.css_first("#preface") is None:
        return False
    message = root.css_first("#preface p[class^='message']")
    if message is not None and "Archive of Our Own" in node_text(message):
        return True
    return root.css_first("#preface dl[class^='tags']") is not None and root.css_first("#chapters") is not None


def is_ao3_live(root: LexborNode) -> bool:
    """Whether the markup is an AO3 work page (or an EPUB made from one, e.g. by fichub)."""
    if root.css_first("#workskin") is not None:
        return True
    return root.css_first("dl.work.meta") is not None and root.css_first("#chapters") is not None


# -- the download ---------------------------------------------------------------------
@dataclass
class _Download:
    tb: TextBuilder
    meta: MetadataBuilder
    chapter: int = -1
    pending: str | None = None
    section: str | None = None

    def walk(self, node: LexborNode) -> None:
        for child in _elements(node):
            cid = (child.attributes or {}).get("id")
            if cid in _SECTION_IDS:
                self.section = cid
                self.pending = None
                self.section_content(child)
            elif any(child.css_first(f"#{s}") is not None for s in _SECTION_IDS):
                self.walk(child)
            elif self.section is not None:
                # A continuation of the last section (a split file without the section id).
                self.section_child(child)

    def section_content(self, node: LexborNode) -> None:
        for child in _elements(node):
            self.section_child(child)

    def section_child(self, el: LexborNode) -> None:
        if self.section == "preface":
            self.preface(el)
        elif self.section == "chapters":
            self.chapters(el)
        else:
            self.afterword(el)

    # preface --------------------------------------------------------------------
    def preface(self, el: LexborNode) -> None:
        tag = el.tag
        if tag == "h2":
            return  # the hidden "Preface" toc-heading
        if tag == "p" and has_class_prefix(el, "message"):
            b = el.css_first("b")
            if b is not None:
                self.meta.set("title_message", node_text(b))
            for a in el.css("a"):
                href = (a.attributes or {}).get("href") or ""
                if "/works/" in href:
                    self.meta.set("url", href.strip())
            return
        if tag == "dl":
            self.tags(el)
            return
        if tag == "h1":
            self.meta.set("title", node_text(el))
            return
        if tag == "div" and has_class_prefix(el, "byline"):
            authors = [node_text(a) for a in el.css("a")]
            if not authors:
                authors = [node_text(el).removeprefix("by").strip()]
            self.meta.set("authors", _dedupe(a for a in authors if a))
            return
        if tag == "div" and has_class_prefix(el, "endnote-link"):
            return
        if tag == "ul":
            related = [node_text(li) for li in el.css("li")]
            if related:
                self.meta.add_extra("related_works", "; ".join(related))
            return
        if tag == "p":
            label = _label(el)
            if label in _PREFACE_LABELS:
                self.pending = _PREFACE_LABELS[label]
            return
        if tag == "blockquote":
            kind = self.pending or "work_notes"
            self.pending = None
            with self.tb.part(kind):
                self.tb.add_node(el)
            if kind == "summary":
                self.meta.set("summary", self.tb.last_part_text("summary"))
            return
        if tag == "div":
            self.section_content(el)

    def tags(self, dl: LexborNode) -> None:
        label: str | None = None
        for child in _elements(dl):
            if child.tag == "dt":
                label = _label(child)
            elif child.tag == "dd" and label is not None:
                key = _LABEL_KEYS.get(label)
                if key is None:
                    self.meta.add_extra(label, node_text(child))
                elif key in ("language", "stats"):
                    self.meta.set_tags(key, [node_text(child)])
                elif key == "series":
                    self.meta.set_tags(key, [node_text(child)])
                else:
                    self.meta.set_tags(key, _tags_of(child))
                label = None

    # chapters -------------------------------------------------------------------
    def chapters(self, el: LexborNode) -> None:
        tag = el.tag
        if tag == "h2":
            self.chapter += 1
            self.pending = None
            with self.tb.part("chapter_title", self.chapter):
                self.tb.add_node(el)
            return
        if tag == "p" and has_class_prefix(el, "byline"):
            return
        if tag == "p":
            label = _label(el)
            if label in _CHAPTER_LABELS:
                self.pending = _CHAPTER_LABELS[label]
            return
        if tag == "blockquote":
            kind = self.pending or "chapter_notes"
            self.pending = None
            self.chapter = max(self.chapter, 0)
            with self.tb.part(kind, self.chapter):
                self.tb.add_node(el)
            return
        if tag == "div" and has_class_prefix(el, "endnote-link"):
            return
        if tag == "div" and has_class_prefix(el, "userstuff"):
            self.chapter = max(self.chapter, 0)
            with self.tb.part("chapter_body", self.chapter):
                self.tb.add_node(el)
            return
        if tag == "div":
            self.section_content(el)

    # afterword ------------------------------------------------------------------
    def afterword(self, el: LexborNode) -> None:
        tag = el.tag
        if tag == "h2" or (tag == "p" and has_class_prefix(el, "message")):
            return
        if tag == "p":
            label = _label(el)
            if label in _AFTERWORD_LABELS:
                self.pending = _AFTERWORD_LABELS[label]
            return
        if tag == "blockquote":
            self.pending = None
            with self.tb.part("work_end_notes"):
                self.tb.add_node(el)
            return
        if tag == "dl":
            works = [node_text(dd) for dd in el.css("dd")]
            if works:
                self.meta.add_extra("inspired_works", "; ".join(works))
            return
        if tag == "div":
            self.section_content(el)


def read_ao3_download(root: LexborNode, tb: TextBuilder, meta: MetadataBuilder | None = None) -> MetadataBuilder:
    """Read an AO3 download's preface, chapters and afterword into ``tb``.

    Args:
        root: the document body (for an EPUB: the bodies of its content files, in spine
            order, joined under one element).
        tb: receives the parts in reading order.
        meta: a builder to fill (a new one when ``None``).

    Returns:
        The metadata builder, filled from the preface (the caller may add OPF data).
    """
    meta = meta or MetadataBuilder()
    state = _Download(tb=tb, meta=meta)
    state.walk(root)
    meta.set("title", meta.values.pop("title_message", None))
    meta.set("source_site", "archiveofourown.org")
    return meta


# -- the live page --------------------------------------------------------------------
def _live_tags(dl: LexborNode, meta: MetadataBuilder) -> None:
    for dd in dl.css("dd"):
        names = classes(dd)
        key = next((_LIVE_CLASSES[c] for c in names if c in _LIVE_CLASSES), None)
        if key is None:
            continue
        if key == "stats":
            meta.set_stats(node_text(dd))
        elif key == "series":
            positions = [node_text(p) for p in dd.css(".position")] or [node_text(dd)]
            meta.set_tags("series", positions)
        elif key == "language":
            meta.set_tags("language", [node_text(dd)])
        else:
            meta.set_tags(key, [node_text(a) for a in dd.css("a.tag")] or _tags_of(dd))


def _blockquote_part(tb: TextBuilder, container: LexborNode | None, kind: str, chapter: int | None = None) -> None:
    if container is None:
        return
    quote = container.css_first("blockquote")
    if quote is None:
        return
    with tb.part(kind, chapter):
        tb.add_node(quote)


def read_ao3_live(root: LexborNode, tb: TextBuilder, meta: MetadataBuilder | None = None) -> MetadataBuilder:
    """Read an AO3 work page (``?view_full_work=true`` or one chapter) into ``tb``.

    Chapters are taken in document order from ``div#chapter-N`` (AO3 sometimes skips
    numbers, so ``N`` is not used as the index); the ``h3.landmark`` headings are left out.

    Returns:
        The metadata builder, filled from ``dl.work.meta`` and the preface.
    """
    meta = meta or MetadataBuilder()
    dl = root.css_first("dl.work.meta")
    if dl is not None:
        _live_tags(dl, meta)
    preface = next((p for p in root.css("div.preface.group") if not has_class(p, "chapter")), None)
    if preface is not None:
        title = preface.css_first("h2.title")
        if title is not None:
            meta.set("title", node_text(title))
        byline = preface.css_first("h3.byline")
        if byline is not None:
            authors = [node_text(a) for a in byline.css("a[rel='author']")] or [node_text(byline)]
            meta.set("authors", _dedupe(a for a in authors if a))
        _blockquote_part(tb, preface.css_first("div.summary"), "summary")
        meta.set("summary", tb.last_part_text("summary"))
        _blockquote_part(tb, preface.css_first("div.notes"), "work_notes")
    chapter_divs = [d for d in root.css("div[id^='chapter-']") if re.fullmatch(r"chapter-\d+", d.id or "")]
    if chapter_divs:
        for ci, ch in enumerate(chapter_divs):
            title = ch.css_first("h3.title")
            if title is not None:
                with tb.part("chapter_title", ci):
                    tb.add_node(title)
            _blockquote_part(tb, ch.css_first("#summary") or ch.css_first("div.summary"), "chapter_summary", ci)
            notes = next((n for n in ch.css("div.notes") if not has_class(n, "end")), None)
            _blockquote_part(tb, ch.css_first("#notes") or notes, "chapter_notes", ci)
            body = next((d for d in ch.css("div.userstuff") if d.tag == "div"), None)
            if body is not None:
                with tb.part("chapter_body", ci):
                    tb.add_node(body)
            _blockquote_part(tb, ch.css_first("div.end.notes"), "chapter_end_notes", ci)
    else:
        chapters = root.css_first("#chapters")
        body = chapters.css_first("div.userstuff") if chapters is not None else None
        if body is not None:
            with tb.part("chapter_body", 0):
                tb.add_node(body)
    _blockquote_part(tb, root.css_first("#work_endnotes"), "work_end_notes")
    meta.set("source_site", "archiveofourown.org")
    return meta
