"""FanFicFare output: the one-file HTML (notes under varied labels) and the TXT layout."""

from __future__ import annotations

import pytest

import fic_fixtures as fx
from ficnlp.pipeline import analyze_story
from ficnlp.read import read_bytes
from ficnlp.read.fanficfare import apply_titlepage_fields, looks_like_fff_txt, read_fff_txt


def _parts(story, kind):
    return [story.text[p.span.start : p.span.end] for p in story.parts if p.kind == kind]


def test_read_fanficfare_html_metadata_and_parts():
    story = read_bytes(fx.fff_html(fx.STILL_WATER).encode(), source="sw.fff.html")
    assert story.source.format == "fff-html"
    md = story.metadata
    assert (md.title, md.authors, md.url) == (
        "Still Water",
        ("lanternfish",),
        "https://archiveofourown.org/works/4000001",
    )
    assert md.rating == "Teen And Up Audiences"
    assert md.warnings == ("Creator Chose Not To Use Archive Warnings",)
    assert md.characters == ("Tamsin Vale", "Oriel March", "Pell Arden (Lakeside Chronicles)", "Edna Corrigan")
    assert md.series == ("Part 2 of Lakeside Summers",)
    assert (md.published, md.updated, md.completed) == ("2023-06-01", "2023-07-15", None)
    assert dict(md.extra)["status"] == "In-Progress"
    assert md.summary == "Tamsin Vale comes home to the lake for one last summer. Oriel March has been waiting."
    assert "Table of Contents" not in story.text
    fx.check_story_invariants(story)


def test_read_fanficfare_notes_keyed_on_classes_not_labels():
    # The fixture HTML uses labels another FFF version would write ("Author Notes:",
    # "Chapter Summary:", "End Notes:"); the default-label EPUB must give the same parts.
    varied = read_bytes(fx.fff_html(fx.STILL_WATER, fx.VARIED_LABELS).encode())
    default = read_bytes(fx.fff_html(fx.STILL_WATER, fx._DEFAULT_LABELS).encode())
    assert [(p.kind, p.chapter) for p in varied.parts] == [(p.kind, p.chapter) for p in default.parts]
    assert varied.text == default.text
    assert "Author Notes" not in varied.text and "Notes for the Chapter" not in default.text
    assert _parts(varied, "chapter_summary") == ["Tamsin comes home."]
    assert _parts(varied, "work_end_notes") == ["Thank you for reading! Come and say hello."]


def test_read_fanficfare_unlabelled_notes_fall_back_to_position():
    page = fx.fff_html(fx.STILL_WATER).replace("<b>End Notes:</b>", "")
    story = read_bytes(page.encode())
    assert _parts(story, "chapter_end_notes")[0] == "Next chapter: boats! Rowan Quill says hi."


def test_read_fanficfare_html_and_epub_give_the_same_text():
    html_story = read_bytes(fx.fff_html(fx.STILL_WATER, fx._DEFAULT_LABELS).encode())
    epub_story = read_bytes(fx.fff_epub(fx.STILL_WATER))
    assert html_story.text == epub_story.text
    assert html_story.parts == epub_story.parts


def test_read_fanficfare_txt_detected_and_text_kept_exactly():
    data = fx.fff_txt(fx.STILL_WATER)
    assert b"\r\n" in data and looks_like_fff_txt(data)
    assert not looks_like_fff_txt(fx.plain_text(fx.STILL_WATER).encode())
    story = read_bytes(data, source="sw.fff.txt")
    assert story.source.format == "fff-txt"
    assert story.text == data.decode("utf-8")  # never rewritten: CRLF and wrapping kept
    fx.check_story_invariants(story)


def test_read_fanficfare_txt_metadata_with_wrapped_values():
    md = read_bytes(fx.fff_txt(fx.STILL_WATER)).metadata
    # "Characters:" wraps at 78 columns onto a second line.
    assert md.characters == ("Tamsin Vale", "Oriel March", "Pell Arden (Lakeside Chronicles)", "Edna Corrigan")
    assert (md.title, md.authors) == ("Still Water", ("lanternfish",))
    assert md.summary == "Tamsin Vale comes home to the lake for one last summer. Oriel March has been waiting."
    assert md.fandoms == ("Lakeside Chronicles (Invented)",)
    assert md.categories == ("F/F", "Gen")
    assert md.words == 1234 and md.chapters == "3"
    done = read_bytes(fx.fff_txt(fx.PAPER_BOATS)).metadata
    assert done.completed == "2022-03-03" and dict(done.extra)["status"] == "Completed"


def test_read_fanficfare_txt_parts():
    story = read_bytes(fx.fff_txt(fx.STILL_WATER))
    assert _parts(story, "chapter_title") == ["1. The Lake", "2. Chapter 2", "3. Lanterns"]
    assert _parts(story, "afterword") == ["End file."]
    assert _parts(story, "preface")[1].startswith("TABLE OF CONTENTS")
    assert _parts(story, "summary")[0].startswith("Summary: Tamsin Vale comes home")
    kinds = [(p.kind, p.chapter) for p in story.parts if p.kind not in ("preface", "summary", "afterword")]
    assert kinds == [
        ("chapter_title", 0),
        ("work_notes", None),
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
    italic = [story.text[s.span.start : s.span.end] for s in story.styles if s.style == "italic"]
    assert italic == ["not", "isn’t", "Finally"]
    analysis = analyze_story(story)
    assert [(c.title, c.number) for c in analysis.chapters] == [("The Lake", 1), ("Chapter 2", 2), ("Lanterns", 3)]
    # Title-page lines ("Published: 2023-06-01") lie in a preface note, so they are not chat lines.
    assert analysis.messages == ()
    assert [n.kind for n in analysis.notes][:3] == ["preface", "summary", "preface"]


def test_read_fanficfare_txt_headings_indented_with_spaces():
    # textwrap (wrap_width 78) expands the heading's tab to eight spaces.
    data = fx.fff_txt(fx.STILL_WATER).replace(b"\r\n\t", b"\r\n        ")
    story = read_fff_txt(data)
    assert _parts(story, "chapter_title") == ["1. The Lake", "2. Chapter 2", "3. Lanterns"]


def test_read_fanficfare_txt_without_toc():
    text = fx.fff_txt(fx.PAPER_BOATS).decode()
    head, _, rest = text.partition("\r\n\r\nTABLE OF CONTENTS")
    rest = rest[rest.index("\r\n\r\n\t") :]
    story = read_fff_txt((head + "\r\n\r\n" + rest).encode())
    assert _parts(story, "chapter_title") == ["Paper Boats"]
    assert story.metadata.rating == "General Audiences"


@pytest.mark.parametrize(
    ("genre", "categories", "tags"),
    [
        ("Angst, M/M, Gen", ("M/M", "Gen"), ("Angst",)),
        ("Fluff", (), ("Fluff",)),
    ],
)
def test_read_fanficfare_genre_splits_into_categories_and_tags(genre, categories, tags):
    from ficnlp.read.ao3 import MetadataBuilder

    meta = MetadataBuilder()
    apply_titlepage_fields(meta, [("Genre", genre), ("Series", "Summers [3]"), ("Kudos", "12")])
    md = meta.build()
    assert md.categories == categories and md.additional_tags == tags
    assert md.series == ("Part 3 of Summers",)
    assert dict(md.extra)["kudos"] == "12"
