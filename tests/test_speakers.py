"""Speakers and addressees: tags, pronouns, beats, turn-taking, vocatives, chat labels."""

from __future__ import annotations

from ficnlp import analyze_text
from ficnlp.model import Analysis


def _who(a: Analysis) -> list[tuple[str, str | None]]:
    return [
        (a.text[q.span.start : q.span.end], a.character(q.speaker_id).name if q.speaker_id else None) for q in a.quotes
    ]


def test_speakers_explicit_tags_before_after_inverted_and_without_commas() -> None:
    text = (
        '"Ready?" asked Tom.\n\n"Nowhere good," Lily said.\n\n"Sure" Ana said flatly.\n\n'
        'Ben said, "Fine."\n\n"Look" Ben started "I didn\'t plan this"'
    )
    assert _who(analyze_text(text)) == [
        ('"Ready?"', "Tom"),
        ('"Nowhere good,"', "Lily"),
        ('"Sure"', "Ana"),
        ('"Fine."', "Ben"),
        ('"Look"', "Ben"),
        ('"I didn\'t plan this"', "Ben"),
    ]
    kinds = [q.kind for q in analyze_text(text).quotes]
    assert kinds == ["explicit"] * 6


def test_speakers_pronoun_tag_uses_gender_and_turns() -> None:
    text = (
        "Mira closed her book. She looked at Tomas. Tomas shook his head; he was tired.\n\n"
        '"You should sleep," she said.\n\n"I can\'t," he said.'
    )
    a = analyze_text(text)
    assert _who(a) == [('"You should sleep,"', "Mira"), ('"I can\'t,"', "Tomas")]
    assert [q.kind for q in a.quotes] == ["anaphoric", "anaphoric"]


def test_speakers_action_beat_before_the_quote() -> None:
    a = analyze_text('Alex walked over and squeezed her shoulder. "You can get over it."')
    assert _who(a) == [('"You can get over it."', "Alex")]


def test_speakers_untagged_turns_alternate() -> None:
    text = '"Where\'s the key?" asked Ivy.\n"In the drawer," said Cal.\n"Which drawer?"\n"The left one."\n"Thanks."'
    assert [w for _, w in _who(analyze_text(text))] == ["Ivy", "Cal", "Ivy", "Cal", "Ivy"]


def test_speakers_vocative_is_addressee_not_speaker() -> None:
    a = analyze_text('"You\'re late again, Beth," Marcus grumbled.\n\n"Traffic," Beth sighed.')
    first = a.quotes[0]
    assert a.character(first.speaker_id).name == "Marcus"
    assert [a.character(x).name for x in first.addressee_ids] == ["Beth"]
    assert [a.character(x).name for x in a.quotes[1].addressee_ids] == ["Marcus"]


def test_speakers_two_adjacent_quotes_are_two_turns() -> None:
    a = analyze_text('Maya and Theo stood at the door.\n\n"Ready?" "Not even close," Theo admitted.')
    assert _who(a) == [('"Ready?"', "Maya"), ('"Not even close,"', "Theo")]


def test_speakers_tag_ending_the_previous_paragraph() -> None:
    a = analyze_text('Charlotte smiled at her friend, and said,\n\n"I shall write to you very often."')
    assert _who(a) == [('"I shall write to you very often."', "Charlotte")]


def test_speakers_first_person_narrator() -> None:
    a = analyze_text('Thomas Hale met me at the station.\n\n"Where to?" I asked.\n\n"The mill," said Mr. Hale.')
    narrator = next(c for c in a.characters if c.narrator)
    assert a.quotes[0].speaker_id == narrator.id
    assert a.character(a.quotes[1].speaker_id).name == "Thomas Hale"


def test_speakers_multi_paragraph_speech_shares_its_speaker() -> None:
    a = analyze_text(
        '"I have news," said Priya. "It began in winter.\n\n"Nobody believed me.\n\n"But I saw it."\n\nJonah said nothing.'
    )
    assert {w for _, w in _who(a)} == {"Priya"}


def test_speakers_chat_lines_take_their_label() -> None:
    a = analyze_text("Her phone buzzed.\n\nAlex: where are you\nAddison: joe's\n\nAlex smiled. Addison waved.")
    assert [a.character(m.speaker_id).name for m in a.messages if m.speaker_id] == ["Alex", "Addison"]


def test_speakers_confidence_is_a_probability() -> None:
    a = analyze_text('"Hi," said Ann. "Hey." "Bye," she said.')
    assert all(0.0 <= q.confidence <= 1.0 for q in a.quotes)
