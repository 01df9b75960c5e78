"""Quotations: marks of every kind, apostrophes, multi-paragraph speech, nesting, notes."""

from __future__ import annotations

import itertools

from ficnlp import Config, analyze_text
from ficnlp.model import Analysis
from ficnlp.quotes import detect_quote_style


def _quotes(a: Analysis) -> list[str]:
    return [a.text[q.span.start : q.span.end] for q in a.quotes]


def test_quotes_curly_straight_and_spaced() -> None:
    assert _quotes(analyze_text("“That’s it,” she said. “Go.”")) == ["“That’s it,”", "“Go.”"]
    assert _quotes(analyze_text('"Look" Ben started "I didn\'t plan this"')) == ['"Look"', '"I didn\'t plan this"']
    spaced = analyze_text('The sky went dark. " What is it? " asked Beth. " Nothing, " said Omar.')
    assert _quotes(spaced) == ['" What is it? "', '" Nothing, "']


def test_quotes_british_single_marks_with_apostrophes() -> None:
    text = "'I'm not goin' back,' said Jess. 'Not after the Jones' place.'\n\n'Nobody's making you,' Sam replied."
    a = analyze_text(text)
    assert _quotes(a) == ["'I'm not goin' back,'", "'Not after the Jones' place.'", "'Nobody's making you,'"]
    assert detect_quote_style(text) == "single"


def test_quotes_leading_elisions_are_not_opening_marks() -> None:
    a = analyze_text("'Cause I said so,' she snapped. 'Tell 'em to wait.'", Config(quote_style="single"))
    assert _quotes(a)[-1] == "'Tell 'em to wait.'"


def test_quotes_multi_paragraph_speech_is_linked() -> None:
    text = '"I have news," said Priya. "It started last winter.\n\n"Nobody believed me.\n\n"But I saw it."\n\nJonah said nothing.'
    a = analyze_text(text)
    assert _quotes(a) == ['"I have news,"', '"It started last winter.', '"Nobody believed me.', '"But I saw it."']
    assert [q.continues for q in a.quotes] == [None, None, a.quotes[1].id, a.quotes[2].id]


def test_quotes_run_on_verse_without_reopening_marks() -> None:
    text = 'He sang.\n\n"When the night is long\nAnd the road runs cold\n\nI will carry you"\n\nShe cried.'
    a = analyze_text(text)
    assert _quotes(a) == ['"When the night is long\nAnd the road runs cold\n\nI will carry you"']


def test_quotes_nested_quote_belongs_to_outer() -> None:
    a = analyze_text("\"He told me 'never again' and left,\" said Ann.")
    assert _quotes(a) == ["\"He told me 'never again' and left,\""]


def test_quotes_in_author_notes_are_not_dialogue() -> None:
    a = analyze_text(
        'A/N: I love the line \'you only live once\' and "carpe diem".\n\nKit opened the door. "Hello?" she called.'
    )
    assert _quotes(a) == ['"Hello?"']


def test_quotes_mentioned_words_are_not_speech() -> None:
    a = analyze_text('She disliked the word "clever" almost as much as he did. "Clever," he said.')
    assert _quotes(a) == ['"Clever,"']
    a = analyze_text('They managed large estates and "conservative" investments. "Dull," she said.')
    assert _quotes(a) == ['"Dull,"']


def test_quotes_unclosed_at_paragraph_end_stops_there() -> None:
    a = analyze_text('"I just want something real….\n\n"Oh god" Addison gasped.')
    assert _quotes(a) == ['"I just want something real….', '"Oh god"']


def test_quotes_spans_are_sorted_and_disjoint() -> None:
    a = analyze_text('"A," he said. "B," she said. "C?" "D!"\n\n"E" F "G"')
    spans = [q.span for q in a.quotes]
    assert spans == sorted(spans)
    assert all(x.end <= y.start for x, y in itertools.pairwise(spans))
    assert [q.id for q in a.quotes] == [f"q{i}" for i in range(len(a.quotes))]
