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
    _Term(r"clit(?:oris)?|cock|pussy|cunt|penis|vagina|erection|cum(?:ming|med)?|ejaculat\w*|blow\s?job|hand\s?job|masturbat\w*|dildo|vibrator", "sexual_explicit", 3.0, "explicit sexual anatomy or act"),
    _Term(r"orgasm\w*|climax(?:ed|ing)?|thrust(?:s|ed|ing)?\s+(?:inside|into|deep|hard)|inside\s+(?:her|him)\s+(?:slowly|hard|deep)|slipped\s+(?:him|it)\s+inside|her\s+juices|his\s+hardness|his\s+length|her\s+entrance|her\s+folds", "sexual_explicit", 2.0, "sex described in detail"),
    _Term(r"naked|nipples?|breasts?|straddl\w*|moan(?:s|ed|ing)?|condoms?|arous(?:ed|al)|horny|groin|crotch|thighs\s+apart|legs\s+apart|bucking", "sexual", 1.0, "sexual situation"),
    _Term(r"(?:have|had|having)\s+sex|sex\b|slept\s+with|make\s+love|made\s+love|making\s+love|fuck\s+me|fucked\s+(?:her|him|me)|friends\s+with\s+benefits", "sexual", 1.5, "sexual activity mentioned"),
    _Term(r"kiss(?:ed|es|ing)?|make\s+out|made\s+out|making\s+out|flirt\w*", "romance", 0.3, "romantic contact"),
    # Violence.
    _Term(r"gore|entrails|disembowel\w*|dismember\w*|decapitat\w*|mutilat\w*|tortur\w*|blood\s+(?:pooled|sprayed|splattered|everywhere)|slit\s+(?:his|her|their)\s+throat", "violence_graphic", 3.0, "graphic violence"),
    _Term(r"stab(?:s|bed|bing)?|shot\s+(?:him|her|them|dead)|murder\w*|kill(?:s|ed|ing)?\s+(?:him|her|them|himself|herself)|strangl\w*|beat(?:en)?\s+(?:him|her|them)\s+up|bled\s+out|bleeding\s+out|corpse|dead\s+body", "violence", 2.0, "violence"),
    _Term(r"blood(?:y|ied)?|punch(?:ed|es|ing)?|slap(?:ped|s)?|hit\s+(?:him|her)|gun|knife|wound(?:ed|s)?|bruis\w+|fight(?:ing)?|attack\w*", "violence", 0.5, "violence mentioned"),
    # Language.
    _Term(r"fuck\w*|motherfuck\w*|cunt|shit\w*|bitch\w*|bastard\w*|ass\s?hole\w*|dick\s?head|prick|piss(?:ed)?\s+off", "strong_language", 1.0, "strong language"),
    _Term(r"damn\w*|hell|crap\w*|ass\b|bloody|goddamn", "mild_language", 0.3, "mild language"),
    # Substances.
    _Term(r"drunk\w*|vodka|whisk(?:e)?y|tequila|beer|wine|booze|alcohol\w*|hangover|hung\s?over|shots?\s+of|tipsy|wasted", "alcohol_drugs", 0.5, "alcohol"),
    _Term(r"cocaine|heroin|meth\b|weed|marijuana|joint\b|overdos\w*|high\s+on|stoned|pills?\s+(?:to|and)", "alcohol_drugs", 1.0, "drugs"),
    # Archive-warning cues.
    _Term(r"rap(?:e|ed|ing|ist)\b|non-?con\w*|sexual(?:ly)?\s+assault\w*|molest\w*|forced\s+(?:himself|herself)\s+on", "noncon", 3.0, "non-consensual sex"),
    _Term(r"(?:1[0-7]|thirteen|fourteen|fifteen|sixteen|seventeen)[\s-]years?[\s-]old|underage|under\s+age|minor\b", "underage_cue", 1.0, "character under 18"),
    _Term(r"(?:died|dies|dead|funeral|passed\s+away|killed|death)", "death", 0.5, "death"),
)
# One word-start check before the alternation (every pattern starts with a word character),
# not a \b inside each group: the same matches on the PDNC novels, LitBank and beside-you.txt, ~3x faster.
_REGEX = re.compile(
    r"(?<!\w)(?=\w)(?:" + "|".join(f"(?P<t{i}>{t.pattern})" for i, t in enumerate(_TERMS)) + r")\b", re.IGNORECASE
)
_WORDS = re.compile(r"\w+")

# Thresholds, in evidence weight per 1,000 words and absolute weight. Set by judgement
# from AO3's definitions: a single explicit term is not porn; a scene of them is.
_EXPLICIT_SEXUAL_ABS = 9.0
_EXPLICIT_SEXUAL_DENSITY = 1.0
_MATURE_SEXUAL_ABS = 3.0
_GRAPHIC_VIOLENCE_EXPLICIT = 12.0
_GRAPHIC_VIOLENCE_WARN = 6.0
_VIOLENCE_MATURE = 8.0
_STRONG_LANGUAGE_MATURE_DENSITY = 6.0
_TEEN_ANY = 2.0


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
    for m in _REGEX.finditer(text):
        if in_note(m.start()):
            continue
        term = _TERMS[int(m.lastgroup[1:])]  # type: ignore[index]
        totals[term.category] = totals.get(term.category, 0.0) + term.weight
        evidence.append(Evidence(Span(m.start(), m.end()), term.category, term.reason))
    words = max(1, sum(1 for _ in _WORDS.finditer(text)))
    per_k = {k: v * 1000.0 / words for k, v in totals.items()}

    sexual = totals.get("sexual_explicit", 0.0) + totals.get("sexual", 0.0)
    explicit = totals.get("sexual_explicit", 0.0)
    graphic = totals.get("violence_graphic", 0.0)
    violence = totals.get("violence", 0.0) + graphic
    strong = totals.get("strong_language", 0.0)
    level = 0
    if strong >= _TEEN_ANY or violence >= _TEEN_ANY or totals.get("alcohol_drugs", 0.0) >= _TEEN_ANY or sexual >= _TEEN_ANY or totals.get("romance", 0.0) >= 3:
        level = 1
    if explicit >= _MATURE_SEXUAL_ABS or sexual >= 2 * _MATURE_SEXUAL_ABS or graphic >= _GRAPHIC_VIOLENCE_WARN / 2 or violence >= _VIOLENCE_MATURE or per_k.get("strong_language", 0.0) >= _STRONG_LANGUAGE_MATURE_DENSITY:
        level = 2
    if (explicit >= _EXPLICIT_SEXUAL_ABS and per_k.get("sexual_explicit", 0.0) >= _EXPLICIT_SEXUAL_DENSITY) or graphic >= _GRAPHIC_VIOLENCE_EXPLICIT:
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
    if strong >= _TEEN_ANY:
        advisories.append("strong language")
    if totals.get("alcohol_drugs", 0.0) >= _TEEN_ANY:
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
