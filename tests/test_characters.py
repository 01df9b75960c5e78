"""Characters: people found, aliases clustered, gender from pronouns, the narrator."""

from __future__ import annotations

import pytest

from ficnlp import analyze_text
from ficnlp.lexicon import are_name_variants
from ficnlp.model import Analysis, Character


def _names(text: str) -> set[str]:
    """Every name of every character found in ``text``."""
    return {n for c in analyze_text(text).characters for n in c.names}


def _by_name(a: Analysis, name: str) -> Character:
    found = [c for c in a.characters if name in c.names]
    assert len(found) == 1, (name, [c.names for c in a.characters])
    return found[0]


def test_characters_full_name_first_name_surname_title() -> None:
    text = (
        "Alex Karev walked in. Alex looked tired.\n\n"
        '"Karev," said Addison. "You look awful."\n\n'
        '"Thanks, Dr Montgomery," Dr Karev said. "Alexander Karev, at your service," he added.'
    )
    a = analyze_text(text)
    alex = _by_name(a, "Alex")
    assert {"Alex Karev", "Karev", "Dr Karev", "Alexander Karev"} <= {n.replace("Dr.", "Dr") for n in alex.names}
    assert _by_name(a, "Addison") is not alex


def test_characters_family_name_first_order() -> None:
    a = analyze_text('Tanaka Hana waved. "Morning!"\n\n"Morning, Hana," said Mori Ren.\n\nHana Tanaka laughed.')
    hana = _by_name(a, "Hana")
    assert {"Tanaka Hana", "Hana Tanaka"} <= set(hana.names)
    assert _by_name(a, "Mori Ren") is not hana


def test_characters_nicknames_and_diminutives() -> None:
    a = analyze_text(
        '"Katherine!" Jo called.\n\n"Don\'t," Kat said. "Only Mother says Katherine."\n\n"Fine, Kitty."\n\n'
        'Addison smiled. "Hi, Adds," said Jo. "Addie!" Jo shouted again.'
    )
    kat = _by_name(a, "Katherine")
    assert {"Kat", "Kitty"} <= set(kat.names)
    addison = _by_name(a, "Addison")
    assert {"Addie", "Adds"} <= set(addison.names)
    assert _by_name(a, "Jo") not in (kat, addison)


def test_characters_honorifics_of_different_people_stay_apart() -> None:
    text = (
        '"My dear," said Mrs. Bennet to Mr. Bennet. Elizabeth Bennet laughed. Jane Bennet smiled.\n\n'
        '"Well," said Mr. Bennet. "Hush," said Mrs. Bennet. "Yes," said Elizabeth. "No," said Jane.'
    )
    a = analyze_text(text)
    people = {_by_name(a, n).id for n in ("Mrs. Bennet", "Mr. Bennet", "Elizabeth", "Jane")}
    assert len(people) == 4


def test_characters_title_surname_joins_the_one_bearer() -> None:
    a = analyze_text('Thomas Hale met me at the station.\n\n"Where to?" I asked.\n\n"The mill," said Mr. Hale.')
    hale = _by_name(a, "Thomas Hale")
    assert "Mr. Hale" in hale.names
    narrator = [c for c in a.characters if c.narrator]
    assert len(narrator) == 1 and narrator[0] is not hale


def test_characters_places_and_sentence_starters_are_not_people() -> None:
    text = (
        "Ann lived in Seattle. She flew to Seattle often and loved Seattle.\n\n"
        "Poor Ann. However, Ann smiled. Will you stay? Ann said nothing.\n\n"
        '"Seattle is lovely," said Ann.'
    )
    a = analyze_text(text)
    names = {n for c in a.characters for n in c.names}
    assert "Ann" in names
    assert not names & {"Seattle", "Poor", "However", "Will"}


def test_characters_gender_from_pronouns() -> None:
    text = (
        "Mira closed her book. She sighed and rubbed her eyes.\n\n"
        "Tomas shook his head. He laughed at himself.\n\n"
        "Mira stood up, and she left. Tomas stayed, and he waited."
    )
    a = analyze_text(text)
    assert _by_name(a, "Mira").gender == "she/her"
    assert _by_name(a, "Tomas").gender == "he/him"


def test_characters_third_person_story_has_no_narrator() -> None:
    a = analyze_text('"I am here," said Ann. "I came," said Bo.\n\nAnn smiled at Bo.')
    assert not any(c.narrator for c in a.characters)


def test_characters_descriptive_speakers_in_tags() -> None:
    a = analyze_text('"Ahoy!" said the old sailor. "Who goes?" the watchman asked.\n\n"Go on," said the Duchess.')
    names = {c.name for c in a.characters}
    assert {"the old sailor", "the watchman", "the Duchess"} <= names


def test_characters_mentions_point_at_their_character() -> None:
    a = analyze_text('Ann met Bo. "Hi, Bo," said Ann.')
    ids = {c.id for c in a.characters}
    assert all(m.character_id in ids for m in a.mentions)
    assert [a.text[m.span.start : m.span.end] for m in a.mentions] == ["Ann", "Bo", "Bo", "Ann"]


def test_characters_name_variants_from_the_nickname_list_and_morphology() -> None:
    assert are_name_variants("Kitty", "Katherine")
    assert are_name_variants("Bill", "William")
    assert are_name_variants("Addie", "Addison")
    assert are_name_variants("Teddie", "Theo")
    assert not are_name_variants("Louisa", "Elizabeth")
    assert not are_name_variants("Jo", "Jonah")


def test_characters_declared_character_tags_seed_canonical_names() -> None:
    from ficnlp.model import WorkMetadata
    from ficnlp.pipeline import analyze_story
    from ficnlp.read import story_from_text

    text = '"Hey," said Alex. Karev grinned at her. "Karev," Addison said.\n\nAddison laughed.'
    meta = WorkMetadata(characters=("Alex Karev (Grey's Anatomy)", "Addison Montgomery", "Miranda Bailey"))
    a = analyze_story(story_from_text(text, metadata=meta))
    alex = _by_name(a, "Alex")
    assert alex.name == "Alex Karev" and "Karev" in alex.names
    assert _by_name(a, "Addison").name == "Addison Montgomery"
    assert not any("Miranda Bailey" in c.names for c in a.characters)  # tagged, never in the story


_APART = {
    # "Sir Thomas Pryce" is always titled, his son "Tom Pryce" never: two people, though
    # Tom is a pet name of Thomas.
    "father and son on one name": (
        "Sir Thomas Pryce came home in May. Sir Thomas looked at the hall.\n\n"
        '"Where is my son?" said Sir Thomas.\n\n'
        "Tom Pryce was at the races. Tom came in late.\n\n"
        '"Father," said Tom. "You are back."\n\n'
        '"I am," said Sir Thomas. Tom smiled at him.',
        "Sir Thomas",
        "Tom",
    ),
    "two ranks on one surname": (
        "General Hale was a stern man. He never smiled.\n\n"
        "Captain Edmund Hale was his son. Captain Hale laughed often.\n\n"
        '"Sit down," said General Hale.\n\n'
        '"Yes, sir," said Captain Hale.',
        "General Hale",
        "Captain Hale",
    ),
    "Lady and a daughter of the same surname": (
        "Lady Otway poured the tea; she was tired. Lady Otway sighed.\n\n"
        "Cassandra Otway was her daughter. Cassandra laughed; she was young.\n\n"
        '"More tea?" said Lady Otway.\n\n'
        '"No, thank you," said Cassandra.',
        "Lady Otway",
        "Cassandra",
    ),
    "a rank and a woman of the same surname": (
        "Mrs. Grant poured the tea. She was tired. She smiled at her guests.\n\n"
        "Dr. Grant ate his dinner. He was a greedy man. He wanted more.\n\n"
        '"More goose," said Dr. Grant. He frowned.\n\n'
        '"There is no more," said Mrs. Grant. She sighed.',
        "Dr. Grant",
        "Mrs. Grant",
    ),
    # Charlotte and Charley are both pet-name relatives, but Charley Bates is a Charles.
    "no nickname chain between full names": (
        "Charley Bates ran in. Master Charles Bates was a lively boy. He laughed.\n\n"
        '"Hello," said Charley.\n\n'
        '"Dear me," said Charlotte.\n\n'
        "Charlotte was a maid at the inn.",
        "Charlotte",
        "Charley",
    ),
}


@pytest.mark.parametrize("case", sorted(_APART))
def test_characters_people_who_share_a_name_stay_apart(case: str) -> None:
    text, one, other = _APART[case]
    a = analyze_text(text)
    assert _by_name(a, one) is not _by_name(a, other)


def test_characters_saint_inside_a_surname() -> None:
    a = analyze_text('Reggie St Cloud arrived. "Hullo," said Reggie. Lady St Cloud waved.')
    reggie = _by_name(a, "Reggie")
    assert "Reggie St Cloud" in reggie.names
    assert _by_name(a, "Lady St Cloud") is not reggie


def test_characters_honorific_after_the_name() -> None:
    # "Hamidullah Begum" is Hamidullah's wife, not Hamidullah.
    text = (
        "Hamidullah came home late. He was tired.\n\n"
        '"Sit down," said Hamidullah Begum. She poured the tea.\n\n'
        '"Thank you," said Hamidullah. He sat.\n\n'
        "Mr. Hamidullah smiled at his wife."
    )
    a = analyze_text(text)
    wife = _by_name(a, "Hamidullah Begum")
    assert _by_name(a, "Mr. Hamidullah") is not wife
    assert wife.gender == "she/her"


def test_characters_titled_name_joins_after_the_given_names_bring_gender() -> None:
    text = (
        "Miss Varley came in. Miss Varley smiled.\n\n"
        '"Good evening," said Miss Varley.\n\n'
        "Rosa Varley was her name. Rosa sat down; she was tired. Rosa laughed; she was happy.\n\n"
        "Hugh Varley was her brother. Hugh stood; he bowed. Hugh left; he was bored."
    )
    a = analyze_text(text)
    assert _by_name(a, "Miss Varley") is _by_name(a, "Rosa")
    assert _by_name(a, "Hugh") is not _by_name(a, "Rosa")


def test_characters_names_of_places_and_institutions_are_not_people() -> None:
    text = (
        "Cyril Fielding taught at Fielding High School. Fielding was kind.\n\n"
        '"Good morning," said Fielding.\n\n'
        '"Good morning, Mr. Fielding," said Aziz. Fielding High School had sent him. '
        "Fielding High School had a good name.\n\n"
        '"Yes," Fielding said. Fielding walked home.'
    )
    a = analyze_text(text)
    assert not [c for c in a.characters if any(n.endswith("School") for n in c.names)]
    assert "Cyril Fielding" in _by_name(a, "Fielding").names


def test_characters_names_in_any_alphabet() -> None:
    text = '"Hi," said José. "Hello," said Zoë Martin. Łukasz laughed. "Yes," said Łukasz. "Well," said Siobhán.'
    a = analyze_text(text)
    assert {"José", "Zoë Martin", "Łukasz", "Siobhán"} <= {c.name for c in a.characters}
    assert [a.character(q.speaker_id).name for q in a.quotes if q.speaker_id] == [
        "José",
        "Zoë Martin",
        "Łukasz",
        "Siobhán",
    ]


def test_characters_months_and_weekdays_as_dates_are_not_people() -> None:
    text = (
        "Eleanor knelt in the garden. 'The roses are dying,' she said.\n\n"
        "'They always die in August,' James answered. 'We leave on Tuesday.'\n\n"
        '"Good night, May," said James. May Welland smiled.'
    )
    names = {c.name for c in analyze_text(text).characters}
    assert "August" not in names and "Tuesday" not in names
    assert any("May" in n for n in names)  # a month's name is still a name when it is one


def test_characters_shared_given_name_goes_to_the_family_written_around_it() -> None:
    # Two Charleses with full names; the bare "Charles" is always among Musgroves.
    hayter = (
        "Charles Hayter walked over from Winthrop. Charles Hayter was a curate. "
        "Mr. Hayter was quiet. Charles Hayter said little.\n\n"
    )
    musgroves = (
        "Mr. Musgrove and Mrs. Musgrove sat by the fire with Mary Musgrove. "
        '"Charles is out shooting," said Mrs. Musgrove. Charles came in; he was muddy. '
        "Mr. Musgrove laughed, and Mary Musgrove scolded Charles.\n\n"
    )
    a = analyze_text(hayter + "* * *\n\nCharles Musgrove was Mary's husband.\n\n" + musgroves * 3)
    charles = _by_name(a, "Charles")
    assert "Charles Musgrove" in charles.names
    assert "Charles Hayter" not in charles.names


def test_characters_lowercase_particles_after_an_honorific() -> None:
    # "Mr. van der Luyden" and "Mrs. van der Luyden" are two people, not one "Luyden".
    text = (
        "Mr. van der Luyden rose. He bowed to his guests.\n\n"
        '"We are glad," said Mrs. van der Luyden. She smiled.\n\n'
        '"Quite," said Mr. van der Luyden.'
    )
    a = analyze_text(text)
    husband = _by_name(a, "Mr. van der Luyden")
    wife = _by_name(a, "Mrs. van der Luyden")
    assert husband is not wife
    assert husband.gender == "he/him" and wife.gender == "she/her"


def test_characters_name_with_the_article_joins_the_full_name() -> None:
    # "the White Rabbit" and "the Rabbit" (or a bare "Rabbit") are one character.
    text = (
        '"Oh dear!" said the White Rabbit. The White Rabbit ran past Alice.\n\n'
        '"Wait!" Alice called. White Rabbit looked at his watch.\n\n'
        '"I shall be late!" said the Rabbit. "Very late," said the White Rabbit.\n\n'
        "Alice followed the White Rabbit down the hole."
    )
    a = analyze_text(text)
    rabbit = _by_name(a, "the White Rabbit")
    assert "Rabbit" in rabbit.names or "the Rabbit" in rabbit.names


def test_characters_rank_before_a_given_name_and_mr_with_mixed_pronouns() -> None:
    # "Sir Henry" (talked of, never Henry Crawford's title) stays apart; "Mr. Crawford"
    # joins Henry Crawford, whose pronouns are mixed with his sister's, not Mary.
    text = (
        "Mary Crawford sat with her brother. Henry Crawford, she said, was charming. "
        "Henry Crawford he was, and he knew it.\n\n"
        '"Good evening," said Mr. Crawford. He bowed.\n\n"Good evening," said Miss Crawford. She sat.\n\n'
        "They talked of the play. Sir Henry had wanted the part himself.\n\n"
        '"I shall act," said Mr. Crawford.\n'
    )
    a = analyze_text(text)
    henry = _by_name(a, "Henry Crawford")
    assert "Mr. Crawford" in henry.names
    assert _by_name(a, "Sir Henry") is not henry
    assert "Miss Crawford" in _by_name(a, "Mary Crawford").names


def test_characters_description_in_a_tag_over_a_line_break_and_with_a_hyphen() -> None:
    text = (
        "The ladies sat by the fire in the little parlour, and the clock struck nine as the\n"
        'door opened. "You ought to be dead, positively dead with the fright," said the fat\n'
        "gentleman, drawing up a chair.\n\n"
        '"Much farther!" said the long-legged tramper, pointing out before him.\n'
    )
    names = {c.name for c in analyze_text(text).characters}
    assert {"the fat gentleman", "the long-legged tramper"} <= names
    assert not names & {"the fat", "the long"}


def test_characters_mr_is_not_the_brother_called_by_his_rank() -> None:
    # The eldest son is "Captain Tilney"; "Mr. Tilney" is Henry, even though Henry is
    # once written "Mr. Henry Tilney" (the younger-son form).
    text = (
        "Henry Tilney came in. He bowed to Catherine. Mr. Henry Tilney was a clergyman.\n\n"
        '"Good morning," said Mr. Tilney. He smiled.\n\n'
        "Captain Frederick Tilney stayed at the inn. Captain Tilney was handsome.\n\n"
        '"Is your brother here?" asked Catherine.\n\n"He is," said Mr. Tilney.\n'
    )
    a = analyze_text(text)
    henry = _by_name(a, "Henry Tilney")
    assert "Mr. Tilney" in henry.names
    assert _by_name(a, "Captain Tilney") is not henry


def test_characters_given_name_gender_where_pronouns_leave_it_open() -> None:
    from ficnlp.lexicon import given_name_gender

    assert given_name_gender("Katherine") == "f" and given_name_gender("JOHN") == "m"
    assert given_name_gender("Alex") is None  # listed with both genders
    a = analyze_text('Katherine Bell took the coffee. "Go home," said Bell. "Go home, Kate," Ana said.')
    assert _by_name(a, "Katherine Bell").gender == "she/her"
    # Pronouns still decide when they speak: Theo is listed male, this Theo is not.
    b = analyze_text("Theo Quill stripped off her gloves. Theo Quill steadied herself. She smiled.")
    assert _by_name(b, "Theo Quill").gender == "she/her"


def test_characters_a_name_ending_in_s_is_one_person_and_plural_families_are_not() -> None:
    # "Brittles" is tagged and addressed; "Brittle's" once is not a family of Brittles.
    text = (
        '"You are afraid, Brittles," said Mr. Giles.\n\n"I an\'t," said Brittles.\n\n'
        '"You are," said Giles. "We took the lantern standing on Brittle\'s hob."\n\n'
        '"You\'re wrong, Mr. Giles," said Brittles.\n'
    )
    assert "Brittles" in _names(text)
    # A plural with no person evidence is still the family, not a character.
    family = "Lucy Quill laughed. The Quills had come to dinner, and the Quills stayed late. Quill smiled.\n"
    assert "Quills" not in _names(family)


def test_characters_a_word_written_once_with_no_sign_of_a_person_is_not_a_character() -> None:
    text = (
        "Aziz went into the mosque. A temple of another creed, Hindu, Christian, or Greek, would have bored "
        "him.\n\n"
        '"Madam!" Aziz shouted.\n\n"I have taken off my shoes," said Dilys Moore.\n'
    )
    names = _names(text)
    assert "Greek" not in names
    assert {"Aziz", "Dilys Moore"} <= names
    # Written once but a listed given name (the tag object "Elinor") stays a person.
    once = '"He is so droll!" said Charlotte Pell to Elinor. She laughed.\n'
    assert "Elinor" in _names(once)


def test_characters_one_given_name_alone_gives_the_gender_where_pronouns_are_silent() -> None:
    text = '"Come in," said Henry. "Sit down, Nancy." "Thank you," said Nancy. Henry and Nancy sat.\n'
    a = analyze_text(text)
    assert _by_name(a, "Henry").gender == "he/him"
    assert _by_name(a, "Nancy").gender == "she/her"


def test_characters_family_roles_used_as_names_are_characters() -> None:
    text = (
        "I came home late. Mom was in the kitchen.\n\n"
        '"Where were you?" Mom asked.\n\n"Out with Theo," I said.\n\n'
        '"Leave her alone," Dad said. My mom sighed.\n\n'
        'Nanny sat by the gate. "Time for bed," said nanny.\n'
    )
    a = analyze_text(text)
    assert _by_name(a, "Mom").gender == "she/her"
    assert _by_name(a, "Dad").gender == "he/him"
    assert _by_name(a, "Nanny").gender == "she/her"
    who = {a.text[q.span.start : q.span.end]: a.character(q.speaker_id).name for q in a.quotes if q.speaker_id}
    assert who['"Where were you?"'] == "Mom"
    assert who['"Leave her alone,"'] == "Dad"
    assert who['"Time for bed,"'] == "Nanny"
    # A role that is only addressed, or only a common noun, is no character.
    b = analyze_text('"Mother, come here!" cried Lucy. Her mother came. The father of the bride wept.\n')
    assert not {"Mother", "Father"} & {n for c in b.characters for n in c.names}


def test_characters_a_description_made_a_character_by_a_tag_is_mentioned_in_narration_too() -> None:
    text = (
        '"A room and a fire," said the stranger, stamping the snow from his boots.\n\n'
        '"Certainly, sir," said Mrs. Hall.\n\n'
        "That seemed to annoy the stranger very much. The stranger stamped his foot. "
        "The young man at the bar laughed.\n\n"
        '"I said a fire," he said.\n'
    )
    a = analyze_text(text)
    stranger = _by_name(a, "the stranger")
    spans = [a.text[m.span.start : m.span.end] for m in a.mentions if m.character_id == stranger.id]
    assert len(spans) == 3 and stranger.mention_count == 3
    assert stranger.gender == "he/him"


def test_characters_mr_is_not_the_one_full_named_woman_of_his_surname() -> None:
    # "Caroline Bingley" is written once; "Mr. Bingley" and the bare "Bingley" are her
    # brother, "Miss Bingley" is she.
    text = (
        "Mr. Bingley came to Netherfield with his sisters. Caroline Bingley followed.\n\n"
        '"I am glad," said Mr. Bingley. "Bingley is always glad," said Darcy.\n\n'
        '"So am I," said Miss Bingley.\n\n"Come, Bingley," said Darcy.\n'
    )
    a = analyze_text(text)
    brother = _by_name(a, "Mr. Bingley")
    assert "Bingley" in brother.names
    assert "Caroline Bingley" not in brother.names
    assert _by_name(a, "Miss Bingley") is _by_name(a, "Caroline Bingley")


def test_characters_a_family_role_is_no_pet_name() -> None:
    from ficnlp.lexicon import are_name_variants

    assert not are_name_variants("Mamma", "May")
    assert are_name_variants("Addie", "Addison")


def test_characters_possessive_with_the_apostrophe_lost() -> None:
    from ficnlp.lexicon import possessive_at

    assert possessive_at("Margaret s hat", len("Margaret"))
    assert possessive_at("Margaret’s hat", len("Margaret"))
    assert not possessive_at("Margaret sat", len("Margaret"))
    assert not possessive_at("Margaret s1", len("Margaret"))


def test_characters_a_rank_as_a_description_is_its_holder() -> None:
    # "said the general" is General Tilney; General Courteney, named once in passing,
    # does not make the rank ambiguous. The cluster keeps the name, not the description.
    text = (
        "General Tilney came into the room. Catherine Morland rose. He had served under "
        "General Courteney in his youth, and General Tilney spoke of it often. General Tilney "
        "liked his house warm; the servants of General Tilney kept the fires high.\n\n"
        '"Sit down, Miss Morland," said the general.\n\n'
        '"Thank you," said Catherine.\n\n'
        '"You are welcome here," said the general, smiling.\n\n'
        '"Is the tea ready?" asked the general.\n'
    )
    a = analyze_text(text)
    general = _by_name(a, "General Tilney")
    assert "the general" in general.aliases
    assert not any(c.name == "the general" for c in a.characters)
    # Two holders written about as often: the rank stays apart from both.
    two = text.replace("in his youth", "in his youth, General Courteney and General Courteney again")
    assert not any("the general" in c.aliases for c in analyze_text(two).characters)


def test_characters_a_voice_or_a_crowd_is_not_a_character() -> None:
    text = (
        "Ivy Chen knocked at the door of the dark house.\n\n"
        '"Who is there?" said the voice.\n\n'
        '"A friend," said Ivy.\n\n'
        '"Let her in!" cried the crowd.\n\n'
        '"Come in, then," said the voice.\n'
    )
    names = _names(text)
    assert "the voice" not in names and "the crowd" not in names
    assert "Ivy Chen" in names


def test_characters_a_given_name_written_far_more_often_as_a_ranked_surname() -> None:
    # "Fitzwilliam" is Colonel Fitzwilliam's surname (written so again and again) and the
    # given name of Fitzwilliam Darcy (written once): the bare name is the colonel.
    text = (
        "Colonel Fitzwilliam came into the room with Fitzwilliam Darcy. Colonel Fitzwilliam "
        "bowed to Elizabeth, and Colonel Fitzwilliam sat down; Mr. Darcy stood by the window. "
        "Colonel Fitzwilliam talked of Kent.\n\n"
        '"I can answer your question," said Fitzwilliam.\n\n'
        '"Can you?" said Elizabeth.\n'
    )
    a = analyze_text(text)
    assert "Fitzwilliam" in _by_name(a, "Colonel Fitzwilliam").aliases
    darcy = next(c for c in a.characters if "Mr. Darcy" in c.names)
    assert "Fitzwilliam" not in darcy.names
