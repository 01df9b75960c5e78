"""Opening untrusted archives and markup safely: zip-bomb limits and no XML entity expansion.

An EPUB is a zip archive of XML files, and both layers can be turned against a reader:

* **Zip bombs.** A few kilobytes that inflate to gigabytes, or an archive of millions of
  empty members. :class:`SafeZip` checks the central directory before reading anything:
  the member count and the declared uncompressed sizes (per member and in total) are
  capped. :mod:`zipfile` never inflates a member past its declared size, so the
  declared sizes bound the memory used.
* **XML entities** (XXE and "billion laughs"). Story files never need a DTD with entity
  declarations, so any ``<!ENTITY`` declaration is refused with a clear error
  (:func:`refuse_entities`), and the EPUB's package XML (container, OPF, NCX) is first
  parsed strictly by :mod:`defusedxml` (:func:`parse_xml`), which refuses entities and
  external references and never touches the network, before ebooklib's lxml parser
  (``resolve_entities=False`` but ``recover=True``) reads it (:mod:`ficnlp.read.epub`).

Content documents (XHTML) are read by an HTML parser (selectolax/lexbor), which does
not process DTDs and runs no scripts; nothing in a story file is ever executed.

Sources: OWASP "XML External Entity Prevention Cheat Sheet"; the defusedxml README;
Python's :mod:`zipfile` documentation ("Decompression pitfalls").
"""

from __future__ import annotations

import lzma
import posixpath
import re
import zipfile
import zlib
from io import BytesIO
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ficnlp.errors import MalformedSourceError

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

__all__ = [
    "MAX_MEMBER_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_ZIP_MEMBERS",
    "SafeZip",
    "parse_xml",
    "refuse_entities",
]

#: Most members an EPUB may have. A calibre EPUB of a 200-chapter work has about 420
#: files (two per chapter plus images and styles); an EpubMerge anthology of a few
#: dozen books stays under 5,000. Ten thousand leaves room and stops archives built to
#: exhaust memory with millions of entries.
MAX_ZIP_MEMBERS = 10_000

#: Largest declared uncompressed size of one member (bytes). The longest fan fiction
#: (several million words) is about 30 MB of XHTML; 64 MiB leaves room.
MAX_MEMBER_BYTES = 64 * 1024 * 1024

#: Largest declared uncompressed size of all members together (bytes): twice the CLI's
#: default input limit of 200 MB would already be an unusual book; images included.
MAX_TOTAL_BYTES = 400 * 1024 * 1024

_ENTITY_DECL = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
_ENTITY_DECL_UTF16 = (
    "<!ENTITY".encode("utf-16-le"),
    "<!ENTITY".encode("utf-16-be"),
)


def refuse_entities(data: bytes, *, source: str, member: str | None = None) -> None:
    """Refuse markup that declares XML entities (a possible XXE or billion-laughs payload).

    Args:
        data: the raw bytes of an XML or HTML document.
        source: the input file's name, for the error.
        member: the archive member the bytes came from, if any.

    Raises:
        MalformedSourceError: the document declares an entity; ``position`` is the byte
            offset of the declaration.
    """
    m = _ENTITY_DECL.search(data)
    pos = m.start() if m else -1
    if pos < 0:
        for pattern in _ENTITY_DECL_UTF16:
            pos = data.find(pattern)
            if pos >= 0:
                break
    if pos >= 0:
        where = f" (in {member})" if member else ""
        raise MalformedSourceError(
            f"the document{where} declares XML entities (<!ENTITY ...>), which story files never need and "
            "which can read local files or exhaust memory (XXE / billion laughs); ficnlp does not expand them: "
            "re-export the story from its source, or remove the DOCTYPE's entity declarations",
            source=source,
            position=pos,
        )


def parse_xml(data: bytes, *, source: str, member: str) -> Element:
    """Parse a small XML file (container.xml, an OPF or NCX) without entities or network.

    Args:
        data: the raw XML bytes.
        source: the input file's name, for errors.
        member: the archive member's name, for errors.

    Returns:
        The root element (:mod:`xml.etree.ElementTree` API, namespaced tags).

    Raises:
        MalformedSourceError: the XML declares entities or external references, or is
            not well-formed (``position`` gives ``line L, column C``).
    """
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    refuse_entities(data, source=source, member=member)
    try:
        root: Element = SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
        return root
    except DefusedXmlException as exc:
        raise MalformedSourceError(
            f"{member} uses a DTD feature ficnlp refuses for safety ({type(exc).__name__}): "
            "re-export the story from its source",
            source=source,
        ) from exc
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise MalformedSourceError(
            f"{member} is not well-formed XML ({exc}): the EPUB is damaged; download or export it again",
            source=source,
            position=f"{member} line {line}, column {column}",
        ) from exc


class SafeZip:
    """A read-only zip archive whose size was checked before anything is inflated.

    Args:
        data: the archive's bytes.
        source: the input file's name, for errors.
        max_members: most members allowed (default :data:`MAX_ZIP_MEMBERS`).
        max_member_bytes: largest declared uncompressed member (:data:`MAX_MEMBER_BYTES`).
        max_total_bytes: largest declared uncompressed total (:data:`MAX_TOTAL_BYTES`).

    Raises:
        MalformedSourceError: the bytes are not a readable zip archive (corrupt or
            truncated), or it is over one of the limits (a zip bomb, or an archive that
            is not a story).
    """

    def __init__(
        self,
        data: bytes,
        *,
        source: str,
        max_members: int = MAX_ZIP_MEMBERS,
        max_member_bytes: int = MAX_MEMBER_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
    ) -> None:
        self.source = source
        try:
            self._zf = zipfile.ZipFile(BytesIO(data))
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            raise MalformedSourceError(
                f"this is not a readable zip/EPUB archive ({exc}): the file is corrupt or truncated; "
                "download or export it again",
                source=source,
            ) from exc
        if len(infos) > max_members:
            raise MalformedSourceError(
                f"the archive has {len(infos):,} members, over the limit of {max_members:,} for an EPUB "
                "(a zip bomb or not a story): check the file; ficnlp will not open it",
                source=source,
            )
        total = 0
        for info in infos:
            if info.file_size > max_member_bytes:
                raise MalformedSourceError(
                    f"archive member {info.filename!r} would inflate to {info.file_size:,} bytes, over the "
                    f"{max_member_bytes:,}-byte limit (a zip bomb or not a story): check the file; "
                    "ficnlp will not open it",
                    source=source,
                )
            total += info.file_size
        if total > max_total_bytes:
            raise MalformedSourceError(
                f"the archive would inflate to {total:,} bytes, over the {max_total_bytes:,}-byte limit "
                "(a zip bomb or not a story): check the file; ficnlp will not open it",
                source=source,
            )
        self._names = {info.filename: info for info in infos if not info.is_dir()}
        self._folded = {name.lower(): name for name in self._names}

    @property
    def names(self) -> tuple[str, ...]:
        """Member names (files only), in archive order."""
        return tuple(self._names)

    def resolve(self, name: str) -> str | None:
        """The stored member name for a path, tolerating ``%20`` escapes, ``./`` and case."""
        candidates = [name, unquote(name)]
        for c in list(candidates):
            norm = posixpath.normpath(c).lstrip("/")
            candidates.append(norm)
        for c in candidates:
            if c in self._names:
                return c
        for c in candidates:
            hit = self._folded.get(c.lower())
            if hit is not None:
                return hit
        return None

    def has(self, name: str) -> bool:
        """Whether the archive holds this member (see :meth:`resolve`)."""
        return self.resolve(name) is not None

    def read(self, name: str) -> bytes:
        """The inflated bytes of a member.

        Raises:
            MalformedSourceError: the member is missing, or its data is corrupt.
        """
        stored = self.resolve(name)
        if stored is None:
            raise MalformedSourceError(
                f"the EPUB refers to {name!r}, which is not in the archive: the file is incomplete; "
                "download or export it again",
                source=self.source,
            )
        try:
            return self._zf.read(stored)
        # zipfile lets the codecs' own errors through (zlib.error for damaged deflate
        # data), and RuntimeError for an encrypted member.
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
            RuntimeError,
            zlib.error,
            lzma.LZMAError,
        ) as exc:
            raise MalformedSourceError(
                f"archive member {stored!r} cannot be read ({exc}): the file is corrupt; download or export it again",
                source=self.source,
            ) from exc

    def close(self) -> None:
        """Release the archive."""
        self._zf.close()
