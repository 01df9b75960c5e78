"""Speakers and addressees: who says each quotation, and to whom.

Version 1 is a cascade of rules, strongest first (after He et al. 2013 and Muzny et al.
2017's sieve for quote attribution):

1. **Explicit tags** next to the quote in the same paragraph: ``"…" said Alex``,
   ``"…" Alex said``, ``"…" Addison sighed`` (no comma), ``Alex said, "…"``, and a tag
   between two halves of one quote, which then share it.
2. **Pronoun tags** (``she said``, ``I asked``) resolved to the most recent compatible
   character: same referential gender, mentioned or speaking nearby, preferring a name
   in the same paragraph.
3. **Action beats**: a paragraph whose narration names one character before or after
   the quote (``Alex walked over to her … "You can have …"``).
4. **Conversation**: untagged turns alternate between the two latest speakers; a
   vocative in the previous turn names the next speaker.
5. **Addressees** are the vocatives in the quote, else the other party of the exchange.
6. **Chat lines** take the character their label names.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field

from ficnlp.lexicon import NOT_NAMES, SPEECH_VERBS, TITLES
from ficnlp.model import Analysis, Character, Mention, Message, Quote, Span

__all__ = ["PRODUCES", "REQUIRES", "attribute_speakers"]

REQUIRES = ("quotes", "characters", "mentions", "messages")
PRODUCES = ("quotes", "messages")
VERSION = "1"

_MALE = frozenset(("he", "him", "his", "himself"))
_FEMALE = frozenset(("she", "her", "hers", "herself"))
_SUBJECT_PRONOUNS = {"he": "he/him", "she": "she/her", "i": "narrator", "they": "they/them", "we": "narrator"}
_PRONOUN_TAG = re.compile(r"^\s*,?\s*(?:(?P<pro>he|she|i|they|we)\b\s+(?:\w+ly\s+)?(?P<verb>[a-z]+)|(?P<verb2>[a-z]+)\s+(?P<pro2>he|she|i)\b)", re.IGNORECASE)
_ABBREV_GUARD = r"(?<!\bMr\.)(?<!\bMrs\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)(?<!\bMx\.)(?<!\bProf\.)(?<!\bCapt\.)(?<!\bCol\.)(?<!\bRev\.)"
_SENT_SPLIT = re.compile(r"(?<=[.!?…])" + _ABBREV_GUARD + r"\s+")
_SENT_END = re.compile(r"[.!?…]" + _ABBREV_GUARD + r"(?=\s|$)")
_CLOSING = "\"”’'"
_TITLE_WORDS = re.compile(r"\b(?:" + "|".join(sorted(TITLES, key=len, reverse=True)) + r")\.?(?=\s)", re.IGNORECASE)
#: How far back (code points) a pronoun tag looks for an antecedent; about two pages.
_ANTECEDENT_WINDOW = 3000
#: A gap of narration longer than this (code points) between two quotes ends a conversation.
_CONVERSATION_GAP = 1200


@dataclass(slots=True)
class _Q:
    quote: Quote
    para: int
    speaker: str | None = None
    kind: str = "implicit"
    confidence: float = 0.0
    tag: Span | None = None
    addressees: tuple[str, ...] = ()
    vocatives: tuple[str, ...] = ()
    para_span: Span = field(default_factory=lambda: Span(0, 0))


class _Index:
    def __init__(self, mentions: Sequence[Mention], quotes: Sequence[Quote]) -> None:
        self.mentions = [m for m in mentions if m.kind == "name"]
        self.starts = [m.span.start for m in self.mentions]
        self.qspans = [q.span for q in quotes]
        self.qstarts = [s.start for s in self.qspans]

    def in_quote(self, pos: int) -> bool:
        k = bisect_right(self.qstarts, pos) - 1
        return k >= 0 and self.qspans[k].start <= pos < self.qspans[k].end

    def between(self, start: int, end: int) -> list[Mention]:
        a = bisect_left(self.starts, start)
        b = bisect_left(self.starts, end)
        return self.mentions[a:b]


def _paragraph_of(paragraphs: Sequence[Span], pos: int) -> int:
    starts = [p.start for p in paragraphs]
    return max(0, bisect_right(starts, pos) - 1)


def attribute_speakers(analysis: Analysis, config: object = None) -> Analysis:
    """Give each quotation a speaker, addressees, a PDNC-style kind and a confidence.

    Args:
        analysis: an analysis with quotes, characters and mentions.

    Returns:
        The analysis with every quote's ``speaker_id``, ``addressee_ids``, ``kind``,
        ``confidence`` and ``tag`` set, and chat lines' ``speaker_id`` resolved.
    """
    text = analysis.text
    chars = {c.id: c for c in analysis.characters}
    narrator = next((c.id for c in analysis.characters if c.narrator), None)
    index = _Index(analysis.mentions, analysis.quotes)
    paragraphs = analysis.story.paragraphs
    para_starts = [p.start for p in paragraphs]
    qs = [_Q(q, max(0, bisect_right(para_starts, q.span.start) - 1)) for q in analysis.quotes]
    for q in qs:
        q.vocatives = tuple(_vocatives(text, q.quote, index))
        q.para_span = paragraphs[q.para] if paragraphs else Span(0, len(text))
    by_para: dict[int, list[int]] = {}
    for i, q in enumerate(qs):
        by_para.setdefault(q.para, []).append(i)
    barriers = sorted({b.start for b in analysis.scene_breaks} | {c.span.start for c in analysis.chapters} | {t.span.start for t in analysis.time_skips})

    # Pass 1: explicit and pronoun tags, beats, within the paragraph.
    for p_idx, members in by_para.items():
        para = paragraphs[p_idx]
        for j, qi in enumerate(members):
            q = qs[qi]
            after_end = qs[members[j + 1]].quote.span.start if j + 1 < len(members) else para.end
            before_start = qs[members[j - 1]].quote.span.end if j > 0 else para.start
            _tag_after(text, q, after_end, index, chars, narrator, qs, qi)
            if q.speaker is None:
                _tag_before(text, q, before_start, index, chars, narrator, qs, qi, first_in_para=(j == 0))
            if q.speaker is None and j == 0 and p_idx > 0 and q.quote.span.start == para.start:
                # A tag that ends the previous paragraph: 'Charlotte said,' / 'replied thus:'.
                prev = paragraphs[p_idx - 1]
                tail = text[prev.start : prev.end].rstrip()
                if p_idx - 1 not in by_para and tail[-1:] in ",:;—-" and (prev.end - prev.start) < 600:
                    _tag_before(text, q, prev.start, index, chars, narrator, qs, qi, first_in_para=True, end=prev.end)
        # A quote split by its tag, or followed by more speech in the same paragraph,
        # shares the paragraph's speaker unless nothing but space separates two quotes.
        tagged = [qs[i] for i in members if qs[i].speaker is not None]
        if tagged:
            for j, qi in enumerate(members):
                q = qs[qi]
                if q.speaker is not None:
                    continue
                # nearest tagged quote in the paragraph, not across a bare gap
                best = None
                for k in range(j - 1, -1, -1):
                    prev = qs[members[k]]
                    gap = text[prev.quote.span.end : qs[members[k + 1]].quote.span.start]
                    if not gap.strip():
                        break
                    if prev.speaker is not None:
                        best = prev
                        break
                if best is None:
                    for k in range(j + 1, len(members)):
                        nxt = qs[members[k]]
                        gap = text[qs[members[k - 1]].quote.span.end : nxt.quote.span.start]
                        if not gap.strip():
                            break
                        if nxt.speaker is not None:
                            best = nxt
                            break
                if best is not None:
                    q.speaker, q.kind, q.confidence = best.speaker, best.kind, best.confidence * 0.95
    # Continuation pieces of multi-paragraph speech share one speaker.
    ids = {q.quote.id: i for i, q in enumerate(qs)}
    for q in qs:
        if q.quote.continues is not None:
            prev = qs[ids[q.quote.continues]]
            if q.speaker is None and prev.speaker is not None:
                q.speaker, q.kind, q.confidence = prev.speaker, prev.kind, prev.confidence
    for q in reversed(qs):
        if q.quote.continues is not None and q.speaker is not None:
            prev = qs[ids[q.quote.continues]]
            if prev.speaker is None:
                prev.speaker, prev.kind, prev.confidence = q.speaker, q.kind, q.confidence

    # Pass 2: conversation turns.
    _conversations(text, qs, paragraphs, index, chars, barriers, narrator)

    # Addressees.
    for i, q in enumerate(qs):
        q.addressees = _addressees(text, q, qs, i, index, chars)

    quotes = tuple(
        Quote(
            id=q.quote.id,
            span=q.quote.span,
            speaker_id=q.speaker,
            addressee_ids=q.addressees,
            kind=q.kind,
            confidence=round(q.confidence, 4),
            tag=q.tag,
            continues=q.quote.continues,
        )
        for q in qs
    )
    messages = tuple(_resolve_message(m, analysis.characters) for m in analysis.messages)
    return analysis.replace(quotes=quotes, messages=messages)


def _name_at(index: _Index, start: int, end: int) -> Mention | None:
    ms = index.between(start, end)
    return ms[0] if ms else None


def _resolve_pronoun(
    pro: str, pos: int, para: Span, index: _Index, chars: dict[str, Character], narrator: str | None, qs: list[_Q], qi: int,
    exclude: str | None = None,
) -> str | None:
    """The character a pronoun tag (``she said``) refers to.

    Candidates are characters named in nearby narration and the recent speakers and
    addressees of the conversation. Each is scored: gender agreement (a known mismatch
    rules it out), a name in the same paragraph's narration (the subject of an action
    beat), turn-taking (the previous turn's speaker rarely speaks again in a new
    paragraph; the one before usually does), being addressed by a vocative in the
    previous turn, and recency. Weights set on the ../shared cases and PDNC; a learned
    ranker replaces them when the shipped model is enabled.
    """
    pro = pro.lower()
    if pro in ("i", "we"):
        return narrator
    want = _SUBJECT_PRONOUNS.get(pro)
    scores: dict[str, float] = {}
    last_seen: dict[str, int] = {}

    def add(cid: str, value: float) -> None:
        scores[cid] = scores.get(cid, 0.0) + value

    for m in index.between(max(0, pos - _ANTECEDENT_WINDOW), para.end):
        if index.in_quote(m.span.start):
            continue
        cid = m.character_id
        if m.span.start < pos:
            last_seen[cid] = m.span.start
        if para.start <= m.span.start < para.end:
            add(cid, 4.0 if m.span.start < pos else 2.0)
    for cid, at in last_seen.items():
        add(cid, 2.0 * math.exp(-(pos - at) / 800.0))
    # Conversation turns before this quote.
    turn = 0
    prev_para = qs[qi].para
    cur_start = qs[qi].quote.span.start
    for k in range(qi - 1, max(-1, qi - 16), -1):
        if cur_start - qs[k].quote.span.end > _CONVERSATION_GAP:
            break
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
        if cid == exclude or cid not in chars:
            continue
        c = chars[cid]
        if c.narrator and pro not in ("i", "we"):
            continue
        if want is not None and c.gender not in ("unknown", want):
            continue
        sc += 3.0 if (want is not None and c.gender == want) else 0.5
        if sc > best_score or (sc == best_score and last_seen.get(cid, -1) > last_seen.get(best or "", -1)):
            best, best_score = cid, sc
    return best


def _gender_match(c: Character, want: str | None) -> bool:
    return want is not None and c.gender == want


def _compatible(c: Character, want: str | None) -> bool:
    return (not c.narrator) and (want is None or c.gender in (want, "unknown"))


def _tag_after(
    text: str, q: _Q, end: int, index: _Index, chars: dict[str, Character], narrator: str | None, qs: list[_Q], qi: int
) -> None:
    start = q.quote.span.end
    seg = text[start:end]
    if not seg.strip():
        return
    first_sentence = seg
    # The tag lives in the narration up to the first sentence end (or the next quote).
    m_end = _SENT_END.search(seg)
    if m_end:
        first_sentence = seg[: m_end.end()]
    lead = len(first_sentence) - len(first_sentence.lstrip(" \t,"))
    body = first_sentence[lead:]
    if not body:
        return
    para = q.para_span
    # "said Alex" / "asked Meredith"
    m = re.match(r"([a-z]+)\s+(?:(?:the\s+)?(?:[A-Z]))", body)
    name = _name_at(index, start + lead, start + lead + min(len(body), 60))
    if name is not None and name.span.start == start + lead:
        # "Alex said" / "Alex smirked"
        after = text[name.span.end : name.span.end + 30]
        w = re.match(r"['’]s\b|\s*,|\s+\w", after)
        if w and not after.startswith(("'s", "’s")):
            q.speaker, q.kind, q.confidence = name.character_id, "explicit", 0.95
            q.tag = Span(start + lead, min(start + lead + len(body), name.span.end + 20))
            return
    if m and m.group(1) in SPEECH_VERBS and name is not None:
        between = _TITLE_WORDS.sub("", text[start + lead + len(m.group(1)) : name.span.start])
        if len(between.strip()) <= 12 and not any(c in between for c in ".!?\n"):
            q.speaker, q.kind, q.confidence = name.character_id, "explicit", 0.95
            q.tag = Span(start + lead, name.span.end)
            return
    pm = _PRONOUN_TAG.match(body)
    if pm:
        pro = pm.group("pro") or pm.group("pro2")
        verb = (pm.group("verb") or pm.group("verb2") or "").lower()
        if pm.group("pro2") and verb not in SPEECH_VERBS:
            return
        if pro.lower() in ("i", "we") and narrator is not None:
            q.speaker, q.kind, q.confidence = narrator, "anaphoric", 0.9
        else:
            cid = _resolve_pronoun(pro, start + lead, para, index, chars, narrator, qs, qi)
            if cid is None:
                return
            q.speaker, q.kind, q.confidence = cid, "anaphoric", 0.75
        q.tag = Span(start + lead, start + lead + pm.end())


def _tag_before(
    text: str,
    q: _Q,
    start: int,
    index: _Index,
    chars: dict[str, Character],
    narrator: str | None,
    qs: list[_Q],
    qi: int,
    *,
    first_in_para: bool,
    end: int | None = None,
) -> None:
    if end is None:
        end = q.quote.span.start
    seg = text[start:end]
    if not seg.strip():
        return
    # The last sentence before the quote: its subject speaks ("Alex walked over … 'You …'").
    sentences = _SENT_SPLIT.split(seg.strip())
    last = sentences[-1] if sentences else ""
    offset = end - len(seg.rstrip()) + (len(seg.rstrip()) - len(last)) if last else end
    sent_start = text.rfind(last, start, end) if last else -1
    if sent_start < 0:
        sent_start = offset
    names = [m for m in index.between(sent_start, end) if not index.in_quote(m.span.start)]
    if names:
        subject = names[0]
        lead = text[sent_start : subject.span.start].strip()
        if lead == "" or lead.lower() in ("then", "and", "but", "so", "finally", "suddenly", "when"):
            q.speaker, q.kind, q.confidence = subject.character_id, "explicit", 0.8
            q.tag = Span(sent_start, min(end, subject.span.end + 20))
            return
        q.speaker, q.kind, q.confidence = subject.character_id, "explicit", 0.55
        return
    pm = re.match(r"\s*(he|she|i)\b\s+(?:\w+ly\s+)?([a-z]+)", last, re.IGNORECASE)
    if pm:
        pro = pm.group(1)
        para = q.para_span
        if pro.lower() == "i" and narrator is not None:
            q.speaker, q.kind, q.confidence = narrator, "anaphoric", 0.8
        else:
            cid = _resolve_pronoun(pro, sent_start, para, index, chars, narrator, qs, qi)
            if cid is not None:
                q.speaker, q.kind, q.confidence = cid, "anaphoric", 0.6
        if q.speaker is not None:
            q.tag = Span(sent_start, sent_start + pm.end())


def _conversations(
    text: str,
    qs: list[_Q],
    paragraphs: Sequence[Span],
    index: _Index,
    chars: dict[str, Character],
    barriers: list[int],
    narrator: str | None,
) -> None:
    """Fill untagged turns by alternation inside each conversation."""
    # Split quotes into conversations: a scene break or a long narration gap ends one.
    convs: list[list[int]] = []
    for i, q in enumerate(qs):
        if convs:
            prev = qs[convs[-1][-1]]
            gap = q.quote.span.start - prev.quote.span.end
            k = bisect_left(barriers, prev.quote.span.end)
            crossed = k < len(barriers) and barriers[k] <= q.quote.span.start
            if gap <= _CONVERSATION_GAP and not crossed:
                convs[-1].append(i)
                continue
        convs.append([i])
    for conv in convs:
        # Turns: one per paragraph (quotes in one paragraph are one turn).
        turns: list[list[int]] = []
        for i in conv:
            if turns and qs[turns[-1][-1]].para == qs[i].para:
                gap = text[qs[turns[-1][-1]].quote.span.end : qs[i].quote.span.start]
                if gap.strip():
                    turns[-1].append(i)
                    continue
            turns.append([i])
        participants = _participants(text, qs, conv, index, chars)
        for _ in range(2):
            for t, turn in enumerate(turns):
                speaker = next((qs[i].speaker for i in turn if qs[i].speaker is not None), None)
                if speaker is not None:
                    for i in turn:
                        if qs[i].speaker is None:
                            qs[i].speaker, qs[i].kind, qs[i].confidence = speaker, "implicit", 0.6
                    continue
                guess = None
                prev1 = _turn_speaker(qs, turns, t - 1)
                prev2 = _turn_speaker(qs, turns, t - 2)
                next1 = _turn_speaker(qs, turns, t + 1)
                next2 = _turn_speaker(qs, turns, t + 2)
                # A vocative in the previous turn names this turn's speaker.
                if t > 0:
                    voc = _vocatives(text, qs[turns[t - 1][-1]].quote, index)
                    voc = [v for v in voc if v != prev1]
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


def _turn_speaker(qs: list[_Q], turns: list[list[int]], t: int) -> str | None:
    if 0 <= t < len(turns):
        return next((qs[i].speaker for i in turns[t] if qs[i].speaker is not None), None)
    return None


def _participants(text: str, qs: list[_Q], conv: list[int], index: _Index, chars: dict[str, Character]) -> list[str]:
    """Characters in a conversation: its speakers, then characters named in narration just before it."""
    seen: list[str] = []
    for i in conv:
        s = qs[i].speaker
        if s is not None and s not in seen:
            seen.append(s)
    start = qs[conv[0]].quote.span.start
    recent = [m for m in index.between(max(0, start - 800), qs[conv[-1]].quote.span.end) if not index.in_quote(m.span.start)]
    for m in reversed(recent):
        if m.character_id not in seen and not chars[m.character_id].narrator:
            seen.append(m.character_id)
    return seen


_VOC_EDGE = re.compile(r"^[\s,;:!?.…—–-]*$")


def _vocatives(text: str, quote: Quote, index: _Index) -> list[str]:
    out: list[str] = []
    for m in index.between(quote.span.start, quote.span.end):
        before = text[quote.span.start + 1 : m.span.start].rstrip()
        after = text[m.span.end : quote.span.end - 1].lstrip()
        lead_ok = before == "" or before[-1:] in ",;—–-.!?" or before.split()[-1].lower().strip(",") in (
            "hey", "hi", "hello", "oh", "dear", "thanks", "you", "well", "yes", "no", "bye", "night", "morning", "look", "listen",
        )
        trail_ok = after == "" or after[:1] in ",.!?;—–-…"
        if lead_ok and trail_ok and m.character_id not in out:
            out.append(m.character_id)
    return out


def _addressees(text: str, q: _Q, qs: list[_Q], i: int, index: _Index, chars: dict[str, Character]) -> tuple[str, ...]:
    voc = [v for v in _vocatives(text, q.quote, index) if v != q.speaker]
    if voc:
        return tuple(sorted(voc))
    # The other party: the nearest different speaker before or after, within a conversation.
    for k in (i - 1, i + 1, i - 2, i + 2):
        if 0 <= k < len(qs) and abs(qs[k].quote.span.start - q.quote.span.start) < _CONVERSATION_GAP:
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


del NOT_NAMES
