"""Structure: notes, chapters, scenes, time skips, lyrics, chat lines."""

from __future__ import annotations

import pytest

from ficnlp import analyze_text
from ficnlp.model import Analysis
from ficnlp.segment import parse_chapter_heading


def _texts(a: Analysis, spans: object) -> list[str]:
    return [a.text[s.start : s.end] for s in spans]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Chapter 3: The Lake", ("The Lake", 3)),
        ("CHAPTER IV.", ("CHAPTER IV.", 4)),
        ("Chapter One - Beginnings", ("Beginnings", 1)),
        ("Chapter Twenty-Two", ("Chapter Twenty-Two", 22)),
        ("Prologue", ("Prologue", None)),
        ("Epilogue: After", ("After", None)),
        ("Chapter 1 was the best part of the book.", None),
        ("He read chapter 3 twice.", None),
    ],
)
def test_segment_parse_chapter_heading(line: str, expected: tuple[str, int | None] | None) -> None:
    assert parse_chapter_heading(line) == expected


def test_segment_notes_at_start_end_and_disclaimer() -> None:
    text = (
        "A/N: Thanks for reading!\n\nDisclaimer: I don't own these characters.\n\n"
        'Chapter 1: Rain\n\nIt rained. "Hi," said Ann.\n\nAuthor\'s Note: Please review!\n'
    )
    a = analyze_text(text)
    assert [(n.kind, a.text[n.span.start : n.span.end][:10]) for n in a.notes] == [
        ("author_note", "A/N: Thank"),
        ("disclaimer", "Disclaimer"),
        ("author_note", "Author's N"),
    ]
    assert [c.title for c in a.chapters] == ["Rain"]


def test_segment_chapters_keep_skipped_numbers_and_span_to_next_heading() -> None:
    text = "Chapter 1\n\nRain.\n\nChapter 2\n\nMore rain.\n\nChapter 4\n\nSun."
    a = analyze_text(text)
    assert [(c.title, c.number) for c in a.chapters] == [("Chapter 1", 1), ("Chapter 2", 2), ("Chapter 4", 4)]
    assert a.chapters[0].span.end <= a.chapters[1].span.start
    assert a.text[a.chapters[2].span.start : a.chapters[2].span.end] == "Chapter 4\n\nSun."


def test_segment_title_on_line_after_heading() -> None:
    a = analyze_text("CHAPTER I.\n\nDown the Rabbit-Hole\n\nAlice was tired.\n\nCHAPTER II.\n\nThe Pool\n\nShe cried.")
    assert [c.title for c in a.chapters] == ["Down the Rabbit-Hole", "The Pool"]


def test_segment_bare_numbers_are_headings_only_in_sequence() -> None:
    a = analyze_text("I\n\nShe walked.\n\nII\n\nHe ran.\n\nIII\n\nThey met.")
    assert [c.number for c in a.chapters] == [1, 2, 3]
    b = analyze_text("I\n\nShe walked and walked.")
    assert len(b.chapters) == 1 and b.chapters[0].number is None


def test_segment_scene_breaks_of_many_shapes_and_no_extra_chapters() -> None:
    text = (
        "Morning.\n\n* * *\n\nNoon.\n\n~x~\n\nEvening.\n\noOo\n\nNight.\n\n----------\n\nDawn.\n\nLine Break\n\nDusk."
    )
    a = analyze_text(text)
    assert len(a.chapters) == 1
    assert _texts(a, [s.span for s in a.scenes]) == ["Morning.", "Noon.", "Evening.", "Night.", "Dawn.", "Dusk."]


def test_segment_wide_blank_gap_is_a_scene_break_when_rare() -> None:
    paras = [f"Paragraph {i} of the story." for i in range(12)]
    text = "\n\n".join(paras[:6]) + "\n\n\n\n" + "\n\n".join(paras[6:])
    a = analyze_text(text)
    assert len(a.scenes) == 2
    uniform = "\n\n\n".join(paras)  # every gap the same width: no breaks
    assert len(analyze_text(uniform).scenes) == 1


def test_segment_time_skips_are_standalone_short_lines() -> None:
    text = "They parted.\n\n1 month later.\n\nThey met.\n\n*Three years earlier*\n\nBefore.\n\nHalf an hour later and she slept."
    a = analyze_text(text)
    assert _texts(a, [t.span for t in a.time_skips]) == ["1 month later.", "*Three years earlier*"]
    assert len(a.scenes) == 3  # a time skip opens a scene


def test_segment_lyrics_block_unquoted_verse() -> None:
    text = (
        "He picked up the guitar.\n\nWhen the night is long and the road runs cold\n"
        "I will carry every word you never told\n\nShe smiled."
    )
    a = analyze_text(text)
    assert _texts(a, [ly.span for ly in a.lyrics]) == [
        "When the night is long and the road runs cold\nI will carry every word you never told"
    ]


def test_segment_prose_lines_and_dialogue_lines_are_not_lyrics() -> None:
    a = analyze_text('"Where?" asked Ivy.\n"Here," said Cal.\n"Which?"\n"Left."')
    assert a.lyrics == ()
    b = analyze_text("She ran to the door and opened it wide.\nIt was raining again, as it always did.")
    assert b.lyrics == ()


def test_segment_chat_lines_need_a_run_or_a_texting_cue() -> None:
    text = "Her phone buzzed.\n\nAlex: where are you\nAddison: joe's\nAlex: coming\n\nShe put it away."
    a = analyze_text(text)
    assert [m.label for m in a.messages] == ["Alex", "Addison", "Alex"]
    assert a.text[a.messages[1].label_span.start : a.messages[1].label_span.end] == "Addison"
    lone = analyze_text("Warning: this gets sad.\n\nShe cried.")
    assert lone.messages == ()


def test_segment_inline_author_note_in_parentheses() -> None:
    a = analyze_text("She left (A/N: sorry, short chapter!) and never came back.")
    assert [a.text[n.span.start : n.span.end] for n in a.notes] == ["(A/N: sorry, short chapter!)"]
