"""The HTML reader: AO3 downloads and work pages, generic HTML, and the text layout."""

from __future__ import annotations

import dataclasses
import html
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fic_fixtures as fx
from ficnlp.model import Relationship
from ficnlp.pipeline import analyze_story
from ficnlp.read import read_bytes
from ficnlp.read.ao3 import normalise_warning, parse_relationship, tag_name
from ficnlp.read.html import read_html


def _parts(story, kind):
    return [story.text[p.span.start : p.span.end] for p in story.parts if p.kind == kind]


def _paragraph_texts(story):
    return [story.text[p.start : p.end] for p in story.paragraphs]


def test_read_fixture_files_are_up_to_date():
    for name, data in fx.committed_files().items():
        path = fx.STORIES / name
        assert path.read_bytes() == data, f"{name} is stale: run python tests/fic_fixtures.py"


def test_read_html_ao3_download_metadata():
    story = read_bytes(fx.ao3_html(fx.STILL_WATER).encode(), source="still-water.html")
    md = story.metadata
    assert story.source.format == "ao3-html"
    assert md.title == "Still Water"
    assert md.authors == ("lanternfish",)
    assert md.fandoms == ("Lakeside Chronicles (Invented)",)
    assert md.rating == "Teen And Up Audiences"
    assert md.warnings == ("Creator Chose Not To Use Archive Warnings",)
    assert md.categories == ("F/F", "Gen")
    assert md.relationships == (
        Relationship("Tamsin Vale/Oriel March", "romantic", ("Tamsin Vale", "Oriel March")),
        Relationship("Tamsin Vale & Pell Arden", "platonic", ("Tamsin Vale", "Pell Arden")),
    )
    assert md.characters == ("Tamsin Vale", "Oriel March", "Pell Arden (Lakeside Chronicles)", "Edna Corrigan")
    assert md.additional_tags == ("Slow Burn", "Lakes", "Found Family")
    assert md.language == "English"
    assert md.series == ("Part 2 of Lakeside Summers",)
    assert (md.published, md.updated, md.completed) == ("2023-06-01", "2023-07-15", None)
    assert md.words == 1234
    assert md.chapters == "3/4"
    assert md.summary == "Tamsin Vale comes home to the lake for one last summer. Oriel March has been waiting."
    assert md.url == "https://archiveofourown.org/works/4000001"
    assert md.source_site == "archiveofourown.org"


def test_read_html_ao3_single_chapter_metadata_and_parts():
    story = read_bytes(fx.ao3_html(fx.PAPER_BOATS).encode(), source="paper-boats.html")
    md = story.metadata
    assert md.title == "Paper Boats"
    assert md.rating == "General Audiences"
    assert md.warnings == ("No Archive Warnings Apply",)
    assert md.categories == ("Gen",)
    assert md.relationships == ()
    assert md.characters == ("Pell Arden", "Edna Corrigan")
    assert (md.published, md.updated, md.words, md.chapters) == ("2022-03-03", None, 456, "1/1")
    assert [p.kind for p in story.parts] == ["summary", "work_notes", "chapter_title", "chapter_body"]
    assert _parts(story, "chapter_title") == ["Paper Boats"]
    assert _parts(story, "work_notes") == ["Written for a prompt about paper."]


def test_read_html_ao3_parts_in_reading_order():
    story = read_bytes(fx.ao3_html(fx.STILL_WATER).encode())
    kinds = [(p.kind, p.chapter) for p in story.parts]
    assert kinds == [
        ("summary", None),
        ("work_notes", None),
        ("chapter_title", 0),
        ("chapter_summary", 0),
        ("chapter_notes", 0),
        ("chapter_body", 0),
        ("chapter_end_notes", 0),
        ("chapter_title", 1),
        ("chapter_body", 1),
        ("chapter_end_notes", 1),
        ("chapter_title", 2),
        ("chapter_body", 2),
        ("work_end_notes", None),
    ]
    assert _parts(story, "chapter_title") == ["Chapter 1: The Lake", "Chapter 2", "Chapter 4: Lanterns"]
    assert _parts(story, "chapter_end_notes") == [
        "Next chapter: boats! Rowan Quill says hi.",
        "The boathouse is based on one I saw in Maine.",
    ]
    assert _parts(story, "work_end_notes") == ["Thank you for reading! Come and say hello."]
    fx.check_story_invariants(story)


def test_read_html_text_layout_is_paragraphs_joined_by_blank_lines():
    story = read_bytes(fx.ao3_html(fx.PAPER_BOATS).encode())
    expected = [
        "Pell makes boats for the children.",
        "Written for a prompt about paper.",
        "Paper Boats",
        *(fx.strip_tags(p) for p in fx.PAPER_BOATS.chapters[0].paragraphs),
    ]
    assert _paragraph_texts(story) == expected
    assert story.text == "\n\n".join(expected)


def test_read_html_br_lines_become_paragraphs_and_hr_a_break():
    story = read_bytes(fx.ao3_html(fx.STILL_WATER).encode())
    paras = _paragraph_texts(story)
    # Chapter 2's last three paragraphs are <br/>-split lines of one <p> (formats.md bug log F1).
    i = paras.index("That evening Edna Corrigan came down to the boathouse with a basket of bread.")
    assert paras[i + 1] == "“You two will starve out here,” she said. “Eat something.”"
    assert paras[i + 2] == "“Thank you, Mrs. Corrigan,” Pell said."
    assert paras[i - 1] == "* * *"


def test_read_html_italics_become_style_spans():
    story = read_bytes(fx.ao3_html(fx.STILL_WATER).encode())
    italic = [story.text[s.span.start : s.span.end] for s in story.styles if s.style == "italic"]
    assert italic == ["waiting", "not", "isn’t", "Finally"]


def test_read_html_style_attribute_italics_and_bold():
    page = (
        "<html><body><p>She said <span style='font-style: italic'>never</span> and "
        "<span style='FONT-WEIGHT:700'>meant</span> it, <u>truly</u>, <s>mostly</s>.</p>"
        "<p><i>All of this <b>line</b></i></p></body></html>"
    )
    story = read_html(page.encode())
    got = sorted((story.text[s.span.start : s.span.end], s.style) for s in story.styles)
    assert got == sorted(
        [
            ("never", "italic"),
            ("meant", "bold"),
            ("truly", "underline"),
            ("mostly", "strike"),
            ("All of this line", "italic"),
            ("line", "bold"),
        ]
    )
    assert story.source.format == "html"


def test_read_html_ao3_live_page_drops_landmarks_and_keeps_skipped_numbers():
    story = read_bytes(fx.ao3_live_html(fx.STILL_WATER, (1, 2, 4)).encode(), source="live.html")
    assert story.source.format == "ao3-html"
    assert "Chapter Text" not in story.text
    assert "this must never run" not in story.text  # <script> is skipped, never run
    assert "Footer" not in story.text and "Comments and kudos" not in story.text
    md = story.metadata
    assert md.rating == "Teen And Up Audiences"
    assert md.series == ("Part 2 of Lakeside Summers",)
    assert (md.words, md.chapters, md.updated) == (1234, "3/4", "2023-07-15")
    analysis = analyze_story(story)
    assert [(c.title, c.number) for c in analysis.chapters] == [("The Lake", 1), ("Chapter 2", 2), ("Lanterns", 4)]


def test_read_html_ao3_live_page_matches_download_text():
    download = read_bytes(fx.ao3_html(fx.STILL_WATER).encode())
    live = read_bytes(fx.ao3_live_html(fx.STILL_WATER, (1, 2, 4)).encode())
    assert live.text == download.text
    assert live.parts == download.parts
    assert live.styles == download.styles


def test_read_html_pipeline_chapters_and_notes():
    analysis = analyze_story(read_bytes(fx.ao3_html(fx.STILL_WATER).encode()))
    assert [(c.title, c.number) for c in analysis.chapters] == [("The Lake", 1), ("Chapter 2", 2), ("Lanterns", 4)]
    kinds = [n.kind for n in analysis.notes]
    assert kinds == [
        "summary",
        "work_notes",
        "chapter_summary",
        "chapter_notes",
        "chapter_end_notes",
        "chapter_end_notes",
        "work_end_notes",
    ]
    # Names that only appear in notes (the beta reader) are not characters.
    assert "Rowan Quill" not in {c.name for c in analysis.characters}
    assert "Juniper" not in {c.name for c in analysis.characters}
    assert analysis.rating is not None and analysis.rating.declared == "Teen And Up Audiences"


def test_read_html_metadata_in_json_output():
    analysis = analyze_story(read_bytes(fx.ao3_html(fx.STILL_WATER).encode(), source="sw.html"))
    data = json.loads(analysis.to_json())
    assert data["metadata"]["title"] == "Still Water"
    assert data["metadata"]["relationships"][0] == {
        "tag": "Tamsin Vale/Oriel March",
        "kind": "romantic",
        "names": ["Tamsin Vale", "Oriel March"],
    }
    assert data["metadata"]["characters"][2] == "Pell Arden (Lakeside Chronicles)"
    assert {p["kind"] for p in data["parts"]} >= {"summary", "chapter_body", "work_end_notes"}
    assert data["source"]["format"] == "ao3-html"
    assert type(analysis).from_json(analysis.to_json()) == analysis


def test_read_html_cli_writes_metadata(tmp_path):
    from ficnlp.cli import main

    src = tmp_path / "work.html"
    src.write_bytes(fx.ao3_html(fx.STILL_WATER).encode())
    out = tmp_path / "out.json"
    assert main(["analyze", str(src), "--json", str(out), "--quiet"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["metadata"]["rating"] == "Teen And Up Audiences"
    assert data["metadata"]["warnings"] == ["Creator Chose Not To Use Archive Warnings"]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("Underage", "Underage Sex"),
        ("Underage Sex", "Underage Sex"),
        ("Choose Not To Use Archive Warnings", "Creator Chose Not To Use Archive Warnings"),
        ("Creator Chose Not To Use Archive Warnings", "Creator Chose Not To Use Archive Warnings"),
        ("No Archive Warnings Apply", "No Archive Warnings Apply"),
    ],
)
def test_read_ao3_warning_spellings(old, new):
    assert normalise_warning(old) == new


def test_read_html_old_download_singular_labels_and_old_warning_names():
    # Older downloads never pluralise labels and say "Underage" (renamed Nov 2024).
    page = fx.ao3_html(fx.PAPER_BOATS)
    page = page.replace("<dt>Archive Warning:</dt>", "<dt>Archive Warning:</dt>").replace(
        ">No Archive Warnings Apply</a>", ">Underage</a>, <a href='x'>Choose Not To Use Archive Warnings</a>"
    )
    page = page.replace("<dt>Characters:</dt>", "<dt>Character:</dt>")
    story = read_bytes(page.encode())
    assert story.metadata.warnings == ("Underage Sex", "Creator Chose Not To Use Archive Warnings")
    assert story.metadata.characters == ("Pell Arden", "Edna Corrigan")


def test_read_ao3_relationship_kinds_and_names():
    assert parse_relationship("A/B/C") == Relationship("A/B/C", "romantic", ("A", "B", "C"))
    assert parse_relationship("Tamsin Vale & Pell Arden (Lakeside)").names == ("Tamsin Vale", "Pell Arden")
    assert parse_relationship("Just One Name") is None
    assert tag_name("Pell Arden (Lakeside Chronicles)") == "Pell Arden"
    assert tag_name("(Untitled)") == "(Untitled)"


def test_read_html_generic_page_keeps_paragraphs_and_headings():
    page = (
        "<!DOCTYPE html><html><head><title>A Walk</title><meta name='author' content='someone'>"
        "<style>p { color: red }</style></head><body><h1>Chapter 1</h1><p>It rained.</p>"
        "<h1>Chapter 2</h1><div>It stopped.<br>Then it <em>snowed</em>.</div></body></html>"
    )
    story = read_html(page.encode(), source="walk.html")
    assert story.source.format == "html"
    assert story.metadata.title == "A Walk" and story.metadata.authors == ("someone",)
    assert _paragraph_texts(story) == ["Chapter 1", "It rained.", "Chapter 2", "It stopped.", "Then it snowed."]
    assert story.parts == ()
    analysis = analyze_story(story)
    assert [c.number for c in analysis.chapters] == [1, 2]


def test_read_html_declared_charset_when_not_utf8():
    page = "<html><head><meta charset='windows-1252'></head><body><p>Caf\u00e9 \u201cnoir\u201d</p></body></html>"
    story = read_html(page.encode("cp1252"))
    assert story.text == "Café “noir”"
    assert story.source.encoding == "cp1252"


def test_read_html_xhtml_self_closing_tags_do_not_swallow_text():
    page = (
        '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title/></head>'
        '<body><div class="x"/><p>One<a id="n1"/> two.</p><p>Three.</p></body></html>'
    )
    assert _paragraph_texts(read_html(page.encode())) == ["One two.", "Three."]


def test_read_html_empty_page_is_an_empty_story_error():
    from ficnlp.errors import EmptyStoryError

    with pytest.raises(EmptyStoryError, match="no story text"):
        read_html(b"<html><body><p>&nbsp;</p><script>x()</script></body></html>", source="blank.html")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cn")), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None)
@given(st.lists(_TEXT, min_size=1, max_size=6), st.booleans())
def test_read_html_paragraphs_that_go_in_come_back_out(paragraphs, as_epub):
    chapter = dataclasses.replace(fx.PAPER_BOATS.chapters[0], paragraphs=tuple(html.escape(p) for p in paragraphs))
    work = dataclasses.replace(fx.PAPER_BOATS, chapters=(chapter,))
    data = fx.ao3_epub(work) if as_epub else fx.ao3_html(work).encode()
    expected = [t for t in (re.sub(r"[ \t\n\r\f]+", " ", p).strip() for p in paragraphs) if t]
    if not expected:
        return
    story = read_bytes(data)
    body = next(p for p in story.parts if p.kind == "chapter_body")
    got = [story.text[p.start : p.end] for p in story.paragraphs if body.span.contains(p)]
    assert got == expected
    fx.check_story_invariants(story)


def test_read_html_older_single_chapter_template_and_chapter_bylines():
    # Older show.html.erb has no h2.toc-heading before a single chapter's div.userstuff.
    page = fx.ao3_html(fx.PAPER_BOATS).replace('  <h2 class="toc-heading">Paper Boats</h2>\n', "")
    story = read_bytes(page.encode())
    assert [p.kind for p in story.parts] == ["summary", "work_notes", "chapter_body"]
    assert story.text.endswith("It’s supposed to sink.”")
    # A "Chapter by" byline (co-authored chapter) is not story text.
    page = fx.ao3_html(fx.STILL_WATER).replace(
        '<h2 class="heading">Chapter 2</h2>',
        '<h2 class="heading">Chapter 2</h2>\n<p class="byline">Chapter by <a href="x">guest</a></p>',
    )
    assert "Chapter by" not in read_bytes(page.encode()).text
