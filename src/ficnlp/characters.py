"""Characters: find the people in a story and cluster the names each goes by.

1. **Mentions.** Runs of capitalised words (with an optional honorific: ``Dr Karev``,
   ``Mr. Hale``) are name candidates. Each gets context features: sentence-initial or
   not, inside a quotation or not, a vocative (``"Fine, Kitty."``), the subject of a
   speech tag (``"…" Alex said``, ``said Abel``), followed by a verb, after a determiner
   or a place preposition, possessive.
2. **People.** A name form is accepted as a person from that evidence, weighed against
   how often its lowercase form is an English word (:mod:`ficnlp.lexicon`) and how often
   the story itself writes it in lowercase. Weights were set on the ../shared cases and
   PDNC character lists; see ``docs/stages.md``.
3. **Aliases.** Full names anchor clusters; the same tokens in either order
   (family-name-first), first-name variants with the same surname (Alex / Alexander
   Karev), lone first names and surnames, honorific + surname with compatible gender
   (``Mr. Hale`` → Thomas Hale; ``Mrs. Bennet`` ≠ ``Mr. Bennet``), and nicknames and
   diminutives (Addie, Adds → Addison; Kat, Kitty → Katherine) join them.
4. **Gender.** Referential gender from the pronouns that follow a character's mentions
   in narration, and from gendered honorifics (BookNLP's approach, Bamman et al. 2014).
5. **Narrator.** First-person narration (``I``, ``me``, ``my`` outside quotes) makes a
   narrator character with ``narrator=True``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from ficnlp.lexicon import (
    FEMALE_TITLES,
    MALE_TITLES,
    NOT_NAMES,
    SPEECH_VERBS,
    TITLES,
    are_name_variants,
    is_common_word,
    word_logprobs,
)
from ficnlp.model import Analysis, Character, Mention, Span

__all__ = ["NARRATOR_NAME", "PRODUCES", "REQUIRES", "find_characters"]

REQUIRES = ("quotes", "notes")
PRODUCES = ("characters", "mentions")
VERSION = "1"

#: The name given to a first-person narrator whose name the text does not reveal.
NARRATOR_NAME = "Narrator"

_ABBREV_TITLE = r"(?:Mr|Mrs|Ms|Mx|Dr|St|Prof|Capt|Col|Lt|Sgt|Rev|Mme|Mlle|Gen|Maj)\.?"
_CAP = r"(?:[A-Z][a-zA-Z]*(?:['’][A-Z][a-z]+)?(?:-[A-Z][a-zA-Z]+)*(?!['’](?:t|ll|re|ve|d|m)\b))"
_SEQ = re.compile(
    rf"(?<![\w'’\-])(?:{_ABBREV_TITLE}(?=[ \t\r\n]+[A-Z])|{_CAP})(?:(?:[ \t]+|[ \t]*\r?\n[ \t]*)(?:{_ABBREV_TITLE}(?=[ \t\r\n]+[A-Z])|{_CAP}))*(?:['’]s?\b)?"
)
_WORD = re.compile(r"[A-Za-z]+(?:['’][a-z]+)?")
_NEXT_WORDS = re.compile(r"\s*,?\s*([A-Za-z]+)(?:\s+([A-Za-z]+))?")
_FIRST_PERSON = re.compile(r"(?<![\w'’])(?:I|me|my|mine|myself)(?![\w'’])")
_PRONOUN = re.compile(r"(?<![\w'’])(he|him|his|himself|she|her|hers|herself)(?![\w'’])", re.IGNORECASE)
_OPENERS = "\"“‘'(["
_CLOSERS = "\"”’'"
_SENT_END = ".!?…"

_DETERMINERS = frozenset("the a an this that these those some any every no another our their my your his her its".split())
_PLACE_PREPS = frozenset("in at to from into onto near towards toward outside inside across through of around".split())
_VOCATIVE_LEADS = frozenset("hey hi hello oh dear thanks thank you well yes no okay ok bye goodbye night morning look listen come".split())
_IRREGULAR_PAST = frozenset(
    """said went came saw took gave made got put sat stood ran let held kept left meant brought shook broke bit
    threw caught fell grew hid hit hung lay led lit lost met paid read rode rose sang sank slept slid sought
    sent shot shut spent spun stuck struck swore swept swam swung taught tore wept won wore wound wrote
    thought felt knew told began drew drove ate fought found flew forgot froze heard knelt leapt learnt
    leant made rang sprang stole strode woke was had did says asks looks turns walks smiles nods sighs
    laughs grins shrugs whispers mutters""".split()
)
# Evidence weights for accepting a name form as a person (set on ../shared/cases and
# the PDNC character lists; the figures are in docs/benchmarks.md).
_W_TAG = 3.0
_W_VOCATIVE = 2.0
_W_TITLE = 3.0
_W_SUBJECT = 1.0
_W_SPEECH_SUBJECT = 2.0
_W_COORDINATED = 1.0
_W_NAME_LIKE = 0.5
_W_POSSESSIVE = 0.5
_W_MID = 0.5
_W_GIVEN_NAME = 1.5
_W_DETERMINER = -1.5
_W_PLACE = -1.0
_ACCEPT = 2.0
#: A pronoun within this many code points after a mention, with no other name between,
#: counts as a vote for that mention's gender.
_PRONOUN_WINDOW = 120


@cache
def _given_names() -> frozenset[str]:
    data = resources.files("nicknames") / "names.csv"
    names: set[str] = set()
    with data.open("r", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            a, _, b = line.strip().split(",")
            names.add(a)
            names.add(b)
    return frozenset(names)


@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    tokens: tuple[str, ...]
    title: str | None
    initial: bool
    in_quote: bool
    prev: str
    next: str
    next2: str
    vocative: bool = False
    tag: bool = False
    possessive: bool = False
    key: tuple[str, ...] = ()


@dataclass(slots=True)
class _Form:
    tokens: tuple[str, ...]
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
    titles: Counter[str] = field(default_factory=Counter)
    partners: set[str] = field(default_factory=set)
    he: int = 0
    she: int = 0
    first: int = 10**12


class _Spans:
    """Fast membership test for sorted, non-overlapping spans."""

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
            # a closing straight mark: initial only after terminal punctuation
            return text[j - 1] in _SENT_END
        return True
    if c in "”’":
        return j > para_start and text[j - 1] in _SENT_END
    return c in _SENT_END or c == ":"


def _prev_word(text: str, start: int, para_start: int) -> str:
    j = start
    seg = text[max(para_start, start - 40) : j]
    words = _WORD.findall(seg)
    return words[-1].lower() if words else ""


def _looks_verb(w: str, w2: str) -> bool:
    if not w or not w.islower():
        return False
    if w in SPEECH_VERBS or w in _IRREGULAR_PAST or (w.endswith("ed") and len(w) > 3):
        return True
    return w.endswith("ly") and bool(w2) and (w2 in SPEECH_VERBS or w2 in _IRREGULAR_PAST or w2.endswith("ed"))


def _split_tokens(raw: str) -> tuple[str | None, list[str], bool]:
    """Title, name tokens, possessive flag from a matched capitalised run."""
    possessive = False
    if raw.endswith(("'s", "’s")):
        raw, possessive = raw[:-2], True
    elif raw.endswith(("'", "’")):
        raw, possessive = raw[:-1], True
    toks = raw.split()
    title = None
    while toks and toks[0].rstrip(".").lower() in TITLES and len(toks) > 1:
        title = toks[0].rstrip(".").lower()
        toks = toks[1:]
    return title, toks, possessive


def _candidates(analysis: Analysis, quotes: _Spans, notes: _Spans) -> list[_Cand]:
    text = analysis.text
    out: list[_Cand] = []
    for para in analysis.story.paragraphs:
        if notes.find(para.start) is not None:
            continue
        for m in _SEQ.finditer(text, para.start, para.end):
            title, toks, possessive = _split_tokens(m.group())
            start = m.start()
            # Drop leading words that are not names ("The", "Poor", "Thank").
            offset = 0
            raw_tokens = m.group().split()
            while toks and (toks[0].lower() in NOT_NAMES or (title is None and _leading_common(toks[0], start + offset, text, para.start))):
                if title is not None:
                    break
                offset = text.index(toks[0], start + offset) + len(toks[0]) - start
                toks = toks[1:]
            while toks and toks[-1].lower() in NOT_NAMES:
                toks = toks[:-1]
            if not toks or len(toks) > 4:
                continue
            if any(t.isupper() and len(t) > 1 for t in toks) or any(len(t) == 1 for t in toks):
                continue
            name_start = text.index(toks[0], start + offset) if offset else (
                start if title is None else text.index(toks[0], start + len(raw_tokens[0]))
            )
            name_end = name_start + len(" ".join(toks)) if "\n" not in text[name_start:m.end()] else _span_end(text, name_start, toks)
            full_start = start if title is not None else name_start
            in_quote = quotes.find(name_start) is not None
            nxt = _NEXT_WORDS.match(text, m.end(), para.end)
            out.append(
                _Cand(
                    start=name_start,
                    end=name_end,
                    tokens=tuple(toks),
                    title=title,
                    initial=_is_initial(text, full_start, para.start),
                    in_quote=in_quote,
                    prev=_prev_word(text, full_start, para.start),
                    next=nxt.group(1) if nxt else "",
                    next2=(nxt.group(2) or "") if nxt else "",
                    possessive=possessive,
                )
            )
    return out


def _span_end(text: str, start: int, toks: list[str]) -> int:
    pos = start
    for t in toks:
        pos = text.index(t, pos) + len(t)
    return pos


def _leading_common(tok: str, pos: int, text: str, para_start: int) -> bool:
    if tok.lower() in _given_names():
        return False
    return _is_initial(text, pos, para_start) and is_common_word(tok, margin=1.0)


def _annotate_context(text: str, cands: list[_Cand], quotes: _Spans) -> None:
    for c in cands:
        q = quotes.find(c.start)
        if q is not None:
            before = text[q.start + 1 : c.start].rstrip()
            after = text[c.end : q.end - 1].lstrip()
            lead_ok = (
                before == ""
                or before[-1:] in ",;—–-.!?"
                or before.split()[-1].lower().strip(",") in _VOCATIVE_LEADS
            )
            trail_ok = after == "" or after[:1] in ",.!?;—–-…" and not c.possessive
            c.vocative = lead_ok and trail_ok and not c.possessive
            continue
        # Speech tag: the name right after a closing quote ("…" Alex said) or after a
        # speech verb that follows one ("…," said Alex).
        j = c.start - 1 if c.title is None else c.start - 1
        seg_start = max(0, c.start - 60)
        before = text[seg_start : c.start]
        if c.title is not None:
            before = before[: before.rfind(c.title[:1].upper())] if c.title[:1].upper() in before else before
        stripped = before.rstrip(" \t,")
        if stripped[-1:] in _CLOSERS and _looks_verb(c.next, c.next2):
            c.tag = True
        elif c.prev in SPEECH_VERBS:
            k = stripped.rfind(c.prev)
            pre = stripped[:k].rstrip(" \t,") if k >= 0 else ""
            if pre[-1:] in _CLOSERS:
                c.tag = True
        del j


def _form_key(c: _Cand) -> tuple[str, ...]:
    return c.tokens


def _collect_forms(text: str, cands: list[_Cand]) -> dict[tuple[str, ...], _Form]:
    forms: dict[tuple[str, ...], _Form] = {}
    for c in cands:
        key = _form_key(c)
        c.key = key
        f = forms.get(key)
        if f is None:
            f = forms[key] = _Form(tokens=key)
        f.count += 1
        f.first = min(f.first, c.start)
        if not c.initial and not c.in_quote:
            f.mid += 1
        if c.tag:
            f.tag += 1
        if c.vocative:
            f.vocative += 1
        if c.title:
            f.titled += 1
            f.titles[c.title] += 1
        if not c.in_quote and _looks_verb(c.next, c.next2) and c.prev not in _DETERMINERS:
            f.subject += 1
            if c.next in SPEECH_VERBS or c.next2 in SPEECH_VERBS:
                f.speech_subject += 1
        if not c.in_quote and (c.next == "and" and c.next2[:1].isupper() or c.prev == "and"):
            f.coordinated += 1
            if c.next == "and":
                f.partners.add(c.next2)
        if c.possessive:
            f.possessive += 1
        if c.prev in _DETERMINERS and c.title is None:
            f.determiner += 1
        if c.prev in _PLACE_PREPS and c.title is None and not c.in_quote:
            f.place += 1
    return forms


def _person_score(f: _Form, lower_counts: Counter[str], cap_counts: Counter[str]) -> float:
    s = _W_TAG * min(f.tag, 3) + _W_VOCATIVE * min(f.vocative, 2)
    s += _W_TITLE if f.titled else 0.0
    s += _W_SPEECH_SUBJECT * min(f.speech_subject, 2)
    s += _W_SUBJECT * min(f.subject - f.speech_subject, 3) + _W_POSSESSIVE * min(f.possessive, 2) + _W_MID * min(f.mid, 4)
    s += _W_COORDINATED * min(f.coordinated, 2)
    given = f.tokens[0].lower() in _given_names()
    if given:
        s += _W_GIVEN_NAME
        if f.subject:
            s += _W_GIVEN_NAME
    if len(f.tokens) == 1:
        tok = f.tokens[0]
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
        low = lower_counts.get(tok.lower(), 0)
        if low > cap_counts.get(tok, 0):
            s -= 2.0
    else:
        s += 1.0
    s += _W_DETERMINER * min(f.determiner, 3) + _W_PLACE * min(f.place, 3)
    return s


def _title_gender(title: str) -> str | None:
    if title in MALE_TITLES:
        return "m"
    if title in FEMALE_TITLES:
        return "f"
    return None


def _vote_genders(text: str, cands: list[_Cand], quotes: _Spans, forms: dict[tuple[str, ...], _Form]) -> None:
    for i, c in enumerate(cands):
        if c.in_quote:
            continue
        limit = min(len(text), c.end + _PRONOUN_WINDOW)
        if i + 1 < len(cands):
            limit = min(limit, cands[i + 1].start)
        for m in _PRONOUN.finditer(text, c.end, limit):
            if quotes.find(m.start()) is not None:
                continue
            if m.group(1).lower() in ("he", "him", "his", "himself"):
                forms[c.key].he += 1
            else:
                forms[c.key].she += 1
            break
        if c.title:
            g = _title_gender(c.title)
            if g == "m":
                forms[c.key].he += 2
            elif g == "f":
                forms[c.key].she += 2


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[tuple[str, ...], tuple[str, ...]] = {}

    def find(self, x: tuple[str, ...]) -> tuple[str, ...]:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: tuple[str, ...], b: tuple[str, ...]) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def _gender_of(f: _Form) -> str | None:
    if f.he >= 1 and f.he >= 2 * f.she:
        return "m"
    if f.she >= 1 and f.she >= 2 * f.he:
        return "f"
    return None


def _cluster(forms: dict[tuple[str, ...], _Form]) -> dict[tuple[str, ...], tuple[str, ...]]:
    """Map each accepted form to its cluster root (a form)."""
    uf = _UnionFind()
    keys = sorted(forms, key=lambda k: (-forms[k].count, k))
    for k in keys:
        uf.find(k)
    full = [k for k in keys if len(k) >= 2]
    singles = [k for k in keys if len(k) == 1]
    # Same tokens in another order (family-name-first); same first and last token.
    by_set: dict[frozenset[str], tuple[str, ...]] = {}
    by_ends: dict[tuple[str, str], tuple[str, ...]] = {}
    for k in full:
        s = frozenset(k)
        if s in by_set:
            uf.union(by_set[s], k)
        else:
            by_set[s] = k
        ends = (k[0], k[-1])
        if ends in by_ends:
            uf.union(by_ends[ends], k)
        else:
            by_ends[ends] = k
    # Same surname and first names that are variants (Alex / Alexander Karev).
    for i, a in enumerate(full):
        for b in full[i + 1 :]:
            if a[-1] == b[-1] and a[0] != b[0] and are_name_variants(a[0], b[0]):
                ga, gb = _gender_of(forms[a]), _gender_of(forms[b])
                if ga is None or gb is None or ga == gb:
                    uf.union(a, b)
    # Lone tokens join the one full name that has them as given name or surname.
    first_index: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    last_index: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for k in full:
        first_index[k[0]].add(uf.find(k))
        last_index[k[-1]].add(uf.find(k))
        # Family-name-first: either end can be the given name.
        first_index[k[-1]].add(uf.find(k))
    cluster_gender: dict[tuple[str, ...], str | None] = {}
    for k in full:
        r = uf.find(k)
        he = sum(forms[x].he for x in full if uf.find(x) == r)
        she = sum(forms[x].she for x in full if uf.find(x) == r)
        cluster_gender[r] = "m" if he > 2 * she and he else "f" if she > 2 * he and she else None
    for k in singles:
        tok = k[0]
        f = forms[k]
        g = _gender_of(f) if f.titled else None
        cands = {uf.find(x) for x in first_index.get(tok, set())} | {uf.find(x) for x in last_index.get(tok, set())}
        if g is not None:
            cands = {c for c in cands if cluster_gender.get(c) in (None, g)}
        if len(cands) == 1:
            uf.union(next(iter(cands)), k)
        elif len(cands) > 1:
            as_first = {uf.find(x) for x in full if x[0] == tok}
            if len(as_first) == 1 and not f.titled:
                uf.union(next(iter(as_first)), k)
    # Nicknames and diminutives of given names (Addie -> Addison, Kitty -> Katherine).
    heads: dict[tuple[str, ...], str] = {}
    for k in keys:
        r = uf.find(k)
        if len(k) >= 2:
            heads.setdefault(r, k[0])
    for k in singles:
        r = uf.find(k)
        if r != k or forms[k].titled:
            continue
        best = None
        for other in keys:
            if other == k:
                continue
            ro = uf.find(other)
            if ro == r:
                continue
            given = other[0]
            if given != k[0] and are_name_variants(k[0], given) and len(given) != len(k[0]) or (
                given != k[0] and are_name_variants(k[0], given)
            ):
                if best is None or forms[other].count > forms[best].count:
                    best = other
        if best is not None:
            uf.union(uf.find(best), k)
    return {k: uf.find(k) for k in keys}


def _canonical_name(members: list[tuple[str, ...]], forms: dict[tuple[str, ...], _Form]) -> str:
    first_counts: Counter[str] = Counter()
    for m in members:
        first_counts[m[0]] += forms[m].count
    full = [m for m in members if len(m) >= 2]
    if full:
        best = max(full, key=lambda m: (forms[m].count, first_counts[m[0]], -len(m), m))
        return " ".join(best)
    best = max(members, key=lambda m: (forms[m].count, -forms[m].first))
    f = forms[best]
    if f.titled and f.titled * 2 >= f.count:
        title = f.titles.most_common(1)[0][0]
        return f"{title.capitalize()}{'.' if title in ('mr', 'mrs', 'ms', 'dr', 'st') else ''} {' '.join(best)}"
    return " ".join(best)


def _narrator_mentions(text: str, analysis: Analysis, quotes: _Spans, notes: _Spans) -> list[Span]:
    out = []
    for p in analysis.story.paragraphs:
        if notes.find(p.start) is not None:
            continue
        for m in _FIRST_PERSON.finditer(text, p.start, p.end):
            if quotes.find(m.start()) is None:
                out.append(Span(m.start(), m.end()))
    return out


def find_characters(analysis: Analysis, config: object = None) -> Analysis:
    """Find the characters and their name mentions.

    Args:
        analysis: an analysis with quotes and notes.

    Returns:
        The analysis with ``characters`` (ids ``c0``, ``c1``… by first mention; the
        narrator, if any, included) and ``mentions`` (name mentions, and first-person
        mentions of the narrator in narration), both sorted by start.
    """
    text = analysis.text
    quotes = _Spans([q.span for q in analysis.quotes])
    notes = _Spans([n.span for n in analysis.notes])
    cands = _candidates(analysis, quotes, notes)
    _annotate_context(text, cands, quotes)
    words = _WORD.findall(text)
    lower_counts = Counter(w for w in words if w.islower())
    cap_counts = Counter(w for w in words if w[:1].isupper())
    forms = _collect_forms(text, cands)
    accepted = {k for k, f in forms.items() if _person_score(f, lower_counts, cap_counts) >= _ACCEPT}
    # Multi-token forms whose tokens are all accepted elsewhere count too ("Mori Ren").
    for k, f in forms.items():
        if len(k) >= 2 and k not in accepted and all((t,) in accepted for t in k):
            accepted.add(k)
    # A lone given name or surname of an accepted full name is a name ("Thomas" of Thomas Hale);
    # so is a nickname of an accepted given name used as a person ("Fine, Kitty.").
    parts = {t for k in accepted if len(k) >= 2 for t in (k[0], k[-1])}
    given = {k[0] for k in accepted}
    for k, f in forms.items():
        if k in accepted or len(k) != 1:
            continue
        if k[0] in parts:
            accepted.add(k)
        elif (f.vocative or f.tag or f.subject) and any(are_name_variants(k[0], g) for g in given if g != k[0]):
            accepted.add(k)
        elif f.partners & given and not is_common_word(k[0]):
            # "Maya and Theo stood …": coordinated with a person.
            accepted.add(k)
    forms = {k: f for k, f in forms.items() if k in accepted}
    cands = [c for c in cands if c.key in forms]
    _vote_genders(text, cands, quotes, forms)
    roots = _cluster(forms)
    members: dict[tuple[str, ...], list[tuple[str, ...]]] = defaultdict(list)
    for k, r in roots.items():
        members[r].append(k)

    narrator_spans = _narrator_mentions(text, analysis, quotes, notes)
    narration_words = max(1, sum(1 for _ in _WORD.finditer(text)) - sum(len(q) for q in quotes.spans) // 6)
    has_narrator = len(narrator_spans) >= 3 and len(narrator_spans) / narration_words >= 0.005 or _i_tag(text, analysis)

    # Order clusters by first mention; the narrator by its first "I".
    entries: list[tuple[int, str, tuple[str, ...] | None]] = []
    for r, ms in members.items():
        entries.append((min(forms[m].first for m in ms), "c", r))
    if has_narrator:
        entries.append((narrator_spans[0].start if narrator_spans else 0, "n", None))
    entries.sort(key=lambda e: (e[0], e[1]))
    characters: list[Character] = []
    root_id: dict[tuple[str, ...], str] = {}
    narrator_id = None
    for n, (_, kind, r) in enumerate(entries):
        cid = f"c{n}"
        if kind == "n":
            narrator_id = cid
            characters.append(Character(cid, NARRATOR_NAME, (), "unknown", True, 0))
            continue
        assert r is not None
        ms = members[r]
        name = _canonical_name(ms, forms)
        aliases = set()
        for m in ms:
            aliases.add(" ".join(m))
            for t in forms[m].titles:
                aliases.add(f"{_title_display(t)} {' '.join(m)}")
        aliases.discard(name)
        he = sum(forms[m].he for m in ms)
        she = sum(forms[m].she for m in ms)
        gender = "he/him" if he >= 2 and he >= 2 * she else "she/her" if she >= 2 and she >= 2 * he else "unknown"
        if gender == "unknown" and (he or she) and (he >= 3 * max(she, 1) or she >= 3 * max(he, 1)):
            gender = "he/him" if he > she else "she/her"
        count = sum(forms[m].count for m in ms)
        root_id[r] = cid
        characters.append(Character(cid, name, tuple(sorted(aliases)), gender, False, count))
    mentions = [Mention(Span(c.start, c.end), root_id[roots[c.key]], "name") for c in cands]
    if narrator_id is not None:
        mentions.extend(Mention(s, narrator_id, "narrator") for s in narrator_spans)
        characters = [
            ch if ch.id != narrator_id else Character(ch.id, ch.name, ch.aliases, ch.gender, True, len(narrator_spans))
            for ch in characters
        ]
    mentions.sort(key=lambda m: (m.span.start, m.span.end))
    return analysis.replace(characters=tuple(characters), mentions=tuple(mentions))


def _title_display(title: str) -> str:
    return title.capitalize() + ("." if title in ("mr", "mrs", "ms", "dr", "st") else "")


_I_TAG = re.compile(r"[\"”’']\s*,?\s*I\s+(?:" + "|".join(sorted(SPEECH_VERBS)) + r")\b")


def _i_tag(text: str, analysis: Analysis) -> bool:
    return _I_TAG.search(text) is not None
