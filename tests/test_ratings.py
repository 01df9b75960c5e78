"""Rating estimate: AO3 levels, warnings, advisories and evidence spans."""

from __future__ import annotations

from ficnlp import analyze_text
from ficnlp.model import RATINGS


def test_ratings_gentle_story_is_general_audiences() -> None:
    a = analyze_text('"Tea?" asked Ann. "Please," said Bo, and they watched the garden grow.')
    assert a.rating is not None
    assert a.rating.estimate == "General Audiences"
    assert a.rating.warnings == ("No Archive Warnings Apply",)
    assert a.rating.evidence == ()


def test_ratings_swearing_and_drinking_is_teen() -> None:
    a = analyze_text('"Shit," said Ann, pouring more vodka. "This fucking day." She was drunk by noon.')
    assert a.rating is not None
    assert a.rating.estimate == "Teen And Up Audiences"
    assert set(a.rating.advisories) == {"strong language", "alcohol/drugs"}


def test_ratings_explicit_scene_is_explicit_with_evidence_spans() -> None:
    scene = (
        "She straddled him, naked, and he thrust inside her slowly. She moaned as his cock filled her; "
        "he rubbed her clit until her orgasm hit, and then his own climax. "
    )
    a = analyze_text(scene * 3)
    assert a.rating is not None
    assert a.rating.estimate == "Explicit"
    assert "sexual content" in a.rating.advisories
    spans = [e.span for e in a.rating.evidence]
    assert spans == sorted(spans)
    assert all(0 <= s.start < s.end <= len(a.text) for s in spans)
    assert {a.text[s.start : s.end].lower() for s in spans} >= {"clit", "cock", "orgasm"}


def test_ratings_graphic_violence_warning() -> None:
    text = "He tortured the prisoner. Blood pooled on the floor; the guard was decapitated and another mutilated. " * 2
    a = analyze_text(text)
    assert a.rating is not None
    assert "Graphic Depictions Of Violence" in a.rating.warnings
    assert RATINGS.index(a.rating.estimate) >= RATINGS.index("Mature")


def test_ratings_author_notes_do_not_count() -> None:
    a = analyze_text(
        "A/N: warning, smut and cock and clit and orgasm ahead, fuck yes!\n\nThey drank tea in the garden."
    )
    assert a.rating is not None
    assert a.rating.estimate == "General Audiences"
