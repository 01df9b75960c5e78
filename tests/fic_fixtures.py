"""Invented test stories and writers that render them the way AO3, calibre and FanFicFare do.

All text here is ours (invented for the tests). The layouts follow ``docs/formats.md``
§1.1-1.4 (otwarchive's download templates, calibre's EPUB output as seen in a real AO3
EPUB, FanFicFare's writers). No real fic or file from ../shared is copied.

Run ``python tests/fic_fixtures.py`` to rewrite the committed files in
``tests/data/stories/``; ``test_read_html.py`` checks they are up to date. EPUBs are
built at test time (:func:`ao3_epub`, :func:`fff_epub`, :func:`generic_epub`).
"""

from __future__ import annotations

import html
import itertools
import re
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

STORIES = Path(__file__).resolve().parent / "data" / "stories"


@dataclass(frozen=True)
class Chap:
    heading: str  # AO3 heading, also the plain-text heading
    fff_title: str  # FanFicFare's chapter title
    paragraphs: tuple[str, ...]  # inline HTML, one per paragraph; "<hr/>" is a scene break
    summary: str | None = None
    notes: str | None = None
    end_notes: str | None = None
    br_lines: tuple[int, int] | None = None  # paragraphs [a, b) as <br/>-split lines of one <p>


@dataclass(frozen=True)
class Work:
    slug: str
    title: str
    author: str
    work_id: int
    tags: tuple[tuple[str, tuple[str, ...]], ...]  # (tag type, tags) in Tag::VISIBLE order
    tag_names: tuple[tuple[str, str], ...]  # display name -> tag name where they differ
    language: str
    series: tuple[tuple[int, str], ...]
    published: str
    updated: str | None
    words: int
    chapters_stat: str
    summary: str
    notes: str | None
    end_notes: str | None
    chapters: tuple[Chap, ...]
    fff_status: str = "In-Progress"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"https://archiveofourown.org/works/{self.work_id}"

    def tag(self, kind: str) -> tuple[str, ...]:
        return dict(self.tags).get(kind, ())


STILL_WATER = Work(
    slug="still-water",
    title="Still Water",
    author="lanternfish",
    work_id=4_000_001,
    tags=(
        ("Rating", ("Teen And Up Audiences",)),
        ("Archive Warning", ("Creator Chose Not To Use Archive Warnings",)),
        ("Category", ("F/F", "Gen")),
        ("Fandom", ("Lakeside Chronicles (Invented)",)),
        ("Relationship", ("Tamsin Vale/Oriel March", "Tamsin Vale & Pell Arden")),
        ("Character", ("Tamsin Vale", "Oriel March", "Pell Arden (Lakeside Chronicles)", "Edna Corrigan")),
        ("Additional Tags", ("Slow Burn", "Lakes", "Found Family")),
    ),
    tag_names=(("Creator Chose Not To Use Archive Warnings", "Choose Not To Use Archive Warnings"),),
    language="English",
    series=((2, "Lakeside Summers"),),
    published="2023-06-01",
    updated="2023-07-15",
    words=1234,
    chapters_stat="3/4",
    summary="<p>Tamsin Vale comes home to the lake for one last summer. Oriel March has been <em>waiting</em>.</p>",
    notes="<p>This is for Juniper, who asked for lanterns.</p>",
    end_notes="<p>Thank you for reading! Come and say hello.</p>",
    chapters=(
        Chap(
            heading="Chapter 1: The Lake",
            fff_title="1. The Lake",
            summary="<p>Tamsin comes home.</p>",
            notes="<p>Thanks to my beta, Rowan Quill, for reading this twice.</p>",
            end_notes="<p>Next chapter: boats! Rowan Quill says hi.</p>",
            paragraphs=(
                "The lake was still when Tamsin Vale came down to the jetty, and the lanterns along the water had not yet been lit.",
                "\u201cYou\u2019re late,\u201d said Oriel March. She was sitting on the last post with her boots off.",
                "\u201cI\u2019m always late,\u201d Tamsin said. \u201cIt\u2019s part of my charm.\u201d",
                "Oriel laughed and moved over to make room. \u201cSit down before you fall in.\u201d",
                "For a while neither of them spoke. The water slapped against the posts, and somewhere across the lake a dog was barking. Tamsin thought about the letter in her pocket, and about how <em>not</em> to mention it.",
                "\u201cPell says the boats are leaking again,\u201d Oriel said at last.",
                "\u201cPell says a lot of things.\u201d",
                "\u201cHe\u2019s usually right, though.\u201d",
                "Tamsin sighed. \u201cHe is, <em>isn\u2019t</em> he?\u201d",
            ),
        ),
        Chap(
            heading="Chapter 2",
            fff_title="2. Chapter 2",
            end_notes="<p>The boathouse is based on one I saw in Maine.</p>",
            paragraphs=(
                "Pell Arden had been fixing boats for Mrs. Corrigan since he was twelve years old.",
                "\u201cHand me the tar,\u201d he said, without looking up.",
                "Tamsin passed it to him. \u201cOriel thinks you\u2019re right about the leaks.\u201d",
                "\u201cOriel is a sensible woman,\u201d said Pell. \u201cUnlike some people I could name.\u201d",
                "<hr/>",
                "That evening Edna Corrigan came down to the boathouse with a basket of bread.",
                "\u201cYou two will starve out here,\u201d she said. \u201cEat something.\u201d",
                "\u201cThank you, Mrs. Corrigan,\u201d Pell said.",
            ),
            br_lines=(5, 8),
        ),
        Chap(
            heading="Chapter 4: Lanterns",
            fff_title="3. Lanterns",
            paragraphs=(
                "On the last night of summer they lit the lanterns together.",
                "\u201cMake a wish,\u201d Oriel told her.",
                "Tamsin looked at the water, at the small lights drifting out toward the middle of the lake, and at Oriel. \u201cI already did,\u201d she said.",
                "<em>Finally</em>, thought Pell, watching them from the boathouse door.",
            ),
        ),
    ),
)

PAPER_BOATS = Work(
    slug="paper-boats",
    title="Paper Boats",
    author="lanternfish",
    work_id=4_000_002,
    tags=(
        ("Rating", ("General Audiences",)),
        ("Archive Warning", ("No Archive Warnings Apply",)),
        ("Category", ("Gen",)),
        ("Fandom", ("Lakeside Chronicles (Invented)",)),
        ("Character", ("Pell Arden", "Edna Corrigan")),
        ("Additional Tags", ("Paper Boats",)),
    ),
    tag_names=(),
    language="English",
    series=(),
    published="2022-03-03",
    updated=None,
    words=456,
    chapters_stat="1/1",
    summary="<p>Pell makes boats for the children.</p>",
    notes="<p>Written for a prompt about paper.</p>",
    end_notes=None,
    fff_status="Completed",
    chapters=(
        Chap(
            heading="Paper Boats",
            fff_title="Paper Boats",
            paragraphs=(
                "Pell Arden folded the paper boats at the kitchen table, one after another, until there were twenty of them.",
                "\u201cWhat are those for?\u201d asked Edna Corrigan.",
                "\u201cThe children,\u201d said Pell. \u201cFor the race on Sunday.\u201d",
                "Mrs. Corrigan picked one up and turned it over in her hands. \u201cThis one has a hole in it.\u201d",
                "\u201cThat one is mine,\u201d Pell said. \u201cIt\u2019s supposed to <em>sink</em>.\u201d",
            ),
        ),
    ),
)

WORKS = (STILL_WATER, PAPER_BOATS)

# -- helpers ------------------------------------------------------------------------------


def strip_tags(s: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", s))


def _plural(kind: str, n: int) -> str:
    if n == 1:
        return kind
    return {"Category": "Categories", "Archive Warning": "Archive Warnings", "Additional Tags": "Additional Tags"}.get(
        kind, kind + "s"
    )


def _tag_link(name: str) -> str:
    return f'<a href="https://archiveofourown.org/tags/{html.escape(name.replace(" ", "%20"))}">{html.escape(name)}</a>'


def _html_paras(c: Chap) -> str:
    out = []
    i = 0
    while i < len(c.paragraphs):
        if c.br_lines and i == c.br_lines[0]:
            a, b = c.br_lines
            out.append("<p>" + "<br/>\n".join(c.paragraphs[a:b]) + "</p>")
            i = b
            continue
        p = c.paragraphs[i]
        out.append(p if p == "<hr/>" else f"<p>{p}</p>")
        i += 1
    return "\n".join(out)


# -- plain text --------------------------------------------------------------------------


def plain_text(w: Work) -> str:
    """The story alone as a fan would paste it into a .txt: headings, paragraphs, "* * *"."""
    blocks: list[str] = []
    for c in w.chapters:
        if len(w.chapters) > 1:
            blocks.append(c.heading)
        for p in c.paragraphs:
            blocks.append("* * *" if p == "<hr/>" else strip_tags(p))
    return "\n\n".join(blocks) + "\n"


# -- AO3 download (otwarchive app/views/downloads/*.html.erb) ----------------------------


def ao3_preface_parts(w: Work) -> tuple[str, str]:
    """The preface's message + tags (first half) and title, byline, summary, notes (second)."""
    dl = []
    for kind, tags in w.tags:
        dl.append(f"      <dt>{_plural(kind, len(tags))}:</dt>")
        dl.append("      <dd>" + ", ".join(_tag_link(t) for t in tags) + "</dd>")
    dl.append(f"      <dt>Language:</dt>\n      <dd>{w.language}</dd>")
    if w.series:
        parts = [
            f'Part {n} of\n<a href="https://archiveofourown.org/series/77">{html.escape(s)}</a>' for n, s in w.series
        ]
        dl.append("      <dt>Series:</dt>\n      <dd>" + ", ".join(parts) + "</dd>")
    stats = f"        Published: {w.published}\n"
    if w.updated:
        stats += f"          Updated: {w.updated}\n"
    stats += f"        Words: {w.words:,}\n        Chapters: {w.chapters_stat}\n"
    dl.append(f"      <dt>Stats:</dt>\n      <dd>\n{stats}      </dd>")
    first = f"""  <h2 class="toc-heading">Preface</h2>

  <p class="message">
    <b>{html.escape(w.title)}</b><br/>
    Posted originally on the <a href="http://archiveofourown.org/">Archive of Our Own</a> at <a href="{w.url}">{w.url}</a>.
  </p>

  <div class="meta">
    <dl class="tags">
{chr(10).join(dl)}
    </dl>
  </div>"""
    second = f"""  <div class="meta">
    <h1>{html.escape(w.title)}</h1>
    <div class="byline">by <a rel="author" href="https://archiveofourown.org/users/{w.author}/pseuds/{w.author}">{w.author}</a></div>
      <p>Summary</p>
      <blockquote class="userstuff">{w.summary}</blockquote>
"""
    if w.notes or w.end_notes:
        second += "      <p>Notes</p>\n"
        if w.notes:
            second += f'        <blockquote class="userstuff">{w.notes}</blockquote>\n'
        if w.end_notes:
            more = "more " if w.notes else ""
            second += f'        <div class="endnote-link">\n          See the end of the work for {more}<a href="#endnotes">notes</a>\n        </div>\n'
    second += "  </div>"
    return first, second


def ao3_chapter(w: Work, i: int) -> str:
    c = w.chapters[i]
    if len(w.chapters) == 1:
        return f'  <h2 class="toc-heading">{html.escape(w.title)}</h2>\n  <div class="userstuff">\n{_html_paras(c)}\n  </div>'
    meta = [f'  <div class="meta group">\n    <h2 class="heading">{html.escape(c.heading)}</h2>']
    if c.summary:
        meta.append(f'    <p>Chapter Summary</p>\n    <blockquote class="userstuff">{c.summary}</blockquote>')
    if c.notes or c.end_notes:
        meta.append("    <p>Chapter Notes</p>")
        if c.notes:
            meta.append(f'    <blockquote class="userstuff">{c.notes}</blockquote>')
        if c.end_notes:
            meta.append(
                f'    <div class="endnote-link">\n      See the end of the chapter for  <a href="#endnotes{i + 1}">more notes</a>\n    </div>'
            )
    meta.append("  </div>")
    out = "\n".join(meta)
    out += f'\n\n  <!--chapter content-->\n  <div class="userstuff">\n{_html_paras(c)}\n  </div>\n  <!--/chapter content-->\n'
    if c.end_notes:
        out += f'\n  <div class="meta" id="endnotes{i + 1}">\n    <p>Chapter End Notes</p>\n    <blockquote class="userstuff">{c.end_notes}</blockquote>\n  </div>\n'
    return out


def ao3_afterword(w: Work) -> str:
    out = '  <h2 class="toc-heading">Afterword</h2>\n'
    if w.end_notes:
        out += f'  <div class="meta">\n    <div id="endnotes">\n      <p>End Notes</p>\n      <blockquote class="userstuff">{w.end_notes}</blockquote>\n    </div>\n  </div>\n'
    out += f'  <p class="message">Please <a href="{w.url}/comments/new">drop by the Archive and comment</a> to let the creator know if you enjoyed their work!</p>'
    return out


_AO3_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
<title>{title}</title>
<style type="text/css">
body {{ font-family: serif; }}
.toc-heading {{ display: none; }}
.userstuff {{ line-height: 1.5; }}
</style>
</head>
<body>
"""


def ao3_html(w: Work) -> str:
    """The AO3 HTML download of the work (show.html.erb + the preface/chapter/afterword partials)."""
    first, second = ao3_preface_parts(w)
    fandom = w.tag("Fandom")[0] if len(w.tag("Fandom")) <= 3 else "Multifandom"
    out = _AO3_HEAD.format(title=html.escape(f"{w.title} - {w.author} - {fandom}"))
    out += f'<div id="preface">\n{first}\n{second}\n</div>\n\n<div id="chapters" class="userstuff">\n'
    out += "\n".join(ao3_chapter(w, i) for i in range(len(w.chapters)))
    out += f'\n</div>\n\n<div id="afterword">\n{ao3_afterword(w)}\n</div>\n\n</body>\n</html>\n'
    return out


# -- AO3 work page (docs/formats.md 1.3) ------------------------------------------------


def ao3_live_html(w: Work, chapter_ids: tuple[int, ...]) -> str:
    """An AO3 work page with ?view_full_work=true; ``chapter_ids`` may skip numbers."""
    dd_class = {
        "Rating": "rating",
        "Archive Warning": "warning",
        "Category": "category",
        "Fandom": "fandom",
        "Relationship": "relationship",
        "Character": "character",
        "Additional Tags": "freeform",
    }
    meta = ['<dl class="work meta group">']
    for kind, tags in w.tags:
        cls = dd_class[kind]
        items = "".join(f'<li><a class="tag" href="/tags/x">{html.escape(t)}</a></li>' for t in tags)
        meta.append(
            f'<dt class="{cls} tags">{_plural(kind, len(tags))}:</dt><dd class="{cls} tags"><ul class="commas">{items}</ul></dd>'
        )
    meta.append(f'<dt class="language">Language:</dt><dd class="language" lang="en">{w.language}</dd>')
    if w.series:
        spans = "".join(
            f'<span class="series"><span class="position">Part {n} of <a href="/series/77">{s}</a></span></span>'
            for n, s in w.series
        )
        meta.append(f'<dt class="series">Series:</dt><dd class="series">{spans}</dd>')
    stats = f'<dt class="published">Published:</dt><dd class="published">{w.published}</dd>'
    if w.updated:
        stats += f'<dt class="status">Updated:</dt><dd class="status">{w.updated}</dd>'
    stats += f'<dt class="words">Words:</dt><dd class="words">{w.words:,}</dd><dt class="chapters">Chapters:</dt><dd class="chapters">{w.chapters_stat}</dd>'
    meta.append(f'<dt class="stats">Stats:</dt><dd class="stats"><dl class="stats">{stats}</dl></dd>')
    meta.append("</dl>")
    pre = f"""<div class="preface group">
<h2 class="title heading">{w.title}</h2>
<h3 class="byline heading"><a rel="author" href="/users/{w.author}/pseuds/{w.author}">{w.author}</a></h3>
<div class="summary module"><h3 class="heading">Summary:</h3><blockquote class="userstuff">{w.summary}</blockquote></div>
"""
    if w.notes:
        pre += f'<div class="notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff">{w.notes}</blockquote></div>\n'
    pre += "</div>\n"
    chapters = []
    for cid, c in zip(chapter_ids, w.chapters, strict=True):
        num, _, title = c.heading.partition(": ")
        heading = f'<a href="/works/{w.work_id}/chapters/{cid}">{num}</a>' + (f": {title}" if title else "")
        block = f'<div class="chapter" id="chapter-{cid}">\n<div class="chapter preface group" role="complementary">\n<h3 class="title">{heading}</h3>\n'
        if c.summary:
            block += f'<div id="summary" class="summary module"><h3 class="heading">Summary:</h3><blockquote class="userstuff">{c.summary}</blockquote></div>\n'
        if c.notes:
            block += f'<div id="notes" class="notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff">{c.notes}</blockquote></div>\n'
        block += "</div>\n"
        block += f'<div class="userstuff module" role="article">\n<h3 class="landmark heading" id="work">Chapter Text</h3>\n{_html_paras(c)}\n</div>\n'
        if c.end_notes:
            block += f'<div class="chapter preface group" role="complementary"><div id="chapter_{cid}_endnotes" class="end notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff">{c.end_notes}</blockquote></div></div>\n'
        block += "</div>\n"
        chapters.append(block)
    end = ""
    if w.end_notes:
        end = f'<div id="work_endnotes" class="end notes module"><h3 class="heading">Notes:</h3><blockquote class="userstuff">{w.end_notes}</blockquote></div>\n'
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{w.title} - Chapter 1 - {w.author} - Archive of Our Own</title>
<script>window.alert("this must never run");</script></head>
<body><div id="outer"><div id="header"><h1 class="heading">Archive of Our Own beta</h1><ul class="primary navigation"><li>Fandoms</li><li>Browse</li></ul></div>
<div id="main" class="works-show region">
{chr(10).join(meta)}
<div id="workskin">
{pre}<div id="chapters" role="article">
{"".join(chapters)}</div>
{end}</div>
<div id="feedback"><p>Comments and kudos go here.</p></div>
</div><div id="footer"><p>Footer</p></div></div></body></html>
"""


# -- calibre EPUB of the AO3 download (docs/formats.md 1.2) -----------------------------

_CALIBRE_CSS = """.calibre { display: block; font-size: 1em; }
.calibre1 { display: block; margin: 1em 0; }
.calibre4 { display: block; margin-left: 2em; }
.calibre7, .italic-run { font-style: italic }
.calibre8 { font-weight: bold }
.userstuff1 { display: block }
.userstuff2 { display: block; line-height: 1.5 }
"""


def _calibre_classes(fragment: str, *, inner: bool) -> str:
    """calibre's rewrite: dd -> calibre4, userstuff -> userstuff2, em -> span.calibre7, b -> span.calibre8."""
    s = fragment.replace("<dd>", '<dd class="calibre4">').replace("<dt>", '<dt class="calibre3">')
    s = s.replace('class="userstuff"', 'class="userstuff2"' if inner else 'class="userstuff1"')
    s = re.sub(r"<em>(.*?)</em>", r'<span class="calibre7">\1</span>', s)
    s = re.sub(r"<b>(.*?)</b>", r'<span class="calibre8">\1</span>', s)
    s = s.replace("<p>", '<p class="calibre1">')
    s = s.replace("<br/>", '<br class="calibre2"/>')
    s = s.replace("<hr/>", '<hr class="calibre5"/>')
    return s


def _xhtml(title: str, body: str) -> str:
    return f"""<?xml version='1.0' encoding='utf-8'?>
<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">
  <head>
    <title>{html.escape(title)}</title>
    <meta http-equiv="Content-Type" content="text/html; charset=utf-8"/>
  <link rel="stylesheet" type="text/css" href="stylesheet.css"/>
<link rel="stylesheet" type="text/css" href="page_styles.css"/>
</head>
  <body class="calibre">
{body}
</body></html>
"""


def _zip(members: list[tuple[str, bytes | str]]) -> bytes:
    buf = BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")
        for name, data in members:
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


_CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
   <rootfiles>
      <rootfile full-path="{path}" media-type="application/oebps-package+xml"/>
   </rootfiles>
</container>
"""


def ao3_epub(w: Work, *, scramble: bool = True) -> bytes:
    """The work as AO3's calibre EPUB: split files, renamed classes, preface over two files.

    With ``scramble``, the split files get numbers out of reading order and are stored
    in the zip in reverse, so only the spine gives the right order.
    """
    first, second = ao3_preface_parts(w)
    bodies: list[tuple[str, str]] = [
        ("Preface", f'<div id="preface" class="calibre">\n{_calibre_classes(first, inner=True)}\n</div>'),
        ("Preface", f'<div id="preface" class="calibre">\n{_calibre_classes(second, inner=True)}\n</div>'),
    ]
    for i, c in enumerate(w.chapters):
        chapter_html = _calibre_classes(ao3_chapter(w, i), inner=True)
        bodies.append((c.heading, f'<div id="chapters" class="userstuff1">\n{chapter_html}\n</div>'))
    bodies.append(
        ("Afterword", f'<div id="afterword" class="calibre">\n{_calibre_classes(ao3_afterword(w), inner=True)}\n</div>')
    )
    order = list(range(len(bodies)))
    numbers = list(reversed(order)) if scramble else order
    stem = re.sub(r"\W", "_", w.title)
    files = [f"{stem}_split_{numbers[i]:03d}.xhtml" for i in order]
    manifest = "\n".join(
        f'    <item id="id{numbers[i]}" href="{files[i]}" media-type="application/xhtml+xml"/>' for i in order
    )
    spine = "\n".join(f'    <itemref idref="id{numbers[i]}"/>' for i in order)
    tag_name = dict(w.tag_names)
    subjects = ["Fanworks"] + [tag_name.get(t, t) for kind, tags in w.tags for t in tags]
    subjects_xml = "\n".join(f"    <dc:subject>{html.escape(s)}</dc:subject>" for s in subjects)
    series = ""
    if w.series:
        n, name = w.series[0]
        series = f'    <meta name="calibre:series" content="{html.escape(name)}"/>\n    <meta name="calibre:series_index" content="{n}.0"/>\n'
    opf = f"""<?xml version='1.0' encoding='utf-8'?>
<package xmlns="http://www.idpf.org/2007/opf" unique-identifier="uuid_id" version="2.0">
  <metadata xmlns:calibre="http://calibre.kovidgoyal.net/2009/metadata" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:opf="http://www.idpf.org/2007/opf" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
    <dc:title>{html.escape(w.title)}</dc:title>
    <dc:creator opf:file-as="{w.author}" opf:role="aut">{w.author}</dc:creator>
    <dc:publisher>Archive of Our Own</dc:publisher>
    <dc:description>{html.escape(w.summary)}</dc:description>
    <dc:identifier id="uuid_id" opf:scheme="uuid">7c1e0d2a-0000-4000-8000-{w.work_id:012d}</dc:identifier>
    <dc:language>en</dc:language>
    <dc:date>{w.updated or w.published}T00:00:00+00:00</dc:date>
{subjects_xml}
{series}    <meta name="calibre:title_sort" content="{html.escape(w.title)}"/>
  </metadata>
  <manifest>
{manifest}
    <item id="page_css" href="page_styles.css" media-type="text/css"/>
    <item id="css" href="stylesheet.css" media-type="text/css"/>
    <item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
  </manifest>
  <spine toc="ncx">
{spine}
  </spine>
</package>
"""
    nav_targets = (
        [(0, "Preface")] + [(2 + i, c.heading) for i, c in enumerate(w.chapters)] + [(len(bodies) - 1, "Afterword")]
    )
    if len(w.chapters) == 1:
        nav_targets[1] = (2, w.title)
    points = "\n".join(
        f'    <navPoint id="num_{k}" playOrder="{k + 1}"><navLabel><text>{html.escape(label)}</text></navLabel><content src="{files[i]}"/></navPoint>'
        for k, (i, label) in enumerate(nav_targets)
    )
    ncx = f"""<?xml version='1.0' encoding='utf-8'?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">
  <head><meta content="7c1e0d2a" name="dtb:uid"/><meta content="2" name="dtb:depth"/></head>
  <docTitle><text>{html.escape(w.title)}</text></docTitle>
  <navMap>
{points}
  </navMap>
</ncx>
"""
    members: list[tuple[str, bytes | str]] = [("META-INF/container.xml", _CONTAINER.format(path="content.opf"))]
    docs = [(files[i], _xhtml(bodies[i][0], bodies[i][1])) for i in order]
    members += list(reversed(docs)) if scramble else docs
    members += [
        ("content.opf", opf),
        ("toc.ncx", ncx),
        ("stylesheet.css", _CALIBRE_CSS),
        ("page_styles.css", "@page { margin-bottom: 5pt; margin-top: 5pt }\n"),
    ]
    return _zip(members)


# -- FanFicFare (docs/formats.md 1.4) ---------------------------------------------------


def fff_fields(w: Work) -> list[tuple[str, str]]:
    """FanFicFare's default title-page entries for an AO3 story."""
    genre = list(w.tag("Additional Tags")) + list(w.tag("Category"))
    fields = []
    if w.series:
        n, name = w.series[0]
        fields.append(("Series", f"{name} [{n}]"))
    fields += [
        ("Category", ", ".join(w.tag("Fandom"))),
        ("Genre", ", ".join(genre)),
        ("Language", w.language),
        ("Characters", ", ".join(w.tag("Character"))),
        ("Relationships", ", ".join(w.tag("Relationship"))),
        ("Status", w.fff_status),
        ("Published", w.published),
        ("Updated", w.updated or w.published),
        ("Packaged", "2024-01-02 10:11:12"),
        ("Rating", ", ".join(w.tag("Rating"))),
        ("Warnings", ", ".join(w.tag("Archive Warning"))),
        ("Chapters", str(len(w.chapters))),
        ("Words", f"{w.words:,}"),
        ("Publisher", "archiveofourown.org"),
    ]
    return [(k, v) for k, v in fields if v]


_DEFAULT_LABELS = {
    "work_notes": "Author's Note:",
    "chapter_summary": "Summary for the Chapter:",
    "chapter_notes": "Notes for the Chapter:",
    "chapter_end_notes": "Notes for the Chapter:",
    "work_end_notes": "Author's Note:",
}
#: Labels as another FanFicFare version / personal.ini might write them (FFF#1347).
VARIED_LABELS = {
    "work_notes": "Author Notes:",
    "chapter_summary": "Chapter Summary:",
    "chapter_notes": "Chapter Notes:",
    "chapter_end_notes": "End Notes:",
    "work_end_notes": "Author Notes (end):",
}


def fff_chapter_html(w: Work, i: int, labels: dict[str, str]) -> str:
    """The chapter as FanFicFare's AO3 adapter saves it (base_otw_adapter.getChapterText)."""
    c = w.chapters[i]
    head = []
    if i == 0 and w.notes:
        head.append(f'<b>{labels["work_notes"]}</b><blockquote class="userstuff">{w.notes}</blockquote>')
    if c.summary:
        head.append(f'<b>{labels["chapter_summary"]}</b><blockquote class="userstuff">{c.summary}</blockquote>')
    if c.notes:
        head.append(f'<b>{labels["chapter_notes"]}</b><blockquote class="userstuff">{c.notes}</blockquote>')
    foot = []
    if c.end_notes:
        foot.append(f'<b>{labels["chapter_end_notes"]}</b><blockquote class="userstuff">{c.end_notes}</blockquote>')
    if i == len(w.chapters) - 1 and w.end_notes:
        foot.append(f'<b>{labels["work_end_notes"]}</b><blockquote class="userstuff">{w.end_notes}</blockquote>')
    out = '<div class="story">'
    if head:
        out += '<div class="fff_chapter_notes fff_head_notes">' + "".join(head) + "</div>"
    out += f'<div class="userstuff module" role="article">\n{_html_paras(c)}\n</div>'
    if foot:
        out += '<div class="fff_chapter_notes fff_foot_notes">' + "".join(foot) + "</div>"
    return out + "</div>"


def _fff_heading(w: Work) -> str:
    return f'<a href="{w.url}">{html.escape(w.title)}</a> by <a class="authorlink" href="https://archiveofourown.org/users/{w.author}/pseuds/{w.author}">{w.author}</a>'


def fff_epub(w: Work) -> bytes:
    """The work as FanFicFare's EPUB (writer_epub.py): title page + file000N.xhtml chapters."""
    entries = "".join(f"\n<b>{k}:</b> {html.escape(v)}<br />\n" for k, v in fff_fields(w))
    entries += f"\n<b>Summary:</b> {w.summary}<br />\n"
    title_page = f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{html.escape(w.title)} by {w.author}</title>
<link href="stylesheet.css" type="text/css" rel="stylesheet"/>
</head>
<body class="fff_titlepage">
<h3>{_fff_heading(w)}</h3>
<div>
{entries}
</div>

</body>
</html>
"""
    members: list[tuple[str, bytes | str]] = [("META-INF/container.xml", _CONTAINER.format(path="content.opf"))]
    items = ['<item id="title_page" href="OEBPS/title_page.xhtml" media-type="application/xhtml+xml"/>']
    refs = ['<itemref idref="title_page" linear="yes"/>']
    points = []
    for i, c in enumerate(w.chapters):
        name = f"OEBPS/file{i + 1:04d}.xhtml"
        doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<title>{html.escape(c.fff_title)}</title>
<link href="stylesheet.css" type="text/css" rel="stylesheet"/>
<meta name="chapterurl" content="{w.url}/chapters/{i + 1}" />
<meta name="chapterorigtitle" content="{html.escape(c.fff_title)}" />
<meta name="chaptertoctitle" content="{html.escape(c.fff_title)}" />
<meta name="chaptertitle" content="{html.escape(c.fff_title)}" />
</head>
<body class="fff_chapter">
<h3 class="fff_chapter_title">{html.escape(c.fff_title)}</h3>
{fff_chapter_html(w, i, _DEFAULT_LABELS)}
</body>
</html>
"""
        members.append((name, doc))
        items.append(f'<item id="file{i + 1:04d}" href="{name}" media-type="application/xhtml+xml"/>')
        refs.append(f'<itemref idref="file{i + 1:04d}" linear="yes"/>')
        points.append(
            f'<navPoint id="file{i + 1:04d}" playOrder="{i + 2}"><navLabel><text>{html.escape(c.fff_title)}</text></navLabel><content src="{name}"/></navPoint>'
        )
    members.append(("OEBPS/title_page.xhtml", title_page))
    opf = f"""<?xml version="1.0" encoding="utf-8"?>
<package version="2.0" xmlns="http://www.idpf.org/2007/opf" unique-identifier="fanficfare-uid">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
<dc:identifier id="fanficfare-uid">fanficfare-uid:archiveofourown.org-u{w.author}-s{w.work_id}</dc:identifier>
<dc:title id="id">{html.escape(w.title)}</dc:title>
<dc:creator opf:role="aut">{w.author}</dc:creator>
<dc:contributor id="id-2">FanFicFare [https://github.com/JimmXinu/FanFicFare]</dc:contributor>
<dc:language>en</dc:language>
<dc:date opf:event="publication">{w.published}</dc:date>
<dc:date opf:event="modification">{w.updated or w.published}</dc:date>
<dc:description>{html.escape(w.summary)}</dc:description>
<dc:subject>FanFiction</dc:subject>
<dc:subject>Last Update: {(w.updated or w.published).replace("-", "/")}</dc:subject>
<dc:source>{w.url}</dc:source>
<dc:publisher>archiveofourown.org</dc:publisher>
</metadata>
<manifest>
<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>
<item id="style" href="OEBPS/stylesheet.css" media-type="text/css"/>
{chr(10).join(items)}
</manifest>
<spine toc="ncx">
{chr(10).join(refs)}
</spine>
</package>
"""
    ncx = f"""<?xml version="1.0" encoding="utf-8"?>
<ncx version="2005-1" xmlns="http://www.daisy.org/z3986/2005/ncx/">
<head><meta name="dtb:uid" content="fanficfare-uid:archiveofourown.org-u{w.author}-s{w.work_id}"/></head>
<docTitle><text>{html.escape(w.title)}</text></docTitle>
<navMap>
<navPoint id="title_page" playOrder="1"><navLabel><text>Title Page</text></navLabel><content src="OEBPS/title_page.xhtml"/></navPoint>
{chr(10).join(points)}
</navMap>
</ncx>
"""
    members += [
        ("content.opf", opf),
        ("toc.ncx", ncx),
        ("OEBPS/stylesheet.css", ".fff_chapter_title { text-align: center }\n"),
    ]
    return _zip(members)


def fff_html(w: Work, labels: dict[str, str] = VARIED_LABELS) -> str:
    """The work as FanFicFare's one-file HTML (writer_html.py), notes under varied labels."""
    rows = "".join(f"\n<tr><td><b>{k}:</b></td><td>{html.escape(v)}</td></tr>\n" for k, v in fff_fields(w))
    rows += f"\n<tr><td><b>Summary:</b></td><td>{w.summary}</td></tr>\n"
    toc = "".join(
        f'\n<a href="#section{i + 1:04d}">{html.escape(c.fff_title)}</a><br />\n' for i, c in enumerate(w.chapters)
    )
    chapters = "".join(
        f'\n<a name="section{i + 1:04d}"><h2>{html.escape(c.fff_title)}</h2></a>\n{fff_chapter_html(w, i, labels)}'
        for i, c in enumerate(w.chapters)
    )
    return f"""<!DOCTYPE html>
<html>
<head>
<meta charset="UTF-8">
<title>{html.escape(w.title)} by {w.author}</title>
<style type="text/css">
.fff_chapter_notes {{ border: 1px solid gray; }}
</style>
</head>
<body>
<h1>{_fff_heading(w)}</h1>

<table class="full">
{rows}
</table>

<a name="TOCTOP"><h2>Table of Contents</h2></a>
<p>
{toc}
</p>
{chapters}
</body>
</html>"""


def _markdown(p: str) -> str:
    """What html2text makes of our inline HTML: _em_, **b**."""
    p = re.sub(r"</?em>", "_", p)
    p = re.sub(r"</?b>", "**", p)
    return strip_tags(p)


def _wrap(text: str) -> str:
    return textwrap.fill(text, 78)


def fff_txt(w: Work) -> bytes:
    """The work as FanFicFare's TXT (writer_txt.py): CRLF, wrapped at 78, html2text bodies."""
    out = f"\n\n\n{w.title}\n\nby {w.author}\n\n\n"
    header = "\n"
    for k, v in [*fff_fields(w), ("Summary", strip_tags(w.summary))]:
        header += f"{k}: {v}\n"
    header += "\n\n\n"
    header += "\n\nTABLE OF CONTENTS\n\n"
    for c in w.chapters:
        header += f"\n{c.fff_title}\n"
    header += "\n"
    out += "\n".join(_wrap(line) if line else "" for line in header.split("\n"))
    for i, c in enumerate(w.chapters):
        out += f"\n\n\t{c.fff_title}\n\n"
        blocks = []
        for label, body in (
            ("work_notes", w.notes if i == 0 else None),
            ("chapter_summary", c.summary),
            ("chapter_notes", c.notes),
        ):
            if body:
                blocks.append(f"**{_DEFAULT_LABELS[label]}**")
                blocks.append("\n".join("> " + line for line in _wrap(_markdown(body)).split("\n")))
        for p in c.paragraphs:
            blocks.append("* * *" if p == "<hr/>" else _wrap(_markdown(p)))
        for label, body in (
            ("chapter_end_notes", c.end_notes),
            ("work_end_notes", w.end_notes if i == len(w.chapters) - 1 else None),
        ):
            if body:
                blocks.append(f"**{_DEFAULT_LABELS[label]}**")
                blocks.append("\n".join("> " + line for line in _wrap(_markdown(body)).split("\n")))
        out += "\n\n".join(blocks) + "\n\n"
    out += "\n\nEnd file.\n"
    return out.replace("\n", "\r\n").encode("utf-8")


def generic_epub(w: Work, path: Path) -> Path:
    """The work as a plain EPUB 3 written by ebooklib (no AO3 or FanFicFare markup)."""
    from ebooklib import epub

    book = epub.EpubBook()
    book.set_identifier(f"generic-{w.work_id}")
    book.set_title(w.title)
    book.set_language("en")
    book.add_author(w.author)
    book.add_metadata("DC", "description", strip_tags(w.summary))
    chapters = []
    for i, c in enumerate(w.chapters):
        item = epub.EpubHtml(title=c.heading, file_name=f"text/ch{i + 1:02d}.xhtml", lang="en")
        item.content = f"<h1>{html.escape(c.heading)}</h1>\n" + _html_paras(c)
        book.add_item(item)
        chapters.append(item)
    book.toc = tuple(chapters)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *chapters]
    epub.write_epub(str(path), book, {})
    return path


# -- committed files ------------------------------------------------------------------------


def committed_files() -> dict[str, bytes]:
    """The fixture files kept in tests/data/stories (name -> bytes)."""
    files: dict[str, bytes] = {}
    for w in WORKS:
        files[f"{w.slug}.txt"] = plain_text(w).encode("utf-8")
        files[f"{w.slug}.ao3.html"] = ao3_html(w).encode("utf-8")
    files["still-water.ao3-live.html"] = ao3_live_html(STILL_WATER, (1, 2, 4)).encode("utf-8")
    files["still-water.fff.html"] = fff_html(STILL_WATER).encode("utf-8")
    files["still-water.fff.txt"] = fff_txt(STILL_WATER)
    files["paper-boats.fff.txt"] = fff_txt(PAPER_BOATS)
    return files


def main(argv: list[str]) -> int:
    STORIES.mkdir(parents=True, exist_ok=True)
    for name, data in committed_files().items():
        (STORIES / name).write_bytes(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))


def check_story_invariants(story: object) -> None:
    """Assert the reader's layout contract (docs/formats-reading.md) on a Story."""
    from ficnlp.model import PART_KINDS

    text = story.text  # type: ignore[attr-defined]
    paras = story.paragraphs  # type: ignore[attr-defined]
    assert paras, "no paragraphs"
    for a, b in itertools.pairwise(paras):
        assert a.end <= b.start, f"paragraphs overlap or are unsorted: {a} {b}"
    for p in paras:
        chunk = text[p.start : p.end]
        assert chunk and chunk == chunk.strip(), f"paragraph not trimmed: {chunk!r}"
    parts = story.parts  # type: ignore[attr-defined]
    for a, b in itertools.pairwise(parts):
        assert a.span.end <= b.span.start, f"parts overlap or are unsorted: {a} {b}"
    for part in parts:
        assert part.kind in PART_KINDS, part.kind
        assert 0 <= part.span.start < part.span.end <= len(text)
        if part.kind.startswith("chapter_"):
            assert part.chapter is not None and part.chapter >= 0
        else:
            assert part.chapter is None
    starts = [p.start for p in paras]
    import bisect

    for st in story.styles:  # type: ignore[attr-defined]
        assert st.style in ("italic", "bold", "underline", "strike")
        k = bisect.bisect_right(starts, st.span.start) - 1
        assert k >= 0 and paras[k].contains(st.span), f"style {st} outside a paragraph"
        chunk = text[st.span.start : st.span.end]
        assert chunk == chunk.strip() and chunk
