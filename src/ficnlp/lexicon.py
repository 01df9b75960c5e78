"""Word lists and lexical resources shared by the stages.

- :func:`word_logprobs`: English unigram log-probabilities of a word's lowercase and
  capitalised forms (``data/lexicon.tsv.gz``, built by ``scripts/build_lexicon.py`` from
  spacy-lookups-data's ``en_lexeme_prob``, MIT).
- :func:`given_name_gender`: the gender a given name is listed with (``data/given_names.tsv.gz``,
  built by ``scripts/build_given_names.py`` from Faker's first-name lists, MIT).
- :func:`are_name_variants`: nickname and diminutive relations between given names,
  from the maintained ``nicknames`` dataset (Carlton Northern, Nick Crews) plus English
  hypocoristic morphology (truncation + ``-ie/-y/-s``, consonant doubling: Kit → Kitty,
  Addison → Addie, Adds).
- Closed word lists (pronouns, honorifics, speech verbs, interjections) written for this
  project from standard English grammar references; each list says what it is for.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

__all__ = [
    "FEMALE_NOUNS",
    "FEMALE_TITLES",
    "MALE_NOUNS",
    "MALE_TITLES",
    "NEUTRAL_TITLES",
    "NOT_NAMES",
    "RANK_FORMS",
    "SPEECH_VERBS",
    "TITLES",
    "are_name_variants",
    "given_name_gender",
    "given_names",
    "is_common_word",
    "word_logprobs",
]

# Honorifics and kin/role titles that precede a name ("Dr Karev", "Aunt Polly").
MALE_TITLES = frozenset(
    "mr mister sir lord master monsieur m herr señor signor don father brother uncle king prince duke earl "
    "baron count emperor sultan grandpa grandfather sahib mr.".split()
)
FEMALE_TITLES = frozenset(
    "mrs ms miss lady madam madame mme mlle mademoiselle dame frau señora señorita signora donna mother sister "
    "aunt auntie queen princess duchess countess baroness empress grandma grandmother granny nanny mistress "
    "begum sahiba".split()
)
NEUTRAL_TITLES = frozenset(
    "dr doctor prof professor captain capt colonel col major general lieutenant lt sergeant sgt officer "
    "detective inspector agent nurse chief reverend rev saint st judge senator president coach cousin "
    "mx commander admiral private corporal constable sheriff deputy principal dean governor mayor".split()
)
TITLES = MALE_TITLES | FEMALE_TITLES | NEUTRAL_TITLES

#: Ranks and forms of address written as a description ("said the general", "replied the
#: doctor"), with the forms the rank takes before a name ("General Tilney", "Dr. Bull").
RANK_FORMS: dict[str, tuple[str, ...]] = {
    "doctor": ("doctor", "dr"),
    "colonel": ("colonel", "col"),
    "captain": ("captain", "capt"),
    "professor": ("professor", "prof"),
    "reverend": ("reverend", "rev"),
    "general": ("general", "gen"),
    "major": ("major",),
    "inspector": ("inspector",),
    "marchioness": ("marchioness",),
    "count": ("count",),
    "countess": ("countess",),
    "duchess": ("duchess",),
    "duke": ("duke",),
    "judge": ("judge",),
    "sergeant": ("sergeant", "sgt"),
    "mademoiselle": ("mademoiselle", "mlle"),
    "madame": ("madame", "mme"),
    "monsieur": ("monsieur", "m"),
    "squire": ("squire",),
    "vicar": ("vicar",),
    "rector": ("rector",),
}
# Military ranks, written out (``capt`` is normalised to ``captain`` first): two different
# ranks on one surname are two people ("General Tilney" and his son "Captain Tilney").
MILITARY_RANKS = frozenset(
    "captain colonel major general lieutenant sergeant commander admiral private corporal".split()
)

# Person nouns with lexical gender, for descriptive characters ("the old man", "the Duchess").
MALE_NOUNS = frozenset(
    """man men boy gentleman father husband son brother uncle nephew grandfather king prince duke lord sir
    earl baron count emperor monk priest waiter butler footman landlord policeman fellow lad chap guy""".split()
)
FEMALE_NOUNS = frozenset(
    """woman women girl lady mother wife daughter sister aunt niece grandmother queen princess duchess
    countess baroness empress nun maid waitress landlady governess housekeeper lass mistress""".split()
)

# Family and household roles that a story uses as a person's name, without an article
# or possessive ("Mom asked", "said Dad", "Nanny sat by the gate"), with their gender.
ROLE_NAMES: dict[str, str] = {
    **dict.fromkeys("mom mommy momma mum mummy mama mamma ma mother granny grandma gran nana nanny".split(), "f"),
    **dict.fromkeys("dad daddy papa pa father grandpa granddad grandad gramps".split(), "m"),
}

# Verbs that introduce or follow speech in a tag ("said Alex", "Alex muttered"), in the
# forms fiction uses. Fan fiction also tags with gesture verbs ("Alex smirked").
SPEECH_VERBS = frozenset(
    """said says say saying asked asks ask asking replied replies reply answered answers whispered whispers
    muttered mutters mumbled mumbles murmured murmurs shouted shouts yelled yells cried cries exclaimed exclaims
    called calls sighed sighs laughed laughs added adds continued continues began begins started starts
    finished finishes repeated repeats returned returns rejoined observed observes remarked remarks resumed
    interrupted interrupts retorted retorts responded responds demanded demands inquired enquired inquires
    suggested suggests explained explains insisted insists protested protests pleaded pleads begged begs
    agreed agrees admitted admits snapped snaps hissed hisses growled growls groaned groans whimpered sobbed
    sobs stammered stammers stuttered stutters gasped gasps breathed breathes teased teases grumbled grumbles
    drawled drawls purred purrs roared roars screamed screams bellowed chuckled chuckles giggled giggles
    snorted snorts scoffed scoffs sneered sneers declared declares announced announces concluded persisted
    urged urges warned warns wondered wonders thought thinks ventured corrected corrects conceded concedes
    countered counters offered offers noted notes mused muses stated states commented comments confessed
    confesses told tells informed assured assures reminded reminds shrieked shrieks squealed squeals moaned
    moans panted pants hiccuped hiccupped slurred slurs yawned yawns smirked smirks grinned grins smiled
    smiles shrugged shrugs nodded nods frowned frowns winked winks blushed spat spits glared glares
    sniffled sniffed huffed huffs pouted pouts beamed beams sang sings hummed hums joked jokes quipped
    quips pressed prompted prompts echoed echoes chimed piped spoke speaks snarled snarls barked
    barks choked chokes croaked croaks rasped rasps wailed wails cooed coos blurted blurts argued argues
    objected objects reasoned reasons ordered orders commanded commands instructed greeted greets
    acknowledged acknowledges guessed guesses lied lies promised promises swore swears
    sputtered spluttered babbled exploded fumed raged
    interposed interposes pursued reflected assented queried ejaculated questioned hazarded implored
    entreated acquiesced faltered mourned interjected interjects quoted confided complained thundered
    remonstrated bawled speculated asserted pronounced marveled marvelled cautioned chided scolded soothed
    consoled lisped whined grunted jeered screeched chirped shrilled wheedled coaxed demurred expostulated
    vociferated deadpanned mocked""".split()
)

# Capitalised words that are never character names on their own: pronouns, determiners,
# interjections, discourse words, calendar words, honorific words used alone. Fiction
# starts sentences and quotations with these.
NOT_NAMES = frozenset(
    """i i'm i'll i'd i've me my mine myself you your yours yourself he him his himself she her hers herself
    it its itself we us our ours ourselves they them their theirs themselves who whom whose what which this
    that these those there here where when why how a an the and but or nor so yet for if then than as at by
    in on of to from with without about into onto upon after before while because since until unless though
    although whether not no yes yeah yep yup nope nah oh ah ahh aw aww oops ooh ugh uh um umm hmm hm mm mmm
    huh hey hi hello bye goodbye okay ok alright well now just maybe perhaps please thanks thank sorry
    wow whoa woah damn god gods lord jesus christ christmas shit fuck crap hell heaven dear darling honey
    baby babe sweetheart love sweetie man dude guys girl boy mom mommy mum mummy dad daddy mama papa ma pa
    grandma grandpa sir madam ma'am miss mister mrs mr ms dr doctor nurse monday tuesday wednesday thursday
    friday saturday sunday january february march july september october november
    december spring summer autumn winter english french german spanish italian american british irish
    scottish welsh russian chinese japanese everyone everybody someone somebody anyone anybody nobody noone
    nothing something anything everything all some any each every both either neither none one two three
    four five six seven eight nine ten first second third last next other another such very really too
    also even still again once never always sometimes only even chapter part book prologue epilogue
    author note notes a/n an disclaimer summary warning warnings rating review reviews the end fin tbc
    mr. mrs. ms. dr. st. st mt mt. ave rd tv ok. no. vs vs. etc etc. ps p.s. am pm a.m. p.m.
    let lets let's don't can't won't isn't wasn't didn't doesn't couldn't wouldn't shouldn't haven't hasn't
    hullo hallo yessir congratulations bravo hurrah hooray huzzah ahoy pshaw tut shh sshh ouch gosh golly gee
    goodnight goodbye cheers ye thee thou thy hast hath mum's mister's
    pooh bah tush hush humph hah ha haw hem ahem alas halloa whew phew eh lo heigh ho pah faugh fie heh
    boo bosh fiddlesticks egad zounds gad begad amen oho aha ach och yo tcha pish
    hadn't aren't weren't i'll you're you'll you've we're we'll they're they'll it's that's what's there's
    here's who's how's where's when's why's could would should might must shall can did does do
    is was were are be been being have has had get got go went come came look looked see saw""".split()
)


def possessive_at(text: str, pos: int) -> bool:
    """Whether a possessive "'s" follows at ``pos`` (the end of a name): ``Anne's``,
    ``Anne’s``, or ``Anne s`` where a conversion lost the apostrophe (a lone ``s`` word
    after a name is nothing else in English; PDNC's texts of Howards End or Night and
    Day write every ``'s`` and ``n't`` so)."""
    two = text[pos : pos + 2]
    if two in ("'s", "’s"):
        return True
    return two == " s" and not text[pos + 2 : pos + 3].isalnum() and text[pos - 1 : pos].isalpha()


_NICK_SUFFIXES = ("sie", "sy", "ie", "ey", "y", "s", "o", "a", "i")


def _char_class(pred: Callable[[str], bool]) -> str:
    """A regular-expression character class of the BMP characters ``pred`` accepts, as ranges."""
    ranges: list[tuple[int, int]] = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF or not pred(chr(cp)):
            continue
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    body = "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return f"[{body}]"


#: Regular-expression classes for names in any alphabet: an upper-case letter (A, É, Ł,
#: Ж), a lower-case letter, any letter. Names are matched with these, not ``[A-Z]``, so
#: that José, Zoë and Łukasz are names too.
UPPER = _char_class(lambda c: c.isupper() and c.isalpha())
LOWER = _char_class(lambda c: c.islower() and c.isalpha())
LETTER = r"[^\W\d_]"


@cache
def _logprobs() -> dict[str, tuple[float, float]]:
    data = resources.files("ficnlp") / "data" / "lexicon.tsv.gz"
    out: dict[str, tuple[float, float]] = {}
    with data.open("rb") as fh:
        for line in gzip.decompress(fh.read()).decode("utf-8").splitlines():
            w, lo, cap = line.split("\t")
            out[w] = (float(lo), float(cap))
    return out


@cache
def _given_name_genders() -> dict[str, str]:
    data = resources.files("ficnlp") / "data" / "given_names.tsv.gz"
    with data.open("rb") as fh:
        return dict(line.split("\t") for line in gzip.decompress(fh.read()).decode("utf-8").splitlines())


def given_name_gender(name: str) -> str | None:
    """``"m"`` or ``"f"`` for a given name listed with one gender only, else ``None``.

    Case-insensitive. From Faker's first-name lists of every locale
    (``data/given_names.tsv.gz``, built by ``scripts/build_given_names.py``); a name
    listed with both genders (Alex, Sam) gives ``None``.
    """
    return _given_name_genders().get(name.lower())


def word_logprobs(word: str) -> tuple[float, float] | None:
    """``(logp_lowercase, logp_capitalised)`` for a common English word, else ``None``.

    Natural-log unigram probabilities; ``None`` means the lowercase form is rarer than
    e^-16 (so the word is not a common English word).
    """
    return _logprobs().get(word.lower())


def is_common_word(word: str, margin: float = 0.0) -> bool:
    """Whether ``word`` is an English word more often written in lowercase than capitalised.

    ``margin`` (natural log) demands the lowercase form be that much more probable:
    ``Will`` (lowercase 3.6 higher) is common at margin 1; ``Mark`` (0.75) only at 0.
    """
    lp = word_logprobs(word)
    return lp is not None and lp[0] - lp[1] > margin


@cache
def _nicknamer() -> object:
    from nicknames import NickNamer

    return NickNamer()


@cache
def _related_names(name: str) -> frozenset[str]:
    """Names directly related to this one in the nicknames dataset (its nicknames and canonicals), lowercase.

    Only direct relations count: "Louisa" and "Elizabeth" share the nickname "Eliza"
    but are different names.
    """
    nn = _nicknamer()
    n = name.lower()
    related = set(nn.nicknames_of(n)) | set(nn.canonicals_of(n))  # type: ignore[attr-defined]
    related.discard(n)
    return frozenset(related)


@cache
def given_names() -> frozenset[str]:
    """Every name in the nicknames dataset, lowercase (given names and their nicknames)."""
    data = resources.files("nicknames") / "names.csv"
    out: set[str] = set()
    with data.open("r", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            a, _, b = line.strip().split(",")
            out.update((a, b))
    return frozenset(out)


@cache
def _canonicals(name: str) -> frozenset[str]:
    """The names this one is a listed nickname of, trying its diminutive spellings too
    (Teddie -> Teddy -> Theodore)."""
    nn = _nicknamer()
    stem = _stem(name)
    forms = {name, stem}
    if len(stem) >= 2:
        forms |= {stem + "y", stem + "ie", stem + stem[-1] + "y", stem + stem[-1] + "ie"}
    out: set[str] = set()
    for f in forms:
        out |= set(nn.canonicals_of(f))  # type: ignore[attr-defined]
    out.discard(name)
    return frozenset(out)


@cache
def has_nicknames(name: str) -> bool:
    """Whether a name is listed with nicknames of its own (Charlotte, Marjorie; not Teddie).

    Source: the ``nicknames`` dataset (Northern & Crews).
    """
    return bool(_nicknamer().nicknames_of(name.lower()))  # type: ignore[attr-defined]


def formal_names(names: Iterable[str]) -> set[str]:
    """The names of a set that are no listed nickname or diminutive of another in it.

    ``{"Charles", "Charley"}`` gives ``{"Charles"}``; ``{"Elizabeth", "Eliza"}`` gives
    ``{"Elizabeth"}``; a set of unrelated names is returned whole. Case is kept.

    Source: the ``nicknames`` dataset (Northern & Crews), with the diminutive spellings
    of :func:`are_name_variants`.
    """
    given = list(names)
    lower = {n.lower() for n in given}

    def informal(n: str) -> bool:
        # The dataset lists some pairs both ways (Eliza / Elizabeth): the longer is formal.
        return any(m != n and (n not in _canonicals(m) or len(m) > len(n)) for m in _canonicals(n) & lower)

    return {n for n in given if not informal(n.lower())}


@cache
def _stem(nick: str) -> str:
    n = nick.lower()
    for suf in _NICK_SUFFIXES:
        if n.endswith(suf) and len(n) - len(suf) >= 2:
            stem = n[: -len(suf)]
            # Kitty -> Kit, Maggie -> Mag: undo consonant doubling.
            if len(stem) >= 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiou":
                stem = stem[:-1]
            return stem
    return n


_WORDLIKE = re.compile(r"^[a-z]+$")


@cache
def are_name_variants(a: str, b: str) -> bool:
    """Whether two given names can be the same person's (nickname, diminutive, truncation).

    Examples: Katherine / Kat / Kitty, Addison / Addie / Adds, Alexander / Alex,
    William / Bill. Case-insensitive; a name is a variant of itself.

    Source: the ``nicknames`` dataset (Northern & Crews) for listed pairs; otherwise
    English hypocoristic morphology: the shorter name, less a diminutive suffix
    (``-ie``, ``-y``, ``-s`` …, with doubled consonants undone), is a prefix of at least
    three letters of the longer one, or is itself a listed nickname of it.
    """
    x, y = a.lower(), b.lower()
    if x == y:
        return True
    if not (_WORDLIKE.match(x) and _WORDLIKE.match(y)) or x in ROLE_NAMES or y in ROLE_NAMES:
        return False  # a family role ("Mamma") is no one's pet name (not May's)
    if y in _related_names(x) or x in _related_names(y):
        return True
    # Two nicknames of one name are one person's (Teddie/Teddy and Theo, both Theodore's),
    # when they sound alike at the start: Mary has a dozen pet names (Polly, Molly, May),
    # and two of them usually name two people.
    canon_x = _canonicals(x)
    canon_y = _canonicals(y)
    if canon_y & {x} or canon_x & {y}:
        return True
    if canon_x & canon_y and x[0] == y[0]:
        return True
    short, long_ = (x, y) if len(x) <= len(y) else (y, x)
    # Truncation (Alex of Alexander, Addie of Addison) only between given names: "New" is
    # not short for "Newland".
    names = given_names()
    stem = _stem(short)
    # The short form must itself be a name (Alex, Kat) or a diminutive of the long one
    # (Addie, Adds: a suffix on a truncation); "Mar" is neither, and would bridge Marilla,
    # Mary and Martin.
    short_is_name = short in names or (stem != short and len(stem) >= 3)
    for cand in {short, stem}:
        if short_is_name and len(cand) >= 3 and long_.startswith(cand) and len(cand) < len(long_):
            return True
        if len(cand) >= 2 and cand in _related_names(long_):
            return True
    return False
