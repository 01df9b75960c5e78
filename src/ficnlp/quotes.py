"""Quotations: find every stretch of speech set off by quote marks.

Handles curly, straight, spaced and single (British) quote marks; apostrophes
(``goin'``, ``Jones'``, ``can't``, ``'em``) that are not quote marks; speech over several
paragraphs where each paragraph opens a mark and only the last closes (CoreNLP#1139,
``docs/formats.md`` 1.6); quoted verse that runs over lines without re-opening marks;
and quotes nested in quotes, which belong to the outer one.

Method: within each paragraph every candidate mark gets a score for being an opening
mark, a closing mark or neither (an apostrophe), from the characters on each side; a
small dynamic programme then picks the best alternation of opens and closes. Straight
marks with spaces on both sides (`` " What is it? " ``) score alike either way, so they
pair by alternation. Quotes inside notes and chat lines are not dialogue.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from ficnlp.config import Config
from ficnlp.lexicon import SPEECH_VERBS
from ficnlp.model import Analysis, Quote, Span

__all__ = ["PRODUCES", "REQUIRES", "detect_quote_style", "find_quotes"]

REQUIRES = ("notes", "messages", "chapters")
PRODUCES = ("quotes",)
VERSION = "1"

_DOUBLE_MARKS = re.compile(r"[\"“”„«»]")
_SINGLE_MARKS = re.compile(r"['‘’‚]")
_OPEN_PUNCT = set("([{—–-/*_~>\u2026")
_CLOSE_FOLLOW = set(".,;:!?)]}—–-*_~…<")
_TERMINAL_BEFORE_CLOSE = set(",.!?;:—–-…")
# Words that start with an elided letter: "'em", "'cause", "'til" (leading apostrophes,
# not opening quotes). From common English contractions.
_ELISIONS = frozenset(
    "em cause cos coz cuz til till tis twas twere bout round n nuff kay ello ere ow alf ave eard im er is "
    "scuse sup ya yer ye s d ll re ve t m".split()
)
_ELISION_WORD = re.compile(r"[A-Za-z]+")
_DECADE = re.compile(r"\d\d(?:s|\b)")
_NEXT_WORD = re.compile(r"[ \t]+([A-Za-z]+)")
_TAG_WORDS = SPEECH_VERBS | frozenset(("he", "she", "i", "they", "we", "you", "it"))

#: Look-ahead limit for a quotation that runs over paragraphs without re-opening marks
#: (sung or recited verse): at most this many paragraphs and code points. Set from the
#: longest quoted song in the fan-fiction dev story (23 lines, about 700 code points).
_MAX_RUNON_PARAGRAPHS = 30
_MAX_RUNON_CHARS = 2500

_OPEN, _CLOSE, _SKIP = 0, 1, 2


@dataclass(slots=True)
class _Mark:
    pos: int
    open_score: float
    close_score: float
    skip_score: float


def detect_quote_style(text: str) -> str:
    """``double`` or ``single``: which marks open dialogue in this text.

    Single (British) style wins when single opening marks outnumber double marks at
    least two to one. Opening single marks are ``‘`` or ``'`` after whitespace and before
    a letter, not counting elisions such as ``'em``.
    """
    doubles = len(_DOUBLE_MARKS.findall(text))
    singles = 0
    for m in re.finditer(r"(?:(?<=\s)|^)['‘](?=[A-Za-z])", text, re.MULTILINE):
        w = _ELISION_WORD.match(text, m.end())
        if w and w.group().lower() in _ELISIONS:
            continue
        singles += 1
    if singles >= 2 and doubles * 2 < singles:
        return "single"
    return "double"


def _score_mark(text: str, i: int, lo: int, hi: int, single: bool) -> _Mark | None:
    c = text[i]
    prev = text[i - 1] if i > lo else ""
    nxt = text[i + 1] if i + 1 < hi else ""
    left_edge = prev == "" or prev.isspace() or prev in _OPEN_PUNCT or prev in "\"“‘'"
    right_edge = nxt == "" or nxt.isspace() or nxt in _CLOSE_FOLLOW or nxt in "\"”’'"
    if single:
        if prev.isalnum() and nxt.isalnum():
            return None  # can't, Jones's, o'clock: an apostrophe
        if c == "’" and prev.isalpha() and not nxt:
            pass
        if left_edge and nxt.isalnum():
            w = _ELISION_WORD.match(text, i + 1)
            if (w and w.group().lower() in _ELISIONS and c != "‘") or _DECADE.match(text, i + 1):
                return _Mark(i, -1.0, -3.0, 2.5)
            return _Mark(i, 3.0 if c == "‘" else 2.0, -3.0, -1.0 if c == "‘" else 0.5)
        if right_edge and not left_edge:
            if prev in _TERMINAL_BEFORE_CLOSE:
                return _Mark(i, -3.0, 3.0, -3.0)
            # "goin' back", "Jones' place", or the end of 'Hello' said Jess: a closing
            # mark is followed by a tag (a speech verb, a pronoun, a name) or by nothing.
            w = _NEXT_WORD.match(text, i + 1, hi)
            if w is None:
                return _Mark(i, -3.0, 1.5, 0.5)
            word = w.group(1)
            if word[:1].isupper() or word.lower() in _TAG_WORDS:
                return _Mark(i, -3.0, 1.5, 0.5)
            return _Mark(i, -3.0, 0.3, 1.5)
        if left_edge and right_edge:
            return _Mark(i, 0.0, 0.0, -1.0)
        return _Mark(i, -1.0, 0.5, 0.5)
    # Double marks.
    if c in "“„«":
        return _Mark(i, 3.0, -2.0 if not right_edge else 0.5, -4.0)
    if c in "”»":
        if left_edge and not right_edge:  # ” used as an opening mark
            return _Mark(i, 1.5, 0.5, -4.0)
        return _Mark(i, -2.0, 3.0, -4.0)
    if left_edge and not right_edge:
        return _Mark(i, 2.0, -2.0, -4.0)
    if right_edge and not left_edge:
        return _Mark(i, -2.0, 2.0, -4.0)
    return _Mark(i, 0.0, 0.0, -4.0)


def _best_path(marks: list[_Mark], start_inside: bool, end_inside_penalty: float) -> list[int]:
    """Viterbi over outside/inside states; returns an action per mark."""
    neg = float("-inf")
    score = [neg, neg]
    score[1 if start_inside else 0] = 0.0
    back: list[tuple[tuple[int, int], tuple[int, int]]] = []
    for m in marks:
        new = [neg, neg]
        choice = [(0, _SKIP), (0, _SKIP)]
        # outside -> inside by opening; outside stays by skipping
        if score[0] > neg:
            if score[0] + m.open_score > new[1]:
                new[1], choice[1] = score[0] + m.open_score, (0, _OPEN)
            if score[0] + m.skip_score > new[0]:
                new[0], choice[0] = score[0] + m.skip_score, (0, _SKIP)
        if score[1] > neg:
            if score[1] + m.close_score > new[0]:
                new[0], choice[0] = score[1] + m.close_score, (1, _CLOSE)
            if score[1] + m.skip_score > new[1]:
                new[1], choice[1] = score[1] + m.skip_score, (1, _SKIP)
        back.append((choice[0], choice[1]))
        score = new
    final = 0 if score[0] >= score[1] - end_inside_penalty else 1
    actions = [0] * len(marks)
    state = final
    for k in range(len(marks) - 1, -1, -1):
        prev_state, action = back[k][state]
        actions[k] = action
        state = prev_state
    return actions


def _ends_inside(marks: list[_Mark], actions: list[int], start_inside: bool) -> bool:
    inside = start_inside
    for a in actions:
        if a == _OPEN:
            inside = True
        elif a == _CLOSE:
            inside = False
    return inside


def find_quotes(analysis: Analysis, config: Config | None = None) -> Analysis:
    """Find the quotations in the story text (not in notes or chat lines).

    Args:
        analysis: an analysis with structure (notes, messages).
        config: ``quote_style`` forces ``double`` or ``single`` marks.

    Returns:
        The analysis with ``quotes`` set: sorted by start, non-overlapping, each span
        from its opening mark to its closing mark inclusive (to the paragraph's end for
        all but the last paragraph of a multi-paragraph speech, which are linked by
        ``Quote.continues``). Speakers are not set here.
    """
    config = config or Config()
    story = analysis.story
    text = story.text
    excluded = sorted([n.span for n in analysis.notes] + [m.span for m in analysis.messages])
    excluded_starts = [s.start for s in excluded]

    def is_excluded(span: Span) -> bool:
        k = bisect_right(excluded_starts, span.start) - 1
        return k >= 0 and excluded[k].end > span.start

    style = config.quote_style
    if style == "auto":
        style = detect_quote_style(_story_sample(text, excluded))
    single = style == "single"
    pattern = _SINGLE_MARKS if single else _DOUBLE_MARKS
    barriers = sorted({b.start for b in analysis.scene_breaks} | {c.span.start for c in analysis.chapters})

    paras = [p for p in story.paragraphs if not is_excluded(p)]
    marks_per_para: list[list[_Mark]] = []
    for p in paras:
        ms = []
        for m in pattern.finditer(text, p.start, p.end):
            mk = _score_mark(text, m.start(), p.start, p.end, single)
            if mk is not None:
                ms.append(mk)
        marks_per_para.append(ms)

    def opens_next(k: int) -> bool:
        """Does paragraph k start with an opening mark (a new speech or a continuation)?"""
        if k >= len(paras) or not marks_per_para[k]:
            return False
        m = marks_per_para[k][0]
        return m.pos == paras[k].start and m.open_score > m.close_score

    def runon_close(k: int) -> int | None:
        """Index of a later paragraph whose first mark closes a quote left open in k."""
        total = 0
        for j in range(k + 1, min(len(paras), k + 1 + _MAX_RUNON_PARAGRAPHS)):
            total += paras[j].end - paras[j].start
            if total > _MAX_RUNON_CHARS:
                return None
            nb = bisect_left(barriers, paras[k].end)
            if nb < len(barriers) and barriers[nb] <= paras[j].start:
                return None
            ms = marks_per_para[j]
            if ms:
                first = ms[0]
                return j if first.close_score > first.open_score else None
        return None

    spans: list[tuple[int, int, bool]] = []  # (start, end, continues_previous)
    start_inside = False
    open_at: int | None = None
    continuing = False
    k = 0
    while k < len(paras):
        p = paras[k]
        marks = marks_per_para[k]
        runon_target = None
        cont_next = opens_next(k + 1)
        penalty = 0.5 if cont_next else 3.0
        actions = _best_path(marks, start_inside, penalty)
        if _ends_inside(marks, actions, start_inside) and not cont_next:
            runon_target = runon_close(k)
            if runon_target is None:
                actions = _best_path(marks, start_inside, 3.0)
        inside = start_inside
        for mk, a in zip(marks, actions, strict=True):
            if a == _OPEN and not inside:
                open_at = mk.pos
                inside = True
            elif a == _CLOSE and inside:
                assert open_at is not None
                spans.append((open_at, mk.pos + 1, continuing))
                continuing = False
                inside = False
                open_at = None
        if inside and open_at is not None:
            if runon_target is not None:
                # The quotation runs on (verse lines) to the first mark of that paragraph.
                close = marks_per_para[runon_target][0]
                spans.append((open_at, close.pos + 1, continuing))
                continuing = False
                open_at = None
                # Resume in the target paragraph after its closing mark.
                rest = marks_per_para[runon_target][1:]
                marks_per_para[runon_target] = rest
                start_inside = False
                k = runon_target
                continue
            spans.append((open_at, p.end, continuing))
            continuing = cont_next
            open_at = None
        else:
            continuing = False
        start_inside = False
        k += 1

    quotes: list[Quote] = []
    in_letter = False
    for n, (s, e, cont) in enumerate(spans):
        body = text[s:e]
        if not any(ch.isalnum() for ch in body):
            continue
        if cont and in_letter:
            continue
        in_letter = False
        if not cont and _is_mention_quote(text, s, e):
            continue
        if _is_heading_or_signature(body):
            continue
        if not cont and _LETTER_OPENING.match(body) and text[e - 1] not in _CLOSING_MARKS:
            # A letter quoted in full ("Dear Catherine," on its own line): written, not spoken.
            in_letter = True
            continue
        prev_id = quotes[-1].id if cont and quotes else None
        quotes.append(Quote(id=f"q{len(quotes)}", span=Span(s, e), continues=prev_id))
        del n
    return analysis.replace(quotes=tuple(quotes))


_WORD_BEFORE = re.compile(r"([A-Za-z]+)[ \t]*$")
_FIRST_ALPHA = re.compile(r"[A-Za-z]")
#: A quoted word or phrase inside a sentence ("the word 'clever'", "so-called
#: "experts"") mentions words rather than speaks them; PDNC and LitBank annotate speech,
#: not such mentions. Longer quotes are kept whatever their context.
_MENTION_MAX_WORDS = 5
_MENTION_LEADS = frozenset(
    "the a an as of in at from to into called named word words term phrase marked labelled labeled titled "
    "entitled his her their its our my your this that than like".split()
)


def _is_mention_quote(text: str, start: int, end: int) -> bool:
    """A short quote embedded in a sentence and starting lowercase: a mention, not speech."""
    inner = text[start + 1 : end - 1]
    if len(inner.split()) > _MENTION_MAX_WORDS:
        return False
    first = _FIRST_ALPHA.search(inner)
    if first is None:
        return False
    before = _WORD_BEFORE.search(text, max(0, start - 30), start)
    if before is None:
        return False
    word = before.group(1).lower()
    if word in SPEECH_VERBS or word in ("but", "then"):
        return False
    # A capitalised quote is a mention only after a word that introduces a name or a
    # title ("regarded him as "India"", "the "Coach and Horses"").
    if not first.group().islower() and (
        word not in _MENTION_LEADS or not before.group(1).islower() or inner.rstrip()[-1:] in "!?"
    ):
        return False
    after = text[end : end + 30].lstrip(" \t")
    nxt = re.match(r"[A-Za-z]+", after)
    return not (nxt and (nxt.group().lower() in _TAG_WORDS))


_CLOSING_MARKS = "\"”’'»"
# A salutation alone on the quote's first line: the opening of a letter.
_LETTER_OPENING = re.compile(
    r"^.(?:My\s+)?(?:Dear(?:est)?|Honou?red|Respected)\s+[A-Z][^\n.!?]{0,40}[,:—-]?\s*(?:\n|$)"
    r"|^.(?:Sir|Madam|Gentlemen|Dear\s+Sir|Dear\s+Madam)[,:.!—-]?\s*(?:\n|$)"
)
#: Share of upper-case letters above which a quote is a heading or a signature
#: ("IN THE "JOLLY CRICKETERS"", "CAROLINE BINGLEY."), not speech.
_UPPER_SHARE = 0.8


_LOWER_LETTER = re.compile(r"[a-z]")


def _is_heading_or_signature(body: str) -> bool:
    if not body.isupper() and sum(1 for _ in _LOWER_LETTER.finditer(body)) > 2 * (1 - _UPPER_SHARE) * len(body):
        return False  # plenty of lowercase: ordinary speech (the common, cheap case)
    letters = [c for c in body if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) >= _UPPER_SHARE * len(letters)


def _story_sample(text: str, excluded: list[Span]) -> str:
    if not excluded:
        return text
    parts = []
    pos = 0
    for sp in excluded:
        if sp.start > pos:
            parts.append(text[pos : sp.start])
        pos = max(pos, sp.end)
    parts.append(text[pos:])
    return " ".join(parts)
