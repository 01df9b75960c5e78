"""Properties over generated stories (hypothesis): never crash, spans valid, JSON round trip."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ficnlp
from ficnlp.errors import FicnlpError
from ficnlp.model import Analysis

WORDS = st.sampled_from(
    [
        "Ann",
        "Bo",
        "said",
        "asked",
        "she",
        "he",
        "the",
        "door",
        "Mr.",
        "Hale",
        "A/N:",
        "Chapter",
        "1",
        "* * *",
        "~x~",
        '"',
        "'",
        "“",
        "”",
        "‘",
        "’",
        ",",
        ".",
        "?",
        "!",
        "\n",
        "\n\n",
        "\n\n\n",
        "…",
        "😀",
        "\r\n",
        "Kitty",
        "Katherine",
    ]
)
STORY = st.lists(WORDS, min_size=1, max_size=80).map(" ".join)
ANY_TEXT = st.text(min_size=1, max_size=300)


def _check(a: Analysis) -> None:
    n = len(a.text)
    layers = [q.span for q in a.quotes] + [m.span for m in a.mentions] + [x.span for x in a.notes]
    layers += [c.span for c in a.chapters] + [s.span for s in a.scenes] + list(a.story.paragraphs)
    assert all(0 <= s.start <= s.end <= n for s in layers)
    for layer in (a.quotes, a.notes, a.scenes, a.chapters, a.mentions, a.time_skips, a.lyrics, a.messages):
        starts = [x.span.start for x in layer]
        assert starts == sorted(starts)
    ids = {c.id for c in a.characters}
    assert all(q.speaker_id is None or q.speaker_id in ids for q in a.quotes)
    assert all(set(q.addressee_ids) <= ids for q in a.quotes)
    assert all(0.0 <= q.confidence <= 1.0 for q in a.quotes)
    assert Analysis.from_json(a.to_json()) == a


def _analyze_and_check(text: str) -> None:
    try:
        a = ficnlp.analyze_text(text)
    except FicnlpError:
        return
    assert a.text == text
    _check(a)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(STORY)
def test_properties_story_like_text(text: str) -> None:
    _analyze_and_check(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_properties_arbitrary_unicode(text: str) -> None:
    _analyze_and_check(text)


@settings(max_examples=40, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_properties_arbitrary_bytes_only_raise_ficnlp_errors(data: bytes) -> None:
    try:
        a = ficnlp.analyze(data)
    except FicnlpError:
        return
    _check(a)
