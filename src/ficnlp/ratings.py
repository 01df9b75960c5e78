"""Content rating: an AO3-style rating *estimate*, archive warnings and advisories, with evidence.

AO3's definitions (otwarchive ``en.yml``, quoted in ``docs/formats.md`` §2): General
Audiences is "suitable for anyone"; Teen And Up "may be inappropriate for audiences
under 13"; Mature has "adult themes (sex, violence, etc.) that isn't as graphic as
explicit"; Explicit is "for porn, graphic violence, etc.". The estimate weighs
lexicon matches in the story text (notes excluded) by category and returns every
matching span as evidence, so a volunteer can check the reasons; published work finds
rating classification hard ("poor accuracy", formats.md §2), so this is an estimate
with reasons, not a verdict.

The lexicons and thresholds below were written for this project from AO3's definitions
and set by judgement on our own test stories and the ../shared fan-fiction story (no
labelled rating corpus is available here); docs/benchmarks.md records what they give.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ficnlp.model import RATINGS, Analysis, Evidence, Rating, Span

__all__ = ["PRODUCES", "REQUIRES", "rate_content"]

REQUIRES = ("notes",)
PRODUCES = ("rating",)
VERSION = "1"


@dataclass(frozen=True, slots=True)
class _Term:
    pattern: str
    category: str
    weight: float
    reason: str


_TERMS: tuple[_Term, ...] = (
    # Explicit sexual content: anatomy and acts described graphically.
    _Term(
        r"clit(?:oris)?|cock|pussy|cunt|penis|vagina|erection|cum(?:ming|med)?|ejaculat\w*|blow\s?job|hand\s?job|masturbat\w*|dildo|vibrator",
        "sexual_explicit",
        3.0,
        "explicit sexual anatomy or act",
    ),
    _Term(
        r"orgasm\w*|climax(?:ed|ing)?|thrust(?:s|ed|ing)?\s+(?:inside|into|deep|hard)|inside\s+(?:her|him)\s+(?:slowly|hard|deep)|slipped\s+(?:him|it)\s+inside|her\s+juices|his\s+hardness|his\s+length|her\s+entrance|her\s+folds",
        "sexual_explicit",
        2.0,
        "sex described in detail",
    ),
    _Term(
        r"naked|nipples?|breasts?|straddl\w*|moan(?:s|ed|ing)?|condoms?|arous(?:ed|al)|horny|groin|crotch|thighs\s+apart|legs\s+apart|bucking",
        "sexual",
        1.0,
        "sexual situation",
    ),
    _Term(
        r"have\s+sex|had\s+sex|having\s+sex|sex\b|slept\s+with|make\s+love|made\s+love|making\s+love|fuck\s+me|fucked\s+(?:her|him|me)|friends\s+with\s+benefits",
        "sexual",
        1.5,
        "sexual activity mentioned",
    ),
    _Term(r"kiss(?:ed|es|ing)?|make\s+out|made\s+out|making\s+out|flirt\w*", "romance", 0.3, "romantic contact"),
    # Violence.
    _Term(
        r"gore|entrails|disembowel\w*|dismember\w*|decapitat\w*|mutilat\w*|tortur\w*|blood\s+(?:pooled|sprayed|splattered|everywhere)|slit\s+(?:his|her|their)\s+throat",
        "violence_graphic",
        3.0,
        "graphic violence",
    ),
    _Term(
        r"stab(?:s|bed|bing)?|shot\s+(?:him|her|them|dead)|murder\w*|kill(?:s|ed|ing)?\s+(?:him|her|them|himself|herself)|strangl\w*|beat(?:en)?\s+(?:him|her|them)\s+up|bled\s+out|bleeding\s+out|corpse|dead\s+body",
        "violence",
        2.0,
        "violence",
    ),
    _Term(
        r"blood(?:y|ied)?|punch(?:ed|es|ing)?|slap(?:ped|s)?|hit\s+(?:him|her)|gun|knife|wound(?:ed|s)?|bruis\w+|fight(?:ing)?|attack\w*",
        "violence",
        0.5,
        "violence mentioned",
    ),
    # Language.
    _Term(
        r"fuck\w*|motherfuck\w*|cunt|shit\w*|bitch\w*|bastard\w*|ass\s?hole\w*|dick\s?head|prick|piss(?:ed)?\s+off",
        "strong_language",
        1.0,
        "strong language",
    ),
    _Term(r"damn\w*|hell|crap\w*|ass\b|bloody|goddamn", "mild_language", 0.3, "mild language"),
    # Substances.
    _Term(
        r"drunk\w*|vodka|whisk(?:e)?y|tequila|beer|wine|booze|alcohol\w*|hangover|hung\s?over|shots?\s+of|tipsy|wasted",
        "alcohol_drugs",
        0.5,
        "alcohol",
    ),
    _Term(
        r"cocaine|heroin|meth\b|weed|marijuana|joint\b|overdos\w*|high\s+on|stoned|pills?\s+(?:to|and)",
        "alcohol_drugs",
        1.0,
        "drugs",
    ),
    # Archive-warning cues.
    _Term(
        r"rap(?:e|ed|ing|ist)\b|non-?con\w*|sexual(?:ly)?\s+assault\w*|molest\w*|forced\s+(?:himself|herself)\s+on",
        "noncon",
        3.0,
        "non-consensual sex",
    ),
    _Term(
        r"1[0-7][\s-]years?[\s-]old|thirteen[\s-]years?[\s-]old|fourteen[\s-]years?[\s-]old|fifteen[\s-]years?[\s-]old|sixteen[\s-]years?[\s-]old|seventeen[\s-]years?[\s-]old|underage|under\s+age|minor\b",
        "underage_cue",
        1.0,
        "character under 18",
    ),
    _Term(r"died|dies|dead|funeral|passed\s+away|killed|death", "death", 0.5, "death"),
)
_WORDS = re.compile(r"\w+")
_LEADING_LITERAL = re.compile(r"[a-z0-9]+")


def _split_alternatives(pattern: str) -> list[str]:
    """Top-level ``|`` alternatives of a pattern (groups kept whole)."""
    out: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in pattern:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "|" and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return out


def _build_index() -> dict[str, list[tuple[int, re.Pattern[str]]]]:
    """Trigger literal -> (term index, anchored regex) for every alternative of every term.

    Matching finds each trigger with ``str.find`` and tries the alternatives anchored there:
    one pass of fast substring search per trigger instead of a many-way alternation at
    every position of the text (which cost about a second per novel).
    """
    index: dict[str, list[tuple[int, re.Pattern[str]]]] = {}
    for i, term in enumerate(_TERMS):
        for alt in _split_alternatives(term.pattern):
            lead = _LEADING_LITERAL.match(alt)
            if lead is None:
                raise ValueError(f"rating lexicon alternative {alt!r} must start with a literal")
            index.setdefault(lead.group(), []).append((i, re.compile(f"(?:{alt})\\b")))
    return index


_INDEX = _build_index()


def _matches(lower: str) -> list[tuple[int, int, int]]:
    """Non-overlapping ``(start, end, term index)`` lexicon matches in lowercased text."""
    found: dict[int, tuple[int, int]] = {}
    for trigger, alternatives in _INDEX.items():
        pos = lower.find(trigger)
        while pos >= 0:
            if pos == 0 or not lower[pos - 1].isalnum():
                for i, rx in alternatives:
                    m = rx.match(lower, pos)
                    if m is not None:
                        prev = found.get(pos)
                        if prev is None or (i, -m.end()) < (prev[1], -prev[0]):
                            found[pos] = (m.end(), i)
            pos = lower.find(trigger, pos + 1)
    out = []
    last_end = -1
    for start in sorted(found):
        end, i = found[start]
        if start >= last_end:
            out.append((start, end, i))
            last_end = end
    return out


# Thresholds, in evidence weight per 1,000 words and absolute weight. Set by judgement
# from AO3's definitions: a single explicit term is not porn; a scene of them is.
_EXPLICIT_SEXUAL_ABS = 9.0
_EXPLICIT_SEXUAL_DENSITY = 1.0
_MATURE_SEXUAL_ABS = 3.0
_GRAPHIC_VIOLENCE_EXPLICIT = 12.0
_GRAPHIC_VIOLENCE_WARN = 6.0
_VIOLENCE_MATURE = 8.0
_STRONG_LANGUAGE_MATURE_DENSITY = 6.0
_STRONG_LANGUAGE_MATURE_MIN = 10.0
_TEEN_ANY = 2.0
# An advisory needs at least two mentions' worth of evidence (one strong word counts 1.0).
_ADVISORY_MIN = 1.0


def rate_content(analysis: Analysis) -> Analysis:
    """Estimate the AO3 rating, archive warnings and advisories of the story.

    Args:
        analysis: an analysis with notes (note text is not rated).

    Returns:
        The analysis with ``rating`` set: ``estimate`` (one of AO3's four ratings),
        ``warnings`` (AO3 archive warnings, or ``No Archive Warnings Apply``),
        ``advisories``, ``evidence`` (every matched span, sorted) and ``scores``
        (weight per 1,000 words by category), plus the work's declared rating if any.
    """
    text = analysis.text
    notes = sorted(n.span for n in analysis.notes)
    note_starts = [n.start for n in notes]

    def in_note(pos: int) -> bool:
        k = bisect_right(note_starts, pos) - 1
        return k >= 0 and notes[k].start <= pos < notes[k].end

    totals: dict[str, float] = {}
    evidence: list[Evidence] = []
    # str.lower() keeps code-point offsets for the text we rate (checked: a different
    # length would mean a character that lowercases to several, e.g. "İ").
    lower = text.lower()
    if len(lower) != len(text):
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    for start, end, i in _matches(lower):
        if in_note(start):
            continue
        term = _TERMS[i]
        totals[term.category] = totals.get(term.category, 0.0) + term.weight
        evidence.append(Evidence(Span(start, end), term.category, term.reason))
    words = max(1, sum(1 for _ in _WORDS.finditer(text)))
    per_k = {k: v * 1000.0 / words for k, v in totals.items()}

    sexual = totals.get("sexual_explicit", 0.0) + totals.get("sexual", 0.0)
    explicit = totals.get("sexual_explicit", 0.0)
    graphic = totals.get("violence_graphic", 0.0)
    violence = totals.get("violence", 0.0) + graphic
    strong = totals.get("strong_language", 0.0)
    level = 0
    if (
        strong >= _TEEN_ANY
        or violence >= _TEEN_ANY
        or totals.get("alcohol_drugs", 0.0) >= _TEEN_ANY
        or sexual >= _TEEN_ANY
        or totals.get("romance", 0.0) >= 3
    ):
        level = 1
    if (
        explicit >= _MATURE_SEXUAL_ABS
        or sexual >= 2 * _MATURE_SEXUAL_ABS
        or graphic >= _GRAPHIC_VIOLENCE_WARN / 2
        or violence >= _VIOLENCE_MATURE
        or (
            per_k.get("strong_language", 0.0) >= _STRONG_LANGUAGE_MATURE_DENSITY
            and strong >= _STRONG_LANGUAGE_MATURE_MIN
        )
    ):
        level = 2
    if (
        explicit >= _EXPLICIT_SEXUAL_ABS and per_k.get("sexual_explicit", 0.0) >= _EXPLICIT_SEXUAL_DENSITY
    ) or graphic >= _GRAPHIC_VIOLENCE_EXPLICIT:
        level = 3

    warnings = []
    if graphic >= _GRAPHIC_VIOLENCE_WARN:
        warnings.append("Graphic Depictions Of Violence")
    if totals.get("noncon", 0.0) >= 3.0 and sexual >= _MATURE_SEXUAL_ABS:
        warnings.append("Rape/Non-Con")
    if totals.get("underage_cue", 0.0) >= 1.0 and explicit >= _MATURE_SEXUAL_ABS:
        warnings.append("Underage Sex")
    if not warnings:
        warnings.append("No Archive Warnings Apply")

    advisories = []
    if sexual >= _TEEN_ANY:
        advisories.append("sexual content")
    if violence >= _TEEN_ANY:
        advisories.append("violence")
    if strong >= _ADVISORY_MIN:
        advisories.append("strong language")
    if totals.get("alcohol_drugs", 0.0) >= _ADVISORY_MIN:
        advisories.append("alcohol/drugs")
    scores = tuple(sorted((k, round(v, 3)) for k, v in per_k.items()))
    return analysis.replace(
        rating=Rating(
            estimate=RATINGS[level],
            warnings=tuple(warnings),
            advisories=tuple(advisories),
            evidence=tuple(evidence),
            scores=scores,
            declared=analysis.story.metadata.rating,
        )
    )
