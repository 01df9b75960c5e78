"""Characters: find the people in a story and cluster the names each goes by.

1. **Mentions.** Runs of capitalised words, with an optional honorific (``Dr Karev``,
   ``Mr. Hale``) and name particles (``Catherine de Bourgh``), are name candidates. Each
   gets context features: sentence-initial or not, inside a quotation or not, a
   vocative (``"Fine, Kitty."``), the subject of a speech tag (``"…" Alex said``,
   ``said Abel``), followed by a verb, after a determiner or a place preposition,
   possessive.
2. **People.** A name is accepted as a person from that evidence, weighed against how
   often its lowercase form is an English word (:mod:`ficnlp.lexicon`) and how often
   the story itself writes it in lowercase or after a place preposition. The weights
   were set on the ../shared cases and PDNC character lists (docs/benchmarks.md).
3. **Aliases.** A form is an honorific plus name tokens. Full names anchor clusters;
   the same tokens in either order (family-name-first), the same first and last token,
   or first-name variants with one surname (Alex / Alexander Karev) join; a lone given
   name or surname joins the one full name it fits; an honorific + name joins only a
   gender- and title-compatible full name (``Mr. Hale`` → Thomas Hale, but ``Mrs.
   Bennet`` stays apart from ``Mr. Bennet`` and from the Bennet daughters); a bare
   surname joins its one titled form, or the man's when several (the nineteenth-century
   convention of bare surnames for men); nicknames and diminutives join the given name
   (Addie, Adds → Addison; Kat, Kitty → Katherine; Lizzy → Elizabeth Bennet).
4. **Gender.** Referential gender from the subject pronouns that follow a character's
   subject mentions in the same paragraph, and from gendered honorifics (after BookNLP,
   Bamman et al. 2014).
5. **Narrator.** First-person narration (``I``, ``me``, ``my`` outside quotes and
   lyrics, or ``I said`` tags) makes a narrator character with ``narrator=True``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from ficnlp.lexicon import (
    FEMALE_NOUNS,
    FEMALE_TITLES,
    LETTER,
    LOWER,
    MALE_NOUNS,
    MALE_TITLES,
    MILITARY_RANKS,
    NOT_NAMES,
    RANK_FORMS,
    ROLE_NAMES,
    SPEECH_VERBS,
    TITLES,
    UPPER,
    are_name_variants,
    formal_names,
    given_name_gender,
    given_names,
    has_nicknames,
    is_common_word,
    possessive_at,
    word_logprobs,
)
from ficnlp.model import Analysis, Character, Mention, Span

__all__ = ["NARRATOR_NAME", "PRODUCES", "REQUIRES", "find_characters"]

REQUIRES = ("quotes", "notes", "lyrics", "messages")
PRODUCES = ("characters", "mentions")
VERSION = "2"

#: The name given to a first-person narrator whose name the text does not reveal.
NARRATOR_NAME = "Narrator"

_TITLE_ALT = "|".join(sorted((re.escape(t.capitalize()) for t in TITLES if "." not in t), key=len, reverse=True))
_PARTICLE_WORD = r"(?:de|van|von|der|den|da|di|du|del|della|la|le|ten|ter)"
_GAP = r"(?:[ \t]+|[ \t]*\r?\n[ \t]*)"
#: One or two lowercase name particles before a capitalised word ("de Bourgh", "van der Luyden").
_PARTICLE = rf"(?:(?:{_PARTICLE_WORD}{_GAP}){{1,2}}(?={UPPER}))"
_TITLE_TOKEN = rf"(?:{_TITLE_ALT})\.?(?=[ \t]*\r?\n?[ \t]*(?:{UPPER}|{_PARTICLE}))"
_CAP = rf"(?:{UPPER}{LETTER}*(?:['’]{UPPER}{LOWER}+)?(?:-{UPPER}{LETTER}+)*(?!['’](?:t|ll|re|ve|d|m)\b))"
_SEQ = re.compile(
    rf"(?<![\w'’\-])(?:(?:{_TITLE_TOKEN}{_GAP})+{_PARTICLE}?)?{_CAP}(?:{_GAP}{_PARTICLE}?{_CAP})*(?:['’]s?(?![\w'’]))?"
)
_WORD = re.compile(rf"{LETTER}+(?:['’]{LOWER}+)?")
_NEXT_WORDS = re.compile(rf"[ \t]*,?[ \t]*({LETTER}+)(?:[ \t]+({LETTER}+))?")
_FIRST_PERSON = re.compile(r"(?<![\w'’])(?:I|me|my|mine|myself)(?![\w'’])")
# Subject and reflexive pronouns only: an object pronoun right after a name usually
# refers to someone else ("Addison looked up at him").
_PRONOUN = re.compile(r"(?<![\w'’])(he|himself|she|herself)(?![\w'’])", re.IGNORECASE)
_SENT_END = ".!?…"
_MODIFIED_NOUN = re.compile(
    r"[ \t]+(?!(?:and|or|of|who|was|is|had|has|said|did|would|could|will|should|might)\b)[a-z]+\b(?![ \t]*,)"
)
_THE_BEFORE = re.compile(r"(?<![\w'’])the[ \t]$")

_DETERMINERS = frozenset(
    "the a an this that these those some any every no another our their my your his her its".split()
)
# Months and weekdays, and the words that make one a date rather than a name.
_CALENDAR = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
_TIME_WORDS = frozenset("in on since until till by before after during last next early late mid every this".split())
_PLACE_PREPS = frozenset("in at to from into onto near towards toward outside inside across through around".split())
_VOCATIVE_LEADS = frozenset(
    "hey hi hello oh dear thanks thank you well yes no okay ok bye goodbye night morning look listen come".split()
)
# Words after which a name is an object, not a subject ("to Sam", "with Ana", "told Marcus").
_NOT_BEFORE_SUBJECT = frozenset(
    """to with for by at of about like than on over under behind beside toward towards past against from
    into onto upon at near after before without within told asked saw heard met called thanked kissed
    hugged watched followed left""".split()
)
_SUBJECT_LEADS = frozenset(
    "and but then while as when so because though although until after before once if yet".split()
)
# Words that open a name run but are not part of the name ("Dearest Lizzy", "Poor Addison").
_LEADING_WORDS = frozenset(
    """dear dearest poor little old young sweet darling beloved good great big dear' my our however aye nay
    indeed yes oh ah alas farewell welcome hush thereupon whereupon hereupon therefore nevertheless
    nonetheless moreover furthermore likewise otherwise afterwards afterward meanwhile presently besides
    still yet perhaps instead accordingly hence thus""".split()
)
_IRREGULAR_PAST = frozenset(
    """said went came saw took gave made got put sat stood ran let held kept left meant brought shook broke bit
    threw caught fell grew hid hit hung lay led lit lost met paid read rode rose sang sank slept slid sought
    sent shot shut spent spun stuck struck swore swept swam swung taught tore wept won wore wound wrote
    thought felt knew told began drew drove ate fought found flew forgot froze heard knelt leapt learnt
    leant rang sprang stole strode woke was had did says asks looks turns walks smiles nods sighs
    laughs grins shrugs whispers mutters could would should might must will shall can may""".split()
)
_TITLE_NORMAL = {
    "doctor": "dr",
    "mister": "mr",
    "missus": "mrs",
    "madame": "mme",
    "mademoiselle": "mlle",
    "professor": "prof",
    "capt": "captain",
    "col": "colonel",
    "lt": "lieutenant",
    "sgt": "sergeant",
}
# Titles of one person's standing that a different title of the same gender contradicts
# (Mrs. Bennet is not Miss Bennet). Neutral titles (Dr, Colonel) contradict nothing.
# Honorifics that may precede a given name ("Sir William", "Lady Catherine", "Miss
# Elizabeth", "Aunt Polly"); the others take a surname ("Colonel Fitzwilliam", "Dr Karev").
_GIVEN_NAME_TITLES = frozenset(
    "miss lady lord sir dame master aunt auntie uncle cousin father mother brother sister saint st king queen "
    "prince princess duke duchess count countess nanny granny grandma grandpa mlle mademoiselle".split()
)
# Last words of names of places and institutions, not people ("Fielding High School").
_PLACE_NOUNS = frozenset(
    "school college university academy street road lane avenue square terrace crescent hotel inn station "
    "hospital infirmary church chapel cathedral museum gardens theatre theater club bank company".split()
)
#: Window (code points either side) and least count for the surnames around a bare
#: given name that several characters share (:func:`_nearby_surnames`).
_NEAR_WINDOW = 1000
_NEAR_MIN = 5
# Honorifics written after the name (South Asian usage): "Hamidullah Begum", "Aziz Sahib".
_POST_TITLES = frozenset("begum sahib sahiba".split())
_RANK_BEFORE_GIVEN = frozenset("sir lady lord dame".split())
#: How many times as often as any other holder of a rank a character must be written for
#: "the <rank>" to be that character (:func:`_cluster`, step 1c).
_RANK_LEAD = 3
_MARITAL = frozenset("mr mrs miss ms lady sir lord master mme mlle madam".split())

# Person-evidence weights (set on the ../shared cases and PDNC character lists).
_W_TAG = 3.0
_W_VOCATIVE = 2.0
_W_TITLE = 3.0
_W_SPEECH_SUBJECT = 2.0
_W_SUBJECT = 1.0
_W_COORDINATED = 1.0
_W_POSSESSIVE = 0.5
_W_MID = 0.5
_W_GIVEN_NAME = 1.5
_W_NAME_LIKE = 0.5
_W_DETERMINER = -1.5
_ACCEPT = 2.0
#: A name that follows a place preposition this often, with little person evidence, is a place.
_PLACE_SHARE = 0.25
#: A given name used with an honorific this often is formal: no nickname joins it.
_FORMAL_SHARE = 0.8
#: Share of honorific uses that makes one titled form the owner of the bare name.
_DOMINANT_SHARE = 0.8
#: Share of place-preposition uses above which a name is a place outright.
_PLACE_REJECT_SHARE = 0.4
#: A pronoun within this many code points after a subject mention votes for its gender.
_PRONOUN_WINDOW = 120
#: First-person narration: share of narration words that are I/me/my/mine/myself, and
#: minimum count; third-person novels quote letters in narration (PDNC: under 0.004).
_NARRATOR_DENSITY = 0.01
_NARRATOR_MIN = 20


Key = tuple[str, tuple[str, ...]]  # (title or "", name tokens)


class _Run:
    """A stand-in for a regex match over part of a capitalised run."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, start: int, end: int, text: str) -> None:
        self._start, self._end, self._text = start, end, text

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text


# Nouns that end names in descriptive names ("the Invisible Man", "the Little Lady").
_NAME_NOUNS = frozenset("man woman girl boy lady lord king queen baby love honey guy guys".split())


@dataclass(slots=True)
class _Cand:
    start: int  # including the title
    end: int
    name_start: int
    tokens: tuple[str, ...]
    title: str
    initial: bool
    in_quote: bool
    prev: str
    next: str
    next2: str
    para_end: int
    vocative: bool = False
    tag: bool = False
    possessive: bool = False

    @property
    def key(self) -> Key:
        return (self.title, self.tokens)


@dataclass(slots=True)
class _Stats:
    count: int = 0
    mid: int = 0
    tag: int = 0
    vocative: int = 0
    titled: int = 0
    subject: int = 0
    speech_subject: int = 0
    coordinated: int = 0
    possessive: int = 0
    determiner: int = 0
    place: int = 0
    date: int = 0
    he: float = 0.0
    she: float = 0.0
    first: int = 10**12
    partners: set[str] = field(default_factory=set)


class _Spans:
    """Membership test for sorted, non-overlapping spans."""

    def __init__(self, spans: list[Span]) -> None:
        self.spans = sorted(spans)
        self.starts = [s.start for s in self.spans]

    def find(self, pos: int) -> Span | None:
        k = bisect_right(self.starts, pos) - 1
        if k >= 0 and self.spans[k].start <= pos < self.spans[k].end:
            return self.spans[k]
        return None


def _is_initial(text: str, start: int, para_start: int) -> bool:
    j = start - 1
    while j >= para_start and text[j] in " \t\r\n":
        j -= 1
    if j < para_start:
        return True
    c = text[j]
    if c in "\"“‘'([—–-":
        if c in "\"'" and j > para_start and text[j - 1] not in " \t\r\n([—–-":
            return text[j - 1] in _SENT_END
        return True
    if c in "”’":
        return j > para_start and text[j - 1] in _SENT_END
    return c in _SENT_END or c == ":"


def _prev_word(text: str, start: int, lo: int) -> str:
    """The word before ``start`` (lowercase), within 40 code points and after ``lo``."""
    j = start - 1
    stop = max(lo, start - 40)
    while j >= stop and not text[j].isalpha():
        j -= 1
    end = j + 1
    while j >= stop and (text[j].isalpha() or (text[j] in "'’" and j > stop and text[j - 1].isalpha())):
        j -= 1
    return text[j + 1 : end].lower()


def _looks_verb(w: str, w2: str) -> bool:
    if not w or not w.islower():
        return False
    if w in SPEECH_VERBS or w in _IRREGULAR_PAST or (w.endswith("ed") and len(w) > 3):
        return True
    return w.endswith("ly") and bool(w2) and (w2 in SPEECH_VERBS or w2 in _IRREGULAR_PAST or w2.endswith("ed"))


def _normal_title(t: str) -> str:
    t = t.rstrip(".").lower()
    return _TITLE_NORMAL.get(t, t)


def _candidates(analysis: Analysis, quotes: _Spans, skip: _Spans) -> list[_Cand]:
    text = analysis.text
    out: list[_Cand] = []
    given = given_names()
    for para in analysis.story.paragraphs:
        if skip.find(para.start) is not None:
            continue
        for run in _SEQ.finditer(text, para.start, para.end):
            for seg_start, seg_end in _segments(run.group(), run.start()):
                cand = _candidate(text, para, quotes, given, seg_start, seg_end)
                if cand is not None:
                    out.append(cand)
    return out


def _segments(raw: str, offset: int) -> list[tuple[int, int]]:
    """Split a capitalised run at honorifics inside it: "Mrs. Moore Miss Quested" is two names."""
    toks = [(t.start(), t.end(), t.group()) for t in re.finditer(r"\S+", raw)]
    cuts = [0]
    for i in range(1, len(toks) - 1):
        word = toks[i][2].rstrip(".").lower()
        # "St" after a name begins a surname ("Reggie St Cloud"), not a new name.
        if word in TITLES and word not in ("st", "saint") and toks[i - 1][2].rstrip(".").lower() not in TITLES:
            cuts.append(i)
    bounds = []
    for n, i in enumerate(cuts):
        j = cuts[n + 1] - 1 if n + 1 < len(cuts) else len(toks) - 1
        bounds.append((offset + toks[i][0], offset + toks[j][1]))
    return bounds


def _candidate(
    text: str, para: Span, quotes: _Spans, given: frozenset[str], seg_start: int, seg_end: int
) -> _Cand | None:
    """One name candidate from a capitalised run (or a part of one), or ``None``."""
    m = _Run(seg_start, seg_end, text[seg_start:seg_end])
    raw = m.group()
    possessive = False
    if raw.endswith(("'s", "’s")):
        raw, possessive = raw[:-2], True
    elif raw.endswith(("'", "’")):
        raw, possessive = raw[:-1], True
    elif possessive_at(text, seg_end):
        possessive = True  # "Margaret s" with the apostrophe lost
    # Token positions within the match.
    toks = [(t.group(), m.start() + t.start()) for t in re.finditer(r"\S+", raw)]
    title = ""
    while len(toks) > 1 and toks[0][0].rstrip(".").lower() in TITLES:
        if title and toks[0][0].rstrip(".").lower() in ("st", "saint"):
            break  # "Lady St Cloud": a surname after an honorific
        title = _normal_title(toks[0][0])
        toks = toks[1:]
    post_end = 0
    if not title and len(toks) > 1 and toks[-1][0].lower() in _POST_TITLES:
        # "Hamidullah Begum" is Hamidullah's wife; "Fielding Sahib" is Fielding.
        title = toks[-1][0].lower()
        post_end = toks[-1][1] + len(toks[-1][0])
        toks = toks[:-1]
    start = m.start()
    if not title:
        # Drop leading words that are not names ("The", "Poor", "Thank"); a dropped
        # "The" becomes the determiner of a descriptive name ("The Duchess").
        while toks:
            w = toks[0][0]
            lw = w.lower()
            initial = _is_initial(text, toks[0][1], para.start)
            if (
                lw in NOT_NAMES
                or lw in _LEADING_WORDS
                or (
                    initial
                    and len(toks) > 1
                    and (lw.endswith("ly") or is_common_word(w, margin=3.0 if lw in given else 1.0))
                )
                or (initial and lw not in given and is_common_word(w, margin=1.0))
            ):
                title = "the" if lw == "the" and len(toks) > 1 else ""
                toks = toks[1:]
                continue
            break
        if toks:
            start = toks[0][1]
            if title == "the":
                start = m.start()
            elif _THE_BEFORE.search(text, max(para.start, start - 5), start):
                title, start = "the", start - 4
    if title == "the" and _MODIFIED_NOUN.match(text, m.end(), para.end):
        return None  # "the London train", "the Wilcox house": a modifier, not a name
    while toks and toks[-1][0].lower() in NOT_NAMES and not (len(toks) > 1 and toks[-1][0].lower() in _NAME_NOUNS):
        toks = toks[:-1]  # "Hi, Bo Yes" -> "Bo"; but "the Invisible Man" keeps "Man"
    names = [t for t, _ in toks if t[:1].isupper()]
    if not names or len(names) > 4:
        return None
    if len(names) == 1 and names[0].lower() in TITLES and title != "the":
        return None  # "Aunt", "Sir" alone are forms of address ("the Duchess" is a name)
    if any(t.isupper() and len(t) > 1 for t in names) or any(len(t) == 1 for t in names):
        return None
    if any(len(t) == 2 and t.lower() not in given and t != "St" for t in names):
        return None  # "Th" of a garbled "Thérèse", "Ye" of "Ye--es"
    name_start = toks[0][1]
    end = max(toks[-1][1] + len(toks[-1][0]), post_end)
    nxt = _NEXT_WORDS.match(text, m.end(), para.end)
    return _Cand(
        start=start,
        end=end,
        name_start=name_start,
        tokens=tuple(t for t, _ in toks),
        title=title,
        initial=_is_initial(text, start, para.start),
        in_quote=quotes.find(name_start) is not None,
        prev=_prev_word(text, start, para.start),
        next=nxt.group(1) if nxt else "",
        next2=(nxt.group(2) or "") if nxt else "",
        para_end=para.end,
        possessive=possessive,
    )


_VERB_ALT = "|".join(sorted(SPEECH_VERBS, key=len, reverse=True))
_NP_WORD = r"[a-z]+(?:-[a-z]+)*"
_NOMINAL_TAG = re.compile(
    r"(?<=[\w.,!?;:…—-])[\"”’'][ \t]*,?[ \t]*(?:"
    rf"(?P<v1>{_VERB_ALT}){_GAP}(?P<np1>the{_GAP}{_NP_WORD}(?:{_GAP}{_NP_WORD}){{0,3}})"
    rf"|(?P<np2>the{_GAP}{_NP_WORD}(?:{_GAP}{_NP_WORD}){{0,2}}?){_GAP}(?P<v2>{_VERB_ALT})\b)"
)
#: Heads of descriptions in tags that are not one person ("said the voice", "cried the
#: crowd"): the speaker is someone else, found by the speaker stage.
_NOT_PERSON_HEADS = frozenset("voice voices crowd people mob company party audience chorus others".split())
_NP_STOP = frozenset(
    "with in at to from who whom whose and as of for on by into after before that which but or when while "
    "then again once too also still just quietly softly without aloud".split()
)

#: A capitalised word right after a description ("the unsympathetic Marilla").
_NAME_AFTER = re.compile(r"[ \t]*\n?[ \t]*[A-Z][a-z]")


def _nominal_candidates(text: str, analysis: Analysis, quotes: _Spans, skip: _Spans) -> list[_Cand]:
    """Descriptive speakers in speech tags: '"…" said the mariner', '"…" the old man said'."""
    out: list[_Cand] = []
    paras = analysis.story.paragraphs
    starts = [p.start for p in paras]
    for m in _NOMINAL_TAG.finditer(text):
        np_group = "np1" if m.group("np1") else "np2"
        np_start = m.start(np_group)
        if skip.find(np_start) is not None or quotes.find(np_start) is not None:
            continue
        words = m.group(np_group).split()[1:]
        kept: list[str] = []
        for w in words:
            if w in _NP_STOP or w.endswith("ly") or w in SPEECH_VERBS:
                break
            kept.append(w)
        if not kept or len(kept) > 3 or kept[-1] in NOT_NAMES or kept[-1] in _NOT_PERSON_HEADS:
            continue
        name_start = text.index(kept[0], np_start + 3)
        end = name_start
        for w in kept:  # the words may be split over a line break ("the fat\ngentleman")
            end = text.index(w, end) + len(w)
        if _NAME_AFTER.match(text, end):
            # "said the unsympathetic Marilla": an epithet of the name that follows.
            continue
        k = bisect_right(starts, np_start) - 1
        para_end = paras[k].end if k >= 0 else len(text)
        verb = m.group("v1") or m.group("v2") or ""
        out.append(
            _Cand(np_start, end, name_start, tuple(kept), "the", False, False, verb, verb, "", para_end, tag=True)
        )
    return out


def _plain_cand(
    text: str, para: Span, start: int, end: int, name_start: int, tokens: tuple[str, ...], title: str, in_quote: bool
) -> _Cand:
    """A candidate at ``[start, end)`` with its context read from ``text`` (the words around it)."""
    nxt = _NEXT_WORDS.match(text, end, para.end)
    return _Cand(
        start=start,
        end=end,
        name_start=name_start,
        tokens=tokens,
        title=title,
        initial=_is_initial(text, start, para.start),
        in_quote=in_quote,
        prev=_prev_word(text, start, para.start),
        next=nxt.group(1) if nxt else "",
        next2=(nxt.group(2) or "") if nxt else "",
        para_end=para.end,
        possessive=possessive_at(text, end),
    )


_ROLE_WORD = re.compile(
    r"(?<![\w'’])(?:" + "|".join(sorted(ROLE_NAMES, key=len, reverse=True)) + r")(?![\w'’-])", re.IGNORECASE
)
# The same words grouped by first letter, for a case-sensitive search of the lower-cased
# text (twice as fast as the case-insensitive alternation above on a novel).
_ROLE_WORD_LOWER = re.compile(
    r"\b(?:"
    + "|".join(
        re.escape(c) + "(?:" + "|".join(sorted((w[1:] for w in ROLE_NAMES if w[0] == c), key=len, reverse=True)) + ")"
        for c in sorted({w[0] for w in ROLE_NAMES})
    )
    + r")\b"
)


def _role_spans(text: str) -> Iterator[tuple[int, int]]:
    """Code-point spans of the role words of :data:`ROLE_NAMES` in ``text``, any case."""
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer ("İ"): offsets would shift
        for m in _ROLE_WORD.finditer(text):
            yield m.span()
        return
    for m in _ROLE_WORD_LOWER.finditer(low):
        start, end = m.span()
        if (start and low[start - 1] in "'’") or low[end : end + 1] in ("'", "’", "-"):
            continue
        yield start, end


#: Words before a role word that make it a common noun ("my mom", "the nanny", "a father").
_ROLE_DETERMINERS = _DETERMINERS | {"whose", "s", "grand", "step", "foster", "own", "good", "old", "dear"}


def _role_candidates(text: str, analysis: Analysis, quotes: _Spans, skip: _Spans, taken: set[int]) -> list[_Cand]:
    """Family roles used as names: "Mom asked", "said Dad", "Nanny sat by the gate", '"…" said nanny'.

    A role word is a name where no article or possessive comes before it and it is
    capitalised, or, in lower case, where it is the subject of a speech tag (Evelyn
    Waugh's "said nanny"). Whether it is a character is settled by
    :func:`_person_score`: only one tagged as a speaker at least once. ``taken``: the
    name starts that other candidates already hold.

    Source: the convention of first-person and family fiction (fan fiction's "Mom",
    "Dad"), where the role is the name the narrator uses.
    """
    out: list[_Cand] = []
    paras = analysis.story.paragraphs
    para_starts = [p.start for p in paras]
    for start, end in _role_spans(text):
        k = bisect_right(para_starts, start) - 1
        if k < 0 or start in taken or skip.find(start) is not None:
            continue
        para = paras[k]
        word = text[start:end]
        prev = _prev_word(text, start, para.start)
        if (
            word[:1].islower()
            and prev not in SPEECH_VERBS
            and text[max(para.start, start - 3) : start].strip()[-1:] not in "\"”’'"
        ):
            continue  # lower case only in a tag: after a speech verb or a closing quote
        # Only a word right before it counts ('"… leave her," Dad said' is a name).
        adjacent = text[max(para.start, start - 41) : start].rstrip()[-1:].isalpha()
        if adjacent and (prev in _ROLE_DETERMINERS or prev.endswith(("'s", "’s"))):
            continue  # "my mom", "the nanny", "Mary's dad" (not '"… leave her," Dad said')
        tokens = (word[:1].upper() + word[1:].lower(),)
        cand = _plain_cand(text, para, start, end, start, tokens, "", quotes.find(start) is not None)
        if word[:1].islower():
            # Lower case only as a tag's subject: '"…" said nanny', '"…" nanny said'.
            _annotate_context(text, [cand], quotes)
            if not cand.tag or cand.in_quote:
                continue
        out.append(cand)
    return out


#: Words that may follow a whole noun phrase ("the stranger was", "the stranger very
#: much", "the stranger who"): after any other word the phrase may go on.
_AFTER_DESCRIPTION = frozenset(
    """was is had has would could should will did does do might must may shall can who whom whose which that
    and or but as than with to at in on of for from by into about very still also only then now again
    himself herself looked turned went came sat stood said""".split()
)


def _description_mentions(
    text: str, analysis: Analysis, quotes: _Spans, skip: _Spans, cands: list[_Cand], forms: dict[Key, _Stats]
) -> list[_Cand]:
    """The narration's other uses of an accepted description ("That seemed to annoy the
    stranger very much. He stamped his foot."): mentions of the same character, so that
    recency and pronouns reach it. Only descriptions a speech tag made a character
    (``the`` + lower-case words) are sought, outside quotations."""
    wanted = {k[1] for k in forms if k[0] == "the" and k[1][0][:1].islower()}
    if not wanted:
        return []
    alt = "|".join(sorted((re.escape(" ".join(t)).replace(r"\ ", _GAP) for t in wanted), key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w'’])[Tt]he{_GAP}(?:{alt})(?![\w-])")
    taken = {c.start for c in cands}
    paras = analysis.story.paragraphs
    starts = [p.start for p in paras]
    out: list[_Cand] = []
    for m in pattern.finditer(text):
        if m.start() in taken or quotes.find(m.start()) is not None or skip.find(m.start()) is not None:
            continue
        words = tuple(m.group().split()[1:])
        if words not in wanted:
            continue
        k = bisect_right(starts, m.start()) - 1
        para = paras[k] if k >= 0 else Span(0, len(text))
        rest = m.group()[3:]
        name_start = m.start() + 3 + len(rest) - len(rest.lstrip())
        cand = _plain_cand(text, para, m.start(), m.end(), name_start, words, "the", False)
        if (
            text[m.end() : m.end() + 1].isspace()
            and cand.next
            and not (cand.next in _AFTER_DESCRIPTION or _looks_verb(cand.next, cand.next2))
        ):
            continue  # the phrase goes on ("the young" of "the young man"): another noun phrase
        out.append(cand)
    return out


def _annotate_context(text: str, cands: list[_Cand], quotes: _Spans) -> None:
    for c in cands:
        q = quotes.find(c.name_start)
        if q is not None:
            before = text[q.start + 1 : c.start].rstrip()
            after = text[c.end : q.end - 1].lstrip()
            lead_ok = (
                before == ""
                or before[-1:] in ",;—–-.!?"
                or (before.split()[-1].lower().strip(",") in _VOCATIVE_LEADS if before.split() else False)
            )
            trail_ok = after == "" or after[:1] in ",.!?;—–-…"
            quote_final = after.strip(" ,.!?;—–-…") == "" and not c.initial
            after_prep = c.prev in _PLACE_PREPS or c.prev in _DETERMINERS
            c.vocative = ((lead_ok and trail_ok) or (quote_final and not after_prep)) and not c.possessive
            continue
        # Speech tag: right after a closing quote ("…" Alex said) or after a speech verb
        # that follows one ("…," said Alex).
        before = text[max(0, c.start - 60) : c.start].rstrip(" \t,")
        if before[-1:] in "\"”’'" and _looks_verb(c.next, c.next2):
            c.tag = True
        elif c.prev in SPEECH_VERBS:
            k = before.rfind(c.prev)
            pre = before[:k].rstrip(" \t,") if k >= 0 else ""
            if pre[-1:] in "\"”’'":
                c.tag = True


def _collect(cands: list[_Cand]) -> dict[Key, _Stats]:
    forms: dict[Key, _Stats] = {}
    for c in cands:
        f = forms.get(c.key)
        if f is None:
            f = forms[c.key] = _Stats()
        f.count += 1
        f.first = min(f.first, c.start)
        if not c.initial and not c.in_quote:
            f.mid += 1
        if c.tag:
            f.tag += 1
        if c.vocative:
            f.vocative += 1
        if c.title and c.title not in ("st", "the"):
            f.titled += 1
        if not c.in_quote and _looks_verb(c.next, c.next2) and c.prev not in _DETERMINERS:
            f.subject += 1
            if c.next in SPEECH_VERBS or c.next2 in SPEECH_VERBS:
                f.speech_subject += 1
        if not c.in_quote and ((c.next == "and" and c.next2[:1].isupper()) or c.prev == "and"):
            f.coordinated += 1
            if c.next == "and":
                f.partners.add(c.next2)
        if c.possessive:
            f.possessive += 1
        if (c.prev in _DETERMINERS and not c.title) or c.title == "the":
            f.determiner += 1
        if c.prev in _PLACE_PREPS and c.title in ("", "the"):
            f.place += 1
        if len(c.tokens) == 1 and c.tokens[0].lower() in _CALENDAR and (c.prev in _TIME_WORDS or c.next.isdigit()):
            f.date += 1  # "in August", "on Tuesday", "May 3"
    return forms


def _split_place_prefixes(text: str, cands: list[_Cand], forms: dict[Key, _Stats]) -> list[_Cand]:
    """Split runs that glue a place to a name ("from London Lydia came") where the first
    word is, on its own, mostly a place (after place prepositions)."""
    out = []
    for c in cands:
        if len(c.tokens) >= 2 and not c.title:
            f = forms.get(("", c.tokens[:1]))
            if f is not None and f.count >= 2 and f.place / f.count >= _PLACE_SHARE and f.tag + f.vocative == 0:
                rest = c.tokens[1:]
                start = text.index(rest[0], c.name_start + len(c.tokens[0]))
                c = _Cand(
                    start,
                    c.end,
                    start,
                    rest,
                    "",
                    False,
                    c.in_quote,
                    c.tokens[0].lower(),
                    c.next,
                    c.next2,
                    c.para_end,
                    c.vocative,
                    c.tag,
                    c.possessive,
                )
        out.append(c)
    return out


def _drop_families(cands: list[_Cand], forms: dict[Key, _Stats]) -> list[_Cand]:
    """Drop plural family names ("the Tilneys", "Bennets") and "the" before a bare given
    name ("the Helen who …"): they are not one person. A name ending in "s" that is
    tagged or addressed at least twice and written more often than its shorter form is
    kept ("Brittles")."""
    singles = {k[1][0]: f.count for k, f in forms.items() if len(k[1]) == 1 and not k[0]}
    out = []
    for c in cands:
        last = c.tokens[-1]
        if last.endswith("s") and last[:-1] in singles and len(c.tokens) == 1:
            plural = forms.get(("", c.tokens))
            # A name that merely ends in "s" ("said Brittles" 20 times, "Brittle's" once)
            # is one person: tagged as a speaker, or addressed, more often than the
            # shorter form is written.
            if plural is None or plural.tag + plural.vocative < 2 or plural.count <= singles[last[:-1]]:
                continue
        if c.title == "the" and len(c.tokens) == 1 and c.tokens[0] in singles and c.tokens[0][:1].isupper():
            untitled = forms.get(("", c.tokens))
            if untitled is not None and untitled.count >= forms[c.key].count:
                continue
        out.append(c)
    return out


def _merge_stats(items: list[_Stats]) -> _Stats:
    out = _Stats()
    for s in items:
        for name in (
            "count",
            "mid",
            "tag",
            "vocative",
            "titled",
            "subject",
            "speech_subject",
            "coordinated",
            "possessive",
            "determiner",
            "place",
            "date",
            "he",
            "she",
        ):
            setattr(out, name, getattr(out, name) + getattr(s, name))
        out.first = min(out.first, s.first)
        out.partners |= s.partners
    return out


def _person_score(tokens: tuple[str, ...], f: _Stats, lower_counts: Counter[str], cap_counts: Counter[str]) -> float:
    if len(tokens) == 1 and tokens[0].lower() in ROLE_NAMES:
        # A family role ("Mom", "Nanny") is a person only once tagged as a speaker: a
        # vocative "Mother!" or a "Father" in narration alone does not make one.
        return _ACCEPT + f.tag - 1.0 if f.tag else -100.0
    s = _W_TAG * min(f.tag, 3) + _W_VOCATIVE * min(f.vocative, 2)
    s += _W_TITLE if f.titled else 0.0
    s += _W_SPEECH_SUBJECT * min(f.speech_subject, 2)
    s += (
        _W_SUBJECT * min(f.subject - f.speech_subject, 3)
        + _W_POSSESSIVE * min(f.possessive, 2)
        + _W_MID * min(f.mid, 4)
    )
    s += _W_COORDINATED * min(f.coordinated, 2)
    given = tokens[0].lower() in given_names()
    if given:
        s += _W_GIVEN_NAME * (2 if f.subject else 1)
    if tokens[0][:1].islower():
        # A description from a speech tag ("the watchman"): common nouns by design.
        s += 1.0
    elif len(tokens) == 1:
        tok = tokens[0]
        # Ambiguous given names (Kit, Will, Mark, Rose) are penalised half as much.
        scale = 0.5 if given else 1.0
        if is_common_word(tok, margin=1.0):
            s -= 3.0 * scale
        elif is_common_word(tok, margin=0.0):
            s -= 1.5 * scale
        else:
            s += _W_NAME_LIKE
            if word_logprobs(tok) is None and f.mid:
                s += 1.0
        if lower_counts.get(tok.lower(), 0) > cap_counts.get(tok, 0):
            s -= 2.0
    else:
        s += 1.0
    s += _W_DETERMINER * min(f.determiner, 3)
    person = f.tag + f.vocative + f.titled + f.speech_subject
    if (
        f.count == 1
        and len(tokens) == 1
        and person == 0
        and not given
        and tokens[0][:1].isupper()
        and given_name_gender(tokens[0]) is None
    ):
        # One word written once, never tagged, addressed or titled, and in neither
        # given-name list: too little to call a person ("or Greek, would have bored him", "the
        # presiding Genii").
        s -= 1.0
    if f.date * 2 >= f.count:
        s -= 100.0  # a month or a weekday: "die in August", "on Tuesday" (May Welland is a name)
    if f.place >= 2 and f.place / f.count >= _PLACE_SHARE and person <= f.place * 0.2:
        s -= 4.0
    # Mostly after "in", "to", "at": a place, whatever else it does ("to London" 36 times).
    if (
        f.place >= 3
        and f.place / f.count >= _PLACE_REJECT_SHARE
        and f.tag + f.titled + f.speech_subject <= f.place * 0.1
    ):
        s -= 100.0
    return s


def _accept(forms: dict[Key, _Stats], lower_counts: Counter[str], cap_counts: Counter[str]) -> set[tuple[str, ...]]:
    """The accepted name-token tuples (evidence pooled over honorifics)."""
    by_tokens: dict[tuple[str, ...], list[_Stats]] = defaultdict(list)
    for (_, toks), f in forms.items():
        by_tokens[toks].append(f)
    pooled = {toks: _merge_stats(fs) for toks, fs in by_tokens.items()}
    accepted = {t for t, f in pooled.items() if _person_score(t, f, lower_counts, cap_counts) >= _ACCEPT}
    for t in pooled:
        if (
            len(t) >= 2
            and t not in accepted
            and t[0][:1].isupper()
            and all((x,) in accepted for x in t if x[:1].isupper())
        ):
            accepted.add(t)
    # A lone given name or surname of an accepted full name ("Thomas" of Thomas Hale); a
    # nickname of an accepted given name used as a person ("Fine, Kitty."); a name
    # coordinated with a person ("Maya and Theo stood").
    # A longer name starting with a place is a place too ("Port Calloway General").
    places = {t for t, f in pooled.items() if f.place >= 2 and f.place / f.count >= _PLACE_SHARE}
    accepted -= {t for t in accepted if any(t[:n] in places for n in range(1, len(t)))}
    # A name ending in a place noun is a place or an institution ("Fielding High School",
    # "Baker Street"), not a person.
    accepted -= {t for t in accepted if len(t) >= 2 and t[-1].lower() in _PLACE_NOUNS}
    parts = {x for t in accepted if len(t) >= 2 for x in (t[0], t[-1])}
    given = {t[0] for t in accepted}
    for t, f in pooled.items():
        if t in accepted or len(t) != 1:
            continue
        if t[0] in parts and f.place <= f.count * _PLACE_SHARE:
            accepted.add(t)
        elif (f.vocative or f.tag or f.subject) and any(are_name_variants(t[0], g) for g in given if g != t[0]):
            accepted.add(t)
        elif f.partners & given and not is_common_word(t[0]):
            accepted.add(t)
    return accepted


def _title_gender(title: str) -> str | None:
    if title in MALE_TITLES:
        return "m"
    if title in FEMALE_TITLES:
        return "f"
    return None


_REFLEXIVE = re.compile(r"(?<![\w'’])(himself|herself)(?![\w'’])", re.IGNORECASE)
_POSSESSIVE_AFTER_VERB = re.compile(
    r"^[ \t]+(?:(?:had|has|have|was|were|is|would|could|should|did|will|had[ \t]+been|has[ \t]+been)[ \t]+)?"
    r"(?:[a-z]+ly[ \t]+)?(?!(?:been|be|was|were|is|are|am|become|became|seemed|seems)\b)[a-z]+(?:ed|s)?(?:[ \t]+(?:up|down|off|out|on|in|at|over|back|away|into|onto|to|from|with|through|across|around))?[ \t]+(his|her)[ \t]+[a-z]"
)
_CLAUSE_PRONOUN = re.compile(
    r"(?:,[ \t]*(?:and|but|then|so)?|;|[ \t](?:and|but|as|while|when|before|after|because|then|until|since|so))[ \t]+(he|she)(?![\w'’])",
    re.IGNORECASE,
)
_TAG_PRONOUN = re.compile(r"[ \t]*,?[ \t]*(he|she)[ \t]+(?:[a-z]+ly[ \t]+)?[a-z]+", re.IGNORECASE)
_NEXT_SENTENCE_PRONOUN = re.compile(r"^[.!?][ \t]+(He|She)(?![\w'’])")


def _vote_genders(text: str, cands: list[_Cand], quotes: _Spans, forms: dict[Key, _Stats]) -> None:
    """Referential-gender votes for each form, from pronouns that agree with a subject mention.

    Evidence, strongest first: gendered honorifics and person nouns (Mr, Lady, the old
    man); a reflexive in the mention's sentence (``Theo steadied herself``); a possessive
    right after the subject's verb (``Theo stripped off her gloves``); a subject pronoun
    opening a later clause of the same sentence (``Addison said as she stood``); a
    pronoun opening the next sentence. Only subject mentions in narration vote, and only
    up to the next name, within the paragraph.
    """
    for i, c in enumerate(cands):
        f = forms[c.key]
        g = _title_gender(c.title)
        if c.title == "the":
            head = c.tokens[-1].lower()
            g = "m" if head in MALE_NOUNS else "f" if head in FEMALE_NOUNS else None
        if g == "m":
            f.he += 2
        elif g == "f":
            f.she += 2
        subject = (
            c.initial
            or c.tag
            or c.prev in _SUBJECT_LEADS
            or (_looks_verb(c.next, c.next2) and c.prev not in _NOT_BEFORE_SUBJECT and not _looks_verb(c.prev, ""))
        )
        if c.in_quote or not subject:
            continue
        if c.tag:
            # '"Ok" Alex smiled "Here" he said': one speaker, named then pronoun-tagged.
            k = bisect_right(quotes.starts, c.end)
            if k < len(quotes.spans) and quotes.spans[k].end <= c.para_end:
                after = _TAG_PRONOUN.match(text, quotes.spans[k].end, c.para_end)
                if after and (i + 1 >= len(cands) or cands[i + 1].start > quotes.spans[k].end):
                    if after.group(1).lower() == "he":
                        f.he += 1.5
                    else:
                        f.she += 1.5
        limit = c.para_end
        if i + 1 < len(cands):
            limit = min(limit, cands[i + 1].start)
        q = quotes.find(c.end)
        nq = bisect_right(quotes.starts, c.end)
        if nq < len(quotes.starts):
            limit = min(limit, quotes.starts[nq])
        if q is not None:
            continue
        sentence = text[c.end : limit]
        cut = re.search(r"[.!?](?=[ \t\r\n]|$)", sentence)
        clause = sentence[: cut.start()] if cut else sentence
        votes: list[tuple[str, float]] = []
        if m := _REFLEXIVE.search(clause):
            votes.append((m.group(1).lower(), 2.0))
        elif m := _POSSESSIVE_AFTER_VERB.match(clause):
            votes.append((m.group(1).lower(), 1.5))
        elif m := _CLAUSE_PRONOUN.search(clause):
            votes.append((m.group(1).lower(), 1.0))
        elif cut and (m := _NEXT_SENTENCE_PRONOUN.match(sentence[cut.start() :])):
            votes.append((m.group(1).lower(), 0.5))
        if not votes:
            # Weakest: the first subject pronoun later in the paragraph's narration.
            for m in _PRONOUN.finditer(text, c.end, limit):
                if quotes.find(m.start()) is None:
                    votes.append((m.group(1).lower(), 0.3))
                    break
        for word, w in votes:
            if word in ("he", "himself", "his"):
                f.he += w
            else:
                f.she += w


class _Clusters:
    """Union-find over forms, keeping each cluster's pronoun votes and honorifics at its root."""

    def __init__(self, keys: list[Key], forms: dict[Key, _Stats]) -> None:
        self.parent = {k: k for k in keys}
        self.he = {k: forms[k].he for k in keys}
        self.she = {k: forms[k].she for k in keys}
        self.titles = {k: ({k[0]} if k[0] else set()) for k in keys}
        self.has_full = {k: len(k[1]) >= 2 for k in keys}
        self.count = {k: forms[k].count for k in keys}

    def find(self, x: Key) -> Key:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: Key, b: Key) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra
            self.he[ra] += self.he[rb]
            self.she[ra] += self.she[rb]
            self.titles[ra] |= self.titles[rb]
            self.has_full[ra] = self.has_full[ra] or self.has_full[rb]
            self.count[ra] += self.count[rb]

    def gender(self, x: Key) -> str | None:
        r = self.find(x)
        return _gender(self.he[r], self.she[r])


def _gender(he: float, she: float) -> str | None:
    if he >= 1 and he >= 2 * she:
        return "m"
    if she >= 1 and she >= 2 * he:
        return "f"
    return None


def _nearby_surnames(cands: list[_Cand]) -> dict[Key, Counter[str]]:
    """For each bare one-word name, the surnames written within :data:`_NEAR_WINDOW` code points of its uses.

    A surname here is the last word of a multi-word name ("Charles Musgrove") or the
    word after an honorific ("Mr. Musgrove"). ``cands`` must be sorted by position.
    """
    starts = [c.start for c in cands]
    near: dict[Key, Counter[str]] = defaultdict(Counter)
    for c in cands:
        if c.title or len(c.tokens) != 1:
            continue
        lo = bisect_right(starts, c.start - _NEAR_WINDOW)
        hi = bisect_right(starts, c.start + _NEAR_WINDOW)
        for o in cands[lo:hi]:
            if len(o.tokens) >= 2 or (o.title and o.title != "the"):
                near[c.key][o.tokens[-1]] += 1
    return near


def _cluster(forms: dict[Key, _Stats], near: dict[Key, Counter[str]] | None = None) -> dict[Key, Key]:
    """Map each form to its cluster root.

    ``near`` (from :func:`_nearby_surnames`) settles a bare given name that several
    full-named characters share: the one whose surname is written around it.
    """
    keys = sorted(forms, key=lambda k: (-forms[k].count, k))
    uf = _Clusters(keys, forms)
    # Descriptions ("the Archer Madeira", "the old sailor") are not full names.
    full = [k for k in keys if len(k[1]) >= 2 and k[0] != "the"]
    singles = [k for k in keys if len(k[1]) == 1]

    def genders_agree(a: Key, b: Key) -> bool:
        ga, gb = uf.gender(a), uf.gender(b)
        return ga is None or gb is None or ga == gb

    def listed_genders(r: Key) -> set[str | None]:
        """The listed genders of the given names of a cluster's full names."""
        return {given_name_gender(k[1][0]) for k in full if k[0] not in ("mrs", "the") and uf.find(k) == r}

    def listed_against(title: str, root: Key) -> bool:
        """A title of one gender and a cluster without pronoun votes whose full names'
        given names are all listed for the other ("Mr. Bingley" and the once-named
        "Caroline Bingley"). A veto on a lone bearer only, never a vote: as a vote it let
        "Paul Wilcox" take "Mr. Wilcox" from his father."""
        g = _title_gender(title)
        r = uf.find(root)
        if g is None or uf.gender(r) is not None:
            return False
        listed = listed_genders(r)
        return bool(listed) and None not in listed and all(x != g for x in listed)

    def title_ok(title: str, root: Key) -> bool:
        if not title:
            return True
        g = _title_gender(title)
        cg = uf.gender(root)
        r = uf.find(root)
        # A title's gender outweighs a pronoun vote or two (a name next to someone else's
        # "she"): only a clear majority of two or more votes contradicts it.
        if g is not None and cg is not None and g != cg and max(uf.he[r], uf.she[r]) >= 2:
            return False
        if title == "mr" and any(t in MILITARY_RANKS for t in uf.titles[uf.find(root)]):
            # A man the story calls by his rank is not its "Mr.": "Mr. Tilney" is Henry,
            # not his brother Captain Frederick Tilney; "Mr. Wentworth" is the Captain's
            # brother.
            return False
        if title in _MARITAL:
            others = {t for t in uf.titles[uf.find(root)] if t in _MARITAL}
            return not others or title in others
        if title in MILITARY_RANKS:
            # "General Tilney" is not his son "Captain Tilney": one person holds one rank
            # in a story (promotions are rare enough to lose).
            ranks = {t for t in uf.titles[uf.find(root)] if t in MILITARY_RANKS}
            return not ranks or title in ranks
        return True

    # 1. Full names: the same tokens (any honorific), the same tokens in another order,
    #    the same first and last token, first-name variants with one surname.
    by_key: dict[object, Key] = {}
    for k in full:
        toks = k[1]
        for sig in (("set", frozenset(toks)), ("ends", toks[0], toks[-1])):
            if sig in by_key:
                other = by_key[sig]
                # "Mrs Charles Musgrove" is Charles Musgrove's wife: a "Mrs" full name joins
                # the same name only in a cluster known to be a woman's.
                wife = (k[0] == "mrs") != (other[0] == "mrs") and uf.gender(other if k[0] == "mrs" else k) != "f"
                if title_ok(k[0], uf.find(other)) and not wife:
                    uf.union(other, k)
            else:
                by_key[sig] = k
    # How often each given name carries a title of rank before it ("Sir Thomas"), over all
    # its uses: a name almost always so titled and a variant of it almost never titled are
    # a father and his son ("Sir Thomas Bertram" and "Tom Bertram"), not one man. ("Mr.
    # John Dawkins" in the dock is still Jack Dawkins: Mr and Master do not count.)
    titled_uses: Counter[str] = Counter()
    given_uses: Counter[str] = Counter()
    for k in keys:
        if k[0] != "the" and (len(k[1]) >= 2 or not k[0] or k[0] in _GIVEN_NAME_TITLES):
            given_uses[k[1][0]] += forms[k].count
            if k[0] in _RANK_BEFORE_GIVEN:
                titled_uses[k[1][0]] += forms[k].count

    def formality(given: str) -> float:
        return titled_uses[given] / given_uses[given] if given_uses[given] else 0.0

    def one_register(x: str, y: str) -> bool:
        fx, fy = formality(x), formality(y)
        return not (max(fx, fy) >= _FORMAL_SHARE and min(fx, fy) <= 1 - _FORMAL_SHARE)

    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            ta, tb = a[1], b[1]
            if ta[-1] == tb[-1] and ta[0] != tb[0] and are_name_variants(ta[0], tb[0]) and one_register(ta[0], tb[0]):
                ra, rb = uf.find(a), uf.find(b)
                ga, gb = uf.gender(ra), uf.gender(rb)
                if (ga is None or gb is None or ga == gb) and title_ok(a[0], rb) and title_ok(b[0], ra):
                    uf.union(a, b)
    # 1b. A descriptive name with the article joins the one full name that ends with its
    #     words ("the White Rabbit" and "the Rabbit" are White Rabbit; "the Hatter" the
    #     Mad Hatter).
    #     A bare word joins such a name too when no other full name ends with it.
    for k in keys:
        n = len(k[1])
        if not k[1][-1][:1].isupper():
            continue
        if k[0] == "the":
            roots = {
                uf.find(f)
                for f in keys
                if f[1][-n:] == k[1] and len(f[1]) >= 2 and (len(f[1]) > n or f[0] != "the") and f[1][0][:1].isupper()
            }
        elif not k[0] and n == 1 and not any(f[1][-1] == k[1][0] for f in full):
            roots = {uf.find(f) for f in keys if f[0] == "the" and len(f[1]) >= 2 and f[1][-1] == k[1][0]}
        else:
            continue
        roots.discard(uf.find(k))
        if len(roots) == 1 and genders_agree(k, next(iter(roots))):
            uf.union(next(iter(roots)), k)
    # 1c. A rank written as a description ("said the general") is the character whose
    #     name carries that rank (General Tilney): the only one, or the one written at
    #     least _RANK_LEAD times as often as any other (not General Courteney, named once).
    for k in keys:
        if k[0] != "the" or len(k[1]) != 1 or k[1][0] not in RANK_FORMS:
            continue
        ranks = {_TITLE_NORMAL.get(f, f) for f in RANK_FORMS[k[1][0]]}
        holders = sorted({uf.find(f) for f in keys if f[0] in ranks} - {uf.find(k)}, key=lambda r: -uf.count[r])
        if len(holders) > 1 and uf.count[holders[0]] < _RANK_LEAD * uf.count[holders[1]]:
            continue
        if holders and genders_agree(k, holders[0]):
            uf.union(holders[0], k)
    # 2. Lone names join the one compatible full name that has them as given name or surname.
    first_idx: dict[str, set[Key]] = defaultdict(set)
    last_idx: dict[str, set[Key]] = defaultdict(set)
    for k in full:
        toks = k[1]
        if k[0] != "mrs":  # "Mrs. Newland Archer": Newland is her husband's name
            first_idx[toks[0]].add(k)
        last_idx[toks[-1]].add(k)  # family-name-first names ("Tanaka Hana") are found here too
    surnames_of: dict[Key, set[str]] = defaultdict(set)
    for k in full:
        surnames_of[uf.find(k)].add(k[1][-1])
    younger: dict[str, set[Key]] = {"miss": set(), "mr": set()}
    for k in keys:
        if k[0] in younger and k[1][0] not in surnames_of[uf.find(k)]:
            if len(k[1]) >= 2 or surnames_of[uf.find(k)]:
                younger[k[0]].add(uf.find(k))
    # One-word names written with a title, by the word ("Fitzwilliam": Colonel Fitzwilliam).
    titled_by_tok: dict[str, list[Key]] = defaultdict(list)
    for k in singles:
        if k[0]:
            titled_by_tok[k[1][0]].append(k)
    # Given names first, so that clusters have their pronoun votes when bare surnames,
    # which may need a gender, come to join them.
    order = sorted(singles, key=lambda k: (not k[0] and k[1][0] not in first_idx, -forms[k].count))
    # Titled names left alone get a second look once the given names have joined and
    # brought their pronoun votes ("Miss Crawford" needs Mary Crawford known as a woman).
    again = [k for k in order if k[0]]
    for n, k in enumerate([*order, *again]):
        if n >= len(order) and uf.find(k) != k:
            continue
        title, (tok,) = k
        as_first = {uf.find(x) for x in first_idx.get(tok, ())}
        as_last = {uf.find(x) for x in last_idx.get(tok, ())}
        if title:
            # Only the one bearer of the name, and only if compatible: "Mrs. Bennet" with
            # five Bennet daughters stays apart. Among several bearers, the one written
            # with the same honorific ("Captain Frederick Wentworth") is the one.
            cands = (as_first | as_last) if title in _GIVEN_NAME_TITLES else as_last
            if title in _RANK_BEFORE_GIVEN:
                # "Sir Henry" (an actor talked of) is not Henry Crawford, never titled so:
                # a rank before a given name joins a full name written with that rank.
                cands = {c for c in cands if c not in as_first or title in uf.titles[c]}
            if title in ("miss", "mr"):
                # English convention: "Miss Dashwood" is the eldest daughter, her sisters
                # "Miss Marianne (Dashwood)"; a cluster written with the honorific before a
                # given name is a younger sibling, not the bearer of "Miss/Mr. <surname>".
                kept = {c for c in cands if not (c in younger[title] and tok in surnames_of[c])}
                # When no other bearer can be the "Mr."/"Miss" (the eldest is called by a
                # rank, "Captain Tilney", or has no full name in the story), the one once
                # written in the younger form is ("Mr. Tilney" is Henry, though written
                # "Mr. Henry Tilney"). On PDNC this made 43 of 74 major characters whole,
                # against 38 without it.
                if any(title_ok(title, c) and uf.gender(c) in (None, _title_gender(title)) for c in kept):
                    cands = kept
            # "Mrs Charles Musgrove" is the junior Mrs Musgrove (her husband's name keeps
            # the two apart), so a bare "Mrs Musgrove" never joins her.
            same_title = {uf.find(x) for x in full if x[0] == title and x[1][-1] == tok and title != "mrs"}
            if len(cands) > 1 and len(same_title) == 1 and (title not in _MARITAL or title == "mrs"):
                cands = same_title
            elif len(cands) > 1 and title != "mrs":
                # "Miss Crawford" is Mary, not Henry: the one bearer of the right gender.
                # A title without a gender ("General") picks no one by gender.
                compatible = sorted(
                    (
                        c
                        for c in cands
                        if title_ok(title, c)
                        and _title_gender(title) is not None
                        and uf.gender(c) == _title_gender(title)
                    ),
                    key=lambda r: -uf.count[r],
                )
                # The dominant bearer is not safe: "Miss Elliot" is the eldest sister, not
                # the heroine Anne Elliot (PDNC Persuasion, Howards End, Mansfield Park).
                if len(compatible) == 1:
                    cands = {compatible[0]}
                elif not compatible and _title_gender(title) is not None:
                    # "Mr. Crawford" with Mary Crawford (a woman) and Henry Crawford (his
                    # pronouns mixed with hers): the one bearer that the title may name
                    # and that is not of the other gender.
                    open_ = [c for c in cands if uf.gender(c) is None and title_ok(title, c)]
                    if len(open_) == 1:
                        cands = {open_[0]}
            if len(cands) == 1 and title_ok(title, next(iter(cands))) and not listed_against(title, next(iter(cands))):
                only = next(iter(cands))
                # "Mrs. Moore" is not Ralph Moore, and "Mrs. Theobald" not her daughter
                # Lilia Theobald: Mrs + surname joins a full name only when that name is
                # written with "Mrs." itself. So does Lady + surname: "Lady Otway" is
                # Cassandra Otway's mother ("Lady Catherine", a given name, is not meant).
                wife = title == "mrs" or (title == "lady" and tok not in first_idx)
                if not wife or only in same_title:
                    uf.union(only, k)
            continue
        cands = as_first or as_last
        if as_first:
            # A given name that is also another character's surname after a rank, written
            # far more often so ("Fitzwilliam": Colonel Fitzwilliam some 30 times, the
            # given name of Fitzwilliam Darcy twice), waits for its titled form (step 3).
            ranked_forms = [
                t
                for t in titled_by_tok.get(tok, ())
                if t[0] != "the" and t[0] not in _GIVEN_NAME_TITLES and uf.find(t) not in as_first
            ]
            as_given = sum(forms[f].count for f in first_idx[tok])
            if ranked_forms and sum(forms[t].count for t in ranked_forms) >= _RANK_LEAD * as_given:
                cands = set()
        if len(as_first) > 1:
            # A given name shared by a character and people named in passing (at most
            # twice: "William Rodney" against the poet "William Cowper") is the character's.
            # Two characters sharing it stay apart (Charles Musgrove and Charles Hayter).
            # The one whose surname is written around the bare name twice as often as any
            # other's ("Charles" among Musgroves is Charles Musgrove, not Charles Hayter).
            around = sorted(
                ((sum(near[k][sn] for sn in surnames_of[r]) if near and k in near else 0, r) for r in as_first),
                key=lambda x: -x[0],
            )
            ranked = sorted(as_first, key=lambda r: -uf.count[r])
            if around[0][0] >= _NEAR_MIN and around[0][0] >= 2 * around[1][0]:
                cands = {around[0][1]}
            elif uf.count[ranked[1]] <= 2 and uf.count[ranked[0]] >= 3 * uf.count[ranked[1]]:
                cands = {ranked[0]}
        if not as_first and len(as_last) == 1:
            # A bare surname whose one full-named bearer is a woman, while a "Mr." of it is
            # someone else ("Bingley" with Caroline Bingley and Mr. Bingley; "Pontellier"
            # with Edna and Mr. Pontellier): the titled forms settle it below (step 3).
            (r_last,) = as_last
            mr = ("mr", (tok,))
            if mr in forms and uf.find(mr) != r_last and (uf.gender(r_last) == "f" or listed_genders(r_last) == {"f"}):
                cands = set()
        if not as_first and len(as_last) > 1:
            # A bare surname shared by a family names its man when only one is a man, or
            # one is named three times as often as the others ("Archer" is Newland
            # Archer, not his mother or sisters): the convention of nineteenth-century
            # fiction, and harmless where a surname has one bearer.
            men = sorted((r for r in as_last if uf.gender(r) == "m"), key=lambda r: -uf.count[r])
            if len(men) == 1 or (len(men) > 1 and uf.count[men[0]] >= 3 * uf.count[men[1]]):
                cands = {men[0]}
        if len(cands) == 1:
            uf.union(next(iter(cands)), k)
    # 3. A bare name joins its one titled form (or the man's, among several).
    given_tokens = {k[1][0] for k in full}
    for k in singles:
        if k[0] or uf.find(k) != k:
            continue
        titled = titled_by_tok.get(k[1][0], [])
        if k[1][0] in given_tokens:
            # "Charles" is a given name here; "Mrs Charles" is his wife.
            titled = [t for t in titled if t[0] != "mrs"]
        roots = {uf.find(t) for t in titled}
        if len(roots) == 1:
            uf.union(next(iter(roots)), k)
        elif len(roots) > 1:
            # One titled form used far more than the others ("Captain Wentworth" against
            # two "Mr. Wentworth"s) takes the bare name; else the man's, when one.
            weight: Counter[Key] = Counter()
            for t in titled:
                weight[uf.find(t)] += forms[t].count
            (top, top_n), *_ = weight.most_common(1)
            male = {r for r in roots if uf.gender(r) == "m"}
            if top_n >= _DOMINANT_SHARE * sum(weight.values()):
                uf.union(top, k)
            elif len(male) == 1:
                uf.union(next(iter(male)), k)
    # 3b. A rank and a plain honorific on one surname are one person ("Doctor Losberne",
    #     "Mr. Losberne"): a neutral-titled name joins the one other titled root.
    for k in singles:
        if k[0] in _MARITAL or not k[0] or k[0] == "the" or uf.find(k) != k:
            continue
        roots = {uf.find(t) for t in titled_by_tok.get(k[1][0], ()) if t != k}
        roots.discard(uf.find(k))
        if len(roots) == 1 and title_ok(k[0], next(iter(roots))) and genders_agree(k, next(iter(roots))):
            # "Major Callendar" is not Mrs. Callendar, nor "Dr. Grant" Mrs. Grant.
            uf.union(next(iter(roots)), k)
    # 3c. "the Count", "the Colonel", "the doctor": the one character with that rank.
    bearers: dict[str, set[Key]] = defaultdict(set)
    for k in keys:
        if k[0] and k[0] not in ("the", "mr", "mrs", "miss", "ms"):
            bearers[k[0]].add(uf.find(k))
    for k in keys:
        if k[0] == "the" and len(k[1]) == 1:
            rank_title = _normal_title(k[1][0])
            owners = {uf.find(b) for b in bearers.get(rank_title, ())} - {uf.find(k)}
            if len(owners) == 1:
                uf.union(next(iter(owners)), k)
    # 4. Nicknames and diminutives join a given name (Addie -> Addison, Lizzy -> Elizabeth):
    #    a cluster without a full name joins the cluster, preferably one with a full name,
    #    whose untitled given name is a variant of one of its own.
    targets: list[tuple[str, Key]] = [(k[1][0], k) for k in keys if not k[0]]

    # A nickname must fit one of the target cluster's main given names (a quarter or more
    # of its given-name uses): "Louisa" fits "Eliza", but Eliza is a minor name of the
    # Elizabeth cluster, so Louisa stays apart.
    def formal_share(r: Key, given: str) -> float:
        """Share of the uses of ``given`` in cluster ``r`` that carry an honorific."""
        titled = plain = 0
        for x in keys:
            if x[1][0] == given and uf.find(x) == r:
                if x[0] and x[0] != "the":
                    titled += forms[x].count
                else:
                    plain += forms[x].count
        return titled / (titled + plain) if titled + plain else 0.0

    def full_given(r: Key) -> set[str]:
        """The given names of a cluster's full names ("Charles", "Charley" of Charley Bates)."""
        return {x[1][0] for x in full if x[0] != "mrs" and uf.find(x) == r}

    def main_given(r: Key) -> set[str]:
        members = [x for x in keys if uf.find(x) == r]
        surnames = {x[1][-1] for x in members if len(x[1]) >= 2}
        counts: Counter[str] = Counter()
        for x in members:
            tok = x[1][0]
            if tok[:1].isupper() and x[0] != "the" and (len(x[1]) >= 2 or tok not in surnames):
                counts[tok] += max(forms[x].count, 1)
        total = sum(counts.values())
        return {t for t, n in counts.items() if n * 4 >= total}

    def own_given(r: Key) -> set[str]:
        """The untitled given names a cluster is called by (its own, not its nicknames' targets)."""
        return {x[1][0] for x in keys if not x[0] and uf.find(x) == r}

    for k in singles:
        if k[0] or uf.has_full[uf.find(k)]:
            continue
        own = k[1][0]
        own_names = own_given(uf.find(k))
        best: Key | None = None
        best_rank: tuple[int, int] = (-1, -1)
        second_rank: tuple[int, int] = (-1, 0)
        for given, other in targets:
            r = uf.find(other)
            if r == uf.find(k) or given == own or not are_name_variants(own, given):
                continue
            if own in given_tokens and uf.has_full[r]:
                continue  # "Henry" heads Henry Otway's full name: no pet name of Harry Sandys
            if len(other[1]) == 1 and uf.titles[r] and not uf.has_full[r]:
                continue  # "Kitty" must not join "Lady Catherine"
            if formal_share(r, given) >= _FORMAL_SHARE:
                continue  # nor "Lady Catherine de Bourgh", whom nobody calls by a pet name
            g_own, g_target = uf.gender(k), uf.gender(r)
            if g_own is not None and g_target is not None and g_own != g_target:
                continue  # "Charlotte" is not Charley Bates
            main = main_given(r)
            if main and given not in main and not any(are_name_variants(own, g) for g in main):
                continue  # "Louisa" ~ "Eliza", but not ~ Elizabeth, whose nickname Eliza is
            formal = formal_names(full_given(r))
            if formal and any(has_nicknames(n) and not any(are_name_variants(n, g) for g in formal) for n in own_names):
                # No chains from one full given name to another: "Charlotte" ~ "Charley",
                # but Charley Bates is Charles (a pet name, "Teddie", may chain: Theo).
                continue
            if not all(are_name_variants(n, given) for n in own_names):
                continue  # nor "Marjorie" ~ "Mary" ~ "Polly": every name of both must fit
            rank = (int(uf.has_full[r]), forms[other].count)
            if rank > best_rank:
                second_rank = best_rank if best is not None and uf.find(best) != r else second_rank
                best, best_rank = other, rank
            elif best is not None and uf.find(best) != r and rank > second_rank:
                second_rank = rank
        # "Jock" fits John Andrew and John Beaver alike: between two full-named people,
        # join neither unless one is named three times as often.
        if best is not None and best_rank[0] == 1 and second_rank[0] == 1 and best_rank[1] < 3 * second_rank[1]:
            best = None
        if best is not None:
            uf.union(best, k)
    return {k: uf.find(k) for k in keys}


def _display(k: Key, surface: dict[Key, str] | None = None) -> str:
    if surface and k in surface:
        return surface[k]
    title, toks = k
    name = " ".join(toks)
    if not title:
        return name
    if title == "the":
        return f"the {name}"
    t = title.capitalize() + (
        "." if title in ("mr", "mrs", "ms", "dr", "st", "mx", "prof", "capt", "col", "rev") else ""
    )
    return f"{t} {name}"


def _declared_names(analysis: Analysis) -> list[tuple[str, ...]]:
    """Name tokens of the work's declared character tags, fandom qualifiers removed."""
    out = []
    for tag in analysis.story.metadata.characters:
        name = re.sub(r"\s*\([^)]*\)\s*$", "", tag).strip()
        toks = tuple(name.split())
        if toks and all(t[:1].isupper() for t in toks) and len(toks) <= 4:
            out.append(toks)
    return out


def _canonical(
    members: list[Key],
    forms: dict[Key, _Stats],
    declared: set[tuple[str, ...]] | None = None,
    surface: dict[Key, str] | None = None,
) -> str:
    """The declared name when the work tags one, else the fullest common name: a full
    name with the cluster's usual given name, else the usual honorific form, else the
    most frequent form."""
    for k in members:
        if declared and not k[0] and k[1] in declared:
            return " ".join(k[1])
    top = max(members, key=lambda k: (forms[k].count, -forms[k].first))
    given: Counter[str] = Counter()
    for k in members:
        if len(k[1]) == 1 and not k[0]:
            given[k[1][0]] += forms[k].count
    full = [k for k in members if len(k[1]) >= 2 and k[0] != "the" and k[1][0][:1].isupper()]
    if full:
        best = max(full, key=lambda k: (given.get(k[1][0], 0), not k[0], forms[k].count, -forms[k].first))
        # "Mrs Charles Musgrove" names his wife: keep the honorific.
        return _display(best, surface) if best[0] == "mrs" else " ".join(best[1])
    titled = [k for k in members if k[0] and k[0] != "the" and len(k[1]) == 1]
    if titled:
        best = max(titled, key=lambda k: (forms[k].count, -forms[k].first))
        # A name beats a description however often the description is used ("the
        # general" is General Tilney).
        described = top[0] == "the" and not top[1][0][:1].isupper()
        if forms[best].count * 2 >= forms[top].count or described:
            return _display(best, surface)
    return _display(top, surface)


def _narration_first_person(text: str, analysis: Analysis, quotes: _Spans, skip: _Spans) -> tuple[list[Span], int]:
    spans = []
    words = 0
    for p in analysis.story.paragraphs:
        if skip.find(p.start) is not None:
            continue
        for m in _FIRST_PERSON.finditer(text, p.start, p.end):
            if quotes.find(m.start()) is None:
                spans.append(Span(m.start(), m.end()))
        words += len(text[p.start : p.end].split())
    quoted = sum(len(text[q.start : q.end].split()) for q in quotes.spans)
    return spans, max(1, words - quoted)


_I_TAG = re.compile(r"(?<=[\w.,!?;:…—-])[\"”’']\s*,?\s*I\s+(?:\w+ly\s+)?(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b")


def find_characters(analysis: Analysis, config: object = None) -> Analysis:
    """Find the characters and their name mentions.

    Args:
        analysis: an analysis with quotes, notes, lyrics and messages.

    Returns:
        The analysis with ``characters`` (ids ``c0``, ``c1``… by first mention; the
        narrator, if any, included) and ``mentions`` (name mentions, spans including an
        honorific; first-person mentions of the narrator in narration), sorted by start.
    """
    text = analysis.text
    quotes = _Spans([q.span for q in analysis.quotes])
    skip = _Spans([n.span for n in analysis.notes] + [ly.span for ly in analysis.lyrics])
    cands = _candidates(analysis, quotes, skip)
    cands.extend(_role_candidates(text, analysis, quotes, skip, {c.name_start for c in cands}))
    _annotate_context(text, cands, quotes)
    cands.extend(_nominal_candidates(text, analysis, quotes, skip))
    cands.sort(key=lambda c: c.start)
    word_counts = Counter(_WORD.findall(text))
    lower_counts = Counter({w: n for w, n in word_counts.items() if w.islower()})
    cap_counts = Counter({w: n for w, n in word_counts.items() if w[:1].isupper()})
    forms = _collect(cands)
    cands = _split_place_prefixes(text, cands, forms)
    cands = _drop_families(cands, forms)
    forms = _collect(cands)
    accepted = _accept(forms, lower_counts, cap_counts)
    # The work's declared Characters tags (AO3) name people: they anchor clusters as full
    # names ("Alex Karev" joins Alex, Karev and Dr Karev) and give canonical names.
    declared = _declared_names(analysis)
    for toks in declared:
        accepted.add(toks)
        for t in (toks[0], toks[-1]):
            if ("", (t,)) in forms:
                accepted.add((t,))
    forms = {k: f for k, f in forms.items() if k[1] in accepted}
    for toks in declared:
        forms.setdefault(("", toks), _Stats(count=0))
    cands = [c for c in cands if c.key in forms]
    described = _description_mentions(text, analysis, quotes, skip, cands, forms)
    described_count = Counter(c.key for c in described)
    cands.extend(described)
    cands.sort(key=lambda c: c.start)
    _vote_genders(text, cands, quotes, forms)
    roots = _cluster(forms, _nearby_surnames(cands))
    # A declared name that the story never uses stays out of the characters.
    mentioned = {roots[c.key] for c in cands}
    roots = {k: r for k, r in roots.items() if r in mentioned}
    forms = {k: f for k, f in forms.items() if k in roots}
    members: dict[Key, list[Key]] = defaultdict(list)
    for k, r in roots.items():
        members[r].append(k)

    first_person, narration_words = _narration_first_person(text, analysis, quotes, skip)
    i_tags = len(_I_TAG.findall(text))
    density = len(first_person) / narration_words
    has_narrator = (density >= _NARRATOR_DENSITY and len(first_person) >= _NARRATOR_MIN) or (
        i_tags >= 1 and (i_tags >= 3 or narration_words < 3000 or density >= _NARRATOR_DENSITY / 2)
    )

    # Each form as the story most often writes it ("Dr Karev", not "Dr. Karev").
    written: dict[Key, Counter[str]] = defaultdict(Counter)
    for c in cands:
        written[c.key][" ".join(text[c.start : c.end].split())] += 1
    surface = {k: cnt.most_common(1)[0][0] for k, cnt in written.items() if k[0] not in ("", "the")}
    entries: list[tuple[int, str, Key | None]] = [
        (min(forms[m].first for m in ms), "c", r) for r, ms in members.items()
    ]
    if has_narrator:
        entries.append((first_person[0].start if first_person else 0, "n", None))
    entries.sort(key=lambda e: (e[0], e[1]))
    characters: list[Character] = []
    root_id: dict[Key, str] = {}
    narrator_id = None
    for n, (_, kind, entry_root) in enumerate(entries):
        cid = f"c{n}"
        if kind == "n":
            narrator_id = cid
            characters.append(Character(cid, NARRATOR_NAME, (), "unknown", True, len(first_person)))
            continue
        if entry_root is None:
            continue
        ms = members[entry_root]
        name = _canonical(ms, forms, set(declared), surface)
        aliases = {_display(m, surface) for m in ms} | {
            " ".join(m[1]) for m in ms if m[0] and m[0] != "the" and len(m[1]) >= 2
        }
        aliases.discard(name)
        he = sum(forms[m].he for m in ms)
        she = sum(forms[m].she for m in ms)
        g = _gender(he, she) if he + she >= 1.5 else None
        if g is None:
            # Pronouns leave it open: the listed gender of the given name its full names
            # agree on ("Katherine Bell"). Only here, after clustering: inside it, the
            # prior let "Paul Wilcox" take his father's "Mr. Wilcox".
            untitled = [m for m in ms if m[0] != "the" and _title_gender(m[0]) is None]
            # Full names first; a character known by one name alone ("Henry", "Nancy")
            # by that name.
            full = [m for m in untitled if len(m[1]) >= 2] or [m for m in untitled if len(m[1]) == 1]
            listed = {given_name_gender(m[1][0]) for m in full}
            roles = {ROLE_NAMES.get(m[1][0].lower()) for m in untitled if len(m[1]) == 1}
            if len(listed) == 1:
                g = next(iter(listed))
            if g is None and len(roles) == 1:
                g = next(iter(roles))  # "Mom", "Dad"
        gender = {"m": "he/him", "f": "she/her"}.get(g or "", "unknown")
        root_id[entry_root] = cid
        characters.append(
            Character(
                cid,
                name,
                tuple(sorted(aliases)),
                gender,
                False,
                sum(forms[m].count + described_count[m] for m in ms),
            )
        )
    mentions = [Mention(Span(c.start, c.end), root_id[roots[c.key]], "name") for c in cands]
    if narrator_id is not None:
        mentions.extend(Mention(s, narrator_id, "narrator") for s in first_person)
    mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return analysis.replace(characters=tuple(characters), mentions=tuple(mentions))
