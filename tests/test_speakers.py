"""Speakers and addressees: tags, pronouns, beats, turn-taking, vocatives, chat labels."""

from __future__ import annotations

from ficnlp import Config, analyze_text
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


def test_speakers_subject_of_the_speech_verb_before_the_quote() -> None:
    text = (
        "Lady Fenwick, with great civility, begged her guest to sit; but Captain Orme very firmly declined, "
        "and then rising up, said to Lady Fenwick,\n\n"
        '"I must be on the road before dark."'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert _who(a) == [('"I must be on the road before dark."', "Captain Orme")]
    assert [a.character(x).name for x in a.quotes[0].addressee_ids] == ["Lady Fenwick"]


def test_speakers_subordinate_clause_subject_is_not_the_speaker() -> None:
    text = (
        "Tobias Crane listened to Wilhelmina with patience, and when she ceased speaking, replied thus,\n\n"
        '"Then we shall say no more about it."'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert _who(a) == [('"Then we shall say no more about it."', "Tobias Crane")]


def test_speakers_tag_split_over_a_line_break() -> None:
    # Hard-wrapped text (lines of ~70 characters, blank lines between paragraphs): the
    # tag's verb and name sit on two lines of one paragraph.
    text = (
        "Rosalind looked up at Edgar over the top of her book and considered him\n"
        "for a long moment before she put it down on the arm of her chair and\n"
        "folded her hands.\n\n"
        "Edgar stood by the window with his back to the room and watched the rain\n"
        'run down the glass. "I hope you will come again very soon," said\n'
        'Rosalind at last. "Tomorrow, perhaps, if the weather is kinder to us."\n\n'
        "He did not answer her at once, and the clock on the mantelpiece ticked\n"
        "through the silence while the fire settled in the grate behind them.\n"
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert len(a.story.paragraphs) == 3
    assert [w for _, w in _who(a)] == ["Rosalind", "Rosalind"]


def test_speakers_descriptive_tag_takes_the_gender_of_its_noun() -> None:
    text = (
        "Harold Vane came home late. He hung up his coat. Martha Vane was waiting; she had kept the soup warm.\n\n"
        '"You are late again," said his wife.\n\n'
        '"The train stopped twice," said Harold.'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert _who(a)[0] == ('"You are late again,"', "Martha Vane")
    assert a.quotes[0].kind == "anaphoric"


def test_speakers_addressee_named_in_the_tag_is_not_the_speaker() -> None:
    text = (
        "Charlotte Pell was in high spirits; she laughed at everything her husband said.\n\n"
        '"He is so droll!" said she, in a whisper, to Elinor. "He is always out of humour."'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert [w for _, w in _who(a)] == ["Charlotte Pell", "Charlotte Pell"]
    assert [a.character(x).name for x in a.quotes[0].addressee_ids] == ["Elinor"]


def _first_person_story() -> str:
    """An invented first-person story: the others call the narrator Wren."""
    turns = [
        "Poirette met me at the gate of the old house.",
        '"You are late, Wren," said Poirette.',
        '"The train was slow," I said.',
        '"Never mind. Come in, Wren, and see what I have found."',
        "I followed her into the hall, where the lamps were already lit.",
        '"What is it?" I asked.',
        '"A letter, Wren. Read it."',
        '"It is not signed," I said.',
        '"Exactly," said Poirette. "That is what interests me."',
        "We sat by the fire while the rain beat on the windows.",
        '"Do you think the gardener wrote it?" I asked.',
        '"I think, my dear Wren, that nobody in this house tells the truth."',
        '"Not even you?" I said.',
        '"Least of all me," said Poirette, and she smiled.',
    ]
    return "\n\n".join(turns)


def test_speakers_narrator_takes_the_name_others_call_it() -> None:
    a = analyze_text(_first_person_story())
    narrators = [c for c in a.characters if c.narrator]
    assert len(narrators) == 1
    narrator = narrators[0]
    assert narrator.name == "Wren"
    assert not any(c.name == "Wren" and not c.narrator for c in a.characters)
    mine = [a.text[q.span.start : q.span.end] for q in a.quotes if q.speaker_id == narrator.id]
    assert mine == [
        '"The train was slow,"',
        '"What is it?"',
        '"It is not signed,"',
        '"Do you think the gardener wrote it?"',
        '"Not even you?"',
    ]
    # Mentions of the name inside the others' quotes now point at the narrator.
    wren_mentions = [m for m in a.mentions if a.text[m.span.start : m.span.end] == "Wren"]
    assert wren_mentions and all(m.character_id == narrator.id for m in wren_mentions)
    assert all(narrator.id in q.addressee_ids for q in a.quotes if "Wren" in a.text[q.span.start : q.span.end])


def test_speakers_narrator_without_a_name_stays_narrator() -> None:
    a = analyze_text('Thomas Hale met me at the station.\n\n"Where to?" I asked.\n\n"The mill," said Mr. Hale.')
    narrator = next(c for c in a.characters if c.narrator)
    assert narrator.name == "Narrator"


def test_speakers_tag_shapes_from_older_prose() -> None:
    # Invented lines in the shapes PDNC's tags take (docs/speakers.md, "Reading the tags").
    text = (
        "Orla Finch and Piers Dunmore walked by the river with Quentin Hale.\n\n"
        '"The water is high this year," Orla related to Piers.\n\n'
        '"Higher than I have ever seen it," drivelled old Quentin Hale.\n\n'
        '"We should turn back," Piers heard Orla say in an undertone.\n\n'
        '"Not yet," said the voice of Quentin Hale from behind them.\n\n'
        'Orla told Piers, "I will go on alone, then."\n\n'
        "The rain began again, when Piers interrupted her by exclaiming--\n\n"
        '"You will do no such thing!"'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert [w for _, w in _who(a)] == [
        "Orla Finch",
        "Quentin Hale",
        "Orla Finch",
        "Quentin Hale",
        "Orla Finch",
        "Piers Dunmore",
    ]
    assert all(q.kind == "explicit" for q in a.quotes)
    # "Orla told Piers": Piers is spoken to.
    assert [a.character(x).name for x in a.quotes[4].addressee_ids] == ["Piers Dunmore"]


def test_speakers_relative_clause_and_object_do_not_hide_the_speaker() -> None:
    text = (
        "Ronan Pike and Ivo Marsh had ridden out to meet Tessa Wray. Ronan Pike was tired; Ivo Marsh was not.\n\n"
        "Tessa was met at the gate by Ronan Pike, who, running to her, cried in a half whisper, "
        '"You came after all!"\n\n'
        "Ivo Marsh, who had heard it all, and borne Ronan company the whole evening, now ventured to say, "
        '"Perhaps she will stay the night."'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert [w for _, w in _who(a)] == ["Ronan Pike", "Ivo Marsh"]


def test_speakers_capitalised_title_names_its_holder() -> None:
    # Tobin, a man named last before the tag, is what "he" would resolve to; the title
    # names the doctor.
    text = (
        "Dr. Alder Voss set down the bag. Nell Quarry watched from the door. Tobin Quarry came in with "
        "the lamp and set it down by the bed; he rubbed his eyes, and Tobin looked at the sick man.\n\n"
        '"Will he live?" asked Nell.\n\n'
        '"He will," returned the Doctor. "If he rests."'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    voss = next(c.name for c in a.characters if "Voss" in c.name)
    assert [w for _, w in _who(a)][1:] == [voss, voss]
    assert a.quotes[1].kind == "anaphoric"


def test_speakers_described_speaker_takes_the_name_others_call_it() -> None:
    text = (
        "Mr. Brownlow lived in a quiet street. Oliver knocked at the door.\n\n"
        '"Come in, child," said the old gentleman.\n\n"Thank you, Mr. Brownlow," said Oliver.\n\n'
        '"Sit by the fire," said the old gentleman.\n\n"You are very kind, Mr. Brownlow," said Oliver.\n'
    )
    a = analyze_text(text)
    speakers = {a.character(q.speaker_id).name for q in a.quotes if q.speaker_id}
    assert speakers == {"Mr. Brownlow", "Oliver"}
    brownlow = next(c for c in a.characters if c.name == "Mr. Brownlow")
    assert "the old gentleman" in brownlow.aliases


def test_speakers_epithet_tag_is_the_named_person_of_its_scene() -> None:
    # "the old gentleman" is Mr. Hollis in the first scene and Mr. Crane in the second:
    # an epithet goes to the person named before it in its own scene, not to the other
    # speaker of the conversation.
    text = (
        "Mr. Hollis sat by the window of the shop. Rosa came in with the letters.\n\n"
        '"Put them on the desk," said the old gentleman.\n\n'
        '"All of them?" Rosa asked.\n\n'
        '"All of them," said the old gentleman.\n\n'
        "* * *\n\n"
        "Mr. Crane was waiting at the station when the train came in. Rosa stepped down.\n\n"
        '"You are late," said the old gentleman.\n\n'
        '"The train was late," Rosa said.\n'
    )
    a = analyze_text(text)
    assert [name for _, name in _who(a)] == ["Mr. Hollis", "Rosa", "Mr. Hollis", "Mr. Crane", "Rosa"]


def test_speakers_utterance_named_as_someones_and_subject_before_a_semicolon() -> None:
    text = (
        '"Good day," said Mr. Pell. Mr. Pell bowed. Nora looked at Jane.\n\n'
        '"Good day," said Jane. "Nora, sit down."\n\n'
        "Mr. Pell was gratified; and with a more solemn air replied,\n\n"
        '"You are too kind."\n\n'
        "Jane laughed.\n\n"
        '"Will four o\'clock suit you?" said Jane.\n\n'
        "\"Yes, ma'am,\" was Nora's humble answer.\n"
    )
    who = _who(analyze_text(text))
    assert who[3] == ('"You are too kind."', "Mr. Pell")
    assert who[5] == ('"Yes, ma\'am,"', "Nora")


def test_speakers_kinship_tag_names_the_relative_not_the_possessor() -> None:
    text = (
        '"Good morning," said Mrs. Wren. Mrs. Wren sat down. Lucy Wren smiled at Mr. Hale.\n\n'
        '"Good morning," said Lucy.\n\n'
        '"Well, Lucy," continued her mother soon afterwards, "what do you think of him?"\n\n'
        '"Nothing at all," said Lucy.\n'
    )
    who = _who(analyze_text(text))
    assert who[2] == ('"Well, Lucy,"', "Mrs. Wren")
    assert who[3] == ('"what do you think of him?"', "Mrs. Wren")


def test_speakers_lowercase_rank_in_a_tag_names_its_holder() -> None:
    text = (
        "Doctor Losby came up the stairs with Mr. Giles. Rose waited.\n\n"
        '"Is he hurt?" said Rose.\n\n'
        '"Not badly," replied the doctor, "though he is weak."\n\n'
        '"Thank heaven," said Mr. Giles.\n'
    )
    who = _who(analyze_text(text))
    assert who[1] == ('"Not badly,"', "Doctor Losby")


def test_speakers_name_after_a_telling_verb_is_the_one_told() -> None:
    text = (
        "Hamid and Aziz sat on the veranda. Aziz smoked.\n\n"
        'Hamid murmured, "It is late," and warned Aziz "Do not go to the Club tonight."\n\n'
        '"Why not?" said Aziz.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[1] == ('"Do not go to the Club tonight."', "Hamid")


def test_speakers_narration_paragraph_before_an_untagged_quote_is_a_beat() -> None:
    text = (
        '"I was only saying hello," Sam said.\n\n'
        '"Go and restock your rig, Sam," Theo said.\n\n'
        "Sam went. Ana watched him go, then turned to Theo.\n\n"
        '"You okay, honey?"\n\n'
        '"I am great," Theo said.\n\n'
        "Theo sat on the ledge with her heels against the brick.\n\n"
        '"Get off the ledge, Theo."\n'
    )
    who = dict(_who(analyze_text(text, Config(use_speaker_model=False))))
    assert who['"You okay, honey?"'] == "Ana"
    # The paragraph's subject is addressed by name in the quote: not the speaker.
    assert who['"Get off the ledge, Theo."'] != "Theo"


def test_speakers_phrasal_speech_verb_names_the_speaker() -> None:
    text = (
        "Mrs. Herriton kissed her and left the room.\n\n"
        '"Is the young person mad?" burst out Philip.\n\n'
        '"Not at all," Harriet put in.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who == [('"Is the young person mad?"', "Philip"), ('"Not at all,"', "Harriet")]


def test_speakers_kinship_tag_after_an_honorific_surname() -> None:
    # "his wife" of Mr. Bennet (named only with his honorific) is Mrs. Bennet; "his
    # mother" may be a Lady.
    text = (
        "Mr. Bennet sat by the fire. Mrs. Bennet came in. He did not look up.\n\n"
        '"My dear Mr. Bennet," replied his wife, "have you heard?"\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who == [('"My dear Mr. Bennet,"', "Mrs. Bennet"), ('"have you heard?"', "Mrs. Bennet")]
    text = (
        "Lady Bertram and Julia Bertram sat at work. Edmund Bertram walked in. He sat down.\n\n"
        '"We have been quiet," said his mother.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who == [('"We have been quiet,"', "Lady Bertram")]


def test_speakers_vocative_anywhere_in_the_previous_turn_names_the_next_speaker() -> None:
    text = (
        '"Thank you, Dr. Bell," Theo said.\n\n'
        '"Go home, Kate," Ana said. "You have been here since yesterday."\n\n'
        '"So have you."\n'
    )
    who = dict(_who(analyze_text(text, Config(use_speaker_model=False))))
    assert who['"So have you."'] == "Kate"


def test_speakers_kinship_tag_of_the_previous_speaker() -> None:
    text = (
        "Sir John and Mr. Palmer sat with the ladies. Mrs. Palmer laughed. Sir John nodded to her.\n\n"
        '"You and I, Sir John," said Mrs. Jennings, "should not stand upon such ceremony."\n\n'
        '"Then you would be very ill-bred," cried Mr. Palmer.\n\n'
        '"My love, you contradict every body," said his wife with her usual laugh.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[-1] == ('"My love, you contradict every body,"', "Mrs. Palmer")


def test_speakers_narration_announcing_a_song_names_the_singer() -> None:
    text = (
        '"Will you sing for me?" Maya asked.\n\n'
        '"I will" Theo smiled, she took a breath before starting to sing softly.\n\n'
        '"When the night is long and the road is far\nI will be the light where you are"\n\n'
        "Maya closed her eyes.\n"
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[2][1] == "Theo"


def test_speakers_beginning_an_action_is_not_a_speech_tag() -> None:
    text = (
        '"Let me in," said Marvel. He hammered on the door.\n\n'
        '"Who is there?" Mr. Marvel began to make frantic dives at the panels.\n\n'
        '"Open up," cried Ada. "Marvel, open up!"\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    q = next(q for q in a.quotes if a.text[q.span.start : q.span.end] == '"Who is there?"')
    assert q.kind != "explicit" or q.confidence < 0.95


def test_speakers_kinship_tag_falls_back_to_the_previous_speaker_when_the_vocative_has_no_relative() -> None:
    # "Mary" is addressed, but no Mary has a husband here; the wife who just spoke does.
    text = (
        "Mr. Turton and Mrs. Turton stood on the platform. Mr. Turton frowned. Ronny Heaslop waited.\n\n"
        '"Climb down, indeed!" Mrs. Turton cried.\n\n'
        '"Do come quietly, Mary," murmured her husband.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[-1] == ('"Do come quietly, Mary,"', "Mr. Turton")


def test_speakers_name_after_the_article_and_older_speech_verbs_are_tags() -> None:
    text = (
        '"You came by the early train?" said the Reverend Wyndham Datchet, tucking in his napkin.\n\n'
        '"I did," Ralph Denham replied.\n\n'
        '"But not alone," interposed Joan.\n\n'
        '"Alone," pursued Ralph. "Quite alone."\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert [w for _, w in _who(a)] == ["Wyndham Datchet", "Ralph Denham", "Joan", "Ralph Denham", "Ralph Denham"]
    assert all(q.kind == "explicit" for q in a.quotes)


def test_speakers_vocative_without_a_comma_at_the_end_of_a_sentence() -> None:
    # Mark spoke last, so without the vocative the one addressed would be taken as Mark.
    text = (
        "Addison Montgomery sat down by the supply closet. Alex Karev and Mark Sloan stood by.\n\n"
        '"I\'m off," Mark said.\n\n'
        '"What happened Addie?" Alex asked softly.\n\n'
        '"Not much," Addison said. "I\'m so sorry Mark."\n\n'
        '"That was Brenda. Don\'t call me Jake," Mark said.\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    names = [[a.character(x).name for x in q.addressee_ids] for q in a.quotes]
    assert names[1] == ["Addison Montgomery"]
    assert names[3] == ["Mark Sloan"]
    # A name after a copula or in "call me X" is not someone addressed.
    assert not {"Brenda", "Jake"} & set(names[4])


def test_speakers_pronoun_tag_not_resolved_across_a_scene_break() -> None:
    text = (
        '"I always liked her," Cristina Yang smirked.\n\n'
        "* * *\n\n"
        "Addison Montgomery and Alex Karev sat by the supply closet. It was late.\n\n"
        '"Are you okay?" Alex asked.\n\n'
        '"Mark\'s here," she said simply.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[-1] == ('"Mark\'s here,"', "Addison Montgomery")


def test_speakers_kinship_tag_without_a_shared_surname_and_the_utterance_of_a_pronoun() -> None:
    # Ronny Heaslop is Mrs. Moore's son: no surname joins them, the conversation does.
    text = (
        "Ronny Heaslop drove. Mrs. Moore sat beside him.\n\n"
        '"We are late," said Ronny.\n\n'
        '"That is where I have been," Mrs. Moore said.\n\n'
        'Dr. Aziz waved from the road. "Been there when?" asked her son.\n\n'
        '"Would I!" was all her answer.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[2] == ('"Been there when?"', "Ronny Heaslop")
    assert who[3] == ('"Would I!"', "Mrs. Moore")
    # A mother the story calls "Mom", who has not spoken yet.
    fic = (
        "Jenny Hale came home. Kate waited in the hall.\n\n"
        '"Hi," Kate said.\n\n"Hi," Jenny said.\n\n"Where were you?" asked her mom.\n\n"Sit down," Mom said.\n'
    )
    assert _who(analyze_text(fic, Config(use_speaker_model=False)))[2] == ('"Where were you?"', "Mom")


def test_speakers_aunt_or_uncle_tag_is_the_character_of_that_role_not_one_of_the_surname() -> None:
    # "his aunt" is Aunt Norris, whom the story calls by the role; an aunt seldom shares
    # her nephew's surname, so Lily Bertram, his sister, is not a candidate for it.
    text = (
        "Tom Bertram sat by the fire with Lily Bertram. Aunt Norris came in with Fanny Price.\n\n"
        '"Tom, you must dance," said Fanny.\n\n'
        '"I will not," said Tom.\n\n'
        '"My dear Tom," cried his aunt, "you must."\n\n'
        '"Leave him be," said Lily.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[2] == ('"My dear Tom,"', "Aunt Norris")
    assert who[3] == ('"you must."', "Aunt Norris")


def test_speakers_a_name_that_speaks_before_outweighs_a_pronoun_that_does_not_after() -> None:
    text = (
        "Adela Quested sat by the window. Mr. Hamidullah came in.\n\n"
        'When he had gone, Mr. Hamidullah said to her bitingly: "Need you have exposed Mr. Fielding to this?" '
        "She made no reply.\n\n"
        '"Poor girl," she said at last. "Pooh! It is nothing."\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    who = _who(a)
    assert who[0] == ('"Need you have exposed Mr. Fielding to this?"', "Mr. Hamidullah")
    # An interjection is not a name ("Pooh!").
    assert "Pooh" not in {n for c in a.characters for n in c.names}
    # A pronoun that speaks after the quote still decides: "she said" is Adela.
    assert who[1] == ('"Poor girl,"', "Adela Quested")


def test_speakers_utterance_named_as_someones_after_were() -> None:
    text = (
        "Colonel Fitzwilliam bowed. Elizabeth Bennet sat down.\n\n"
        '"There were some very strong objections against the lady," were Colonel Fitzwilliam\'s words.\n\n'
        '"Indeed," said Elizabeth.\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    assert _who(a)[0][1] == "Colonel Fitzwilliam"
    assert a.quotes[0].kind == "explicit"


def test_speakers_description_relative_to_a_name_with_or_without_the_apostrophe() -> None:
    # Some texts lose every apostrophe ("Margaret s", "don t"): the lone "s" is still a possessive.
    for possessive in ("'s", " s"):
        text = (
            "Margaret Schlegel and Helen Schlegel sat in the hall. Leonard Bast came in.\n\n"
            '"My sister is so careless," whispered Margaret.\n\n'
            f'"Excuse me," said Margaret{possessive} young man, "but that lady has taken my umbrella."\n'
        )
        who = _who(analyze_text(text, Config(use_speaker_model=False)))
        assert [w for _, w in who[1:]] == ["Leonard Bast", "Leonard Bast"], possessive


def test_speakers_an_epithet_before_a_name_is_the_names_tag() -> None:
    # "said the unsympathetic Marilla": the description is an epithet of the name after
    # it, not a speaker of its own ("the unsympathetic").
    text = (
        "Marilla Cuthbert sat by the window. Anne came in with the cows.\n\n"
        '"Where have you been all afternoon?" said the unsympathetic Marilla.\n\n'
        '"Down by the brook," said Anne.\n\n'
        '"You were told to come home," returned the less courteous Marilla, and went back to her knitting.\n'
    )
    a = analyze_text(text, Config(use_speaker_model=False))
    who = _who(a)
    assert who[0] == ('"Where have you been all afternoon?"', "Marilla Cuthbert")
    assert who[2] == ('"You were told to come home,"', "Marilla Cuthbert")
    assert not any(c.name.startswith("the ") for c in a.characters)


def test_speakers_the_article_before_a_name_belongs_to_the_name() -> None:
    # '"…" the White Rabbit began.': a name written with its article is read as a tag with
    # the name first, as "said the White Rabbit" is; alternation alone would say Alice.
    text = (
        "Alice sat on the bank. The White Rabbit ran past her, late as ever.\n\n"
        '"Where is the Duchess?" said Alice.\n\n"Hush! Hush!" said the White Rabbit in a low, hurried tone.\n\n'
        '"What for?" said Alice.\n\n"Never mind," said the White Rabbit.\n\n'
        '"She boxed the Queen\'s ears--" the White Rabbit began. Alice gave a little scream of laughter.\n\n'
        '"Oh, hush!" the White Rabbit whispered in a frightened tone. "The Queen will hear you!"\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[4] == ('"She boxed the Queen\'s ears--"', "the White Rabbit")
    assert who[5] == ('"Oh, hush!"', "the White Rabbit")


def test_speakers_an_utterance_named_as_someones_address() -> None:
    text = (
        "Elinor Dashwood called on Mrs. Jennings. Colonel Brandon was there.\n\n"
        '"Ah! Colonel, what shall we do without the Miss Dashwoods?" was Mrs. Jennings\'s address to him.\n\n'
        '"I cannot tell," said Colonel Brandon.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[0][1] == "Mrs. Jennings"


def test_speakers_a_wh_clause_subject_is_not_the_speaker() -> None:
    # "Ivy saw what he was doing, …, and said,": "he" is the subject of the clause "what
    # he was doing"; the one who speaks is the sentence's subject, Ivy.
    text = (
        "Tom Reed walked over to the piano and stood where he could watch the player.\n\n"
        "Ivy Chen saw what he was doing, and at the first pause, turned to him with a smile, and said,\n\n"
        '"You mean to frighten me by standing there?"\n\n'
        '"Not at all."\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[0] == ('"You mean to frighten me by standing there?"', "Ivy Chen")


def test_speakers_a_possessors_body_part_makes_a_beat() -> None:
    # "Ivy's eyebrows went up" is Ivy's beat, as "Ivy frowned" would be, after the quote
    # or before it; alternation alone would give both lines to Tom.
    text = (
        "Ivy Chen and Tom Reed sat at the kitchen table.\n\n"
        '"You told her?" asked Tom.\n\n'
        '"I did."\n\n'
        '"Of course I did." Ivy\'s eyebrows went up.\n\n'
        '"Fine," said Tom.\n\n'
        'Ivy\'s dark eyes narrowed. "Fine?"\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[2] == ('"Of course I did."', "Ivy Chen")
    assert who[4] == ('"Fine?"', "Ivy Chen")


def test_speakers_more_ways_a_tag_names_the_speaker() -> None:
    # "was all Lady Hale's reply", "was uttered by Captain Ward", "sighed pleasure-loving
    # Miss Derwent": each names its speaker, where alternation would say someone else.
    text = (
        "Lady Hale, Captain Ward and Miss Derwent sat in the drawing-room. Miss Derwent smiled.\n\n"
        '"Good evening, Miss Derwent," said Captain Ward.\n\n'
        '"Thank God!" was uttered by Captain Ward.\n\n'
        '"Indeed," said Lady Hale.\n\n'
        '"That may be, sister," was all Lady Hale\'s reply.\n\n'
        '"It will rain," said Miss Derwent.\n\n'
        '"Why does one never think of others?" sighed pleasure-loving Miss Derwent.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[1] == ('"Thank God!"', "Captain Ward")
    assert who[3] == ('"That may be, sister,"', "Lady Hale")
    assert who[5] == ('"Why does one never think of others?"', "Miss Derwent")


def test_speakers_the_tag_closing_a_long_paragraph_and_a_parenthesis_in_a_while_clause() -> None:
    # The previous paragraph is long, but its last sentence is the tag ("Captain Ward
    # said--"); and "while Ivy, thoughtful again, said:" is Ivy's own clause.
    long_narration = "The rain had not stopped all morning, and the house was cold. " * 12
    text = (
        "Captain Ward and Lady Hale sat by the fire.\n\n"
        '"It will rain," said Lady Hale.\n\n'
        f"{long_narration}Two minutes after she came in, Captain Ward said--\n\n"
        '"We will write the letter now."\n\n'
        '"All right, Tom," called Lady Hale, while Ivy Chen, thoughtful again, said: "I wish we had a boy."\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[1] == ('"We will write the letter now."', "Captain Ward")
    assert who[3] == ('"I wish we had a boy."', "Ivy Chen")


def test_speakers_a_capitalised_title_alone_names_its_holder() -> None:
    # "returned Mademoiselle" is Mademoiselle Reisz, as "said the Doctor" is Dr. Bull,
    # though she spoke the turn before and alternation would give the line to Edna.
    text = (
        "Edna Pontellier called on Mademoiselle Reisz, who was at the piano.\n\n"
        '"Did you want me to come?" asked Edna.\n\n'
        '"I had not thought much about it," said Mademoiselle Reisz.\n\n'
        '"Nor will I think of it now," returned Mademoiselle, with a shrug.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[2] == ('"Nor will I think of it now,"', "Mademoiselle Reisz")


def test_speakers_an_utterance_from_a_name_and_a_voice_heard() -> None:
    # '"…" from Captain Ward, who …' and '"…" she heard Tom Reed say': the name speaks,
    # where alternation would give the lines to someone else.
    text = (
        "Lady Hale, Captain Ward and Tom Reed sat in the hall.\n\n"
        '"Good morning," said Captain Ward.\n\n'
        '"God bless you!" from Captain Ward, who was leaving.\n\n'
        '"Goodbye," said Lady Hale.\n\n'
        'She went to the door. "Of course I agree," she heard Tom Reed say, in a strange voice.\n'
    )
    who = _who(analyze_text(text, Config(use_speaker_model=False)))
    assert who[1] == ('"God bless you!"', "Captain Ward")
    assert who[3] == ('"Of course I agree,"', "Tom Reed")
