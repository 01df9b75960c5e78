"""Reading plain text: encodings, exact text, paragraphs, clear errors."""

from __future__ import annotations

import codecs
import itertools
from pathlib import Path

import pytest

from ficnlp.errors import DecodeError, EmptyStoryError, InputError
from ficnlp.read import detect_format, read_bytes, read_story
from ficnlp.read.plain import decode_bytes, find_paragraphs

STORY = "“Hello,” said Ann.\r\n\r\n“Bye,” said Ben — and left.\r\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (STORY.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + STORY.encode("utf-8"), "utf-8"),
        (STORY.encode("utf-16"), "utf-16"),
        (STORY.encode("utf-16-le"), "utf-16-le"),
        (STORY.encode("cp1252"), "cp1252"),
    ],
)
def test_read_plain_decodes_common_encodings_to_the_exact_text(data: bytes, encoding: str) -> None:
    story = read_bytes(data, source="story.txt")
    assert story.text == STORY  # CRLF kept, nothing rewritten, BOM dropped
    assert story.source.encoding == encoding
    assert story.source.format == "txt"


def test_read_plain_forced_encoding_error_names_file_and_byte() -> None:
    with pytest.raises(DecodeError) as err:
        read_bytes("naïve".encode(), source="s.txt", encoding="ascii")
    assert err.value.source == "s.txt"
    assert err.value.position == 2
    assert "--encoding" in str(err.value)


def test_read_plain_empty_and_blank_files_are_refused_by_name(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyStoryError, match=r"empty\.txt"):
        read_story(empty)
    blank = tmp_path / "blank.txt"
    blank.write_bytes(b" \n\t\n")
    with pytest.raises(EmptyStoryError, match=r"blank\.txt"):
        read_story(blank)


def test_read_plain_binary_file_is_refused(tmp_path: Path) -> None:
    png = tmp_path / "picture.txt"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06")
    with pytest.raises(DecodeError, match=r"picture\.txt") as err:
        read_story(png)
    assert "binary" in str(err.value)


def test_read_story_missing_file_and_folder_get_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_story(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="folder"):
        read_story(tmp_path)


def test_read_plain_detect_format_from_content() -> None:
    assert detect_format(b"PK\x03\x04rest") == "epub"
    assert detect_format(b"<!DOCTYPE html><html><body><p>x</p></body></html>") == "html"
    assert detect_format(b"Chapter 1\n\nIt was a dark night.") == "txt"


def test_read_plain_story_id_is_content_hash() -> None:
    a = read_bytes(b"One story.", source="a.txt")
    b = read_bytes(b"One story.", source="b.txt")
    c = read_bytes(b"Another story.", source="a.txt")
    assert a.id == b.id != c.id
    assert len(a.id) == 16


def test_find_paragraphs_one_per_line_when_not_wrapped() -> None:
    text = '"Where?" asked Ivy.\n"Here," said Cal.\n\nThe end.'
    paras = [text[p.start : p.end] for p in find_paragraphs(text)]
    assert paras == ['"Where?" asked Ivy.', '"Here," said Cal.', "The end."]


def test_find_paragraphs_joins_hard_wrapped_lines() -> None:
    line = "The quick brown fox jumped over the lazy dog and kept on running far"
    para = "\n".join([line] * 5) + "\nend."
    text = para + "\n\n" + para + "\n\nA short line.\nAnother short line."
    paras = [text[p.start : p.end] for p in find_paragraphs(text)]
    assert paras[:2] == [para, para]
    assert paras[2:] == ["A short line.", "Another short line."]


def test_find_paragraphs_blank_line_blocks_keep_ragged_lines_together() -> None:
    # Gutenberg layout: paragraphs are blocks between blank lines, wrapped near 70 code
    # points. A wrapping tool leaves some lines short; the word after one would have
    # fitted, yet the block is still one paragraph.
    line = "The quick brown fox jumped over the lazy dog and kept on running far"
    block = "\n".join([line] * 3) + "\nend."
    ragged = '"It is nicer than going round by the road; that is so dusty\nand hot," said Ivy, looking into her basket.'
    text = "\n\n".join([block] * 12 + [ragged, block])
    paras = [text[p.start : p.end] for p in find_paragraphs(text)]
    assert paras == [block] * 12 + [ragged, block]


def test_find_paragraphs_spans_are_trimmed_sorted_and_disjoint() -> None:
    text = "  one  \n\n\n two\r\n\r\nthree   "
    spans = find_paragraphs(text)
    assert [text[s.start : s.end] for s in spans] == ["one", "two", "three"]
    assert all(a.end <= b.start for a, b in itertools.pairwise(spans))


def test_decode_bytes_utf16_without_bom() -> None:
    text, enc = decode_bytes("Hello there, said Ann.".encode("utf-16-be"))
    assert text == "Hello there, said Ann." and enc == "utf-16-be"
