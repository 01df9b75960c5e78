"""Hostile and damaged inputs: zip bombs, corrupt zips, XXE payloads, truncated HTML.

Each must give a clear :class:`~ficnlp.errors.InputError` subclass that names the file
and says what to do, never a raw traceback.
"""

from __future__ import annotations

import struct
import zipfile
from io import BytesIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fic_fixtures as fx
from ficnlp.errors import InputError, MalformedSourceError
from ficnlp.read import read_bytes
from ficnlp.read._safe import MAX_MEMBER_BYTES, MAX_ZIP_MEMBERS, SafeZip
from ficnlp.read.epub import read_epub
from ficnlp.read.html import read_html

XXE_OPF = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>&xxe;</dc:title></metadata>
<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>
<spine><itemref idref="c"/></spine></package>
"""
CHAPTER = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>c</title></head><body><p>"Hello," said Ann.</p></body></html>
"""
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<html xmlns="http://www.w3.org/1999/xhtml"><body><p>&lol3;</p></body></html>
"""


def _epub(members):
    return fx._zip([("META-INF/container.xml", fx._CONTAINER.format(path="content.opf")), *members])


def _assert_clear(exc: InputError, source: str) -> None:
    message = str(exc)
    assert message.startswith(source), message  # names the file
    assert ":" in exc.message and len(exc.message) > 40  # says what and what to do


def test_read_safety_corrupt_zip():
    data = b"PK\x03\x04" + bytes(range(256)) * 4
    with pytest.raises(MalformedSourceError, match="not a readable zip") as info:
        read_bytes(data, source="broken.epub")
    _assert_clear(info.value, "broken.epub")


def test_read_safety_truncated_epub():
    data = fx.ao3_epub(fx.STILL_WATER)
    with pytest.raises(MalformedSourceError, match="corrupt or truncated") as info:
        read_bytes(data[: len(data) // 2], source="half.epub")
    _assert_clear(info.value, "half.epub")


def test_read_safety_zip_bomb_member_too_large():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("content.opf", XXE_OPF.replace("&xxe;", "x"))
        with zf.open("c.xhtml", "w") as f:
            chunk = bytes(1 << 20)
            for _ in range(MAX_MEMBER_BYTES // len(chunk) + 1):
                f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 200_000  # ~65 MiB of zeros deflate to ~65 kB
    with pytest.raises(MalformedSourceError, match="zip bomb") as info:
        read_bytes(data, source="bomb.epub")
    _assert_clear(info.value, "bomb.epub")


def test_read_safety_zip_bomb_too_many_members():
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(MAX_ZIP_MEMBERS + 1):
            zf.writestr(f"f{i}", b"")
    with pytest.raises(MalformedSourceError, match="members, over the limit"):
        read_epub(buf.getvalue(), source="many.epub")


def _lying(sizes: list[int]) -> bytes:
    """A small zip whose central directory claims these uncompressed sizes."""
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(len(sizes)):
            zf.writestr(f"m{i}.xhtml", b"<p>x</p>")
    data = bytearray(buf.getvalue())
    pos = 0
    for size in sizes:
        pos = data.index(b"PK\x01\x02", pos)
        struct.pack_into("<I", data, pos + 24, size)
        pos += 4
    return bytes(data)


def test_read_safety_declared_sizes_are_checked_before_inflating():
    with pytest.raises(MalformedSourceError, match="would inflate to 1,073,741,824 bytes"):
        SafeZip(_lying([1 << 30]), source="liar.epub")
    with pytest.raises(MalformedSourceError, match="archive would inflate to"):
        SafeZip(_lying([60 << 20] * 8), source="liars.epub")


def test_read_safety_xxe_in_opf():
    data = _epub([("content.opf", XXE_OPF), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match="declares XML entities") as info:
        read_bytes(data, source="xxe.epub")
    _assert_clear(info.value, "xxe.epub")
    assert "content.opf" in str(info.value)


def test_read_safety_xxe_in_utf16_opf():
    data = _epub([("content.opf", XXE_OPF.replace("utf-8", "utf-16").encode("utf-16")), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match="declares XML entities"):
        read_epub(data, source="xxe16.epub")


def test_read_safety_xxe_in_chapter_and_container():
    opf = XXE_OPF.replace('<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "").replace("&xxe;", "t")
    evil_chapter = CHAPTER.replace(
        "<html", '<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<html'
    ).replace("Hello", "&xxe;")
    with pytest.raises(MalformedSourceError, match=r"\(in c\.xhtml\) declares XML entities"):
        read_epub(_epub([("content.opf", opf), ("c.xhtml", evil_chapter)]), source="x.epub")
    container = fx._CONTAINER.format(path="content.opf").replace(
        "<container", '<!DOCTYPE c [<!ENTITY e SYSTEM "http://example.invalid/">]>\n<container'
    )
    data = fx._zip([("META-INF/container.xml", container), ("content.opf", opf), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match="declares XML entities"):
        read_epub(data, source="x.epub")
    # Without the payload the same EPUB reads fine (the test above is not a false alarm).
    assert "Hello" in read_epub(_epub([("content.opf", opf), ("c.xhtml", CHAPTER)])).text


def test_read_safety_billion_laughs_html():
    with pytest.raises(MalformedSourceError, match="declares XML entities"):
        read_bytes(BILLION_LAUGHS.encode(), source="lol.html")


def test_read_safety_malformed_opf():
    data = _epub([("content.opf", "<package><metadata>"), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match="not well-formed XML") as info:
        read_epub(data, source="bad.epub")
    assert info.value.position is not None and "line" in str(info.value.position)


def test_read_safety_epub_without_spine_or_package():
    with pytest.raises(MalformedSourceError, match="no spine"):
        read_epub(_epub([("content.opf", '<package xmlns="http://www.idpf.org/2007/opf"/>')]), source="e.epub")
    with pytest.raises(MalformedSourceError, match="not an EPUB"):
        read_epub(fx._zip([("notes.txt", "hello")]), source="e.epub")


def test_read_safety_truncated_html():
    page = fx.ao3_html(fx.STILL_WATER).encode()
    cut = page[: len(page) // 2]
    cut = cut[: cut.rindex(b">") + 1]  # cut between tags, so only the missing end tells
    with pytest.raises(MalformedSourceError, match="truncated") as info:
        read_bytes(cut, source="cut.html")
    _assert_clear(info.value, "cut.html")
    assert info.value.position == len(cut)
    with pytest.raises(MalformedSourceError, match="middle of a tag"):
        read_html(page[: page.index(b"<blockquote") + 5], source="cut.html")
    fff = fx.fff_html(fx.STILL_WATER).encode()
    with pytest.raises(MalformedSourceError, match="truncated"):
        read_html(fff[: fff.rindex(b"</div>") + 6], source="cut.fff.html")


def test_read_safety_generic_html_may_omit_end_tags(caplog):
    # HTML5 lets a page leave out </body></html>; only AO3/FanFicFare pages must have them.
    story = read_html(b"<html><body><p>It rained.</p><p>It stopped.</p>", source="short.html")
    assert story.text == "It rained.\n\nIt stopped."
    assert "may be truncated" in caplog.text


def test_read_safety_ao3_preface_without_chapters():
    page = fx.ao3_html(fx.PAPER_BOATS)
    start = page.index('<div id="chapters"')
    end = page.index('<div id="afterword"')
    with pytest.raises(MalformedSourceError, match="no div#chapters"):
        read_html((page[:start] + page[end:]).encode(), source="nochapters.html")


def test_read_safety_cli_prints_a_clear_error(tmp_path, capsys):
    from ficnlp.cli import main

    bad = tmp_path / "broken.epub"
    bad.write_bytes(b"PK\x03\x04not really a zip")
    assert main(["analyze", str(bad), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"ficnlp: error: {bad}:") and "Traceback" not in err


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400), st.sampled_from(["html", "epub", "auto"]))
def test_read_safety_random_bytes_raise_only_input_errors(data, fmt):
    prefix = {"epub": b"PK\x03\x04", "html": b"<html><body>", "auto": b""}[fmt]
    try:
        read_bytes(prefix + data, source="fuzz", format="auto")
    except InputError:
        pass


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=64), st.floats(min_value=0.0, max_value=1.0))
def test_read_safety_damaged_epub_raises_only_input_errors(noise, where):
    data = bytearray(fx.ao3_epub(fx.PAPER_BOATS))
    at = min(int(where * len(data)), len(data) - 1)
    data[at : at + len(noise)] = noise
    try:
        read_bytes(bytes(data), source="damaged.epub")
    except InputError:
        pass


# -- the checks run before ebooklib sees a member (read/epub.py _CheckedReader) --------------

_NCX = """<?xml version="1.0"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/"><navMap><navPoint id="p"><navLabel><text>One</text></navLabel>
<content src="c.xhtml"/></navPoint></navMap></ncx>
"""
_NAV = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><head><title>n</title></head>
<body><nav epub:type="toc"><ol><li><a href="c.xhtml">One</a></li></ol></nav></body></html>
"""
_ILLUSTRATOR_SVG = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
 <!ENTITY ns_svg "http://www.w3.org/2000/svg">
]>
<svg xmlns="&ns_svg;" width="10" height="10"><rect width="10" height="10"/></svg>
"""


def _opf(manifest: str, spine: str = '<spine toc="ncx"><itemref idref="c"/></spine>') -> str:
    plain = XXE_OPF.replace('<!DOCTYPE package [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "")
    return plain.replace("&xxe;", "Lamps").split("<manifest>")[0] + f"<manifest>{manifest}</manifest>{spine}</package>"


_ITEMS = (
    '<item id="c" href="c.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
    '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
)
_PAYLOAD = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _with_payload(member: str) -> bytes:
    docs = {"toc.ncx": _NCX, "nav.xhtml": _NAV, "c.xhtml": CHAPTER}
    text = docs[member]
    cut = text.index("?>") + 2
    docs[member] = text[:cut] + "\n" + _PAYLOAD + text[cut:]
    return _epub([("content.opf", _opf(_ITEMS)), *docs.items()])


@pytest.mark.parametrize("member", ["toc.ncx", "nav.xhtml", "c.xhtml"])
def test_read_safety_entities_refused_in_every_parsed_member(member):
    with pytest.raises(MalformedSourceError, match=rf"\(in {member.replace('.', '[.]')}\) declares XML entities"):
        read_epub(_with_payload(member), source="x.epub")


def test_read_safety_entities_in_a_picture_are_not_read():
    # An SVG picture (Illustrator writes entity declarations) is never parsed, so it is
    # not refused; the same bytes as a content document are.
    picture = '<item id="img" href="lamp.svg" media-type="image/svg+xml"/>'
    ok = _epub(
        [
            ("content.opf", _opf(_ITEMS + picture)),
            ("toc.ncx", _NCX),
            ("nav.xhtml", _NAV),
            ("c.xhtml", CHAPTER),
            ("lamp.svg", _ILLUSTRATOR_SVG),
        ]
    )
    assert "Hello" in read_epub(ok, source="pic.epub").text
    as_doc = '<item id="img" href="lamp.svg" media-type="application/xhtml+xml"/>'
    bad = _epub(
        [
            ("content.opf", _opf(_ITEMS + as_doc)),
            ("toc.ncx", _NCX),
            ("nav.xhtml", _NAV),
            ("c.xhtml", CHAPTER),
            ("lamp.svg", _ILLUSTRATOR_SVG),
        ]
    )
    with pytest.raises(MalformedSourceError, match=r"\(in lamp\.svg\) declares XML entities"):
        read_epub(bad, source="pic.epub")


def test_read_safety_malformed_ncx_and_container():
    data = _epub(
        [
            ("content.opf", _opf(_ITEMS)),
            ("toc.ncx", _NCX.replace("</navMap>", "")),
            ("nav.xhtml", _NAV),
            ("c.xhtml", CHAPTER),
        ]
    )
    with pytest.raises(MalformedSourceError, match=r"toc\.ncx is not well-formed XML") as info:
        read_epub(data, source="ncx.epub")
    assert "line" in str(info.value.position)
    broken = fx._CONTAINER.format(path="content.opf").replace("</rootfiles>", "")
    data = fx._zip([("META-INF/container.xml", broken), ("content.opf", _opf(_ITEMS)), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match=r"container\.xml is not well-formed XML"):
        read_epub(data, source="container.epub")


def test_read_safety_package_that_is_not_an_opf_or_is_missing():
    data = _epub([("content.opf", "<?xml version='1.0'?><html><body/></html>"), ("c.xhtml", CHAPTER)])
    with pytest.raises(
        MalformedSourceError, match=r"content\.opf is not an EPUB package document \(its root is <html>"
    ):
        read_epub(data, source="notopf.epub")
    with pytest.raises(MalformedSourceError, match=r"'content\.opf', which is not in the archive") as info:
        read_epub(_epub([("c.xhtml", CHAPTER)]), source="noopf.epub")
    _assert_clear(info.value, "noopf.epub")


def test_read_safety_ebooklib_errors_become_clear_errors(monkeypatch):
    from ebooklib import epub as ebooklib_epub

    def broken(self):
        raise KeyError("spine")

    monkeypatch.setattr(ebooklib_epub.EpubReader, "_load_spine", broken)
    data = _epub([("content.opf", _opf(_ITEMS)), ("toc.ncx", _NCX), ("nav.xhtml", _NAV), ("c.xhtml", CHAPTER)])
    with pytest.raises(MalformedSourceError, match=r"the EPUB package content\.opf cannot be read \(KeyError") as info:
        read_epub(data, source="lib.epub")
    _assert_clear(info.value, "lib.epub")


_GOOD_OPF = _opf(_ITEMS)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["content.opf", "toc.ncx", "nav.xhtml"]),
    st.integers(min_value=0, max_value=2000),
    st.integers(min_value=0, max_value=40),
    st.text(alphabet="<>/=\"' ab:#?!-&;x", max_size=12),
)
def test_read_safety_mangled_package_xml_raises_only_input_errors(member, at, cut, insert):
    # Edits inside the package's XML (not the zip's bytes) reach ebooklib's parsers.
    docs = {"content.opf": _GOOD_OPF, "toc.ncx": _NCX, "nav.xhtml": _NAV, "c.xhtml": CHAPTER}
    text = docs[member]
    at = min(at, len(text))
    docs[member] = text[:at] + insert + text[at + cut :]
    try:
        read_epub(_epub(list(docs.items())), source="mangled.epub")
    except InputError:
        pass
