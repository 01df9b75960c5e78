"""EPUB stories: AO3's calibre EPUBs, FanFicFare EPUBs and any other EPUB 2/3.

Reading goes container -> OPF -> spine, so the reading order is the spine's (then the
table of contents' when a spine is missing), never the file names. The archive is
opened by :class:`ficnlp.read._safe.SafeZip` (member count and inflated-size limits) and
every XML or XHTML member is checked for entity declarations before it is parsed
(:mod:`ficnlp.read._safe`); the OPF, NCX and container are parsed by :mod:`defusedxml`,
content documents by lexbor (no DTD, no scripts, no network).

The EPUB's own structure decides how it is read:

* FanFicFare (``fanficfare-uid`` identifier, FanFicFare contributor, or ``fff_*`` body
  classes) -> ``fff-epub``: title page and one chapter per ``fff_chapter`` file
  (:mod:`ficnlp.read.fanficfare`);
* AO3 markup in the content files (the download's ``#preface``/``#chapters``, split over
  files by calibre, or the live page's ``#workskin``) -> ``ao3-epub``: the files' bodies
  are read in spine order as one document by :mod:`ficnlp.read.ao3`, so a preface split
  over two files and calibre's renamed classes (``userstuff1``, ``calibre4``) are
  handled;
* anything else -> ``epub``: each spine file listed in the table of contents starts a
  chapter (its leading ``h1``-``h4`` is the chapter title); files not in the table of
  contents continue the chapter before them. When the table of contents points inside
  files (several chapters per file), no chapter parts are made and the structure stage
  finds the chapters from the headings.

Italic and bold from the EPUB's CSS classes (calibre turns ``<i>`` into
``<span class="calibre7">`` with ``font-style: italic``) are kept as style spans.

``ebooklib`` is not used for reading: it inflates every manifest item, fails on any
missing one and parses with ``recover=True``, which hides damage; we need the size
limits, entity checks and clear errors above. (Tests use it to write a generic EPUB.)
"""

from __future__ import annotations

import html as html_lib
import logging
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from selectolax.lexbor import LexborNode

from ficnlp.errors import MalformedSourceError
from ficnlp.model import Story
from ficnlp.read import ao3, fanficfare
from ficnlp.read._markup import TextBuilder, css_class_styles, finish_story, fix_self_closing, node_text, parse_html
from ficnlp.read._safe import SafeZip, parse_xml, refuse_entities
from ficnlp.read.html import decode_markup

__all__ = ["read_epub"]

log = logging.getLogger(__name__)

_OPF_NS = "{http://www.idpf.org/2007/opf}"
_CONTENT_TYPES = ("application/xhtml+xml", "text/html", "application/xml", "text/xml")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


@dataclass
class _Package:
    opf_dir: str
    manifest: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (path, media type, properties)
    spine: list[str] = field(default_factory=list)  # paths, in reading order
    toc: list[tuple[str, str, str]] = field(default_factory=list)  # (label, path, fragment)
    dc: dict[str, list[tuple[str, dict[str, str]]]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)

    def first(self, key: str) -> str | None:
        values = self.dc.get(key)
        return values[0][0] if values else None

    def all(self, key: str) -> list[str]:
        return [v for v, _ in self.dc.get(key, [])]


def _join(base_dir: str, href: str) -> tuple[str, str]:
    href, _, fragment = href.partition("#")
    path = posixpath.normpath(posixpath.join(base_dir, unquote(href))) if href else ""
    return path.lstrip("/"), fragment


def _find_opf(z: SafeZip, source: str) -> str:
    if z.has("META-INF/container.xml"):
        root = parse_xml(z.read("META-INF/container.xml"), source=source, member="META-INF/container.xml")
        for el in root.iter():
            if _local(el.tag) == "rootfile" and el.get("full-path"):
                media = el.get("media-type", "application/oebps-package+xml")
                if media == "application/oebps-package+xml":
                    return str(el.get("full-path"))
    opfs = [n for n in z.names if n.lower().endswith(".opf")]
    if len(opfs) >= 1:
        return opfs[0]
    raise MalformedSourceError(
        "this zip has no META-INF/container.xml and no .opf package file, so it is not an EPUB: "
        "give an .epub, .html or .txt story",
        source=source,
    )


def _load_package(z: SafeZip, source: str) -> _Package:
    opf_path = _find_opf(z, source)
    root = parse_xml(z.read(opf_path), source=source, member=opf_path)
    pkg = _Package(opf_dir=posixpath.dirname(opf_path))
    metadata = next((el for el in root if _local(el.tag) == "metadata"), None)
    if metadata is not None:
        for el in metadata.iter():
            name = _local(el.tag)
            if el is metadata:
                continue
            if name == "meta":
                key = el.get("name") or el.get("property")
                value = el.get("content") if el.get("content") is not None else (el.text or "")
                if key and value:
                    pkg.meta.setdefault(key, value.strip())
            elif el.tag.startswith("{http://purl.org/dc/elements/1.1/}"):
                attrs = {_local(k): v for k, v in el.attrib.items()}
                pkg.dc.setdefault(name, []).append(("".join(el.itertext()).strip(), attrs))
    manifest = next((el for el in root if _local(el.tag) == "manifest"), None)
    if manifest is not None:
        for item in manifest:
            if _local(item.tag) != "item" or not item.get("id") or not item.get("href"):
                continue
            path, _ = _join(pkg.opf_dir, str(item.get("href")))
            pkg.manifest[str(item.get("id"))] = (path, item.get("media-type", ""), item.get("properties", ""))
    spine = next((el for el in root if _local(el.tag) == "spine"), None)
    if spine is not None:
        for ref in spine:
            if _local(ref.tag) != "itemref" or ref.get("linear", "yes") == "no":
                continue
            entry = pkg.manifest.get(str(ref.get("idref")))
            if entry is not None:
                pkg.spine.append(entry[0])
        toc_id = spine.get("toc")
        if toc_id and toc_id in pkg.manifest:
            pkg.toc = _read_ncx(z, pkg.manifest[toc_id][0], source)
    if not pkg.toc:
        nav = next((p for p, _, props in pkg.manifest.values() if "nav" in props.split()), None)
        if nav is not None:
            pkg.toc = _read_nav(z, nav, source)
        else:
            ncx = next((p for p, media, _ in pkg.manifest.values() if media == "application/x-dtbncx+xml"), None)
            if ncx is not None:
                pkg.toc = _read_ncx(z, ncx, source)
    if not pkg.spine and pkg.toc:
        seen: dict[str, None] = {}
        for _, path, _ in pkg.toc:
            seen.setdefault(path, None)
        pkg.spine = list(seen)
    if not pkg.spine:
        raise MalformedSourceError(
            f"the EPUB package {opf_path} has no spine (reading order) and no table of contents: "
            "the file is damaged; export it again",
            source=source,
        )
    return pkg


def _read_ncx(z: SafeZip, path: str, source: str) -> list[tuple[str, str, str]]:
    if not z.has(path):
        return []
    root = parse_xml(z.read(path), source=source, member=path)
    base = posixpath.dirname(path)
    out: list[tuple[str, str, str]] = []
    for point in root.iter():
        if _local(point.tag) != "navPoint":
            continue
        label = ""
        src = ""
        for child in point:
            if _local(child.tag) == "navLabel":
                label = " ".join("".join(child.itertext()).split())
            elif _local(child.tag) == "content":
                src = child.get("src", "")
        if src:
            target, fragment = _join(base, src)
            out.append((label, target, fragment))
    return out


def _read_nav(z: SafeZip, path: str, source: str) -> list[tuple[str, str, str]]:
    if not z.has(path):
        return []
    data = z.read(path)
    refuse_entities(data, source=source, member=path)
    text, _ = decode_markup(data, source=source)
    tree = parse_html(fix_self_closing(text))
    navs = tree.css("nav")
    nav = next((n for n in navs if (n.attributes or {}).get("epub:type") == "toc"), navs[0] if navs else None)
    if nav is None:
        return []
    base = posixpath.dirname(path)
    out = []
    for a in nav.css("a"):
        href = (a.attributes or {}).get("href")
        if href:
            target, fragment = _join(base, href)
            out.append((node_text(a), target, fragment))
    return out


def _load_body(z: SafeZip, path: str, source: str) -> LexborNode | None:
    data = z.read(path)
    refuse_entities(data, source=source, member=path)
    text, _ = decode_markup(data, source=source)
    tree = parse_html(fix_self_closing(text))
    return tree.body


def _css(z: SafeZip, pkg: _Package, source: str) -> dict[str, frozenset[str]]:
    styles: dict[str, frozenset[str]] = {}
    for path, media, _ in pkg.manifest.values():
        if media == "text/css" and z.has(path):
            sheet = z.read(path).decode("utf-8", "replace")
            for cls, st in css_class_styles(sheet).items():
                styles[cls] = styles.get(cls, frozenset()) | st
    return styles


def _strip_html(value: str) -> str:
    value = html_lib.unescape(value)
    value = re.sub(r"(?i)</p\s*>|<br\s*/?>", "\n\n", value)
    value = re.sub(r"<[^>]+>", " ", value)
    paras = [" ".join(p.split()) for p in re.split(r"\n\s*\n", value)]
    return "\n\n".join(p for p in paras if p)


def _opf_metadata(pkg: _Package, meta: ao3.MetadataBuilder, *, ao3_subjects: bool) -> None:
    """Fill what the preface/title page did not give from the OPF's Dublin Core."""
    meta.set("title", pkg.first("title"))
    creators = [v for v, attrs in pkg.dc.get("creator", []) if v and attrs.get("role", "aut") == "aut"]
    meta.set("authors", creators)
    description = pkg.first("description")
    if description:
        meta.set("summary", _strip_html(description))
    language = pkg.first("language")
    if language:
        meta.set("language", language)
    series = pkg.meta.get("calibre:series")
    if series:
        index = pkg.meta.get("calibre:series_index", "")
        try:
            number = int(float(index))
        except ValueError:
            number = None
        meta.set("series", [f"Part {number} of {series}" if number else series])
    source_url = pkg.first("source")
    if source_url and source_url.startswith(("http://", "https://")):
        meta.set("url", source_url)
    subjects = [s for s in pkg.all("subject") if s]
    if ao3_subjects:
        _ao3_subjects(subjects, meta)
    elif subjects:
        meta.set("additional_tags", subjects)
    for value, attrs in pkg.dc.get("date", []):
        event = attrs.get("event", "")
        day = value[:10]
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            if event in ("publication", "original-publication") or (not event and not ao3_subjects):
                meta.set("published", day)
            elif event == "modification":
                meta.set("updated", day)
    publisher = pkg.first("publisher")
    if publisher:
        meta.add_extra("publisher", publisher)


def _ao3_subjects(subjects: list[str], meta: ao3.MetadataBuilder) -> None:
    """AO3's EPUB subjects: "Fanworks" plus every tag name (docs/formats.md 1.2).

    Only used when the preface had no tags: ratings, warnings, categories and
    relationships are recognised by name; fandoms and characters cannot be told
    apart from the other tags, so the rest become additional tags.
    """
    rating = [
        s
        for s in subjects
        if s.lower() in ("general audiences", "teen and up audiences", "mature", "explicit", "not rated")
    ]
    warnings = [s for s in subjects if s.lower() in ao3.WARNING_NAMES]
    categories = [s for s in subjects if s in ao3.AO3_CATEGORIES]
    taken = set(rating) | set(warnings) | set(categories) | {"Fanworks"}
    relationships = [s for s in subjects if s not in taken and ao3.parse_relationship(s) is not None]
    taken |= set(relationships)
    meta.set_tags("rating", rating)
    meta.set_tags("warnings", warnings)
    meta.set_tags("categories", categories)
    meta.set_tags("relationships", relationships)
    meta.set_tags("additional_tags", [s for s in subjects if s not in taken])


def _is_fff(pkg: _Package, bodies: list[LexborNode]) -> bool:
    if any((v or "").startswith("fanficfare-uid") for v in pkg.all("identifier")):
        return True
    if any("FanFicFare" in v for v in pkg.all("contributor")):
        return True
    return any("fff_chapter" in ((b.attributes or {}).get("class") or "") for b in bodies)


def _leading_heading(body: LexborNode) -> LexborNode | None:
    heading = body.css_first("h1, h2, h3, h4")
    if heading is None:
        return None
    title = node_text(heading)
    return heading if title and node_text(body).startswith(title) else None


def _read_generic(docs: list[tuple[str, LexborNode]], pkg: _Package, tb: TextBuilder) -> None:
    toc_paths = [path for _, path, _ in pkg.toc]
    several_per_file = len(toc_paths) != len(set(toc_paths))
    if several_per_file:
        for _, body in docs:
            tb.add_node(body)
        return
    starts = set(toc_paths)
    chapter = -1
    for path, body in docs:
        if not node_text(body):
            continue
        heading = _leading_heading(body)
        begins = path in starts if starts else heading is not None
        if begins or chapter < 0:
            chapter += 1
            if heading is not None:
                with tb.part("chapter_title", chapter):
                    tb.add_node(heading)
            with tb.part("chapter_body", chapter):
                skip_id = heading.mem_id if heading is not None else None

                def is_heading(n: LexborNode, skip_id: int | None = skip_id) -> bool:
                    return n.mem_id == skip_id

                tb.add_node(body, skip=is_heading)
        else:
            with tb.part("chapter_body", chapter):
                tb.add_node(body)


def read_epub(data: bytes, *, source: str = "<bytes>") -> Story:
    """Read an EPUB story (AO3, FanFicFare or any other EPUB).

    Args:
        data: the EPUB file's bytes.
        source: the file name, kept in ``Story.source.path`` and used in errors.

    Returns:
        The story: the spine documents' text as paragraphs separated by blank lines,
        with parts, styles and declared metadata; ``source.format`` is ``ao3-epub``,
        ``fff-epub`` or ``epub``.

    Raises:
        MalformedSourceError: the zip is corrupt or over the safety limits (a zip bomb),
            a member declares XML entities (XXE), or the EPUB has no package/spine.
        EmptyStoryError: no text was found.
    """
    z = SafeZip(data, source=source)
    try:
        pkg = _load_package(z, source)
        docs: list[tuple[str, LexborNode]] = []
        nav_paths = {p for p, _, props in pkg.manifest.values() if "nav" in props.split()}
        media_of = {p: media for p, media, _ in pkg.manifest.values()}
        for path in pkg.spine:
            if path in nav_paths or media_of.get(path, "application/xhtml+xml") not in _CONTENT_TYPES:
                continue
            if not z.has(path):
                log.warning("%s: spine item %s is missing from the archive; skipped", source, path)
                continue
            body = _load_body(z, path, source)
            if body is not None:
                docs.append((path, body))
        tb = TextBuilder(css=_css(z, pkg, source))
        bodies = [b for _, b in docs]
        if _is_fff(pkg, bodies):
            meta = ao3.MetadataBuilder()
            fanficfare.read_fff_epub_docs(bodies, tb, meta)
            _opf_metadata(pkg, meta, ao3_subjects=False)
            fmt = "fff-epub"
        else:
            merged = parse_html("<html><body>" + "".join(b.inner_html or "" for b in bodies) + "</body></html>").body
            if merged is not None and ao3.is_ao3_download(merged):
                meta = ao3.read_ao3_download(merged, tb)
                _opf_metadata(pkg, meta, ao3_subjects=True)
                fmt = "ao3-epub"
            elif merged is not None and ao3.is_ao3_live(merged):
                meta = ao3.read_ao3_live(merged, tb)
                _opf_metadata(pkg, meta, ao3_subjects=True)
                fmt = "ao3-epub"
            else:
                meta = ao3.MetadataBuilder()
                _read_generic(docs, pkg, tb)
                _opf_metadata(pkg, meta, ao3_subjects=False)
                fmt = "epub"
    finally:
        z.close()
    return finish_story(tb, raw=data, source=source, fmt=fmt, encoding="utf-8", metadata=meta.build())
