"""EPUB stories: AO3's calibre EPUBs, FanFicFare EPUBs and any other EPUB 2/3.

**The package is read by ebooklib** (:class:`ebooklib.epub.EpubReader`, the class behind
``ebooklib.epub.read_epub``): it finds the OPF from ``META-INF/container.xml`` and gives
the Dublin Core and ``<meta>`` metadata, the manifest items (file names, media types,
properties and their bytes), the spine (idrefs, ``linear``) and the table of contents
(the NCX named by the spine, else the EPUB 3 nav). The reading order is the spine's (then
the table of contents' when a spine is missing), never the file names, and the content
documents' bytes are the ebooklib items', parsed by lexbor (no DTD, no scripts, no
network).

**Our checks come before ebooklib sees a byte.** ebooklib parses with lxml's
``recover=True`` (damage is hidden) and reads every member through its ``read_file``;
:class:`_CheckedReader` overrides that one method so every member comes from
:class:`ficnlp.read._safe.SafeZip`, whose member-count and inflated-size limits were
checked on the central directory before anything was inflated, and:

* every member that is parsed as XML or HTML (container, OPF, NCX, nav, content
  documents: every member except the manifest's images, fonts, audio and video, which
  nothing parses) is refused if it declares an entity (:func:`~ficnlp.read._safe.refuse_entities`,
  XXE / billion laughs);
* the container, the OPF and the NCX are also parsed strictly by :mod:`defusedxml`
  (:func:`~ficnlp.read._safe.parse_xml`), so a damaged package is a clear
  :class:`~ficnlp.errors.MalformedSourceError` with a line and column instead of a
  silently "recovered" one;
* a manifest item missing from the archive is logged and read as empty (ebooklib would
  raise ``KeyError`` and lose the whole book for one missing picture); a missing spine
  document is skipped, a missing table of contents ignored.

ebooklib 0.20 stops (or loses an item) on a few damaged-but-readable packages that the
reader before it handled, so :class:`_CheckedReader` smooths those before ebooklib walks
them: no ``container.xml``, or no rootfile with a ``full-path`` -> the archive's first
``.opf``; a missing ``metadata``/``manifest``/``spine`` element is added empty (no spine ->
the table of contents gives the order); a metadata without the DC namespace gets it;
processing instructions in the metadata, and manifest items without ``id`` or ``href``,
are dropped; a spine ``toc`` naming no item is replaced by the manifest's NCX (ebooklib
reads no other); the non-standard ``cover`` property, for which ebooklib replaces the
item's id and file name, is removed. A table of contents that ebooklib cannot walk (a
``navLabel`` without ``text``, a nav without ``ol``) is logged and ignored: the spine still
gives the order. Any other exception from ebooklib becomes a
:class:`~ficnlp.errors.MalformedSourceError` naming the file. These overrides use
ebooklib's private ``_load_*``/``_parse_*`` methods, which is why it is pinned (``==0.20``);
``tests/test_read_epub.py`` and ``tests/test_read_safety.py`` have a damaged package for
each of them.

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

Sources: EPUB 3.3 (W3C Recommendation, 2023): the OCF container, the package document and
the navigation document; OPF 2.0.1 (IDPF, 2010): the NCX; ebooklib 0.20
``ebooklib/epub.py`` (``EpubReader``).
"""

from __future__ import annotations

import html as html_lib
import io
import logging
import posixpath
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from ebooklib import epub as ebooklib_epub
from lxml import etree
from selectolax.lexbor import LexborNode

from ficnlp.errors import InputError, MalformedSourceError
from ficnlp.model import Story
from ficnlp.read import ao3, fanficfare
from ficnlp.read._markup import TextBuilder, css_class_styles, finish_story, fix_self_closing, node_text, parse_html
from ficnlp.read._safe import SafeZip, parse_xml, refuse_entities
from ficnlp.read.html import decode_markup

__all__ = ["read_epub"]

log = logging.getLogger(__name__)

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "http://purl.org/dc/elements/1.1/"
_CONTAINER = "META-INF/container.xml"
_NCX_TYPE = "application/x-dtbncx+xml"
_CONTENT_TYPES = ("application/xhtml+xml", "text/html", "application/xml", "text/xml")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _join(base_dir: str, href: str) -> tuple[str, str]:
    """An href relative to ``base_dir`` as an archive path and a fragment."""
    href, _, fragment = href.partition("#")
    path = posixpath.normpath(posixpath.join(base_dir, unquote(href))) if href else ""
    return path.lstrip("/"), fragment


def _not_parsed(media_type: str) -> bool:
    """Whether nothing ever parses a member of this media type as markup (pictures, fonts, sound)."""
    kind = media_type.split("/", 1)[0]
    return kind in ("image", "audio", "video", "font") or "font" in media_type or "opentype" in media_type


class _CheckedReader(ebooklib_epub.EpubReader):  # type: ignore[misc]  # ebooklib ships no type hints
    """ebooklib's EPUB reader with every member taken from a checked :class:`SafeZip`.

    See the module docstring for what is checked and smoothed and why. After
    :meth:`load`, ``missing`` holds the manifest paths absent from the archive and
    ``toc_base`` the folder that the table of contents' hrefs are relative to.

    Args:
        data: the EPUB's bytes (ebooklib opens them again; nothing is read through it).
        z: the same bytes opened by :class:`SafeZip` (limits already checked).
        source: the input file's name, for errors and log lines.
    """

    def __init__(self, data: bytes, z: SafeZip, *, source: str) -> None:
        # ignore_ncx=False: the NCX the spine names comes first, the EPUB 3 nav when
        # there is none (or it is empty), as EPUB reading systems do.
        super().__init__(io.BytesIO(data), {"ignore_ncx": False})
        self.zip = z
        self.source = source
        self.missing: set[str] = set()
        self.toc_base = ""
        self._strict = {_CONTAINER}  # parsed strictly by defusedxml before ebooklib sees them
        self._unparsed: set[str] = set()  # manifest pictures, fonts, sound: no entity check
        self._ncx_dir = ""

    def read_file(self, name: str) -> bytes:
        """A member's bytes for ebooklib, after the checks (ebooklib calls this for every member)."""
        path = posixpath.normpath(name).lstrip("/")
        if path != self.opf_file and not self.zip.has(path):
            self.missing.add(path)
            log.warning("%s: %s is listed in the EPUB package but missing from the archive; ignored", self.source, path)
            return b""
        data = self.zip.read(path)  # a missing OPF is a clear error here
        if path in self._strict or path == self.opf_file:
            parse_xml(data, source=self.source, member=path)  # entities refused; well-formed or a clear error
        elif path not in self._unparsed:
            refuse_entities(data, source=self.source, member=path)
        return data

    def _load_container(self) -> None:
        if self.zip.has(_CONTAINER):
            try:
                super()._load_container()
            except TypeError:  # ebooklib 0.20 on a rootfile without full-path: no usable rootfile
                self.opf_file = ""
        if not self.opf_file:
            opfs = [n for n in self.zip.names if n.lower().endswith(".opf")]
            if not opfs:
                raise MalformedSourceError(
                    "this zip has no META-INF/container.xml and no .opf package file, so it is not an EPUB: "
                    "give an .epub, .html or .txt story",
                    source=self.source,
                )
            self.opf_file = opfs[0]
        self.opf_file = posixpath.normpath(self.opf_file).lstrip("/")
        self.opf_dir = posixpath.dirname(self.opf_file)

    def _load_metadata(self) -> None:
        # The first step after ebooklib parsed the OPF: smooth it before ebooklib walks it.
        self._smooth_package(self.container.getroot())
        super()._load_metadata()

    def _smooth_package(self, root: Any) -> None:
        if root is None or root.tag != f"{_OPF}package":
            tag = _local(root.tag) if root is not None and isinstance(root.tag, str) else "nothing"
            raise MalformedSourceError(
                f"{self.opf_file} is not an EPUB package document (its root is <{tag}>, not an OPF <package>): "
                "the file is damaged; export it again",
                source=self.source,
            )
        parts = {}
        for name in ("metadata", "manifest", "spine"):
            el = root.find(f"{_OPF}{name}")
            parts[name] = el if el is not None else etree.SubElement(root, f"{_OPF}{name}")
        metadata = parts["metadata"]
        for child in list(metadata):
            if child.tag is etree.PI:  # ebooklib takes a processing instruction's tag for a string
                metadata.remove(child)
        if _DC not in metadata.nsmap.values():  # ebooklib looks the DC namespace up in the metadata's nsmap
            prefix = "dc" if "dc" not in metadata.nsmap else "ficnlp-dc"
            fresh = etree.Element(f"{_OPF}metadata", nsmap={prefix: _DC})
            fresh.extend(list(metadata))
            root.replace(metadata, fresh)
        ids: set[str] = set()
        markup: set[str] = set()
        ncx_id: str | None = None
        for item in list(parts["manifest"]):
            if item.tag != f"{_OPF}item":
                continue
            if not item.get("id") or not item.get("href"):
                parts["manifest"].remove(item)
                continue
            path, _ = _join(self.opf_dir, str(item.get("href")))
            media = item.get("media-type") or ""
            properties = (item.get("properties") or "").split()
            if "cover" in properties:
                item.set("properties", " ".join(p for p in properties if p != "cover"))
            ids.add(str(item.get("id")))
            if media == _NCX_TYPE:
                self._strict.add(path)
                ncx_id = ncx_id or str(item.get("id"))
            if _not_parsed(media):
                self._unparsed.add(path)
            else:
                markup.add(path)
        self._unparsed -= markup
        spine = parts["spine"]
        if spine.get("toc") not in ids:  # ebooklib fails on a toc naming no item
            spine.attrib.pop("toc", None)
            if ncx_id is not None:  # ... and reads no NCX the spine does not name
                spine.set("toc", ncx_id)
        toc_id = spine.get("toc")
        for item in parts["manifest"]:
            if item.get("id") == toc_id:
                self._ncx_dir = posixpath.dirname(_join(self.opf_dir, str(item.get("href")))[0])
                break

    def _parse_ncx(self, data: bytes) -> None:
        if not data.strip():
            return  # missing from the archive (logged)
        try:
            super()._parse_ncx(data)
        except Exception as exc:
            log.warning("%s: the NCX table of contents cannot be read (%s); ignored", self.source, exc)
            self.book.toc = []
            return
        if not _flatten(self.book.toc):
            self.book.toc = []  # an empty NCX: let ebooklib try the nav
        self.toc_base = self._ncx_dir

    def _parse_nav(self, data: bytes, base_path: str, navtype: str = "toc") -> None:
        if not data.strip():
            return  # missing from the archive (logged)
        try:
            super()._parse_nav(data, base_path, navtype)
        except Exception as exc:
            if navtype == "toc":
                log.warning("%s: the EPUB 3 nav table of contents cannot be read (%s); ignored", self.source, exc)
            return
        if navtype == "toc":
            self.toc_base = self.opf_dir  # ebooklib joined the hrefs with the nav's folder already


def _flatten(toc: Any) -> list[tuple[str, str]]:
    """ebooklib's table of contents (Links, (Section, children) pairs) as (label, href) in order."""
    out: list[tuple[str, str]] = []
    entries = toc if isinstance(toc, (list, tuple)) else [toc]
    stack = list(reversed(entries))
    while stack:
        entry = stack.pop()
        if isinstance(entry, tuple) and len(entry) == 2:
            head, children = entry
            stack.extend(reversed(children if isinstance(children, (list, tuple)) else [children]))
            entry = head
        href = getattr(entry, "href", None)
        if href:
            out.append((" ".join(str(getattr(entry, "title", None) or "").split()), str(href)))
    return out


@dataclass(frozen=True)
class _Package:
    """What ficnlp uses of an EPUB package, taken from the ebooklib book.

    Attributes:
        docs: the spine's content documents in reading order, as (archive path, raw bytes).
        sheets: the manifest's CSS stylesheets (raw bytes).
        toc: the table of contents in order, as (label, archive path, fragment).
        dc: Dublin Core element name -> [(text, attributes without namespaces)], in OPF order.
        meta: ``<meta>`` name or property -> its first value (``content`` or text).
    """

    docs: tuple[tuple[str, bytes], ...]
    sheets: tuple[bytes, ...]
    toc: tuple[tuple[str, str, str], ...]
    dc: dict[str, list[tuple[str, dict[str, str]]]]
    meta: dict[str, str]

    def first(self, key: str) -> str | None:
        values = self.dc.get(key)
        return values[0][0] if values else None

    def all(self, key: str) -> list[str]:
        return [v for v, _ in self.dc.get(key, [])]


def _load_package(data: bytes, z: SafeZip, source: str) -> _Package:
    """Read the package with ebooklib (through :class:`_CheckedReader`) and keep what we use.

    Raises:
        MalformedSourceError: a member declares entities, the container/OPF/NCX is not
            well-formed, there is no package, ebooklib fails on it, or there is no
            spine and no table of contents.
    """
    reader = _CheckedReader(data, z, source=source)
    try:
        book = reader.load()
    except (InputError, MemoryError):
        raise
    except Exception as exc:
        where = f"the EPUB package {reader.opf_file}" if reader.opf_file else "the EPUB container"
        raise MalformedSourceError(
            f"{where} cannot be read ({type(exc).__name__}: {exc}): the file is damaged; export it again",
            source=source,
        ) from exc

    dc: dict[str, list[tuple[str, dict[str, str]]]] = {}
    meta: dict[str, str] = {}
    for namespace, elements in book.metadata.items():
        for name, values in elements.items():
            for value, attrs in values:
                if namespace == _DC:
                    dc.setdefault(name, []).append(((value or "").strip(), {_local(k): v for k, v in attrs.items()}))
                    continue
                key = attrs.get("name") or attrs.get("property")
                text = attrs.get("content") if attrs.get("content") is not None else (value or "")
                if key and text and text.strip():
                    meta.setdefault(key, text.strip())

    by_id: dict[str, Any] = {}
    path_of: dict[int, str] = {}
    for item in book.get_items():
        by_id.setdefault(item.get_id(), item)
        path_of[id(item)] = _join(reader.opf_dir, item.file_name)[0] if item.file_name else ""
    toc = tuple((label, *_join(reader.toc_base, href)) for label, href in _flatten(book.toc))

    spine: list[Any] = []
    for idref, linear in book.spine:
        item = by_id.get(idref)
        if item is not None and linear != "no":
            spine.append(item)
    if not spine and toc:  # no spine: the table of contents gives the order
        by_path = {path_of[id(item)]: item for item in book.get_items()}
        seen = dict.fromkeys(path for _, path, _ in toc)
        spine = [by_path[path] for path in seen if path in by_path]
    if not spine:
        raise MalformedSourceError(
            f"the EPUB package {reader.opf_file} has no spine (reading order) and no table of contents: "
            "the file is damaged; export it again",
            source=source,
        )
    docs = tuple(
        (path_of[id(item)], item.content)
        for item in spine
        if not isinstance(item, ebooklib_epub.EpubNav)
        and item.media_type in _CONTENT_TYPES
        and path_of[id(item)] not in reader.missing
    )
    sheets = tuple(item.content for item in book.get_items() if item.media_type == "text/css" and item.content)
    return _Package(docs=docs, sheets=sheets, toc=toc, dc=dc, meta=meta)


def _load_body(data: bytes, source: str) -> LexborNode | None:
    # refuse_entities already ran on these bytes (_CheckedReader.read_file).
    text, _ = decode_markup(data, source=source)
    tree = parse_html(fix_self_closing(text))
    return tree.body


def _css(pkg: _Package) -> dict[str, frozenset[str]]:
    styles: dict[str, frozenset[str]] = {}
    for sheet in pkg.sheets:
        for cls, st in css_class_styles(sheet.decode("utf-8", "replace")).items():
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
            a member declares XML entities (XXE), the container/OPF/NCX is not
            well-formed, ebooklib cannot read the package, or the EPUB has no package or
            spine.
        EmptyStoryError: no text was found.
    """
    z = SafeZip(data, source=source)  # the limits are checked here, before anything is inflated
    try:
        pkg = _load_package(data, z, source)
    finally:
        z.close()
    docs: list[tuple[str, LexborNode]] = []
    for path, content in pkg.docs:
        body = _load_body(content, source)
        if body is not None:
            docs.append((path, body))
    tb = TextBuilder(css=_css(pkg))
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
    return finish_story(tb, raw=data, source=source, fmt=fmt, encoding="utf-8", metadata=meta.build())
