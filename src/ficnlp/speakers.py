"""Speakers and addressees: who says each quotation, and to whom.

Two layers (``docs/speakers.md``):

**Rules** (after He et al. 2013 and Muzny et al. 2017's sieve for quote attribution),
strongest first:

1. **Explicit tags** next to the quote in the same paragraph: ``"…" said Alex``,
   ``"…" Alex said``, ``"…" Addison sighed`` (no comma), ``Alex said, "…"``, the
   subject of the last speech verb before the quote (``Lady Catherine … rising up, said
   to Elizabeth, "…"``), also when that narration ends the previous paragraph; a tag
   between two halves of one quote serves both.
2. **Pronoun tags** (``she said``, ``said he``, ``I asked``) resolved to a character
   present in the scene: gender agreement, a name in the same paragraph, recency, and
   turn-taking (the speaker of two turns back, a character the previous turn addressed).
3. **Action beats**: a paragraph whose narration names one character before or after
   the quote (``Alex walked over to her … "You can have …"``).
4. **Conversation**: untagged turns alternate between the two latest speakers; a
   vocative in the previous turn names the next speaker; a turn between two known
   ones takes the speaker of the turn two back or two ahead.

**Ranker** (:mod:`ficnlp.speaker_model`, on by default, ``Config.use_speaker_model``):
every quotation's candidate characters (named nearby, recent speakers, vocatives, the
narrator, the rules' choice) are scored by gradient-boosted tree models trained on
PDNC with whole novels held out, in two passes (the second reads the first pass's
shares for the turns around); the best candidate becomes the speaker.

Then the **narrator** of a first-person story takes the name other characters call it
by in the turns next to its own, and **addressees** come from the quote's vocatives,
else the other party of the exchange. **Chat lines** take the character their label
names.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ficnlp.lexicon import (
    FEMALE_NOUNS,
    FEMALE_TITLES,
    LETTER,
    MALE_NOUNS,
    MALE_TITLES,
    RANK_FORMS,
    SPEECH_VERBS,
    TITLES,
    UPPER,
    possessive_at,
)
from ficnlp.model import Analysis, Character, Mention, Message, Quote, Span

if TYPE_CHECKING:
    from ficnlp.speaker_model import SpeakerModel

__all__ = ["PRODUCES", "REQUIRES", "RuleState", "attribute_speakers", "rule_state"]

REQUIRES = ("quotes", "characters", "mentions", "messages")
#: Besides quotes and messages, the narrator of a first-person story may take the name
#: of the character others call it by, so characters and mentions are rewritten too.
PRODUCES = ("quotes", "messages", "characters", "mentions")
VERSION = "2"

#: Speech verbs of older prose missing from the lexicon's list (PDNC tags).
_MORE_SPEECH = frozenset(
    """interposed pursued faltered ejaculated remonstrated expostulated demurred hazarded rejoined
    cried returned answered observed exclaimed inquired enquired whispered called began went added
    persisted resumed concluded murmured stammered sobbed gasped urged assented retorted responded
    shouted screamed muttered growled sighed laughed continued explained suggested replied asked
    answers asks cries says adds addressed blurted exclaiming shouting calling crying saying asking
    replying answering whispering muttering murmuring""".split()
)
SPEECH = SPEECH_VERBS | _MORE_SPEECH
#: Verbs that say who speaks without describing a gesture: the ones a "said X" tag uses.
_TAG_VERBS = frozenset(
    """said says asked asks replied replies answered answers cried cries exclaimed exclaims added adds
    returned rejoined observed remarked continued began resumed interposed pursued inquired enquired
    whispered murmured muttered shouted called repeated retorted responded demanded urged persisted
    explained suggested answered faltered ejaculated remonstrated expostulated declared protested
    pleaded begged sighed laughed stammered sobbed gasped groaned screamed yelled snapped hissed
    growled went""".split()
)
#: Narration that announces the speech or song to come ("started to sing", "began to
#: read aloud", "broke into song").
_ONSET = re.compile(
    r"\b(?:(?:start(?:ed|ing|s)?|beg(?:an|in|ins|inning)|proceed(?:ed|ing)?)\s+(?:to\s+)?"
    r"(?:sing|singing|speak|speaking|read|reading|recite|reciting|hum|humming)"
    r"|(?:broke|burst|breaking|bursting)\s+into\s+(?:song|a\s+song|singing)|sang|sings)\b",
    re.IGNORECASE,
)
#: Phrasal speech verbs: the verb and its particle say who speaks ("burst out Philip",
#: "Elinor broke in", "put in Mrs. Jennings"), though the verb alone does not.
_PHRASAL_SPEECH = frozenset("burst broke put cut struck chimed spoke piped butted blurted sang called cried".split())
_PHRASAL_PARTICLES = frozenset("out in up forth".split())
_SUBJECT_PRONOUNS = {"he": "he/him", "she": "she/her", "i": "narrator", "they": "they/them", "we": "narrator"}
_PRONOUNS = frozenset(_SUBJECT_PRONOUNS)
_SUBORDINATORS = frozenset(
    "when while as if though although because since until till whilst unless whom who that what where how why whether".split()
)
_PREPOSITIONS = frozenset(
    """to at with of from for by on upon towards toward into onto about after before behind beside
    between like than without against over under near round around past""".split()
)
_SUBJECT_LEADS = frozenset("then and but so finally suddenly when at last presently here now still yet".split())
_DESC_LEADS = frozenset("the his her their my our your a an that this one".split())
_TOKEN = re.compile(rf"{LETTER}+(?:['’]{LETTER}+)*")
_ABBREV_GUARD = r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMx\.)(?<!\bProf\.)(?<!\bCapt\.)(?<!\bCol\.)(?<!\bRev\.)"
_SENT_END = re.compile(r"(?:[.!?…]|--|—)" + _ABBREV_GUARD + r"(?=\s|$|[\"”’'])|[.!?](?=[\"”])|;")
_TITLE_WORDS = re.compile(r"\b(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?(?=\s)", re.IGNORECASE)
#: How far back (code points) a pronoun tag looks for an antecedent; about two pages.
_ANTECEDENT_WINDOW = 3000
#: A gap of narration longer than this (code points) between two quotes ends a conversation.
_CONVERSATION_GAP = 1200
#: A last sentence of the previous paragraph longer than this (code points) is too long
#: for its open clause to be a tag of the quote after it.
_PREV_TAG_REACH = 600

#: ``kind`` codes the ranker sees.
KIND_CODES = {None: 0, "implicit": 1, "anaphoric": 2, "explicit": 3}
#: Tag pronoun codes the ranker sees.
PRONOUN_CODES = {None: 0, "he": 1, "she": 2, "i": 3, "we": 3, "they": 4}


@dataclass(slots=True)
class _Q:
    """Working state of one quotation while attributing it."""

    quote: Quote
    para: int
    speaker: str | None = None
    kind: str = "implicit"
    confidence: float = 0.0
    tag: Span | None = None
    addressees: tuple[str, ...] = ()
    vocatives: tuple[str, ...] = ()
    address_forms: tuple[str, ...] = ()  # how the quote addresses someone, lower-cased ("lizzy", "papa")
    # What the tag reading found (used by the rules and by the ranker's features).
    after_name: str | None = None
    after_strength: int = 0  # 2: a speech verb next to the name; 1: a gesture ("Alex smirked")
    after_pro: str | None = None
    after_pro_speech: bool = False  # the pronoun after the quote is the subject of a speech verb
    desc_owner: str | None = None  # the name a description is relative to ("Margaret's young man")
    after_desc: str | None = None
    before_name: str | None = None
    before_strength: int = 0  # 2: subject of a speech verb; 1: subject of the last sentence; 0: named in it
    before_pro: str | None = None
    before_prev_para: bool = False
    desc_pro: str | None = None  # the pronoun a descriptive tag stands for ("her mother" -> she)
    desc_title: str | None = None  # a capitalised title the tag uses as a name ("said the Doctor")
    tag_objects: tuple[str, ...] = ()  # characters a tag addresses: "said she … to Elinor"
    pronoun: str | None = None  # the tag pronoun the speaker was resolved from
    resolved: str | None = None  # what that pronoun resolved to
    turn: int = -1
    conv: int = -1

    @property
    def speaking_pronoun(self) -> str | None:
        """The tag pronoun after the quote, when it names the speaker: it speaks, or no
        name before the quote speaks ("She made no reply" yields to "Hamidullah said to
        her bitingly: …"). Read by the rules' cascade and the ranker's pronoun feature."""
        before_speaks = self.before_name is not None and self.before_strength == 2
        return self.after_pro if self.after_pro_speech or not before_speaks else None


class _Index:
    """Name mentions, with fast lookup by position and of the quotes' extents."""

    def __init__(
        self, mentions: Sequence[Mention], quotes: Sequence[Quote], characters: Sequence[Character] = ()
    ) -> None:
        owners: dict[str, set[str]] = {}
        for c in characters:
            if c.narrator:
                continue
            for n in c.names:
                key = " ".join(n.split())
                owners.setdefault(key, set()).add(c.id)
                if key.lower().startswith("the "):
                    owners.setdefault(key[4:], set()).add(c.id)
        #: Names (as written) that belong to exactly one character: a fallback for a
        #: name in a tag that the mention finder left out.
        self.aliases = {n: next(iter(ids)) for n, ids in owners.items() if len(ids) == 1 and n[:1].isupper()}
        self.qspans = [q.span for q in quotes]
        self.qstarts = [s.start for s in self.qspans]
        self.mentions = [m for m in mentions if m.kind == "name"]
        self.starts = [m.span.start for m in self.mentions]
        self.narration = [m for m in self.mentions if not self.in_quote(m.span.start)]
        self.nstarts = [m.span.start for m in self.narration]

    def in_quote(self, pos: int) -> bool:
        k = bisect_right(self.qstarts, pos) - 1
        return k >= 0 and self.qspans[k].start <= pos < self.qspans[k].end

    def between(self, start: int, end: int) -> list[Mention]:
        """Name mentions starting in ``[start, end)``, quoted or not."""
        return self.mentions[bisect_left(self.starts, start) : bisect_left(self.starts, end)]

    def narration_between(self, start: int, end: int) -> list[Mention]:
        """Name mentions outside quotations starting in ``[start, end)``."""
        return self.narration[bisect_left(self.nstarts, start) : bisect_left(self.nstarts, end)]


@dataclass(frozen=True, slots=True)
class _Item:
    """A token of narration: a name mention, a pronoun or a word."""

    kind: str  # "name", "pro", "word"
    value: str  # character id, pronoun, or lower-cased word
    start: int
    end: int


def _items(text: str, start: int, end: int, index: _Index) -> list[_Item]:
    names = index.narration_between(start, end)
    out: list[_Item] = []
    k = 0
    pos = start
    for m in _TOKEN.finditer(text, start, end):
        if m.start() < pos:
            continue
        while k < len(names) and names[k].span.end <= m.start():
            k += 1
        if k < len(names) and names[k].span.start <= m.start() < names[k].span.end:
            out.append(_Item("name", names[k].character_id, names[k].span.start, names[k].span.end))
            pos = names[k].span.end
            k += 1
            continue
        word = m.group()
        if word[:1].isupper() and index.aliases and word.lower() not in _PRONOUNS:
            hit = _alias_at(text, m.start(), end, index)
            if hit is not None:
                cid, stop = hit
                name_start = m.start()
                if out and out[-1].value == "the" and text[out[-1].end : m.start()].strip() == "":
                    # "the Rabbit": the article is part of the name's item.
                    name_start = out.pop().start
                out.append(_Item("name", cid, name_start, stop))
                pos = stop
                continue
        w = word.lower()
        if w == "s" and out and possessive_at(text, m.start() - 1):
            continue  # the "s" of "Margaret s" (a lost apostrophe): part of the possessive
        out.append(_Item("pro" if w in _PRONOUNS else "word", w, m.start(), m.end()))
    return out


_CAP_RUN = re.compile(rf"{UPPER}(?:{LETTER}|['’-])*\.?(?:[ \t]+{UPPER}(?:{LETTER}|['’-])*\.?){{0,3}}")


def _alias_at(text: str, start: int, end: int, index: _Index) -> tuple[str, int] | None:
    """A character name written at ``start`` (longest match first), if the alias table knows it."""
    m = _CAP_RUN.match(text, start, end)
    if m is None:
        return None
    words = m.group().split()
    for n in range(len(words), 0, -1):
        key = " ".join(words[:n]).rstrip(".") if n == len(words) else " ".join(words[:n])
        for k in (key, key.rstrip(".")):
            cid = index.aliases.get(k)
            if cid is not None:
                stop = start + len(" ".join(words[:n]))
                # Recompute the true end over the original spacing.
                stop = start + _span_len(text, start, n)
                return cid, stop
    return None


def _span_len(text: str, start: int, n_words: int) -> int:
    """Length of the first ``n_words`` whitespace-separated words of ``text[start:]``, spacing kept."""
    m = re.match(r"\S+(?:\s+\S+){" + str(n_words - 1) + "}", text[start : start + 200])
    return len(m.group().rstrip(".,;:!?")) if m else 0


#: Prepositions that make the following name the one spoken to ("said she, to Elinor").
# Words after which a name in a tag is the person spoken to ("said she to Elinor",
# "he told Theo", "she asked Marcus").
_ADDRESS_PREPS = frozenset(
    "to at towards toward upon told tells asked asks answered reminded warned assured informed thanked begged "
    "urged ordered promised".split()
)


#: Past participles of a passive speech tag ("was uttered by Captain Wentworth").
_PASSIVE_SPEECH = frozenset("said uttered spoken whispered added answered replied cried exclaimed murmured".split())
#: Nouns that name an utterance as someone's ("was Fanny's answer").
_UTTERANCE_NOUNS = frozenset(
    "answer reply response retort rejoinder remark comment question exclamation cry greeting words thought "
    "thoughts reflection observation language speech salutation inquiry enquiry protest request advice address "
    "explanation apology farewell assurance".split()
)


#: Speech verbs whose next name is always the one spoken to ("warned Aziz"), never an
#: inverted subject (unlike "said Elinor" or "asked Elinor").
_TELLING_VERBS = frozenset("told warned reminded assured informed thanked begged urged ordered promised bade".split())


def _objects(items: list[_Item]) -> tuple[str, ...]:
    """Characters named right after an addressing preposition in a tag clause."""
    return tuple(
        dict.fromkeys(
            it.value
            for k, it in enumerate(items)
            if it.kind == "name" and k > 0 and items[k - 1].kind == "word" and items[k - 1].value in _ADDRESS_PREPS
        )
    )


def _last_sentence_start(text: str, start: int, end: int) -> int:
    """Where the last sentence (or clause after a semicolon or dash) of ``text[start:end]`` begins."""
    seg = text[start:end].rstrip()
    last = 0
    for m in _SENT_END.finditer(seg):
        if m.end() < len(seg):
            last = m.end()
    return start + last


def attribute_speakers(analysis: Analysis, config: object = None, *, model: SpeakerModel | None = None) -> Analysis:
    """Give each quotation a speaker, addressees, a PDNC-style kind and a confidence.

    Args:
        analysis: an analysis with quotes, characters and mentions.
        config: a :class:`~ficnlp.config.Config`; ``use_speaker_model=False`` keeps the
            rules' choices (default: the ranker re-scores them).
        model: the ranker to use instead of the shipped one (training scripts pass
            their fold's model); ignored when ``use_speaker_model`` is false.

    Returns:
        The analysis with every quote's ``speaker_id``, ``addressee_ids``, ``kind``,
        ``confidence`` (a probability in [0, 1]) and ``tag`` set, chat lines'
        ``speaker_id`` resolved, and, in a first-person story whose narrator others
        address by name, the narrator character renamed and the characters of that
        name merged into it (their mentions and quotations now the narrator's; their
        ids are not reused).

    Raises:
        ficnlp.speaker_model.SpeakerModelError: the shipped speaker model file is
            unreadable (only when the model is enabled).
    """
    use_model = bool(getattr(config, "use_speaker_model", True))
    analysis, state = rule_state(analysis)
    if use_model and state.qs:
        from ficnlp import speaker_model

        speaker_model.rerank(analysis, state, model)
    qs = state.qs
    _resolve_epithets(state)
    _unify_continuations(qs)
    for i, q in enumerate(qs):
        q.addressees = _addressees(q, qs, i)
    quotes = tuple(
        Quote(
            id=q.quote.id,
            span=q.quote.span,
            speaker_id=q.speaker,
            addressee_ids=q.addressees,
            kind=q.kind,
            confidence=round(min(1.0, max(0.0, q.confidence)), 4),
            tag=q.tag,
            continues=q.quote.continues,
        )
        for q in qs
    )
    messages = tuple(_resolve_message(m, analysis.characters) for m in analysis.messages)
    return analysis.replace(quotes=quotes, messages=messages)


def rule_state(analysis: Analysis) -> tuple[Analysis, RuleState]:
    """Run the rules, name the narrator, and run the rules again if it was renamed.

    Returns:
        The analysis (characters and mentions rewritten when the narrator took a name)
        and the rules' state over it (the ranker's input).
    """
    state = _rules(analysis)
    analysis, merged = _name_narrator(analysis, state)
    analysis, named = _name_descriptions(analysis, state)
    if merged or named:
        state = _rules(analysis)
    return analysis, state


@dataclass(slots=True)
class RuleState:
    """What the rules found, handed to the ranker (:mod:`ficnlp.speaker_model`).

    Attributes:
        qs: one working record per quotation, in text order.
        index: name mentions by position.
        turns: the turns (lists of indices into ``qs``), in text order; a turn is the
            quotations of one paragraph not separated by bare space.
        turn_conv: the conversation number of each turn.
        chars: the characters by id.
        narrator: the narrator's id, or ``None``.
        barriers: where scenes start (scene breaks, chapter headings, time skips), sorted.
    """

    qs: list[_Q]
    index: _Index
    turns: list[list[int]]
    turn_conv: list[int]
    chars: dict[str, Character]
    narrator: str | None
    barriers: list[int]


def _rules(analysis: Analysis) -> RuleState:
    text = analysis.text
    chars = {c.id: c for c in analysis.characters}
    narrator = next((c.id for c in analysis.characters if c.narrator), None)
    index = _Index(analysis.mentions, analysis.quotes, analysis.characters)
    paragraphs = analysis.story.paragraphs
    para_starts = [p.start for p in paragraphs]
    qs = [_Q(q, max(0, bisect_right(para_starts, q.span.start) - 1)) for q in analysis.quotes]
    for q in qs:
        addressed = _vocative_mentions(text, q.quote, index)
        q.vocatives = tuple(dict.fromkeys(m.character_id for m in addressed))
        q.address_forms = _address_forms(text, q.quote, addressed)
    by_para: dict[int, list[int]] = {}
    for i, q in enumerate(qs):
        by_para.setdefault(q.para, []).append(i)
    barriers = sorted(
        {b.start for b in analysis.scene_breaks}
        | {c.span.start for c in analysis.chapters}
        | {t.span.start for t in analysis.time_skips}
    )

    # Read every tag first: after the quote, before it, in the previous paragraph.
    for p_idx, members in by_para.items():
        para = paragraphs[p_idx] if paragraphs else Span(0, len(text))
        for j, qi in enumerate(members):
            q = qs[qi]
            after_end = qs[members[j + 1]].quote.span.start if j + 1 < len(members) else para.end
            before_start = qs[members[j - 1]].quote.span.end if j > 0 else para.start
            _read_after(text, q, after_end, index)
            _read_before(text, q, before_start, q.quote.span.start, index)
            if (
                q.before_name is None
                and q.before_pro is None
                and j == 0
                and p_idx > 0
                and not text[para.start : q.quote.span.start].strip()
            ):
                prev = paragraphs[p_idx - 1]
                tail = text[prev.start : prev.end].rstrip()
                prev_members = by_para.get(p_idx - 1, [])
                start = qs[prev_members[-1]].quote.span.end if prev_members else prev.start
                if (
                    tail[-1:] in ",:;—-"
                    and prev.end - _last_sentence_start(text, start, prev.end) < _PREV_TAG_REACH
                    and text[start : prev.end].strip()
                ):
                    _read_before(text, q, start, prev.end, index)
                    q.before_prev_para = q.before_name is not None or q.before_pro is not None
                elif not prev_members and tail[-1:] in ".!":
                    # A paragraph of narration alone before an untagged quote: the subject of
                    # its last sentence is a beat ("Ana watched him go, then turned to Theo."
                    # / "You okay, honey?"), weaker than a tag; the ranker weighs it.
                    beat = _Q(q.quote, q.para)
                    _read_before(text, beat, _last_sentence_start(text, prev.start, prev.end), prev.end, index)
                    # Not someone the quote addresses by name ("Get off the ledge, Teddie.").
                    if (
                        beat.before_name is not None
                        and beat.before_strength == 1
                        and beat.before_name not in q.vocatives
                    ):
                        q.before_name, q.before_strength = beat.before_name, 1
                        q.before_prev_para = True
                elif prev_members and tail[-1:] in ".!" and _ONSET.search(text, start, prev.end):
                    # The previous paragraph ends by announcing speech or song ('"Yeah"
                    # Alex smiled, he took a breath before starting to sing softly.'): its
                    # subject says or sings the untagged quote that opens this one.
                    beat = _Q(q.quote, q.para)
                    _read_before(text, beat, _last_sentence_start(text, start, prev.end), prev.end, index)
                    if beat.before_name is not None and beat.before_name not in q.vocatives:
                        q.before_name, q.before_strength = beat.before_name, 2
                        q.before_prev_para = True
                    elif beat.before_pro is not None:
                        q.before_pro = beat.before_pro
                        q.before_prev_para = True

    conv_of_quote, turns, turn_conv = _turns(text, qs, barriers)
    for t, turn in enumerate(turns):
        for i in turn:
            qs[i].turn = t
            qs[i].conv = turn_conv[t]

    # Pass 1: decide from the tags, within the paragraph.
    for p_idx, members in by_para.items():
        para = paragraphs[p_idx] if paragraphs else Span(0, len(text))
        for qi in members:
            _decide(text, qs[qi], para, index, chars, narrator, qs, qi)
        _share_within_paragraph(text, qs, members)
    _share_continuations(qs)

    # Pass 2: conversation turns.
    state = RuleState(qs, index, turns, turn_conv, chars, narrator, barriers)
    _conversations(text, state)
    del conv_of_quote
    return state


#: Words before a speech word that make it a noun ("in a half whisper", "her reply").
_NOUN_LEADS = frozenset("to the a an his her their my our your half low loud soft faint gentle little".split())
#: Transitive verbs whose following name is an object, not a subject.
_OBJECT_VERBS = frozenset(
    "borne seen told given left met known found heard made let bid bade saw took gave kissed joined followed".split()
)
_VOICE_OF = re.compile(r"\s+(?:the\s+)?voice\s+of\s+", re.IGNORECASE)
#: Adjectives that may stand between a tag verb and a name ("drivelled old Horace Talbot").
_NAME_ADJECTIVES = frozenset("old young little poor dear good the".split())
#: Verbs of perceiving someone else speak ("Archer heard Lawrence Lefferts say").
_HEAR_VERBS = frozenset("heard hears hear overheard saw".split())
#: Past forms ending in -ed that are not verbs of a tag subject.
_NOT_VERBS = frozenset("red bed need seed speed indeed hundred ashamed".split())
_CLOSERS = "\"'”’»«“‘ \t\n"


def _verb_like(word: str) -> bool:
    """Whether a lower-case word reads as a past-tense verb (``related``, ``drivelled``)."""
    return word in SPEECH or (len(word) > 4 and word.endswith("ed") and word not in _NOT_VERBS)


def _ends_with_comma(text: str, span: Span) -> bool:
    """Whether the quotation's words end with a comma (``"Yes,"``): its tag follows."""
    inner = text[span.start : span.end].rstrip(_CLOSERS)
    return inner.endswith(",")


def _item_after(items: list[_Item], it: _Item) -> _Item | None:
    k = items.index(it)
    return items[k + 1] if k + 1 < len(items) else None


def _heard_say(items: list[_Item], k: int) -> _Item | None:
    """The name in ``<hear-verb> NAME <speech verb>`` starting at ``items[k]``, if any."""
    if k + 2 < len(items) and items[k].kind == "word" and items[k].value in _HEAR_VERBS:
        who, verb = items[k + 1], items[k + 2]
        if who.kind == "name" and verb.kind == "word" and verb.value in SPEECH:
            return who
    return None


#: Verbs of beginning that are speech tags only when what begins is speech.
_ONSET_VERBS = frozenset("began begun begins begin started starts start commenced".split())
_SPEAKING = frozenset("speak say sing talk cry laugh whisper shout call read ask answer reply explain".split())


def _onset_of_action(items: list[_Item], verb: _Item) -> bool:
    """ "Mr. Marvel began to make frantic dives": a beginning of something other than speech."""
    if verb.value not in _ONSET_VERBS:
        return False
    k = items.index(verb)
    nxt = items[k + 1 : k + 3]
    if not nxt or nxt[0].kind != "word":
        return False
    if nxt[0].value == "to" and len(nxt) > 1:
        return nxt[1].kind == "word" and nxt[1].value not in _SPEAKING and nxt[1].value not in SPEECH
    # "began making", "started running"
    return nxt[0].value.endswith("ing") and nxt[0].value[:-3] not in _SPEAKING and nxt[0].value not in SPEECH


def _phrasal(items: list[_Item], verb: _Item) -> bool:
    """Whether ``verb`` and the word after it make a phrasal speech verb ("burst out")."""
    if verb.kind != "word" or verb.value not in _PHRASAL_SPEECH:
        return False
    particle = _item_after(items, verb)
    return particle is not None and particle.kind == "word" and particle.value in _PHRASAL_PARTICLES


def _read_after(text: str, q: _Q, end: int, index: _Index) -> None:
    """Read a tag after the quote: ``said Alex``, ``Alex said``, ``she said``, ``said his wife``."""
    start = q.quote.span.end
    seg = text[start:end]
    if not seg.strip():
        return
    m_end = _SENT_END.search(seg)
    stop = start + (m_end.end() if m_end else len(seg))
    items = _items(text, start, stop, index)
    if not items:
        return
    q.tag_objects = _objects(items)
    lead_text = text[start : items[0].start]
    if lead_text.strip(" \t,\n—–-") != "":
        return
    first = items[0]
    rest = items[1:]
    nxt = rest[0] if rest else None
    if nxt is not None and nxt.kind == "word" and nxt.value.endswith("ly") and len(rest) > 1:
        nxt = rest[1]
    if first.kind == "name":
        if possessive_at(text, first.end):
            if (
                nxt is not None
                and nxt.value == "voice"
                and (verb2 := _item_after(items, nxt)) is not None
                and verb2.value in SPEECH
            ):
                # "Hamidullah's voice said": the voice is the person's.
                q.after_name, q.after_strength = first.value, 2
                q.tag = Span(first.start, verb2.end)
            elif (part := _body_part(items, 1)) is not None:
                # '"Of course--why not?" Dallas's eyebrows went up.': a beat of the possessor.
                q.after_name, q.after_strength = first.value, 1
                q.tag = Span(first.start, part.end)
            return
        heard = _heard_say(items, 1)
        if heard is not None:
            # "Archer heard Reggie Chivers say": the one heard speaks.
            q.after_name, q.after_strength = heard.value, 2
            q.tag = Span(heard.start, heard.end)
            return
        if (
            nxt is not None
            and nxt.kind == "word"
            and (nxt.value in SPEECH or _phrasal(items, nxt))
            and not _onset_of_action(items, nxt)
        ):
            q.after_name, q.after_strength = first.value, 2
        elif (
            nxt is not None
            and nxt.kind == "word"
            and text[first.end : nxt.start].strip() == ""
            and _ends_with_comma(text, q.quote.span)
            and _verb_like(nxt.value)
        ):
            # '"…," Anne related': a quote cut by a comma is followed by its tag.
            q.after_name, q.after_strength = first.value, 2
        elif nxt is not None and nxt.kind == "word" and text[first.end : nxt.start].strip() in ("", ","):
            q.after_name, q.after_strength = first.value, 1
        elif nxt is None and text[first.end : first.end + 1] in ".,":
            q.after_name, q.after_strength = first.value, 1
        if q.after_name is not None:
            q.tag = Span(first.start, (nxt.end if nxt is not None else first.end))
        return
    if first.kind == "pro":
        heard = _heard_say(items, 1)
        if heard is not None:
            # '"…" she heard Ralph say': the one heard speaks.
            q.after_name, q.after_strength = heard.value, 2
            q.tag = Span(heard.start, heard.end)
            return
        if nxt is not None and nxt.kind == "word":
            q.after_pro = first.value
            q.after_pro_speech = nxt.value in SPEECH or _phrasal(items, nxt)
            q.tag = Span(first.start, nxt.end)
        return
    if first.kind == "word" and first.value == "from" and nxt is not None and nxt.kind == "name":
        # '"M--m--m--m!" from Mr. Wilcox, who …': the utterance came from the name.
        if text[first.end : nxt.start].strip() == "":
            q.after_name, q.after_strength = nxt.value, 2
            q.tag = Span(first.start, nxt.end)
        return
    if first.kind == "word" and first.value == "the" and nxt is not None and nxt.kind == "name":
        # "the Rabbit whispered": a name after the article.
        k = items.index(nxt)
        after_name = items[k + 1] if k + 1 < len(items) else None
        if after_name is not None and after_name.kind == "word" and after_name.value in SPEECH:
            q.after_name, q.after_strength = nxt.value, 2
            q.tag = Span(first.start, after_name.end)
        return
    possessor = (
        [it for it in rest[:4] if it.value not in ("all", "the", "only")]
        if first.value in ("was", "were", "came")
        else []
    )
    if possessor and possessor[0].value in ("his", "her"):
        # '"Would I!" was all her answer': the utterance named as the pronoun's.
        noun = next((it for it in possessor[1:3] if it.kind == "word" and it.value in _UTTERANCE_NOUNS), None)
        if noun is not None:
            q.after_pro = "he" if possessor[0].value == "his" else "she"
            q.tag = Span(first.start, noun.end)
        return
    if possessor and possessor[0].kind == "name":
        # '"Yes," was Fanny's humble answer', "was all Lady Bertram's reply": the
        # utterance named as someone's.
        utterer = possessor[0]
        if possessive_at(text, utterer.end):
            noun = next((it for it in possessor[1:4] if it.kind == "word" and it.value in _UTTERANCE_NOUNS), None)
            if noun is not None:
                q.after_name, q.after_strength = utterer.value, 2
                q.tag = Span(first.start, noun.end)
        return
    if (
        len(possessor) > 2
        and possessor[0].value in _PASSIVE_SPEECH
        and possessor[1].value == "by"
        and possessor[2].kind == "name"
    ):
        # '"Thank God!" was uttered by Captain Wentworth': the agent speaks.
        q.after_name, q.after_strength = possessor[2].value, 2
        q.tag = Span(first.start, possessor[2].end)
        return
    verb = first
    if verb.value.endswith("ly") and rest:
        verb, rest = rest[0], rest[1:]
    phrasal = _phrasal(items, verb)
    if phrasal:
        rest = rest[1:] if rest and rest[0].value in _PHRASAL_PARTICLES else rest
    inverted = (
        verb.kind == "word"
        and verb.value not in SPEECH
        and _verb_like(verb.value)
        and bool(rest)
        and (
            rest[0].kind in ("name", "pro")
            or (len(rest) > 1 and rest[0].value in _NAME_ADJECTIVES and rest[1].kind == "name")
        )
        and text[verb.end : rest[0].start].strip() == ""
    )
    if verb.kind != "word" or (verb.value not in SPEECH and not inverted and not phrasal) or not rest:
        # "his wife said", "the old man cried"
        if first.value in _DESC_LEADS:
            for k, it in enumerate(items[1:5], start=1):
                if it.kind == "word" and it.value in _TAG_VERBS:
                    q.after_desc = " ".join(x.value for x in items[:k])
                    q.tag = Span(first.start, it.end)
                    break
        return
    if verb.value == "went" and (rest[0].value != "on"):
        return
    if verb.value == "went":
        rest = rest[1:]
        if not rest:
            return
    voice = _VOICE_OF.match(text, verb.end, min(len(text), verb.end + 40))
    if voice is not None:
        # "said the voice of Mr. Haq" (the character stage may make "the voice" a name)
        who = next((it for it in rest if it.kind == "name" and it.start >= voice.end()), None)
        if who is not None and who.start <= voice.end() + 1:
            q.after_name, q.after_strength = who.value, 2
            q.tag = Span(verb.start, who.end)
        return
    subj = rest[0]
    if subj.kind == "name" and possessive_at(text, subj.end):
        if len(rest) > 1 and rest[1].value == "voice":
            # "said Hamidullah's voice"
            q.after_name, q.after_strength = subj.value, 2
            q.tag = Span(verb.start, rest[1].end)
            return
        # "responded Daisy's mamma", "said Margaret's young man": a description relative
        # to the name, never the name's bearer.
        words = _description_words(text, rest[1:3])
        if words:
            q.after_desc = "'s " + " ".join(words)
            q.desc_owner = subj.value
            q.tag = Span(verb.start, rest[len(words)].end)
        return
    if subj.kind == "name":
        between = _TITLE_WORDS.sub("", text[verb.end : subj.start])
        if len(between.strip()) <= 12 and not any(c in between for c in ".!?"):
            q.after_name, q.after_strength = subj.value, 2
            q.tag = Span(verb.start, subj.end)
        return
    if subj.kind == "pro":
        q.after_pro = subj.value
        q.tag = Span(verb.start, subj.end)
        return
    if (
        subj.value == "the"
        and len(rest) >= 2
        and rest[1].kind == "name"
        and text[subj.end : rest[1].start].strip() == ""
        and not possessive_at(text, rest[1].end)
    ):
        # "said the Reverend Wyndham Datchet", "said the Rabbit": a name after the article.
        q.after_name, q.after_strength = rest[1].value, 2
        q.tag = Span(verb.start, rest[1].end)
        return
    if subj.value == "the" and len(rest) >= 3:
        # "said the unsympathetic Marilla", "said the less courteous Edmund": an epithet
        # before a name is the name's.
        adjs = _description_words(text, rest[1:3])
        k = len(adjs) + 1
        if (
            adjs
            and k < len(rest)
            and rest[k].kind == "name"
            and text[subj.end : rest[k].start].replace("\n", " ").strip(" ").count(" ") == len(adjs) - 1
            and not possessive_at(text, rest[k].end)
        ):
            q.after_name, q.after_strength = rest[k].value, 2
            q.tag = Span(verb.start, rest[k].end)
            return
    if subj.value in _DESC_LEADS and len(rest) >= 2:
        words = [rest[0].value, *_description_words(text, rest[1:4])]
        q.after_desc = " ".join(words)
        q.tag = Span(verb.start, rest[len(words) - 1].end)
        if (
            subj.value == "the"
            and len(words) == 2
            and (text[rest[1].start : rest[1].start + 1].isupper() or words[1] in RANK_FORMS)
        ):
            # "said the Doctor", and "replied the doctor" when someone's name carries it.
            q.desc_title = words[1]
    elif subj.kind == "word" and subj.value in RANK_FORMS and text[subj.start : subj.start + 1].isupper():
        # "answered Mademoiselle" (Mademoiselle Reisz): a capitalised title alone names
        # the character who holds it, as "said the Doctor" does.
        q.after_desc = q.desc_title = subj.value
        q.tag = Span(verb.start, subj.end)
    elif len(rest) >= 2 and rest[1].kind == "name" and subj.value not in _PREPOSITIONS:
        # "said old Jolyon"
        q.after_name, q.after_strength = rest[1].value, 2
        q.tag = Span(verb.start, rest[1].end)
    elif (
        len(rest) >= 3
        and rest[2].kind == "name"
        and rest[1].kind == "word"
        and text[subj.end : rest[1].start] == "-"
        and subj.value not in _PREPOSITIONS
    ):
        # "sighed pleasure-loving Miss Derek": a hyphenated epithet before the name.
        q.after_name, q.after_strength = rest[2].value, 2
        q.tag = Span(verb.start, rest[2].end)


def _description_words(text: str, items: list[_Item]) -> list[str]:
    """The words of a description in a tag ("young man" of "said Margaret's young man,"): up to
    a name, a preposition, "and", "who" or "with", and through the first word a comma or
    full stop follows."""
    words: list[str] = []
    for it in items:
        if it.kind != "word" or it.value in _PREPOSITIONS or it.value in ("and", "who", "with"):
            break
        words.append(it.value)
        if text[it.end : it.end + 1] in ",.;":
            break
    return words


#: Parts of a person that make a beat of their possessor ("Dallas's eyebrows went up").
_BODY_PARTS = frozenset(
    "eyes eye brows eyebrows brow face lips lip mouth hand hands head cheeks cheek smile expression glance "
    "gaze shoulders jaw chin fingers arms features countenance".split()
)


def _body_part(items: list[_Item], k: int) -> _Item | None:
    """The body part at ``items[k]`` or after one adjective there ("eyes", "dark eyes"), if any."""
    for it in items[k : k + 2]:
        if it.kind != "word":
            return None
        if it.value in _BODY_PARTS:
            return it
    return None


def _read_before(text: str, q: _Q, start: int, end: int, index: _Index) -> None:
    """Read the narration before a quote: the subject of its last speech verb, else of its last sentence."""
    seg = text[start:end]
    if not seg.strip():
        return
    sent = _last_sentence_start(text, start, end)
    items = _items(text, sent, end, index)
    if not items:
        return
    objects = _objects(items)
    if objects:
        q.tag_objects = tuple(dict.fromkeys((*q.tag_objects, *objects)))
    tail = text[items[-1].end : end].strip()
    open_clause = tail[-1:] in (",", ":", "—", "-", "") or tail.endswith("--")
    verb_k = None
    if open_clause:
        for k in range(len(items) - 1, -1, -1):
            it = items[k]
            if (
                it.kind == "word"
                and it.value in SPEECH
                and not (k > 0 and items[k - 1].value in _NOUN_LEADS and not text[items[k - 1].end : it.start].strip())
            ):
                verb_k = k
                break
    if verb_k is not None:
        verb = items[verb_k]
        after = items[verb_k + 1 : verb_k + 4]
        j = verb_k - 1
        while j >= 0 and items[j].kind == "word" and items[j].value.endswith("ly"):
            j -= 1
        subj = items[j] if j >= 0 else None
        if (
            subj is not None
            and (subj.kind == "name" or (subj.kind == "pro" and subj.value in _PRONOUNS))
            and not possessive_at(text, subj.end)
            and not any(c in text[subj.end : verb.start] for c in ",;:")
        ):
            # "Anne told Marilla," / "she asked Elinor,": the name after is the one spoken to.
            if subj.kind == "name":
                q.before_name, q.before_strength = subj.value, 2
            else:
                q.before_pro = subj.value
            q.tag = q.tag or Span(subj.start, verb.end)
            return
        if (
            after
            and after[0].kind == "name"
            and verb.value not in _TELLING_VERBS
            and not possessive_at(text, after[0].end)
        ):
            # "said Elinor, …" (inverted); but "and warned Aziz" names the one warned.
            q.before_name, q.before_strength = after[0].value, 2
            q.tag = q.tag or Span(verb.start, after[0].end)
            return
        if after and after[0].kind == "pro" and after[0].value in ("he", "she", "i", "they", "we"):
            q.before_pro = after[0].value
            q.tag = q.tag or Span(verb.start, after[0].end)
            return
        for k in range(verb_k - 1, -1, -1):
            it = items[k]
            if it.kind == "word" and it.value in ("who", "which"):
                continue
            if it.kind not in ("name", "pro"):
                continue
            prev = items[k - 1].value if k > 0 else ""
            if it.kind == "pro" and it.value not in ("he", "she", "i", "they", "we"):
                continue
            if prev in _PREPOSITIONS or prev in _SUBORDINATORS:
                # "when she ceased speaking, replied": the subordinate clause's subject
                # is skipped; but "when Mary interrupted her by exclaiming", "by Lydia,
                # who … cried", "before John Thorpe came … calling out" are the speaker.
                # "while Margaret, thoughtful again, said:": a parenthesis with no verb
                # of its own keeps the clause running on to the speech verb.
                between = items[k + 1 : verb_k]
                runs_on = prev in _SUBORDINATORS and (
                    not any(c in text[it.end : verb.start] for c in ",;:")
                    or (
                        not any(c in text[it.end : verb.start] for c in ";:")
                        and len(between) <= 3
                        and all(b.kind == "word" and not b.value.endswith(("ed", "ing")) for b in between)
                    )
                )
                relative = k + 1 < verb_k and items[k + 1].value == "who"
                # A participle tag ("calling out") belongs to the nearest subject; a
                # finite one ("replied") to the main clause's.
                finite = (
                    verb.value.endswith("ing")
                    and k + 1 < verb_k
                    and items[k + 1].kind == "word"
                    and _verb_like(items[k + 1].value)
                    and text[it.end : items[k + 1].start].strip() == ""
                )
                if not (runs_on or relative or finite):
                    continue
            elif (
                it.kind == "name"
                and k > 0
                and items[k - 1].kind == "word"
                and text[items[k - 1].end : it.start].strip() == ""
                and (items[k - 1].value in _OBJECT_VERBS or items[k - 1].value.endswith("ed"))
            ):
                # "… and borne Edmund company …, now ventured to say": an object.
                continue
            if it.kind == "name":
                q.before_name, q.before_strength = it.value, 2
            else:
                q.before_pro = it.value
            q.tag = q.tag or Span(it.start, verb.end)
            return
        if items[0].kind == "word" and items[0].value in ("and", "but", "then", "yet") and sent > start:
            # "Mr. Collins was gratified; and with a more smiling solemnity replied,": a
            # clause without a subject shares the one before the semicolon.
            prior = _last_sentence_start(text, start, sent - 1)
            lead = next((it for it in _items(text, prior, sent, index) if it.kind in ("name", "pro")), None)
            if lead is not None and text[prior:sent].rstrip().endswith(";"):
                if lead.kind == "name":
                    q.before_name, q.before_strength = lead.value, 2
                elif lead.value in ("he", "she", "i", "they", "we"):
                    q.before_pro = lead.value
                q.tag = q.tag or Span(lead.start, verb.end)
                return
    # No speech verb: the subject of the last sentence is the speaker of a beat.
    first = items[0]
    k = 0
    while k < len(items) - 1 and items[k].kind == "word" and items[k].value in _SUBJECT_LEADS:
        k += 1
    lead = items[k]
    if lead.kind == "name" and (not possessive_at(text, lead.end) or _body_part(items, k + 1) is not None):
        # "Addison's eyes widened." is a beat of Addison's, as "Addison frowned." is.
        q.before_name, q.before_strength = lead.value, 1
        return
    if lead.kind == "pro" and lead.value in ("he", "she", "i") and k == 0:
        q.before_pro = lead.value
        return
    # Not a possessor ("said Margaret's young man, '…'": the man speaks, not Margaret).
    names = [it for it in items if it.kind == "name" and it.value not in objects and not possessive_at(text, it.end)]
    if names and first is not None:
        q.before_name, q.before_strength = names[0].value, 0


#: Kinship and address nouns with lexical gender, beyond the lexicon's person nouns.
_MALE_DESC = (
    MALE_NOUNS
    | MALE_TITLES
    | frozenset("lordship papa husband host squire doctor stranger".split()) - {"mr", "mr.", "m"}
)
_FEMALE_DESC = (
    FEMALE_NOUNS
    | FEMALE_TITLES
    | frozenset("ladyship mamma mama hostess wife bride widow".split()) - {"ms", "mrs", "miss"}
)


def _desc_pronoun(desc: str) -> str | None:
    """The gender a descriptive tag carries: ``his wife`` -> she, ``the old man`` -> he, ``the other`` -> None."""
    for w in reversed(desc.split()):
        if w in _MALE_DESC:
            return "he"
        if w in _FEMALE_DESC:
            return "she"
    return None


def _decide(
    text: str,
    q: _Q,
    para: Span,
    index: _Index,
    chars: dict[str, Character],
    narrator: str | None,
    qs: list[_Q],
    qi: int,
) -> None:
    """The rules' choice for one quote from its tags (a cascade, strongest first)."""
    if q.after_name is not None and q.after_strength == 2:
        q.speaker, q.kind, q.confidence = q.after_name, "explicit", 0.95
        return
    if (pro := q.speaking_pronoun) is not None:
        pos = q.tag.start if q.tag is not None else q.quote.span.end
        cid = _resolve_pronoun(pro, pos, para, index, chars, narrator, qs, qi)
        q.pronoun, q.resolved = pro, cid
        if cid is not None:
            q.speaker, q.kind = cid, "anaphoric"
            q.confidence = 0.9 if pro in ("i", "we") else 0.75
            return
    if q.before_name is not None and q.before_strength == 2:
        q.speaker, q.kind, q.confidence = q.before_name, "explicit", 0.85 if q.before_prev_para else 0.9
        return
    if q.after_desc is not None and q.desc_title is not None:
        cid = _title_holder(q.desc_title, q.quote.span.start, index, chars)
        if cid is not None:
            q.resolved = cid
            q.speaker, q.kind, q.confidence = cid, "anaphoric", 0.8
            return
    if q.after_desc is not None:
        pos = q.tag.start if q.tag is not None else q.quote.span.end
        cid = _relative(q.after_desc, pos, para, index, chars, narrator, qs, qi)
        if cid is not None:
            q.resolved = cid
            q.speaker, q.kind, q.confidence = cid, "anaphoric", 0.7
            return
        q.desc_pro = _desc_pronoun(q.after_desc)
        cid = _resolve_pronoun(
            q.desc_pro or "they", pos, para, index, chars, narrator, qs, qi, want_any=q.desc_pro is None
        )
        if cid is not None and cid == q.desc_owner:
            cid = None  # "Margaret's young man" is not Margaret
        q.resolved = cid
        if cid is not None:
            q.speaker, q.kind, q.confidence = cid, "anaphoric", 0.6
            return
    if q.before_pro is not None:
        pos = q.quote.span.start
        cid = _resolve_pronoun(q.before_pro, pos, para, index, chars, narrator, qs, qi)
        q.pronoun, q.resolved = q.before_pro, cid
        if cid is not None:
            q.speaker, q.kind = cid, "anaphoric"
            q.confidence = 0.8 if q.before_pro in ("i", "we") else 0.6
            return
    if q.after_name is not None:
        q.speaker, q.kind, q.confidence = q.after_name, "explicit", 0.8
        return
    if q.before_name is not None and q.before_strength == 1:
        q.speaker, q.kind, q.confidence = q.before_name, "explicit", 0.7
        return
    if q.before_name is not None:
        q.speaker, q.kind, q.confidence = q.before_name, "explicit", 0.55


#: The names a story gives a relative it calls by the role ("Mom" for "her mother").
_MOTHER_WORDS = frozenset("mom mommy momma mum mummy mama mamma mother".split())
_FATHER_WORDS = frozenset("dad daddy papa pa father".split())
_AUNT_WORDS = frozenset("aunt auntie aunty".split())
_UNCLE_WORDS = frozenset(["uncle"])
_GRANDMOTHER_WORDS = frozenset("grandmother grandma granny gran nana".split())
_GRANDFATHER_WORDS = frozenset("grandfather grandpa granddad grandad".split())
_KIN_ROLES = {
    word: group
    for group in (_MOTHER_WORDS, _FATHER_WORDS, _AUNT_WORDS, _UNCLE_WORDS, _GRANDMOTHER_WORDS, _GRANDFATHER_WORDS)
    for word in group
}
#: Relatives found by a role name or the conversation, never by the possessor's surname
#: (an aunt or a grandparent seldom shares it: Mrs. Gardiner, Elizabeth Bennet's aunt).
_KIN_OTHER_FAMILY = _AUNT_WORDS | _UNCLE_WORDS | _GRANDMOTHER_WORDS | _GRANDFATHER_WORDS

#: Kinship nouns of relational tags ("said her mother"): the relative's gender and the
#: honorific a parent or spouse shares the possessor's surname under.
_MATRON = frozenset({"mrs", "lady"})
_PATRON = frozenset({"mr", "sir", "lord"})
_KIN: dict[str, tuple[str, frozenset[str] | None]] = {
    **dict.fromkeys(_MOTHER_WORDS, ("she/her", _MATRON)),
    "wife": ("she/her", _MATRON),
    **dict.fromkeys(_FATHER_WORDS - {"pa"}, ("he/him", _PATRON)),  # "his pa" stays a pronoun's
    "husband": ("he/him", _PATRON),
    "sister": ("she/her", None),
    "daughter": ("she/her", None),
    "brother": ("he/him", None),
    "son": ("he/him", None),
    **dict.fromkeys(_AUNT_WORDS | _GRANDMOTHER_WORDS, ("she/her", None)),
    **dict.fromkeys(_UNCLE_WORDS | _GRANDFATHER_WORDS, ("he/him", None)),
}
#: Honorifics followed by a surname ("Mr. Bennet"), unlike "Sir Thomas" or "Miss Elizabeth".
_SURNAME_HONORIFICS = frozenset({"mr", "mrs", "ms", "dr"})
_HONORIFIC_WORDS = frozenset(t.rstrip(".") for t in MALE_TITLES | FEMALE_TITLES)


def _relative(
    desc: str,
    pos: int,
    para: Span,
    index: _Index,
    chars: dict[str, Character],
    narrator: str | None,
    qs: list[_Q],
    qi: int,
) -> str | None:
    """The relative a kinship tag names (``said her mother`` -> Mrs. Bennet), or ``None``.

    The possessor is sought first (Elizabeth): the one the quote addresses by name, the
    speaker of the turn before if of the pronoun's gender, the pronoun's resolution; the
    first of these who has such a relative is taken. The relative is the one
    other character of the kinship noun's gender who bears the possessor's surname,
    preferring the honorific of a parent or spouse (Mrs. or Lady for a mother or wife);
    among several, the one named last in the narration before the tag (an aunt, uncle or
    grandparent is not sought by surname). With no relative
    by surname: the one character called by the role itself (``said her mom``: Mom,
    ``cried his aunt``: Aunt Norris), else
    the one other speaker of the relative's gender in the conversation's last turns
    (``asked her son``: Ronny Heaslop, son of Mrs. Moore). ``None`` when the tag is not of
    this shape or no such character exists (the pronoun rules then decide).

    Source: English naming convention (a wife and children share the husband's surname),
    as in PDNC's alias lists (Mrs. Bennet, Elizabeth Bennet).
    """
    words = desc.split()
    if len(words) < 2 or words[0] not in ("his", "her") or words[1] not in _KIN:
        return None
    gender, honorific = _KIN[words[1]]
    pronoun = "he" if words[0] == "his" else "she"
    want = _SUBJECT_PRONOUNS[pronoun]
    # The one addressed is usually the possessor ('"Well, Lucy," continued her mother').
    addressed = [v for v in qs[qi].vocatives if v in chars and chars[v].gender in (want, "unknown")]
    # Else the one who spoke the turn before ('"Then you would be very ill-bred," cried
    # Mr. Palmer. / "My love you contradict every body," said his wife').
    before = next(
        (qs[k] for k in range(qi - 1, -1, -1) if qs[k].turn != qs[qi].turn),
        None,
    )
    previous = (
        before.speaker
        if before is not None
        and before.conv == qs[qi].conv
        and before.speaker in chars
        and chars[before.speaker].gender == want
        else None
    )
    # The possessors in that order, then the pronoun's resolution; the first who has such
    # a relative wins (a vocative may name someone the character stage keeps apart from
    # the one spoken to before: '"Do come quietly, Mary," murmured her husband' after
    # Mrs. Turton spoke).
    owners: list[str] = []
    if len(addressed) == 1:
        owners.append(addressed[0])
    if previous is not None:
        owners.append(previous)
    by_surname = words[1] not in _KIN_OTHER_FAMILY
    for owner in owners if by_surname else ():
        kin_id = _kin_of(owner, gender, honorific, want, addressed, pos, index, chars)
        if kin_id is not None:
            return kin_id
    resolved = _resolve_pronoun(pronoun, pos, para, index, chars, narrator, qs, qi)
    if resolved is not None and resolved not in owners:
        kin_id = _kin_of(resolved, gender, honorific, want, addressed, pos, index, chars) if by_surname else None
        if kin_id is not None:
            return kin_id
        owners.append(resolved)
    # No relative by surname ("asked her son": Ronny Heaslop, son of Mrs. Moore): a
    # character called by the role itself ("said her mom": Mom), else the one other
    # speaker of the relative's gender in the conversation's last turns.
    role_words = _KIN_ROLES.get(words[1], ())
    roles = [
        c.id
        for c in chars.values()
        if any(n.lower() in role_words or n.split()[0].lower() in role_words for n in c.names if n.strip())
    ]
    if len(roles) == 1:
        return roles[0]
    partners = set()
    for k in range(qi - 1, max(-1, qi - 12), -1):
        if qs[k].conv != qs[qi].conv:
            break
        sp = qs[k].speaker
        if sp in chars and sp not in owners and not chars[sp].narrator and chars[sp].gender == gender:
            partners.add(sp)
    return next(iter(partners)) if len(partners) == 1 else None


def _kin_of(
    owner: str,
    gender: str,
    honorific: frozenset[str] | None,
    want: str,
    addressed: list[str],
    pos: int,
    index: _Index,
    chars: dict[str, Character],
) -> str | None:
    """The relative of ``owner`` of ``gender`` (see :func:`_relative`), or ``None``."""
    if not (chars[owner].gender == want or (owner in addressed and chars[owner].gender == "unknown")):
        return None  # only a possessor whose gender the narration confirms (or one addressed)
    surnames = {
        n.split()[-1]
        for n in chars[owner].names
        if len([w for w in n.split() if w.rstrip(".").lower() not in _HONORIFIC_WORDS]) >= 2
        or (len(n.split()) == 2 and n.split()[0].rstrip(".").lower() in _SURNAME_HONORIFICS)
    }
    if not surnames:
        return None
    kin = [
        c
        for c in chars.values()
        if c.id != owner
        and not c.narrator
        and c.gender in (gender, "unknown")
        and any(n.split()[-1] in surnames for n in c.names)
    ]
    if honorific is not None:
        titled = [c for c in kin if any(n.split()[0].rstrip(".").lower() in honorific for n in c.names)]
        kin = titled or kin
    if len(kin) == 1:
        return kin[0].id
    return _named_last({c.id for c in kin}, pos, index)


def _named_last(ids: set[str], pos: int, index: _Index) -> str | None:
    """Of ``ids``, the character named last in the narration of the :data:`_TITLE_WINDOW` code points before ``pos``."""
    for m in reversed(index.narration_between(max(0, pos - _TITLE_WINDOW), pos)):
        if m.character_id in ids:
            return m.character_id
    return None


#: How far back (code points) a title holder must have been named.
_TITLE_WINDOW = 6000


def _title_holder(title: str, pos: int, index: _Index, chars: dict[str, Character]) -> str | None:
    """The character a capitalised title in a tag names (``said the Doctor`` -> Dr. Bull).

    The characters whose name carries the title (or its short form) as a word; of
    those, the one named last in the narration of the last :data:`_TITLE_WINDOW` code
    points, else the only one in the story.
    """
    forms = RANK_FORMS.get(title)
    if forms is None:
        return None
    holders = {
        cid
        for cid, c in chars.items()
        if not c.narrator and any(w.strip(".").lower() in forms for n in c.names for w in n.split()[:-1] or [])
    }
    if not holders:
        return None
    last = _named_last(holders, pos, index)
    if last is not None:
        return last
    return next(iter(holders)) if len(holders) == 1 else None


def _share_within_paragraph(text: str, qs: list[_Q], members: list[int]) -> None:
    """A quote split by its tag, or followed by more speech in the paragraph, shares its speaker.

    Not across a bare gap: two quotes with only space between them are two turns.
    """
    if not any(qs[i].speaker is not None for i in members):
        return
    for j, qi in enumerate(members):
        q = qs[qi]
        if q.speaker is not None and q.confidence >= 0.75:
            continue
        best = None
        for k in range(j - 1, -1, -1):
            gap = text[qs[members[k]].quote.span.end : qs[members[k + 1]].quote.span.start]
            if not gap.strip():
                break
            if qs[members[k]].speaker is not None and qs[members[k]].confidence >= 0.75:
                best = qs[members[k]]
                break
        if best is None:
            for k in range(j + 1, len(members)):
                gap = text[qs[members[k - 1]].quote.span.end : qs[members[k]].quote.span.start]
                if not gap.strip():
                    break
                if qs[members[k]].speaker is not None and qs[members[k]].confidence >= 0.75:
                    best = qs[members[k]]
                    break
        if best is not None and (q.speaker is None or best.confidence > q.confidence):
            q.speaker, q.kind, q.confidence = best.speaker, best.kind, best.confidence * 0.95
    # Weaker choices still fill the rest.
    for j, qi in enumerate(members):
        q = qs[qi]
        if q.speaker is not None:
            continue
        for k in [*range(j - 1, -1, -1), *range(j + 1, len(members))]:
            lo, hi = sorted((j, k))
            if any(
                not text[qs[members[x]].quote.span.end : qs[members[x + 1]].quote.span.start].strip()
                for x in range(lo, hi)
            ):
                continue
            if qs[members[k]].speaker is not None:
                q.speaker, q.kind, q.confidence = (
                    qs[members[k]].speaker,
                    qs[members[k]].kind,
                    qs[members[k]].confidence * 0.9,
                )
                break


def _share_continuations(qs: list[_Q]) -> None:
    """Pieces of one multi-paragraph speech share one speaker."""
    ids = {q.quote.id: i for i, q in enumerate(qs)}
    for q in qs:
        if q.quote.continues is not None and q.quote.continues in ids:
            prev = qs[ids[q.quote.continues]]
            if q.speaker is None and prev.speaker is not None:
                q.speaker, q.kind, q.confidence = prev.speaker, prev.kind, prev.confidence
    for q in reversed(qs):
        if q.quote.continues is not None and q.speaker is not None and q.quote.continues in ids:
            prev = qs[ids[q.quote.continues]]
            if prev.speaker is None:
                prev.speaker, prev.kind, prev.confidence = q.speaker, q.kind, q.confidence


def _unify_continuations(qs: list[_Q]) -> None:
    """Every piece of one multi-paragraph speech gets the best-supported piece's speaker.

    The ranker scores pieces one by one; a speech is one speaker's, so the piece with
    the strongest evidence (a tag beats none, then confidence) decides for all.
    """
    ids = {q.quote.id: i for i, q in enumerate(qs)}
    chains: dict[int, list[int]] = {}
    head: dict[int, int] = {}
    for i, q in enumerate(qs):
        prev = ids.get(q.quote.continues) if q.quote.continues is not None else None
        root = head.get(prev, prev) if prev is not None else i
        head[i] = root
        chains.setdefault(root, []).append(i)
    rank = {"explicit": 2, "anaphoric": 1}
    for members in chains.values():
        if len(members) < 2:
            continue
        best = max(members, key=lambda i: (qs[i].speaker is not None, rank.get(qs[i].kind, 0), qs[i].confidence, -i))
        for i in members:
            if qs[i].speaker != qs[best].speaker:
                qs[i].speaker, qs[i].confidence = qs[best].speaker, qs[best].confidence


def _resolve_pronoun(
    pro: str,
    pos: int,
    para: Span,
    index: _Index,
    chars: dict[str, Character],
    narrator: str | None,
    qs: list[_Q],
    qi: int,
    *,
    want_any: bool = False,
) -> str | None:
    """The character a pronoun tag (``she said``) refers to.

    ``want_any`` drops the gender constraint (a description such as ``the other``).

    Candidates are characters named in nearby narration and the recent speakers and
    addressees of the conversation. Each is scored: gender agreement (a known mismatch
    rules it out), a name in the same paragraph's narration (the subject of an action
    beat), turn-taking (the previous turn's speaker rarely speaks again in a new
    paragraph; the one before usually does), being addressed by a vocative in the
    previous turn, and recency. Weights set on the ../shared cases and PDNC; the ranker
    (:mod:`ficnlp.speaker_model`) re-weighs these cues when it is enabled.
    """
    pro = pro.lower()
    if pro in ("i", "we"):
        return narrator
    want = None if want_any else _SUBJECT_PRONOUNS.get(pro)
    scores: dict[str, float] = {}
    last_seen: dict[str, int] = {}

    def add(cid: str, value: float) -> None:
        scores[cid] = scores.get(cid, 0.0) + value

    objects = set(qs[qi].tag_objects)
    for m in index.narration_between(max(0, pos - _ANTECEDENT_WINDOW), para.end):
        cid = m.character_id
        if m.span.start < pos:
            last_seen[cid] = m.span.start
        if para.start <= m.span.start < para.end and cid not in objects:
            add(cid, 4.0 if m.span.start < pos else 2.0)
    for cid, at in last_seen.items():
        add(cid, 2.0 * math.exp(-(pos - at) / 800.0))
    turn = 0
    prev_para = qs[qi].para
    cur_start = qs[qi].quote.span.start
    for k in range(qi - 1, max(-1, qi - 16), -1):
        if cur_start - qs[k].quote.span.end > _CONVERSATION_GAP or qs[k].conv != qs[qi].conv:
            break  # not across a scene break or the end of a conversation
        if qs[k].para != prev_para:
            turn += 1
            prev_para = qs[k].para
        if turn > 6:
            break
        sp = qs[k].speaker
        if sp is not None:
            if turn == 0:
                add(sp, 3.0)
            elif turn == 1:
                add(sp, -2.0)
            elif turn == 2:
                add(sp, 2.5)
            else:
                add(sp, 1.0 / turn)
        if turn == 1:
            for v in qs[k].vocatives:
                add(v, 2.5)
    for v in qs[qi].vocatives:
        add(v, -3.0)
    best, best_score = None, float("-inf")
    for cid, sc in scores.items():
        if cid not in chars:
            continue
        c = chars[cid]
        if c.narrator:
            continue
        if want is not None and c.gender not in ("unknown", want):
            continue
        sc += 3.0 if (want is not None and c.gender == want) else 0.5
        if sc > best_score or (sc == best_score and last_seen.get(cid, -1) > last_seen.get(best or "", -1)):
            best, best_score = cid, sc
    return best


def _turns(text: str, qs: list[_Q], barriers: list[int]) -> tuple[list[int], list[list[int]], list[int]]:
    """Split the quotes into conversations and turns.

    A scene break, chapter heading, time skip or a long stretch of narration ends a
    conversation. A turn is one paragraph's quotes, unless only space separates two of
    them (``"Ready?" "Not even close," Theo admitted.`` is two turns).
    """
    conv_of: list[int] = []
    conv = -1
    for i, q in enumerate(qs):
        if i > 0:
            prev = qs[i - 1]
            gap = q.quote.span.start - prev.quote.span.end
            k = bisect_left(barriers, prev.quote.span.end)
            crossed = k < len(barriers) and barriers[k] <= q.quote.span.start
            if gap > _CONVERSATION_GAP or crossed:
                conv += 1
        else:
            conv = 0
        conv_of.append(conv)
    turns: list[list[int]] = []
    turn_conv: list[int] = []
    for i, q in enumerate(qs):
        if turns and turn_conv[-1] == conv_of[i] and qs[turns[-1][-1]].para == q.para:
            between = text[qs[turns[-1][-1]].quote.span.end : q.quote.span.start]
            if between.strip():
                turns[-1].append(i)
                continue
        turns.append([i])
        turn_conv.append(conv_of[i])
    return conv_of, turns, turn_conv


def _conversations(text: str, state: RuleState) -> None:
    """Fill untagged turns by alternation inside each conversation."""
    qs, turns, turn_conv = state.qs, state.turns, state.turn_conv
    for conv_turns in _turns_by_conversation(turn_conv):
        conv_quotes = [i for t in conv_turns for i in turns[t]]
        participants = _participants(qs, conv_quotes, state.index, state.chars)
        local = [turns[t] for t in conv_turns]
        for _ in range(2):
            for t, turn in enumerate(local):
                speaker = next((qs[i].speaker for i in turn if qs[i].speaker is not None), None)
                if speaker is not None:
                    for i in turn:
                        if qs[i].speaker is None:
                            qs[i].speaker, qs[i].kind, qs[i].confidence = speaker, "implicit", 0.6
                    continue
                guess = None
                prev1 = _turn_speaker(qs, local, t - 1)
                prev2 = _turn_speaker(qs, local, t - 2)
                next1 = _turn_speaker(qs, local, t + 1)
                next2 = _turn_speaker(qs, local, t + 2)
                if t > 0:
                    # Anyone the previous turn addresses by name, in any of its quotes
                    # ('"Go home, Kate," Ana said. "You've been here since yesterday."').
                    voc = [v for i in local[t - 1] for v in qs[i].vocatives if v != prev1]
                    if voc:
                        guess = voc[0]
                if guess is None and prev2 is not None and prev2 != prev1:
                    guess = prev2
                elif guess is None and next2 is not None and next2 != next1 and next1 is not None:
                    guess = next2
                elif guess is None and prev1 is not None:
                    others = [p for p in participants if p != prev1]
                    if others:
                        guess = others[0]
                elif guess is None and next1 is not None:
                    others = [p for p in participants if p != next1]
                    if others:
                        guess = others[0]
                if guess is not None:
                    for i in turn:
                        qs[i].speaker, qs[i].kind, qs[i].confidence = guess, "implicit", 0.5


def _resolve_epithets(state: RuleState) -> None:
    """Give a described speaker's quotations ("said the old gentleman") to the named person it stands for.

    Novelists vary a known speaker's tags with an epithet: "said Mr. Brownlow" … "said
    the old gentleman". Within one conversation, a described speaker's quotations go to
    the named character mentioned last in the narration before the conversation's end
    (within :data:`_EPITHET_WINDOW` code points, no scene break between), whose
    gender agrees, and who does not speak the turns next to the described speaker's
    (the person it talks to). The described character stays for conversations with no
    such candidate (a stranger who is never named).

    Source: definite descriptions as anaphors of named entities (Poesio & Vieira 1998;
    the PDNC guidelines attribute "said the old gentleman" to the named character).
    """
    qs, chars = state.qs, state.chars
    described = {cid for cid, c in chars.items() if c.name.startswith("the ") and not c.narrator}
    # Only generic epithets stand for someone else; "the Secretary" or "the Queen" is a
    # character's own name in the story.
    epithets = {cid for cid in described if chars[cid].name.split()[-1].lower() in _EPITHET_NOUNS}
    if not epithets:
        return
    turn_speaker = [_turn_speaker(qs, state.turns, t) for t in range(len(state.turns))]
    for conv_turns in _turns_by_conversation(state.turn_conv):
        desc_turns = [t for t in conv_turns if turn_speaker[t] in epithets]
        if not desc_turns:
            continue
        first = qs[state.turns[conv_turns[0]][0]].quote.span.start
        lo = max(first - _EPITHET_WINDOW, _barrier_before(state.barriers, first))
        for d in {sp for t in desc_turns if (sp := turn_speaker[t]) is not None}:
            mine = [t for t in desc_turns if turn_speaker[t] == d]
            partners = {turn_speaker[u] for t in mine for u in (t - 1, t + 1) if u in conv_turns}
            hi = qs[state.turns[mine[-1]][-1]].quote.span.end
            g_d = chars[d].gender
            target = None
            for m in reversed(state.index.narration_between(lo, hi)):
                named = chars.get(m.character_id)
                if named is None or named.id in described or named.narrator or named.id in partners:
                    continue
                if g_d != "unknown" and named.gender != "unknown" and named.gender != g_d:
                    continue
                target = named.id
                break
            if target is None:
                continue
            for t in mine:
                for i in state.turns[t]:
                    if qs[i].speaker == d:
                        qs[i].speaker = target


def _barrier_before(barriers: list[int], pos: int) -> int:
    """The last scene start at or before ``pos`` (0 when none)."""
    k = bisect_right(barriers, pos) - 1
    return barriers[k] if k >= 0 else 0


def _turns_by_conversation(turn_conv: list[int]) -> list[list[int]]:
    """The turn numbers of each conversation, in text order."""
    by_conv: dict[int, list[int]] = {}
    for t, c in enumerate(turn_conv):
        by_conv.setdefault(c, []).append(t)
    return list(by_conv.values())


def _turn_speaker(qs: list[_Q], turns: list[list[int]], t: int) -> str | None:
    if 0 <= t < len(turns):
        return next((qs[i].speaker for i in turns[t] if qs[i].speaker is not None), None)
    return None


def _participants(qs: list[_Q], conv: list[int], index: _Index, chars: dict[str, Character]) -> list[str]:
    """Characters in a conversation: its speakers, then characters named in narration just before it."""
    seen: list[str] = []
    for i in conv:
        s = qs[i].speaker
        if s is not None and s not in seen:
            seen.append(s)
    start = qs[conv[0]].quote.span.start
    recent = index.narration_between(max(0, start - 800), qs[conv[-1]].quote.span.end)
    for m in reversed(recent):
        if m.character_id not in seen and m.character_id in chars and not chars[m.character_id].narrator:
            seen.append(m.character_id)
    return seen


_VOC_LEADS = frozenset(
    "hey hi hello oh o dear my thanks you well yes no bye night morning look listen ah ay aye nay pray sir".split()
)


#: Words after which a name that ends its sentence, with no comma before it, is still
#: someone addressed ("What happened Addie?", "I love you Alex.", "Not now Mark!"):
#: "you" and a few adverbs, after which a name is hardly an object or a predicate
#: ("That was Brenda.", "call me Jake", "in Mexico" are not addressed). Fan fiction
#: often leaves out the vocative comma.
_VOC_FINAL_LEADS = frozenset("you it now please sorry okay ok alright too again already anyway happened".split())


#: "Is it Mr. Giovanelli?": after a copula, "it" + name is a question about the name.
_COPULAS = frozenset("is was isn't wasn't isn’t wasn’t".split())


def _vocative_mentions(text: str, quote: Quote, index: _Index) -> list[Mention]:
    """Name mentions inside the quote that address someone (``"Fine, Kitty."``, ``"Kitty, come"``).

    A name is addressed when set off by punctuation or after a greeting word
    (:data:`_VOC_LEADS`), or when it ends its sentence after ``you``, ``it`` (not after
    a copula) or one of a few adverbs (:data:`_VOC_FINAL_LEADS`: ``"What happened
    Addie?"``). The quotation's vocatives are these mentions' characters.
    """
    out: list[Mention] = []
    for m in index.between(quote.span.start, quote.span.end):
        before = text[quote.span.start + 1 : m.span.start].rstrip()
        after = text[m.span.end : quote.span.end - 1].lstrip()
        words = before.split()
        last = words[-1].lower().strip(",") if words else ""
        lead_ok = before == "" or before[-1:] in ",;—–-.!?" or last in _VOC_LEADS
        if not lead_ok and last in _VOC_FINAL_LEADS:
            # Not "Is it Mr. Giovanelli?", "Wasn't it Epsom?": "it" after a copula.
            copula = last == "it" and len(words) >= 2 and words[-2].lower() in _COPULAS
            lead_ok = after[:1] in ("", ".", "!", "?", "…") and not copula
        trail_ok = after == "" or after[:1] in ",.!?;—–-…"
        if lead_ok and trail_ok:
            out.append(m)
    return out


#: Common nouns of address set off by punctuation ("Yes, papa.", "Come here, child,",
#: "my dear, …"): with the names a quote addresses, a speaker's habitual address forms.
_ADDRESS_WORDS = frozenset(
    (
        "my dear fellow|my dear child|my dear boy|my dear girl|my dear|my love|my darling|my boy|my girl|"
        "my child|my friend|my lord|my lady|old man|old chap|old fellow|old boy|old girl|your ladyship|"
        "your honour|your honor|your majesty|your excellency|sir|ma'am|madam|madame|mademoiselle|"
        "papa|pa|mamma|mama|mummy|mother|father|mom|mum|dad|daddy|child|darling|dear|dearest|honey|sweetheart|"
        "love|uncle|aunt|auntie|aunty|miss|sister|brother|son|gentlemen|ladies|boys|girls|kid|mate|buddy|man"
    ).split("|")
)
#: What sets a noun of address off: it is the whole stretch between two of these.
_ADDRESS_BREAK = re.compile(r"[,;.!?—–…]")


def _address_forms(text: str, quote: Quote, addressed: list[Mention]) -> tuple[str, ...]:
    """How a quotation addresses its hearer, lower-cased: the names it addresses as
    written (``lizzy``, ``miss bennet``) and the nouns of address set off by
    punctuation (:data:`_ADDRESS_WORDS`: ``papa``, ``my dear``), each once.

    Characters keep their address forms through a novel (a father's "Lizzy", a
    child's "Papa"), so the ranker compares these with the forms in each character's
    own tagged speech (:mod:`ficnlp.speaker_features`).
    """
    forms = [" ".join(text[m.span.start : m.span.end].split()).lower() for m in addressed]
    for piece in _ADDRESS_BREAK.split(text[quote.span.start : quote.span.end]):
        word = " ".join(piece.strip(" \t\r\n\"“”‘’'").split()).lower().replace("’", "'")
        if word in _ADDRESS_WORDS:
            forms.append(word)
    return tuple(dict.fromkeys(forms))


def _addressees(q: _Q, qs: list[_Q], i: int) -> tuple[str, ...]:
    voc = [v for v in (*q.vocatives, *q.tag_objects) if v != q.speaker]
    if voc:
        return tuple(sorted(set(voc)))
    # The other party: the nearest different speaker before or after, within a conversation.
    for k in (i - 1, i + 1, i - 2, i + 2):
        if (
            0 <= k < len(qs)
            and qs[k].conv == q.conv
            and abs(qs[k].quote.span.start - q.quote.span.start) < _CONVERSATION_GAP
        ):
            s = qs[k].speaker
            if s is not None and s != q.speaker:
                return (s,)
    return ()


def _resolve_message(m: Message, characters: Sequence[Character]) -> Message:
    label = m.label.strip().lower()
    for c in characters:
        if label == c.name.lower() or label in (a.lower() for a in c.aliases):
            return Message(m.span, m.label, m.label_span, c.id)
    for c in characters:
        if label in (c.name.lower().split() + [t for a in c.aliases for t in a.lower().split()]):
            return Message(m.span, m.label, m.label_span, c.id)
    return m


# --------------------------------------------------------------------------- narrator naming

#: Vocatives naming the same character in turns next to the narrator's own before it is
#: taken as the narrator's name; and how much it must lead the runner-up. Set on the
#: four first-person PDNC novels and the ../shared cases.
_NARRATOR_MIN_VOCATIVES = 3
#: Vocatives needed before a described speaker takes a name (as for the narrator).
_DESCRIPTION_MIN_VOCATIVES = 2
#: Head nouns of descriptions that are epithets, not names ("the old gentleman").
_EPITHET_NOUNS = frozenset("man gentleman woman lady girl boy fellow youth lad chap person".split())
#: How far before a conversation (code points) a named character may be mentioned and
#: still be what a described speaker in it stands for (:func:`_resolve_epithets`).
_EPITHET_WINDOW = 2000
_NARRATOR_LEAD = 2.0
#: Share of a name's mentions that must lie inside quotations: others call the narrator
#: by name, the first-person narration never does.
_NARRATOR_QUOTED_SHARE = 0.7


def _name_narrator(analysis: Analysis, state: RuleState) -> tuple[Analysis, bool]:
    """Merge into the narrator the character others address in the turns next to the narrator's.

    Returns:
        The analysis (with characters, mentions and quotes rewritten when a name was
        found) and whether it changed.
    """
    narrator = state.narrator
    if narrator is None or not state.qs:
        return analysis, False
    qs = state.qs
    votes: Counter[str] = Counter()
    turn_speaker = [next((qs[i].speaker for i in turn if qs[i].speaker is not None), None) for turn in state.turns]
    for t in range(len(state.turns)):
        if turn_speaker[t] != narrator:
            continue
        for u in (t - 1, t + 1):
            if (
                0 <= u < len(state.turns)
                and state.turn_conv[u] == state.turn_conv[t]
                and turn_speaker[u] not in (None, narrator)
            ):
                for i in state.turns[u]:
                    for v in qs[i].vocatives:
                        if v != narrator:
                            votes[v] += 1
    if not votes:
        return analysis, False
    chars = {c.id: c for c in analysis.characters}
    # Votes for title variants of one name (Hastings, Mr. Hastings) count together.
    family = {cid: _variants(chars[cid], analysis.characters, narrator) for cid in votes}
    totals = {cid: sum(votes[x] for x in family[cid] if x in votes) for cid in votes}
    best = max(votes, key=lambda cid: (totals[cid], votes[cid], -int(cid[1:]) if cid[1:].isdigit() else 0))
    n = totals[best]
    runner = max((totals[c] for c in votes if c not in family[best]), default=0)
    if n < _NARRATOR_MIN_VOCATIVES or n < _NARRATOR_LEAD * runner:
        return analysis, False
    merge = family[best]
    quoted = sum(1 for m in state.index.mentions if m.character_id in merge and state.index.in_quote(m.span.start))
    total = sum(1 for m in state.index.mentions if m.character_id in merge)
    if total == 0 or quoted / total < _NARRATOR_QUOTED_SHARE:
        return analysis, False
    # Explicitly tagged as a speaker in narration ("said Hastings") means someone else.
    tagged = sum(1 for q in qs if q.speaker in merge and q.kind == "explicit")
    if tagged > max(2, 0.2 * n):
        return analysis, False
    target = chars[best]
    old = chars[narrator]
    names: set[str] = set()
    for cid in merge:
        names.update(chars[cid].names)
    name = target.name
    merged_gender = old.gender if old.gender != "unknown" else target.gender
    new_narrator = Character(
        id=narrator,
        name=name,
        aliases=tuple(sorted(names - {name})),
        gender=merged_gender,
        narrator=True,
        mention_count=old.mention_count + sum(chars[c].mention_count for c in merge),
    )
    characters = tuple(new_narrator if c.id == narrator else c for c in analysis.characters if c.id not in merge)
    mentions = tuple(Mention(m.span, narrator, m.kind) if m.character_id in merge else m for m in analysis.mentions)
    return analysis.replace(characters=characters, mentions=mentions), True


def _name_descriptions(analysis: Analysis, state: RuleState) -> tuple[Analysis, bool]:
    """Merge a described speaker ("the old gentleman") into the person others address by name.

    When the turns next to a described character's turns address it by one name far more
    than by any other ("said the old gentleman" … "Yes, Mr. Brownlow"), the description
    is that person (the narrator-naming evidence, applied to descriptions). The named
    person must not be speaking in those turns, and genders must agree.

    Returns:
        The analysis (characters and mentions rewritten) and whether it changed.
    """
    qs = state.qs
    if not qs:
        return analysis, False
    chars = {c.id: c for c in analysis.characters}
    described = {c.id for c in analysis.characters if c.name.startswith("the ") and not c.narrator}
    if not described:
        return analysis, False
    turn_speaker = [next((qs[i].speaker for i in turn if qs[i].speaker is not None), None) for turn in state.turns]
    votes: dict[str, Counter[str]] = {d: Counter() for d in described}
    neighbours: dict[str, set[str]] = {d: set() for d in described}
    for t, sp in enumerate(turn_speaker):
        if sp not in described:
            continue
        for u in (t - 1, t + 1):
            if 0 <= u < len(state.turns) and state.turn_conv[u] == state.turn_conv[t]:
                other = turn_speaker[u]
                if other is None or other == sp:
                    continue
                neighbours[sp].add(other)
                for i in state.turns[u]:
                    for v in qs[i].vocatives:
                        if v != sp and v in chars and v not in described and not chars[v].narrator:
                            votes[sp][v] += 1
    merges: dict[str, str] = {}
    for d, counter in votes.items():
        if not counter:
            continue
        (best, n), *rest = counter.most_common()
        runner = rest[0][1] if rest else 0
        g_d, g_t = chars[d].gender, chars[best].gender
        if n < _DESCRIPTION_MIN_VOCATIVES or n < 2 * runner or best in neighbours[d]:
            continue
        if g_d != "unknown" and g_t != "unknown" and g_d != g_t:
            continue
        merges[d] = best
    if not merges:
        return analysis, False
    extra: dict[str, set[str]] = {}
    for d, target in merges.items():
        extra.setdefault(target, set()).update(chars[d].names)
    characters = tuple(
        Character(
            c.id,
            c.name,
            tuple(sorted((set(c.aliases) | extra[c.id]) - {c.name})),
            c.gender,
            c.narrator,
            c.mention_count + sum(chars[d].mention_count for d, t in merges.items() if t == c.id),
        )
        if c.id in extra
        else c
        for c in analysis.characters
        if c.id not in merges
    )
    mentions = tuple(
        Mention(m.span, merges[m.character_id], m.kind) if m.character_id in merges else m for m in analysis.mentions
    )
    return analysis.replace(characters=characters, mentions=mentions), True


def _variants(target: Character, characters: Sequence[Character], narrator: str) -> set[str]:
    """The character and the others whose every name is made of its name tokens plus honorifics."""
    core = frozenset().union(*(_bare_tokens(x) for x in target.names))
    out = {target.id}
    for c in characters:
        if c.id in (target.id, narrator) or c.narrator:
            continue
        if target.gender != "unknown" and c.gender not in ("unknown", target.gender):
            continue
        if all(_bare_tokens(x) and _bare_tokens(x) <= core for x in c.names):
            out.add(c.id)
    return out


def _bare_tokens(name: str) -> frozenset[str]:
    """A name's tokens without honorifics, lower-cased (``Mr. Hastings`` -> {hastings})."""
    return frozenset(
        t for t in (w.strip(".").lower() for w in name.split()) if t and t not in TITLES and t != "monsieur"
    )
