"""The speaker ranker: candidate features, the exported forest, fold selection, the on/off switch."""

from __future__ import annotations

import numpy as np
import pytest

from ficnlp import Config, analyze_text
from ficnlp.pipeline import analyze_story
from ficnlp.read import story_from_text
from ficnlp.speaker_features import (
    CONTEXT_FEATURES,
    FEATURE_VERSION,
    FEATURES,
    MAX_CANDIDATES,
    CandidateTable,
    candidate_table,
    context_features,
    narrative_salience,
)
from ficnlp.speaker_model import (
    MIN_QUOTES,
    SCHEMA,
    Forest,
    Ranker,
    SpeakerModelError,
    choose,
    held_out_summary,
    load_model,
    model_from_json,
    rerank,
    shipped_model,
    text_digest,
)
from ficnlp.speakers import attribute_speakers, rule_state

SHORT = (
    "Mira Holt closed her book. She looked at Tomas. Tomas shook his head; he was tired.\n\n"
    '"You should sleep," she said.\n\n'
    '"I can\'t," said Tomas.\n\n'
    '"Then read to me, Tomas."'
)


def _pre(text: str):  # type: ignore[no-untyped-def]
    return analyze_story(story_from_text(text), Config(), stages=("structure", "quotes", "characters"))


def _long_story() -> str:
    """An invented two-person exchange of 16 quotations, tagged at the start only."""
    lines = [
        "Ada Quill and Bruno Marsh sat on the harbour wall and watched the boats come in.",
        '"Do you think he will come back?" asked Ada.',
        '"He always does," said Bruno.',
    ]
    for k in range(7):
        lines.append(f'"And if he does not, this time number {k}?"')
        lines.append(f'"Then we wait one more day, as we did the {k} times before."')
    lines.append('"You are a patient man, Bruno," said Ada, and she laughed.')
    return "\n\n".join(lines)


def _col(name: str) -> int:
    return FEATURES.index(name)


def test_speaker_features_tiny_text() -> None:
    a, state = rule_state(_pre(SHORT))
    t = candidate_table(a, state)
    assert t.X.shape == (len(t.quote), len(FEATURES)) and t.X.dtype == np.float32
    # Quote 1 ('"I can't," said Tomas.') is tagged by name: left to the rules, no candidates.
    assert np.all(np.diff(t.quote) >= 0) and set(t.quote.tolist()) == {0, 2}
    assert np.bincount(t.quote).max() <= MAX_CANDIDATES
    names = {c.id: c.name for c in a.characters}
    rows = {(int(q), names[t.char_ids[c]]): r for r, (q, c) in enumerate(zip(t.quote, t.char, strict=True))}
    # 'she said': Mira is the gender-compatible candidate, and the rules resolved to her.
    assert t.X[rows[(0, "Mira Holt")], _col("gender_agree")] == 1
    assert t.X[rows[(0, "Tomas")], _col("gender_agree")] == -1
    assert t.X[rows[(0, "Mira Holt")], _col("pronoun_resolved")] == 1
    # '"Then read to me, Tomas."': Tomas is addressed, and spoke the turn before.
    assert t.X[rows[(2, "Tomas")], _col("voc_this")] == 1
    assert t.X[rows[(2, "Tomas")], _col("prev1")] == 1
    assert t.X[rows[(2, "Mira Holt")], _col("prev2")] == 1
    assert t.X[rows[(0, "Mira Holt")], _col("after_name_verb")] == 0


def _naive_score(forest: Forest, x: np.ndarray) -> float:
    total = 0.0
    inner = (1 << forest.depth) - 1
    for tree in range(forest.trees):
        node = 0
        while node < inner:
            f, thr = forest.feature[tree, node], forest.threshold[tree, node]
            node = 2 * node + (2 if x[f] > thr else 1)
        total += float(forest.leaf[tree, node - inner])
    return total


def test_speaker_model_shipped_model_loads_and_scores_deterministically() -> None:
    model = shipped_model()
    assert model is not None, "the package ships src/ficnlp/data/models/speakers.json (make train)"
    assert len(model.full.stages) == 2
    first_pass, second_pass = model.full.stages
    assert first_pass.trees > 0 and first_pass.feature.max() < len(FEATURES)
    assert second_pass.feature.max() < len(FEATURES) + len(CONTEXT_FEATURES)
    assert second_pass.feature.max() >= len(FEATURES)  # the second pass uses the context
    assert len(model.folds) >= 2
    held = [n for f in model.folds for n in f.held_out]
    assert len(held) == len(set(held))  # every training novel is held out by exactly one fold
    a, state = rule_state(_pre(SHORT))
    table = candidate_table(a, state)
    x = table.X
    first, again = first_pass.score(x), first_pass.score(x.copy())
    assert first.dtype == np.float64 and np.array_equal(first, again)
    for r in range(len(x)):
        assert first[r] == pytest.approx(_naive_score(first_pass, x[r]), abs=1e-4)
    # The ranker's final scores are the second pass over the features and the context.
    x2 = np.hstack([x, context_features(table, state, first)])
    final = model.full.score(table, state)
    for r in range(len(x)):
        assert final[r] == pytest.approx(_naive_score(second_pass, x2[r]), abs=1e-4)


def test_speaker_features_context_reads_the_first_pass_around() -> None:
    pre = _pre(_long_story())
    a, state = rule_state(pre)
    table = candidate_table(a, state)
    names = {c.id: c.name for c in a.characters}
    # First pass: Ada scores 2 and Bruno 0 everywhere.
    scores = np.array([2.0 if names[table.char_ids[c]] == "Ada Quill" else 0.0 for c in table.char])
    ctx = context_features(table, state, scores)
    assert ctx.shape == (len(table.quote), len(CONTEXT_FEATURES)) and ctx.dtype == np.float32
    col = {n: k for k, n in enumerate(CONTEXT_FEATURES)}
    share = 1.0 / (1.0 + np.exp(-2.0))
    for r, (q, c) in enumerate(zip(table.quote, table.char, strict=True)):
        who = names[table.char_ids[c]]
        n_cands = int(np.sum(table.quote == q))
        if n_cands == 2:
            assert ctx[r, col["p_self"]] == pytest.approx(share if who == "Ada Quill" else 1 - share, abs=1e-5)
            assert ctx[r, col["p_rank"]] == (0 if who == "Ada Quill" else 1)
    # A quote's neighbour left to the rules (tagged by name) counts as certain for its speaker.
    ranked = set(table.quote.tolist())
    tagged = next(i for i in range(len(state.qs) - 1) if i not in ranked and i + 1 in ranked)
    after = [r for r, q in enumerate(table.quote) if state.qs[int(q)].turn == state.qs[tagged].turn + 1]
    assert after
    for r in after:
        expect = 1.0 if table.char_ids[table.char[r]] == state.qs[tagged].speaker else 0.0
        assert ctx[r, col["p_prev1"]] == pytest.approx(expect)


def test_speaker_model_forest_walks_complete_trees() -> None:
    # One tree of depth 2: x0 > 0.5 goes right; then x1 > 1.0 (left subtree) / x2 > -1 (right).
    forest = Forest(
        feature=np.array([[0, 1, 2]], np.int32),
        threshold=np.array([[0.5, 1.0, -1.0]], np.float32),
        leaf=np.array([[1.0, 2.0, 3.0, 4.0]], np.float32),
        depth=2,
    )
    x = np.array([[0.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 0.0, -5.0], [1.0, 0.0, 5.0]], np.float32)
    assert forest.score(x).tolist() == [1.0, 2.0, 3.0, 4.0]
    rng = np.random.default_rng(0)
    big = rng.normal(size=(1300, 3)).astype(np.float32)  # more rows than one block
    assert forest.score(big).tolist() == [_naive_score(forest, x) for x in big]


def _toy_ranker(prefer: str, sign: float = 1.0) -> dict[str, object]:
    """One pass of one split that scores candidates by one binary feature."""
    return {"stages": [{"feature": [[_col(prefer)]], "threshold": [[0.5]], "leaf": [[-sign, sign]]}]}


def _toy_model(prefer: str, sign: float = 1.0, folds: list[dict[str, object]] | None = None) -> dict[str, object]:
    """A one-split model file that scores candidates by one binary feature."""
    return {
        "schema": SCHEMA,
        "feature_version": FEATURE_VERSION,
        "features": list(FEATURES),
        "context_features": list(CONTEXT_FEATURES),
        "depth": 1,
        "full": _toy_ranker(prefer, sign),
        "folds": folds or [],
    }


def test_speaker_model_switch_off_keeps_the_rules() -> None:
    pre = _pre(_long_story())
    assert len(pre.quotes) >= MIN_QUOTES
    contrary = model_from_json(_toy_model("is_rule", sign=-1.0))  # prefers anyone but the rules' choice
    ruled = attribute_speakers(pre, Config(use_speaker_model=False), model=contrary)
    ranked = attribute_speakers(pre, Config(), model=contrary)
    rules_only = attribute_speakers(pre, Config(use_speaker_model=False))
    assert [q.speaker_id for q in ruled.quotes] == [q.speaker_id for q in rules_only.quotes]
    changed = [
        i for i, (x, y) in enumerate(zip(ruled.quotes, ranked.quotes, strict=True)) if x.speaker_id != y.speaker_id
    ]
    assert changed, "a model preferring non-rule candidates must change some untagged quotes"
    # Quotes whose own tag names the speaker are never re-ranked.
    for i in changed:
        assert ruled.quotes[i].confidence < 0.95
    assert all(0.0 <= q.confidence <= 1.0 for q in ranked.quotes)


def test_speaker_model_short_stories_are_left_to_the_rules() -> None:
    a, state = rule_state(_pre(SHORT))
    before = [(q.speaker, q.confidence) for q in state.qs]
    assert len(state.qs) < MIN_QUOTES
    assert rerank(a, state, model_from_json(_toy_model("is_rule", sign=-1.0))) is None
    assert [(q.speaker, q.confidence) for q in state.qs] == before


def test_speaker_model_fold_forest_for_its_held_out_text() -> None:
    text = _long_story()
    fold = {"name": "fold0", "held_out": ["TheStory"], "held_out_sha256": [text_digest(text)], **_toy_ranker("is_rule")}
    model = model_from_json(_toy_model("is_rule", sign=-1.0, folds=[fold]))
    ranker, chosen = model.ranker_for(text)
    assert chosen is not None and chosen.name == "fold0" and ranker is chosen.ranker
    assert isinstance(ranker, Ranker) and len(ranker.stages) == 1
    assert model.ranker_for(text + " ")[1] is None
    assert model.held_out_novels() == {"TheStory": "fold0"}
    # The fold forest agrees with the rules, the full one contradicts them: the held-out
    # text gets the fold's (rules-like) speakers.
    pre = _pre(text)
    ranked = attribute_speakers(pre, Config(), model=model)
    ruled = attribute_speakers(pre, Config(use_speaker_model=False))
    assert [q.speaker_id for q in ranked.quotes] == [q.speaker_id for q in ruled.quotes]
    assert "1 of 2 documents scored by the fold forest" in held_out_summary([text, "other"], model)


def test_speaker_model_rejects_foreign_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SpeakerModelError, match="not a ficnlp-speaker-model/2"):
        model_from_json({"schema": "other"})
    bad = _toy_model("is_rule")
    bad["features"] = list(FEATURES)[:-1]
    with pytest.raises(SpeakerModelError, match="retrain with 'ficnlp train'"):
        model_from_json(bad)
    bad = _toy_model("is_rule")
    bad["context_features"] = []
    with pytest.raises(SpeakerModelError, match="retrain with 'ficnlp train'"):
        model_from_json(bad)
    # The first pass sees FEATURES only; a context column there is out of range.
    bad = _toy_model("is_rule")
    bad["full"] = {"stages": [{"feature": [[len(FEATURES) + 3]], "threshold": [[0.5]], "leaf": [[0.0, 1.0]]}]}
    with pytest.raises(SpeakerModelError, match="out of range"):
        model_from_json(bad)
    # ... but the second pass may use it.
    ok = _toy_model("is_rule")
    ok["full"]["stages"].append({"feature": [[len(FEATURES) + 3]], "threshold": [[0.5]], "leaf": [[0.0, 1.0]]})
    assert len(model_from_json(ok).full.stages) == 2
    bad = _toy_model("is_rule")
    bad["full"] = {"stages": []}
    with pytest.raises(SpeakerModelError, match="1 or 2 ranking passes"):
        model_from_json(bad)
    with pytest.raises(SpeakerModelError, match="no speaker model file"):
        load_model(tmp_path / "missing.json")
    p = tmp_path / "broken.json"
    p.write_text("{", encoding="utf-8")
    with pytest.raises(SpeakerModelError, match="cannot read"):
        load_model(p)


def test_speaker_model_default_pipeline_uses_the_ranker_on_longer_stories() -> None:
    a = analyze_text(_long_story())
    assert all(q.speaker_id is not None for q in a.quotes)
    names = {a.character(q.speaker_id).name for q in a.quotes}
    assert names == {"Ada Quill", "Bruno Marsh"}


def _table_rows(text: str) -> tuple[CandidateTable, dict[tuple[int, str], int]]:
    """The candidate table of ``text`` and its rows by (quotation index, character name)."""
    a, state = rule_state(_pre(text))
    t = candidate_table(a, state)
    names = {c.id: c.name for c in a.characters}
    return t, {(int(q), names[t.char_ids[c]]): r for r, (q, c) in enumerate(zip(t.quote, t.char, strict=True))}


def test_speaker_features_salience_follows_pronouns_to_the_main_subject() -> None:
    # Lappin & Leass: the pronouns carry Elizabeth forward; Jane, named once in a clause
    # at the end, stays below her.
    text = 'Elizabeth listened. She saw nothing in it; she was persuaded that Jane must go. "Quite so."'
    start_e, start_j = text.index("Elizabeth"), text.index("Jane")
    quote = text.index('"')
    names = [(start_e, 0, True, False), (start_j, 1, True, False)]
    gender = np.array([2, 2], np.int8)
    (sal,) = narrative_salience(text, names, gender, [(quote, len(text))], np.array([quote]))
    assert sal[0] > sal[1] > 0
    # Nothing is read inside a quotation: a "she" there changes nothing.
    (again,) = narrative_salience(text + ' "She will."', names, gender, [(quote, len(text))], np.array([quote]))
    assert again == sal


def test_speaker_features_paragraph_of_silence_before_an_untagged_quote() -> None:
    text = (
        '"You do admit that there are rich and poor," said Mr. Wilcox to Margaret Schlegel.\n\n'
        "Margaret could not reply.\n\n"
        '"That is something."\n\n'
        "Margaret asked who the Fussells were.\n\n"
        '"The father is in the army."\n'
    )
    t, rows = _table_rows(text)
    assert t.X[rows[(1, "Margaret Schlegel")], _col("q_gap_kind")] == 1
    assert t.X[rows[(1, "Margaret Schlegel")], _col("gap_silent_subj")] == 1
    assert t.X[rows[(1, "Mr. Wilcox")], _col("gap_silent_subj")] == 0
    assert t.X[rows[(2, "Margaret Schlegel")], _col("gap_reported_subj")] == 1


def test_speaker_features_forms_of_address_and_self_reference() -> None:
    text = (
        "Mrs. Holt came to the gate. Mr. Reed came up.\n\n"
        '"Good evening, sir," said Mrs. Holt.\n\n'
        '"Good evening, madam. My wife sends her regards."\n'
    )
    t, rows = _table_rows(text)
    # Quote 1 addresses a woman ("madam") and its speaker has a wife: a man speaks.
    assert t.X[rows[(1, "Mrs. Holt")], _col("q_addr_gender")] == 2
    assert t.X[rows[(1, "Mrs. Holt")], _col("addr_gender_same")] == 1
    assert t.X[rows[(1, "Mr. Reed")], _col("addr_gender_same")] == 0
    assert t.X[rows[(1, "Mr. Reed")], _col("self_gender_agree")] == 1
    assert t.X[rows[(1, "Mrs. Holt")], _col("self_gender_agree")] == -1


def test_speaker_model_quote_with_its_own_tag_keeps_its_speaker_in_a_shared_paragraph() -> None:
    # One paragraph, two speakers: the turn pooling must not give "Drink" to Ada.
    story = _long_story() + (
        "\n\nAda Quill tried to stand. She was tired. Bruno Marsh stood up. He was not.\n\n"
        '"Can you walk?" Bruno asked.\n\n'
        '"Yep" Ada nodded, Bruno helped her up and handed her a bottle of water "Drink" he said simply.\n\n'
        '"Thanks" Ada whispered.'
    )
    a = analyze_text(story)
    drink = next(q for q in a.quotes if a.text[q.span.start : q.span.end] == '"Drink"')
    assert a.character(drink.speaker_id).name.startswith("Bruno")


def test_speaker_features_someone_named_just_after_the_paragraph_is_a_candidate() -> None:
    # The woman in the dark is named only after her first words.
    text = (
        "Aziz stood in the mosque. A shape moved between the pillars.\n\n"
        '"Madam! This is a mosque."\n\n'
        '"I have taken off my shoes."\n\n'
        "It was Mrs. Moore, an old lady who had come from the club.\n"
    )
    _table, rows = _table_rows(text)
    assert (1, "Mrs. Moore") in rows


def test_speaker_features_are_the_same_with_crlf_line_ends() -> None:
    text = (
        "Pell Arden fixed boats. Tamsin Vale watched.\n\n"
        '"Hand me the tar," he said.\n\n* * *\n\n'
        "That evening Edna Corrigan came down with a basket of bread.\n\n"
        '"You two will starve out here," she said. "Eat something."\n\n'
        '"Thank you, Mrs. Corrigan," Pell said.\n'
    )
    lf, _ = _table_rows(text)
    crlf, _ = _table_rows(text.replace("\n", "\r\n"))
    assert np.array_equal(lf.quote, crlf.quote) and np.array_equal(lf.char, crlf.char)
    assert np.array_equal(lf.X, crlf.X)


def test_speaker_features_a_description_tag_leans_to_the_name_usually_near_it() -> None:
    # Across the story, "said the girl" comes with Nell named nearby; in the last scene
    # she is not named at all, yet the girl's words still lean to her.
    scenes = [
        "Nell Brady sat by the fire. Sam Oakes came in from the rain.\n\n"
        '"You are late," said the girl.\n\n"The roads are bad," said Sam.\n',
        'Nell Brady met Sam in the lane.\n\n"Where are you going?" said the girl.\n\n"To the town," said Sam.\n',
        "The kitchen was cold. Sam Oakes sat down; Tom Reed stood by the door.\n\n"
        '"There is no bread," said the girl.\n\n"Then we go hungry," said Sam.\n',
    ]
    text = "\n* * *\n\n".join(scenes)
    t, rows = _table_rows(text)
    girl = 4  # quotations 0, 2, 4 are the girl's; 1, 3, 5 are Sam's (tagged: no candidates)
    assert (girl, "Nell Brady") in rows  # a candidate though not named in the scene
    assert t.X[rows[(girl, "Nell Brady")], _col("desc_top")] == 1
    assert t.X[rows[(girl, "Nell Brady")], _col("desc_assoc")] > t.X[rows[(girl, "Sam Oakes")], _col("desc_assoc")]
    assert t.X[rows[(girl, "Sam Oakes")], _col("desc_top")] == 0


def test_speaker_model_a_multi_paragraph_speech_is_decided_by_all_its_paragraphs() -> None:
    # Three paragraphs of one speech (only the last closes its quotation mark). Scored one
    # by one, two pieces lean to Kit and the middle one, a little more surely, to Ivy: the
    # speech is Kit's, all of it.
    text = (
        "Kit Marlow and Ivy Chen sat on the steps.\n\n"
        '"Tell me," said Ivy.\n\n'
        '"It was a long night. The storm came early\n\n'
        '"and the lights went out. We waited in the dark\n\n'
        '"until the morning came."\n'
    )
    a, state = rule_state(_pre(text))
    t = candidate_table(a, state)
    names = {c.id: c.name for c in a.characters}
    assert [q.quote.continues is not None for q in state.qs] == [False, False, True, True]
    lean = {1: "Kit Marlow", 2: "Ivy Chen", 3: "Kit Marlow"}
    sure = {1: 2.0, 2: 2.5, 3: 2.0}
    scores = np.array(
        [
            sure[int(q)] if names[t.char_ids[c]] == lean.get(int(q)) else 0.0
            for q, c in zip(t.quote, t.char, strict=True)
        ]
    )
    choose(state, t.quote, t.char, t.char_ids, scores)
    assert [names[state.qs[i].speaker] for i in (1, 2, 3)] == ["Kit Marlow"] * 3


def test_speaker_model_a_description_tag_in_a_story_of_one_character() -> None:
    # "said the voice" is no character, and Ivy is the story's only one: the description's
    # candidates are however many characters there are (this once raised IndexError).
    text = "Ivy Chen stood alone in the dark hall.\n\n" + "".join(
        f'"Who is there, number {i}?" said the voice.\n\n"Only me," said Ivy.\n\n' for i in range(8)
    )
    a = analyze_text(text)
    assert [c.name for c in a.characters] == ["Ivy Chen"]
    assert len(a.quotes) == 16 >= MIN_QUOTES
    assert all(q.speaker_id == a.characters[0].id for q in a.quotes[1::2])


_ADDRESS_SCENES = [
    "Kit Marlow sat with her father, Abel Marlow. Ivy Chen poured the tea.\n\n"
    '"Are you tired, papa?" said Kit.\n\n"Not at all, my dear," said Ivy.\n\n"Good," said Abel.\n',
    'Kit Marlow and Ivy Chen walked out with Abel.\n\n"Wait for me, papa!" cried Kit.\n\n'
    '"Slowly, my dear," said Ivy.\n\n"I am waiting," said Abel.\n',
    "Kit Marlow and Ivy Chen sat in the garden with Abel Marlow.\n\n"
    '"Shall we go in, papa?"\n\n"In a minute, my dear."\n',
]


def test_speaker_features_an_address_form_leans_to_the_one_who_uses_it() -> None:
    # Only Kit calls her father "papa" in tagged speech, and only Ivy says "my dear"; in
    # the last scene two untagged turns use those forms, and each leans to its user.
    t, rows = _table_rows("\n* * *\n\n".join(_ADDRESS_SCENES))
    papa, dear = 6, 7  # quotations 0-5 are tagged with their speakers' names: no candidates
    assert t.X[rows[(papa, "Kit Marlow")], _col("form_assoc")] > 0
    assert t.X[rows[(papa, "Kit Marlow")], _col("form_top")] == 1
    assert t.X[rows[(papa, "Ivy Chen")], _col("form_assoc")] == 0
    assert t.X[rows[(dear, "Ivy Chen")], _col("form_top")] == 1
    assert t.X[rows[(dear, "Kit Marlow")], _col("form_top")] == 0


def test_rules_read_address_forms_set_off_by_punctuation() -> None:
    text = (
        "Kit Marlow sat with Ivy Chen.\n\n"
        '"Ivy, come here," said Kit. "Yes, papa. My dear, wait!"\n\n'
        '"Oh dear! I love my dear friend," said Ivy Chen.\n'
    )
    _a, state = rule_state(_pre(text))
    # A name addressed, as written; nouns of address set off by punctuation, not "Oh dear!".
    assert [q.address_forms for q in state.qs] == [("ivy",), ("papa", "my dear"), ()]


def test_speaker_features_second_pass_pools_address_forms_over_the_first_pass() -> None:
    # The first pass leans each untagged turn to Kit or Ivy; the second pass counts the
    # forms of all quotations with those shares, leaving each quotation's own out.
    text = "\n* * *\n\n".join(_ADDRESS_SCENES) + '\n\n"Come in, papa."\n'
    a, state = rule_state(_pre(text))
    table = candidate_table(a, state)
    names = {c.id: c.name for c in a.characters}
    scores = np.array([1.0 if names[table.char_ids[c]] == "Kit Marlow" else 0.0 for c in table.char])
    ctx = context_features(table, state, scores)
    col = CONTEXT_FEATURES.index("p_form")
    rows = {(int(q), names[table.char_ids[c]]): r for r, (q, c) in enumerate(zip(table.quote, table.char, strict=True))}
    papa, dear, last = 6, 7, 8
    # Kit's two tagged "papa"s and the other untagged "papa" lean to Kit.
    assert ctx[rows[(papa, "Kit Marlow")], col] > ctx[rows[(papa, "Ivy Chen")], col] > 0
    assert ctx[rows[(last, "Kit Marlow")], col] > ctx[rows[(last, "Ivy Chen")], col]
    # "my dear": Ivy's two tagged uses outweigh the first pass's lean to Kit on the one
    # untagged use, which is left out of its own count.
    assert ctx[rows[(dear, "Ivy Chen")], col] == pytest.approx(2 / 4)
    assert ctx[rows[(dear, "Kit Marlow")], col] == 0
