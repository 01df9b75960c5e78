"""The EPUB reader: AO3's calibre EPUBs, FanFicFare EPUBs, generic EPUBs (built at test time)."""

from __future__ import annotations

import dataclasses
import zipfile
from io import BytesIO

import pytest

import fic_fixtures as fx
from ficnlp.pipeline import analyze_story
from ficnlp.read import detect_format, read_bytes
from ficnlp.read.epub import read_epub


def _parts(story, kind):
    return [story.text[p.span.start : p.span.end] for p in story.parts if p.kind == kind]


@pytest.mark.parametrize("work", fx.WORKS, ids=lambda w: w.slug)
def test_read_epub_ao3_calibre_matches_the_html_download(work):
    html_story = read_bytes(fx.ao3_html(work).encode(), source="w.html")
    epub_story = read_bytes(fx.ao3_epub(work), source="w.epub")
    assert epub_story.source.format == "ao3-epub"
    # The same text, parts and styles: split files, renamed classes and CSS-class
    # italics (span.calibre7) change nothing.
    assert epub_story.text == html_story.text
    assert epub_story.parts == html_story.parts
    assert epub_story.styles == html_story.styles
    assert epub_story.paragraphs == html_story.paragraphs
    fx.check_story_invariants(epub_story)


@pytest.mark.parametrize("work", fx.WORKS, ids=lambda w: w.slug)
def test_read_epub_ao3_metadata(work):
    epub_md = read_bytes(fx.ao3_epub(work)).metadata
    html_md = read_bytes(fx.ao3_html(work).encode()).metadata
    # The OPF adds its publisher; everything declared in the preface is the same.
    assert dataclasses.replace(epub_md, extra=()) == dataclasses.replace(html_md, extra=())
    assert dict(epub_md.extra)["publisher"] == "Archive of Our Own"


def test_read_epub_reading_order_comes_from_the_spine():
    scrambled = fx.ao3_epub(fx.STILL_WATER, scramble=True)
    with zipfile.ZipFile(BytesIO(scrambled)) as zf:
        first_by_name = sorted(n for n in zf.namelist() if n.endswith(".xhtml"))[0]
        # Sorting by file name would start with the afterword.
        assert b'id="afterword"' in zf.read(first_by_name)
    in_order = read_bytes(fx.ao3_epub(fx.STILL_WATER, scramble=False))
    assert read_bytes(scrambled).text == in_order.text
    assert _parts(in_order, "chapter_title") == ["Chapter 1: The Lake", "Chapter 2", "Chapter 4: Lanterns"]


def test_read_epub_ao3_preface_split_over_two_files():
    data = fx.ao3_epub(fx.STILL_WATER)
    with zipfile.ZipFile(BytesIO(data)) as zf:
        prefaces = [n for n in zf.namelist() if n.endswith(".xhtml") and b'id="preface"' in zf.read(n)]
    assert len(prefaces) == 2
    story = read_epub(data, source="sw.epub")
    md = story.metadata
    assert md.title == "Still Water" and md.authors == ("lanternfish",)  # second half (h1, byline)
    assert md.rating == "Teen And Up Audiences" and md.words == 1234  # first half (dl.tags)
    assert _parts(story, "work_notes") == ["This is for Juniper, who asked for lanterns."]


def test_read_epub_ao3_pipeline_chapters_and_notes():
    analysis = analyze_story(read_bytes(fx.ao3_epub(fx.STILL_WATER)))
    assert [(c.title, c.number) for c in analysis.chapters] == [("The Lake", 1), ("Chapter 2", 2), ("Lanterns", 4)]
    assert [n.kind for n in analysis.notes].count("chapter_end_notes") == 2
    assert analysis.rating is not None and analysis.rating.declared == "Teen And Up Audiences"


def test_read_epub_opf_subjects_fill_missing_preface_tags():
    # Strip the dl.tags from the preface: the OPF subjects (tag names) are the fallback.
    data = fx.ao3_epub(fx.STILL_WATER)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.endswith(".xhtml"):
                body = body.replace(b'<dl class="tags">', b'<dl class="gone">')
            dst.writestr(info, body)
    md = read_epub(out.getvalue()).metadata
    assert md.rating == "Teen And Up Audiences"
    assert md.warnings == ("Creator Chose Not To Use Archive Warnings",)  # from the tag name "Choose Not To…"
    assert md.categories == ("F/F", "Gen")
    assert [r.tag for r in md.relationships] == ["Tamsin Vale/Oriel March", "Tamsin Vale & Pell Arden"]
    assert md.series == ("Part 2 of Lakeside Summers",)
    assert "Slow Burn" in md.additional_tags and "Fanworks" not in md.additional_tags


def test_read_epub_fanficfare():
    story = read_bytes(fx.fff_epub(fx.STILL_WATER), source="sw.fff.epub")
    assert story.source.format == "fff-epub"
    md = story.metadata
    assert md.title == "Still Water" and md.authors == ("lanternfish",)
    assert md.fandoms == ("Lakeside Chronicles (Invented)",)
    assert md.categories == ("F/F", "Gen")
    assert md.additional_tags == ("Slow Burn", "Lakes", "Found Family")
    assert md.url == "https://archiveofourown.org/works/4000001"
    assert md.chapters == "3" and md.words == 1234
    assert [r.kind for r in md.relationships] == ["romantic", "platonic"]
    assert _parts(story, "chapter_title") == ["1. The Lake", "2. Chapter 2", "3. Lanterns"]
    assert _parts(story, "work_notes") == ["This is for Juniper, who asked for lanterns."]
    assert _parts(story, "work_end_notes") == ["Thank you for reading! Come and say hello."]
    assert _parts(story, "chapter_end_notes") == [
        "Next chapter: boats! Rowan Quill says hi.",
        "The boathouse is based on one I saw in Maine.",
    ]
    fx.check_story_invariants(story)
    analysis = analyze_story(story)
    assert [(c.title, c.number) for c in analysis.chapters] == [("The Lake", 1), ("Chapter 2", 2), ("Lanterns", 3)]


def test_read_epub_generic_ebooklib(tmp_path):
    data = fx.generic_epub(fx.STILL_WATER, tmp_path / "sw.epub").read_bytes()
    assert detect_format(data) == "epub"
    story = read_bytes(data, source="sw.epub")
    assert story.source.format == "epub"
    assert story.metadata.title == "Still Water" and story.metadata.language == "en"
    assert _parts(story, "chapter_title") == ["Chapter 1: The Lake", "Chapter 2", "Chapter 4: Lanterns"]
    assert [p.chapter for p in story.parts if p.kind == "chapter_body"] == [0, 1, 2]
    fx.check_story_invariants(story)


def test_read_epub_generic_several_chapters_per_file_leaves_chapters_to_headings():
    ch = "".join(f"<h2 id='c{i}'>Chapter {i}</h2><p>Text of chapter {i}.</p>" for i in (1, 2, 3))
    doc = f"<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'><head><title>t</title></head><body>{ch}</body></html>"
    opf = """<?xml version='1.0' encoding='utf-8'?>
<package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>One File</dc:title></metadata><manifest><item id="a" href="text/all.xhtml" media-type="application/xhtml+xml"/>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/></manifest><spine toc="ncx"><itemref idref="a"/></spine></package>"""
    points = "".join(
        f'<navPoint id="n{i}"><navLabel><text>Chapter {i}</text></navLabel><content src="text/all.xhtml#c{i}"/></navPoint>'
        for i in (1, 2, 3)
    )
    ncx = f"<?xml version='1.0'?><ncx xmlns='http://www.daisy.org/z3986/2005/ncx/'><navMap>{points}</navMap></ncx>"
    data = fx._zip(
        [
            ("META-INF/container.xml", fx._CONTAINER.format(path="OPS/content.opf")),
            ("OPS/content.opf", opf),
            ("OPS/toc.ncx", ncx),
            ("OPS/text/all.xhtml", doc),
        ]
    )
    story = read_epub(data)
    assert story.parts == ()
    assert [c.number for c in analyze_story(story).chapters] == [1, 2, 3]


def test_read_epub_without_container_finds_the_opf():
    data = fx.ao3_epub(fx.PAPER_BOATS)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename != "META-INF/container.xml":
                dst.writestr(info, src.read(info))
    assert read_epub(out.getvalue()).metadata.title == "Paper Boats"


# -- damaged-but-readable packages (ebooklib reads the package; epub.py smooths what it stops on) --

_OPF_HEAD = """<?xml version='1.0' encoding='utf-8'?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="uid">mini-1</dc:identifier>
<dc:title>Three Lamps</dc:title><dc:language>en</dc:language></metadata>"""
_TITLES = ("First Lamp", "Second Lamp", "Third Lamp")


def _chapter(i: int) -> str:
    body = f"<h1>{_TITLES[i]}</h1><p>Lamp number {i + 1} was lit at dusk.</p><p>It burned until dawn.</p>"
    return f"<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'><head><title>c</title></head><body>{body}</body></html>"


def _ncx(srcs) -> str:
    points = "".join(
        f'<navPoint id="p{k}"><navLabel><text>{label}</text></navLabel><content src="{src}"/></navPoint>'
        for k, (label, src) in enumerate(srcs)
    )
    return f"<?xml version='1.0'?><ncx xmlns='http://www.daisy.org/z3986/2005/ncx/'><navMap>{points}</navMap></ncx>"


def _nav(hrefs) -> str:
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for label, href in hrefs)
    return (
        "<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml' "
        "xmlns:epub='http://www.idpf.org/2007/ops'><head><title>nav</title></head><body>"
        f"<nav epub:type='toc'><ol>{items}</ol></nav></body></html>"
    )


def _mini_epub(manifest: str, spine: str | None, members, *, opf_path: str = "OEBPS/content.opf") -> bytes:
    opf = _OPF_HEAD + f"<manifest>{manifest}</manifest>" + (spine or "") + "</package>"
    return fx._zip([("META-INF/container.xml", fx._CONTAINER.format(path=opf_path)), (opf_path, opf), *members])


def _chapter_items(names=("text/ch 1.xhtml", "text/ch2.xhtml", "text/ch3.xhtml")) -> str:
    return "".join(
        f'<item id="c{i}" href="{name.replace(" ", "%20")}" media-type="application/xhtml+xml"/>'
        for i, name in enumerate(names)
    )


def test_read_epub_without_spine_follows_the_table_of_contents():
    # No <spine>: the NCX (in its own folder, hrefs relative to it, %20-escaped) gives the order.
    manifest = _chapter_items() + '<item id="ncx" href="toc/toc.ncx" media-type="application/x-dtbncx+xml"/>'
    ncx = _ncx(
        [(_TITLES[2], "../text/ch3.xhtml"), (_TITLES[0], "../text/ch%201.xhtml"), (_TITLES[1], "../text/ch2.xhtml")]
    )
    members = [(f"OEBPS/text/{n}", _chapter(i)) for i, n in enumerate(("ch 1.xhtml", "ch2.xhtml", "ch3.xhtml"))]
    story = read_epub(_mini_epub(manifest, None, [*members, ("OEBPS/toc/toc.ncx", ncx)]), source="nospine.epub")
    assert story.source.format == "epub"
    assert _parts(story, "chapter_title") == ["Third Lamp", "First Lamp", "Second Lamp"]
    assert story.text.index("Lamp number 3") < story.text.index("Lamp number 1") < story.text.index("Lamp number 2")
    fx.check_story_invariants(story)


def test_read_epub_nav_when_the_spine_ncx_is_missing(caplog):
    # The spine names an NCX the archive lacks: logged, and the EPUB 3 nav gives the chapters.
    manifest = (
        _chapter_items()
        + '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        + '<item id="nav" href="nav/nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    )
    spine = (
        '<spine toc="ncx"><itemref idref="nav"/><itemref idref="c0"/><itemref idref="c1"/><itemref idref="c2"/></spine>'
    )
    nav = _nav([(t, f"../text/{n}") for t, n in zip(_TITLES, ("ch%201.xhtml", "ch2.xhtml", "ch3.xhtml"), strict=True)])
    members = [(f"OEBPS/text/{n}", _chapter(i)) for i, n in enumerate(("ch 1.xhtml", "ch2.xhtml", "ch3.xhtml"))]
    story = read_epub(_mini_epub(manifest, spine, [*members, ("OEBPS/nav/nav.xhtml", nav)]), source="nav.epub")
    assert "OEBPS/toc.ncx is listed in the EPUB package but missing" in caplog.text
    assert _parts(story, "chapter_title") == list(_TITLES)
    assert [p.chapter for p in story.parts if p.kind == "chapter_body"] == [0, 1, 2]
    assert story.text.count("First Lamp") == 1  # the nav document (in the spine) is not read as text


def test_read_epub_missing_spine_document_and_picture_are_skipped(caplog):
    manifest = _chapter_items() + '<item id="img" href="images/lamp.png" media-type="image/png"/>'
    spine = '<spine><itemref idref="c0"/><itemref idref="c1"/><itemref idref="c2"/></spine>'
    members = [("OEBPS/text/ch 1.xhtml", _chapter(0)), ("OEBPS/text/ch3.xhtml", _chapter(2))]
    story = read_epub(_mini_epub(manifest, spine, members), source="holes.epub")
    assert "Lamp number 1" in story.text and "Lamp number 3" in story.text
    assert "Lamp number 2" not in story.text
    assert "OEBPS/text/ch2.xhtml is listed in the EPUB package but missing" in caplog.text
    assert "OEBPS/images/lamp.png is listed" in caplog.text


def test_read_epub_linear_no_items_are_left_out():
    spine = '<spine><itemref idref="c0"/><itemref idref="c1" linear="no"/><itemref idref="c2"/></spine>'
    members = [(f"OEBPS/text/{n}", _chapter(i)) for i, n in enumerate(("ch 1.xhtml", "ch2.xhtml", "ch3.xhtml"))]
    story = read_epub(_mini_epub(_chapter_items(), spine, members))
    assert "Lamp number 1" in story.text and "Lamp number 3" in story.text
    assert "Lamp number 2" not in story.text


def test_read_epub_package_oddities_ebooklib_would_stop_on(caplog):
    # A processing instruction in the metadata, an item without href, a spine toc naming no
    # item, the non-standard "cover" property and an NCX ebooklib cannot walk (a navLabel
    # without <text>): all read; the broken table of contents is logged and ignored.
    opf = (
        _OPF_HEAD.replace("<dc:title>", "<?calibre-meta x?><dc:title>")
        + "<manifest>"
        + _chapter_items().replace(
            'media-type="application/xhtml+xml"/>', 'media-type="application/xhtml+xml" properties="cover"/>', 1
        )
        + '<item id="ghost" media-type="application/xhtml+xml"/>'
        + '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        + '</manifest><spine toc="nowhere"><itemref idref="c0"/><itemref idref="ghost"/><itemref idref="c1"/>'
        + '<itemref idref="c2"/></spine></package>'
    )
    ncx = "<?xml version='1.0'?><ncx xmlns='http://www.daisy.org/z3986/2005/ncx/'><navMap><navPoint id='p'><navLabel/><content src='text/ch2.xhtml'/></navPoint></navMap></ncx>"
    members = [(f"OEBPS/text/{n}", _chapter(i)) for i, n in enumerate(("ch 1.xhtml", "ch2.xhtml", "ch3.xhtml"))]
    data = fx._zip(
        [
            ("META-INF/container.xml", fx._CONTAINER.format(path="OEBPS/content.opf")),
            ("OEBPS/content.opf", opf),
            ("OEBPS/toc.ncx", ncx),
            *members,
        ]
    )
    story = read_epub(data, source="odd.epub")
    assert story.metadata.title == "Three Lamps" and story.metadata.language == "en"
    assert [story.text.index(f"Lamp number {i}") for i in (1, 2, 3)] == sorted(
        story.text.index(f"Lamp number {i}") for i in (1, 2, 3)
    )
    assert "NCX table of contents cannot be read" in caplog.text
    # Without a table of contents, every file with a leading heading starts a chapter.
    assert _parts(story, "chapter_title") == list(_TITLES)


def test_read_epub_rootfile_without_path_and_nav_without_list(caplog):
    # container.xml whose rootfile has no full-path (ebooklib: TypeError) -> the first .opf;
    # an EPUB 3 nav without <ol> (ebooklib: AttributeError) -> logged, the spine gives the order.
    manifest = (
        _chapter_items() + '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    )
    spine = '<spine><itemref idref="c0"/><itemref idref="c1"/><itemref idref="c2"/></spine>'
    nav = _nav([]).replace("<ol></ol>", "<p>Contents</p>")
    members = [(f"OEBPS/text/{n}", _chapter(i)) for i, n in enumerate(("ch 1.xhtml", "ch2.xhtml", "ch3.xhtml"))]
    container = fx._CONTAINER.format(path="").replace(' full-path=""', "")
    data = fx._zip(
        [
            ("META-INF/container.xml", container),
            ("OEBPS/content.opf", _OPF_HEAD + f"<manifest>{manifest}</manifest>{spine}</package>"),
            ("OEBPS/nav.xhtml", nav),
            *members,
        ]
    )
    story = read_epub(data, source="pathless.epub")
    assert story.metadata.title == "Three Lamps"
    assert "nav table of contents cannot be read" in caplog.text
    assert _parts(story, "chapter_title") == list(_TITLES)
    assert "Contents" not in story.text
