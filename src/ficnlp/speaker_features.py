"""Candidate speakers of each quotation and their features, for the speaker ranker.

For every quotation the rules of :mod:`ficnlp.speakers` have read, the candidates are
the characters that could have said it: the rules' choice, the names in its tags, the
resolution of a pronoun tag, the speakers of the four turns before and two after it
(as the rules attributed them), the characters addressed by name in the turns around
it, the characters named in the narration of the last ~1,500 code points and of its
own paragraph, and the narrator. Each (quotation, candidate) pair gets the features in
:data:`FEATURES`, computed with numpy over all pairs at once (a 3,000-quotation novel
takes a few tens of milliseconds).

The same code builds the training data (:mod:`ficnlp.train.speakers`) and the run-time
input of the shipped model (:mod:`ficnlp.speaker_model`), so the two cannot drift
apart; :data:`FEATURE_VERSION` is stored in the model file and checked on load.

Source: the cues follow the speaker-attribution literature (He, Barbosa & Kondrak,
ACL 2013: distance, mention position, turn parity, vocatives; Muzny et al., EACL 2017:
the sieve's tag, pronoun and conversation rules), computed over ficnlp's own
characters and mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ficnlp.lexicon import possessive_at
from ficnlp.model import Analysis

if TYPE_CHECKING:
    from ficnlp.speakers import RuleState

__all__ = [
    "FEATURES",
    "FEATURE_VERSION",
    "CandidateTable",
    "candidate_table",
    "narrative_salience",
    "quote_shares",
    "speech_turns",
    "turn_distributions",
]

#: Bumped whenever a feature's meaning or order changes; a model trained on another
#: version is refused on load.
FEATURE_VERSION = 5

#: Feature names, in column order. ``q_`` features describe the quotation, ``c_`` the
#: candidate, the rest the pair.
FEATURES = (
    "is_rule",
    "rule_conf_if",
    "after_name_verb",
    "after_name_beat",
    "before_name_verb",
    "before_name_beat",
    "before_name_any",
    "pronoun_resolved",
    "gender_agree",
    "c_gender",
    "c_narrator",
    "prev1",
    "prev2",
    "prev3",
    "prev4",
    "next1",
    "next2",
    "prev1_explicit",
    "next1_explicit",
    "turns_since_spoke",
    "spoke_in_last8",
    "voc_this",
    "voc_prev1",
    "voc_prev2",
    "voc_next1",
    "named_in_quote",
    "tag_object",
    "dist_before",
    "dist_after",
    "n_para_before",
    "n_para_after",
    "n_window",
    "n_prev_para",
    "recency_rank",
    "first_in_para",
    "first_in_segment",
    "named_in_own_after",
    "last_before_quote",
    "first_after_quote",
    "dist_subject_before",
    "compat_rank",
    "subject_compat_rank",
    "even_back",
    "odd_back",
    "even_fwd",
    "odd_fwd",
    "scene_mentions",
    "scene_explicit",
    "c_log_mentions",
    "c_explicit_share",
    "c_conv_explicit",
    "q_kind",
    "q_conf",
    "q_pronoun",
    "q_desc_tag",
    "q_prev_para_tag",
    "q_log_len",
    "q_turn_size",
    "q_turn_pos",
    "q_para_initial",
    "q_narration_after",
    "q_turn_in_conv",
    "q_n_candidates",
    "q_has_narrator",
    "q_continuation",
    "turn_tag_name",
    "turn_tag_resolved",
    "q_anchor_back",
    "q_anchor_fwd",
    "q_n_compat",
    "tobj_prev1",
    "tobj_next1",
    "anchor_back_c",
    "anchor_back_c_odd",
    "anchor_fwd_c",
    "anchor_fwd_c_odd",
    "q_run_len",
    "q_run_pos",
    "q_conv_anchors",
    "sal_norm",
    "sal_log",
    "sal_pron_top",
    "sal_top",
    "q_gap_kind",
    "gap_silent_subj",
    "gap_reported_subj",
    "gap_action_subj",
    "gap_pro_agree",
    "q_addr_gender",
    "addr_gender_same",
    "self_gender_agree",
    "desc_assoc",
    "desc_top",
    "form_assoc",
    "form_top",
)

#: Turns searched back and ahead for an anchor naming a candidate.
ANCHOR_REACH = 12
#: How far back (code points) narration names become candidates.
CANDIDATE_WINDOW = 3000
#: At most this many candidates per quotation (the nearest names are kept first).
MAX_CANDIDATES = 12
#: Narration names kept as candidates per quotation, most recent first.
MAX_NAMED = 10
#: Speakers of this many turns back are candidates.
PREV_TURNS = 8
#: Narration names after the quotation's paragraph (nearest first): at most
#: FORWARD_NAMES within FORWARD_WINDOW code points.
FORWARD_NAMES = 3
FORWARD_WINDOW = 1500
#: Names inside quotations (most recent first) within QUOTED_WINDOW code points.
QUOTED_NAMES = 3
QUOTED_WINDOW = 1500
#: First-person mentions (I, me, my) count as the narrator's mentions.
NARRATOR_MENTIONS = True
#: The novel's most frequent explicitly tagged speakers are always candidates.
TOP_SPEAKERS = 3
_FAR = 20000.0
#: Added to the number of explicit tags when computing a character's share of them
#: (a novel has thousands; a short story's few tags then weigh little).
_SHARE_SMOOTHING = 50.0
_PREV_WORD = re.compile(r"([A-Za-z]+)([^A-Za-z]*)$")
_NEXT_WORD = re.compile(r"[\s,]*(?:[a-z]+ly\s+)?([A-Za-z]+)")
_OBJECT_LEADS = frozenset(
    """to at with of from for by on upon towards toward into onto about after before behind beside between like
    than without against over under near round around past the a an his her their my our your its this that""".split()
)
_VERBS = frozenset(
    """was is had has did does said says could would should might must will shall can may looked turned went came
    made took gave felt saw knew thought sat stood got began kept left put ran rose cried asked replied answered
    seemed smiled laughed nodded sighed glanced paused added continued returned walked stopped entered""".split()
)


def subject_flags(text: str, starts: list[int], ends: list[int]) -> np.ndarray:
    """Whether each narration mention looks like a clause subject.

    A mention after a preposition or determiner is not; one followed by a verb (a past
    form in ``-ed`` or a common verb) or opening its sentence is.

    Args:
        text: the story text.
        starts: mention starts (code points).
        ends: mention ends.

    Returns:
        ``(mentions,)`` bool.
    """
    out = np.zeros(len(starts), bool)
    enders = frozenset('.!?;:"”“—\n')
    for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
        before = text[max(0, a - 30) : a]
        words = before.split()
        last = words[-1] if words else ""
        if last and last[-1].isalpha() and not before[-1:].isalpha():
            w = last.lower()
            j = len(w) - 1
            while j >= 0 and w[j].isalpha():
                j -= 1
            if w[j + 1 :] in _OBJECT_LEADS:
                continue
        nxt = text[b : b + 30].replace(",", " ").split()
        if nxt and nxt[0].endswith("ly") and len(nxt) > 1:
            nxt = nxt[1:]
        if nxt:
            w = nxt[0].strip(".,;:!?\"'”’")
            if w in _VERBS or (w.islower() and w.endswith("ed")):
                out[k] = True
                continue
        if not last or not last[-1].isalpha() or any(c in enders for c in before[len(before.rstrip()) - 1 :]):
            out[k] = True
    return out


_GENDER_CODES = {"he/him": 1, "she/her": 2, "they/them": 3}

#: Salience weights of a mention (Lappin & Leass, Computational Linguistics 20(4), 1994:
#: sentence recency 100, subject emphasis 80, non-adverbial/object emphasis 50); a
#: possessive ("Lydia's", "his") gets recency only. Halved at every sentence end.
_SAL_SUBJECT = 180.0
_SAL_OTHER = 150.0
_SAL_POSSESSIVE = 100.0
_SAL_DECAY = 0.5
#: Below this (after decay) a character leaves the salience list.
_SAL_FLOOR = 0.01
_NARRATION_PRONOUN = re.compile(r"\b(?:[Hh]e|[Ss]he|him|[Hh]er|[Hh]is|himself|herself)\b")
_SENTENCE_END = re.compile(r"[.!?](?=[\s\"”’'_)]|$)")
_PRONOUN_GENDER = {"he": 1, "him": 1, "his": 1, "himself": 1, "she": 2, "her": 2, "herself": 2}
_PRONOUN_WEIGHT = {
    "he": _SAL_SUBJECT,
    "she": _SAL_SUBJECT,
    "him": _SAL_OTHER,
    "himself": _SAL_OTHER,
    "herself": _SAL_OTHER,
    "her": 0.5 * (_SAL_OTHER + _SAL_POSSESSIVE),
    "his": _SAL_POSSESSIVE,
}


def narrative_salience(
    text: str,
    names: list[tuple[int, int, bool, bool]],
    gender: np.ndarray,
    quote_spans: list[tuple[int, int]],
    at: np.ndarray,
) -> list[dict[int, float]]:
    """Each character's salience in the narration just before each position.

    A pass of Lappin & Leass's (1994) salience model over the narration (quotations
    skipped): a name mention adds its weight to its character, a third-person pronoun
    (``he``, ``her``, ``his`` …) is resolved to the most salient character of its gender
    (unknown gender counts at half) and adds its weight to that one, and every sentence
    end halves all salience. So "Elizabeth listened …; she saw …; she was persuaded that
    Jane must …" leaves Elizabeth, carried by the pronouns, above Jane.

    Args:
        text: the story text.
        names: narration name mentions ``(start, character index, is subject, is
            possessive)``.
        gender: ``(characters,)`` gender codes (:data:`_GENDER_CODES`; 0 unknown).
        quote_spans: ``(start, end)`` of every quotation, sorted; their content is skipped.
        at: ``(positions,)`` sorted code-point offsets to read the salience at.

    Returns:
        One ``{character index: salience}`` per position (characters above the floor).
    """
    events: list[tuple[int, int, int, float]] = []  # (pos, kind 0 end / 1 name / 2 pronoun, char or gender, weight)
    qk = 0
    n_q = len(quote_spans)

    def quoted(pos: int) -> bool:
        nonlocal qk
        while qk < n_q and quote_spans[qk][1] <= pos:
            qk += 1
        return qk < n_q and quote_spans[qk][0] <= pos

    for m in _SENTENCE_END.finditer(text):
        if not quoted(m.start()):
            events.append((m.start(), 0, 0, 0.0))
    qk = 0
    for m in _NARRATION_PRONOUN.finditer(text):
        p = m.start()
        if quoted(p):
            continue
        word = m.group().lower()
        events.append((p, 2, _PRONOUN_GENDER[word], _PRONOUN_WEIGHT[word]))
    for p, c, subj, poss in names:
        events.append((p, 1, c, _SAL_POSSESSIVE if poss else _SAL_SUBJECT if subj else _SAL_OTHER))
    events.sort()
    out: list[dict[int, float]] = []
    sal: dict[int, float] = {}
    j = 0
    n_at = len(at)
    for pos, kind, who, w in events:
        while j < n_at and at[j] <= pos:
            out.append(dict(sal))
            j += 1
        if kind == 0:
            sal = {c: v * _SAL_DECAY for c, v in sal.items() if v * _SAL_DECAY >= _SAL_FLOOR}
        elif kind == 1:
            sal[who] = sal.get(who, 0.0) + w
        else:
            best, best_v = -1, 0.0
            for c, v in sal.items():
                g = gender[c]
                v = v if g == who else 0.5 * v if g == 0 else 0.0
                if v > best_v:
                    best, best_v = c, v
            if best >= 0:
                sal[best] += w
    while j < n_at:
        out.append(dict(sal))
        j += 1
    return out


def _windows(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index ``lo[i] <= j < hi[i]``, for every row ``i``: ``(row of each, index)``."""
    n = np.maximum(hi - lo, 0)
    rows = np.repeat(np.arange(len(lo), dtype=np.int64), n)
    idx = np.repeat(lo, n) + np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
    return rows, idx


@dataclass(frozen=True, slots=True)
class CandidateTable:
    """The candidates of every quotation and their features.

    Attributes:
        quote: ``(n_pairs,)`` int32, the index of each pair's quotation in ``analysis.quotes``
            (pairs are grouped by quotation, in text order).
        char: ``(n_pairs,)`` int32, the index of each pair's candidate in ``char_ids``.
        char_ids: the character ids, in ``analysis.characters`` order.
        X: ``(n_pairs, len(FEATURES))`` float32 feature matrix.

    Quotations whose own tag names their speaker (``"…," said Alex``; ``Alex said,
    "…"``) get no candidates: the ranker leaves them to the rules (on PDNC its
    overrides there were as often wrong as right) and is trained on the others.
    """

    quote: np.ndarray
    char: np.ndarray
    char_ids: tuple[str, ...]
    X: np.ndarray


def _length_without_cr(text: str) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """``(start, end) -> end - start`` in code points other than carriage returns.

    Distances measured so are the same whether a file ends its lines with CRLF (Windows,
    FanFicFare's text output) or LF, so a story's features do not depend on how it was
    saved.
    """
    if "\r" not in text:
        return lambda start, end: np.asarray(end) - np.asarray(start)
    cr = np.flatnonzero(np.frombuffer(text.encode("utf-32-le"), np.uint32) == 13)

    def length(start: np.ndarray, end: np.ndarray) -> np.ndarray:
        end, start = np.asarray(end), np.asarray(start)
        crs = np.searchsorted(cr, end) - np.searchsorted(cr, start)
        return np.asarray((end - start) - crs)

    return length


#: Characters a descriptive tag most often comes with that become its quotation's candidates.
DESC_CANDIDATES = 2
#: Code points around a described speaker's paragraph searched for the names it may stand for.
_DESC_REACH = 1500


def _description_association(
    state: RuleState,
    fixed_q: np.ndarray,
    rule_sp: np.ndarray,
    pstart: np.ndarray,
    pend: np.ndarray,
    scene_start: np.ndarray,
    scene_end: np.ndarray,
    mpos: np.ndarray,
    mchar: np.ndarray,
    n_chars: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Which names a description used in speech tags ("said the girl") usually stands for.

    Novelists tag one character by an epithet over a whole book (Dickens's "the girl"
    for Nancy, "the old gentleman" for Mr. Brownlow), often in scenes that never name
    her. For each description (``the`` + words, lower-cased), every quotation it tags
    votes once for each character named in the narration within :data:`_DESC_REACH`
    code points of its paragraph (inside its scene), except the characters whose own
    name tags the turns just before and after (the people it talks to). A
    description's share for a character is its votes over its quotations + 2
    (smoothing, so that one tag is weak evidence).

    Args:
        state: the rules' state (quotations, turns, conversations).
        fixed_q: ``(quotes,)`` whether a quotation's own tag names its speaker.
        rule_sp: ``(quotes,)`` the rules' speaker index, -1 for none.
        pstart, pend: ``(quotes,)`` each quotation's paragraph, code points.
        scene_start, scene_end: ``(quotes,)`` each quotation's scene, code points.
        mpos, mchar: narration name mentions, sorted by position, and their characters.
        n_chars: number of characters.

    Returns:
        ``(desc_key, share)``: ``(quotes,)`` int64 description number of each quotation's
        tag (-1 for none) and ``(descriptions, n_chars)`` float64 shares.

    Source: definite descriptions as anaphors of named entities (Poesio & Vieira 1998);
    PDNC attributes "said the girl" to Nancy.
    """
    qs = state.qs
    keys: dict[str, int] = {}
    desc_key = np.full(len(qs), -1, np.int64)
    for i, q in enumerate(qs):
        d = q.after_desc
        if d is None or q.desc_owner is not None or not d.startswith("the "):
            continue
        desc_key[i] = keys.setdefault(d.lower(), len(keys))
    share = np.zeros((len(keys), n_chars), np.float64)
    if not keys:
        return desc_key, share
    turns, turn_conv = state.turns, state.turn_conv
    named_turn = [{int(rule_sp[i]) for i in t if fixed_q[i] and rule_sp[i] >= 0} for t in turns]
    n = np.zeros(len(keys))
    for i in np.flatnonzero(desc_key >= 0).tolist():
        t = qs[i].turn
        partners = set().union(
            *(named_turn[u] for u in (t - 1, t + 1) if 0 <= u < len(turns) and turn_conv[u] == turn_conv[t])
        )
        lo = np.searchsorted(mpos, max(pstart[i] - _DESC_REACH, scene_start[i]))
        hi = np.searchsorted(mpos, min(pend[i] + _DESC_REACH, scene_end[i]))
        k = desc_key[i]
        n[k] += 1
        for c in set(mchar[lo:hi].tolist()) - partners:
            share[k, c] += 1
    return desc_key, share / (n[:, None] + 2.0)


def _form_keys(state: RuleState) -> tuple[list[list[int]], int]:
    """Each quotation's address forms (:attr:`ficnlp.speakers._Q.address_forms`) as
    numbers, and how many distinct forms the story has."""
    keys: dict[str, int] = {}
    forms_of = [[keys.setdefault(f, len(keys)) for f in q.address_forms] for q in state.qs]
    return forms_of, len(keys)


def _pair_keys(pq: np.ndarray, keys_of: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """One row per (pair, key of the pair's quotation): ``(pair index, key)``, by pair."""
    n_keys_q = np.array([len(ks) for ks in keys_of], np.int64)
    pr = np.repeat(np.arange(len(pq)), n_keys_q[pq])
    if not len(pr):
        return pr, pr
    pk = np.concatenate([keys_of[q] for q in pq[pr[np.r_[True, pr[1:] != pr[:-1]]]].tolist()])
    return pr, pk


def _address_association(
    state: RuleState, fixed_q: np.ndarray, rule_sp: np.ndarray, n_chars: int
) -> tuple[list[list[int]], np.ndarray]:
    """How much each character uses each address form ("Lizzy", "papa", "my dear").

    Only quotations whose own tag names their speaker count (the rules' surest
    attributions): each votes once for its speaker under each of its address forms
    (:attr:`ficnlp.speakers._Q.address_forms`). A form's share for a character is its
    votes over the form's votes + 2 (smoothing, so that one use is weak evidence).

    Args:
        state: the rules' state.
        fixed_q: ``(quotes,)`` whether a quotation's own tag names its speaker.
        rule_sp: ``(quotes,)`` the rules' speaker index, -1 for none.
        n_chars: number of characters.

    Returns:
        ``(forms_of, share)``: per quotation, its address forms' numbers, and
        ``(forms, n_chars)`` float64 shares.

    Source: habitual forms of address mark speaker relationships (Brown & Gilman 1960,
    "The pronouns of power and solidarity"); in Pride and Prejudice only Mr. Bennet and
    Mrs. Bennet call Elizabeth "Lizzy".
    """
    forms_of, n_forms = _form_keys(state)
    share = np.zeros((n_forms, n_chars), np.float64)
    if not n_forms:
        return forms_of, share
    for i in np.flatnonzero(fixed_q & (rule_sp >= 0)).tolist():
        for k in forms_of[i]:
            share[k, rule_sp[i]] += 1
    return forms_of, share / (share.sum(axis=1, keepdims=True) + 2.0)


def _clip(a: np.ndarray, lo: int | None, hi: int | None) -> np.ndarray:
    """``np.clip`` for the small integer index arrays here, without its per-call overhead.

    (``np.clip`` costs several microseconds a call in dispatch; the table makes about a
    hundred such calls per story, which dominated the cost of short stories.)
    """
    out = np.asarray(a)
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    return out


def candidate_table(analysis: Analysis, state: RuleState) -> CandidateTable:
    """Build the candidates and features of every quotation.

    Args:
        analysis: the analysis the rules ran on (its characters, paragraphs, mentions).
        state: what :func:`ficnlp.speakers._rules` found for it.

    Returns:
        The candidate table; empty arrays when there is no quotation or no character.
    """
    qs = state.qs
    ids = tuple(c.id for c in analysis.characters)
    cidx = {cid: i for i, cid in enumerate(ids)}
    n_chars = len(ids)
    n_quotes = len(qs)
    n_feat = len(FEATURES)
    if n_quotes == 0 or n_chars == 0:
        return CandidateTable(np.zeros(0, np.int32), np.zeros(0, np.int32), ids, np.zeros((0, n_feat), np.float32))

    def ci(cid: str | None) -> int:
        return cidx.get(cid, -1) if cid is not None else -1

    gender = np.array([_GENDER_CODES.get(c.gender, 0) for c in analysis.characters], np.int8)
    narr = np.array([c.narrator for c in analysis.characters], bool)
    logcount = np.log1p(np.array([c.mention_count for c in analysis.characters], np.float32))
    narrator_i = ci(state.narrator)
    text_len = len(analysis.text)

    # Narration name mentions (start, character, is a subject, is a possessive), by
    # position and by (character, position).
    text = analysis.text
    names = [m for m in state.index.narration if m.character_id in cidx]
    name_subj = subject_flags(text, [m.span.start for m in names], [m.span.end for m in names])
    narration = [
        (m.span.start, cidx[m.character_id], bool(f), possessive_at(text, m.span.end))
        for m, f in zip(names, name_subj, strict=True)
    ]
    if narrator_i >= 0 and NARRATOR_MENTIONS:
        # The narrator's own first-person mentions in narration count as its mentions
        # ("I" as a subject, "my" as a possessive).
        for m in analysis.mentions:
            if m.kind == "narrator" and m.character_id in cidx:
                word = text[m.span.start : m.span.end]
                narration.append((m.span.start, narrator_i, word == "I", word.lower() == "my"))
        narration.sort()
    nm = [(p, c, f) for p, c, f, _ in narration]
    # Salience (Lappin & Leass) of every character at each quotation's start.
    snapshots = narrative_salience(
        text,
        narration,
        gender,
        [(sp.start, sp.end) for sp in state.index.qspans],
        np.array([q.quote.span.start for q in qs], np.int64),
    )
    mpos = np.array([p for p, _, _ in nm], np.int64)
    mchar = np.array([c for _, c, _ in nm], np.int64)
    subj = np.array([f for _, _, f in nm], bool)
    big = text_len + 1
    mkey = np.sort(mchar * big + mpos)
    skey = np.sort((mchar * big + mpos)[subj]) if len(mpos) else mkey

    # Per-quotation arrays.
    paragraphs = analysis.story.paragraphs
    qstart = np.array([q.quote.span.start for q in qs], np.int64)
    qend = np.array([q.quote.span.end for q in qs], np.int64)
    if paragraphs:
        pstart = np.array([paragraphs[q.para].start for q in qs], np.int64)
        pend = np.array([paragraphs[q.para].end for q in qs], np.int64)
        prevp_start = np.array(
            [paragraphs[q.para - 1].start if q.para > 0 else paragraphs[0].start for q in qs], np.int64
        )
    else:
        pstart = np.zeros(n_quotes, np.int64)
        pend = np.full(n_quotes, text_len, np.int64)
        prevp_start = pstart
    # The quote's scene: from the last barrier (scene break, chapter heading, time skip)
    # before it to the next. Distances and windows stop there, so that text between
    # chapters (an AO3 end note, a heading) does not change a feature.
    barriers = np.array(state.barriers, np.int64)
    k_scene = np.searchsorted(barriers, qstart, side="right")
    scene_start = np.where(k_scene > 0, barriers[_clip(k_scene - 1, 0, None)] if len(barriers) else 0, 0)
    scene_end = np.where(
        k_scene < len(barriers),
        barriers[_clip(k_scene, None, len(barriers) - 1)] if len(barriers) else text_len,
        text_len,
    )
    # A quote's own stretch of narration after it: up to the next quote of its paragraph.
    seg_end = pend.copy()
    seg_start = pstart.copy()
    for i in range(n_quotes - 1):
        if qs[i + 1].para == qs[i].para:
            seg_end[i] = qstart[i + 1]
            seg_start[i + 1] = qend[i]
    rule_sp = np.array([ci(q.speaker) for q in qs], np.int64)
    kind = np.array(
        [{"implicit": 1, "anaphoric": 2, "explicit": 3}.get(q.kind, 0) if q.speaker else 0 for q in qs], np.float32
    )
    conf = np.array([q.confidence if q.speaker else 0.0 for q in qs], np.float32)
    after_name = np.array([ci(q.after_name) for q in qs], np.int64)
    after_str = np.array([q.after_strength for q in qs], np.int64)
    before_name = np.array([ci(q.before_name) for q in qs], np.int64)
    before_str = np.array([q.before_strength for q in qs], np.int64)
    resolved = np.array([ci(q.resolved) for q in qs], np.int64)
    pron_codes = {None: 0, "he": 1, "she": 2, "i": 3, "we": 3, "they": 4}
    pron = np.array([pron_codes.get(q.speaking_pronoun or q.before_pro or q.desc_pro, 0) for q in qs], np.int64)
    # Tag evidence shared by the quotes of one turn ('"Yes," said he; "but …"').
    turn_name = np.full(n_quotes, -1, np.int64)
    turn_res = np.full(n_quotes, -1, np.int64)
    for t in state.turns:
        if len(t) < 2:
            continue
        name = next(
            (
                n
                for n in (
                    after_name[i] if after_str[i] == 2 else before_name[i] if before_str[i] == 2 else -1 for i in t
                )
                if n >= 0
            ),
            -1,
        )
        res = next((int(resolved[i]) for i in t if resolved[i] >= 0), -1)
        tp = next((int(pron[i]) for i in t if pron[i] > 0), 0)
        for i in t:
            turn_name[i] = name
            turn_res[i] = res
            if pron[i] == 0:
                pron[i] = tp
    desc = np.array([q.after_desc is not None for q in qs], np.float32)
    prev_para_tag = np.array([q.before_prev_para for q in qs], np.float32)
    ids_q = {q.quote.id: i for i, q in enumerate(qs)}
    continuation = np.array([q.quote.continues in ids_q if q.quote.continues else False for q in qs], np.float32)

    # Turns.
    turns, turn_conv = state.turns, state.turn_conv
    n_turns = len(turns)
    turn_sp = np.array([next((ci(qs[i].speaker) for i in t if qs[i].speaker is not None), -1) for t in turns], np.int64)
    turn_expl = np.array([any(qs[i].kind == "explicit" and qs[i].confidence >= 0.85 for i in t) for t in turns], bool)
    tconv = np.array(turn_conv, np.int64)
    qturn = np.array([q.turn for q in qs], np.int64)
    turn_size = np.array([len(turns[q.turn]) for q in qs], np.float32)
    turn_pos = np.array([turns[q.turn].index(i) for i, q in enumerate(qs)], np.float32)
    conv_first_turn = np.zeros(n_turns, np.int64)
    for u in range(1, n_turns):
        conv_first_turn[u] = conv_first_turn[u - 1] if tconv[u] == tconv[u - 1] else u
    turn_in_conv = np.minimum(qturn - conv_first_turn[qturn], 30).astype(np.float32)

    def turn_at(offset: int) -> tuple[np.ndarray, np.ndarray]:
        """Speaker and explicitness of the turn ``offset`` away from each quote's, in its conversation."""
        t = qturn + offset
        ok = (t >= 0) & (t < n_turns)
        tc = _clip(t, 0, n_turns - 1)
        ok &= tconv[tc] == tconv[qturn]
        return np.where(ok, turn_sp[tc], -1), ok & turn_expl[tc]

    prev = [turn_at(-k) for k in range(1, 9)]
    nxt = [turn_at(k) for k in (1, 2)]
    # Anchors: turns whose speaker a tag names (explicit, or the narrator's "I").
    anchor_sp = np.array(
        [
            next(
                (
                    ci(qs[i].speaker)
                    for i in t
                    if qs[i].speaker is not None
                    and qs[i].confidence >= 0.85
                    and (qs[i].kind == "explicit" or qs[i].pronoun in ("i", "we"))
                ),
                -1,
            )
            for t in turns
        ],
        np.int64,
    )

    def anchor_at(offset: int) -> np.ndarray:
        t = qturn + offset
        ok = (t >= 0) & (t < n_turns)
        tc = _clip(t, 0, n_turns - 1)
        return np.where(ok & (tconv[tc] == tconv[qturn]), anchor_sp[tc], -1)

    def first_anchor(offsets: list[int]) -> tuple[np.ndarray, np.ndarray]:
        sp = np.full(n_quotes, -1, np.int64)
        dist = np.full(n_quotes, 9.0, np.float32)
        for off in reversed(offsets):
            a = anchor_at(off)
            sp = np.where(a >= 0, a, sp)
            dist = np.where(a >= 0, float(abs(off)), dist)
        return sp, dist

    even_back, d_eb = first_anchor([-2, -4, -6, -8])
    odd_back, d_ob = first_anchor([-1, -3, -5, -7])
    even_fwd, d_ef = first_anchor([2, 4, 6, 8])
    odd_fwd, d_of = first_anchor([1, 3, 5, 7])
    anchor_back = np.minimum(d_eb, d_ob)
    anchor_fwd = np.minimum(d_ef, d_of)

    turn_vocs = [sorted({ci(v) for i in t for v in qs[i].vocatives} - {-1}) for t in turns]
    quote_vocs = [[ci(v) for v in q.vocatives if ci(v) >= 0] for q in qs]
    in_quote = [
        sorted(
            {ci(m.character_id) for m in state.index.between(q.quote.span.start, q.quote.span.end)}
            - {-1}
            - set(quote_vocs[i])
        )
        for i, q in enumerate(qs)
    ]

    # Explicit attributions per character: in the novel and per conversation.
    strong = (kind == 3) & (conf >= 0.85) & (rule_sp >= 0)
    explicit_counts = np.bincount(rule_sp[strong], minlength=n_chars).astype(np.float32)
    # Smoothed, so that one tag in a short story is not a strong prior.
    explicit_share = explicit_counts / (float(explicit_counts.sum()) + _SHARE_SMOOTHING)
    qconv = tconv[qturn]
    conv_keys = qconv[strong] * n_chars + rule_sp[strong]
    conv_key_u, conv_key_n = np.unique(conv_keys, return_counts=True)

    # Candidates: (quote, character, priority) from every source, then de-duplicated
    # (the lowest priority number wins) and capped per quote.
    src_q: list[np.ndarray] = []
    src_c: list[np.ndarray] = []
    src_p: list[np.ndarray] = []
    qi_all = np.arange(n_quotes, dtype=np.int64)
    # Quotes whose own tag names the speaker are left to the rules: no candidates.
    fixed_q = np.array(
        [
            q.speaker is not None
            and (
                (q.after_strength == 2 and q.speaker == q.after_name)
                or (q.before_strength == 2 and q.speaker == q.before_name)
            )
            for q in qs
        ],
        bool,
    )

    def add(chars: np.ndarray, priority: float | np.ndarray, quotes: np.ndarray = qi_all) -> None:
        ok = (chars >= 0) & ~fixed_q[quotes]
        src_q.append(quotes[ok])
        src_c.append(chars[ok])
        src_p.append(np.broadcast_to(np.asarray(priority, np.float64), chars.shape)[ok])

    for k, arr in enumerate((rule_sp, after_name, before_name, resolved)):
        add(arr, k)
    for k in range(PREV_TURNS):
        add(prev[k][0], 10 + k)
    for k, (sp_arr, _) in enumerate(nxt):
        add(sp_arr, 20 + k)
    # Characters addressed by name in the turns just before and after.
    voc_t = np.array([t for t, vs in enumerate(turn_vocs) for _ in vs], np.int64)
    voc_c = np.array([v for vs in turn_vocs for v in vs], np.int64)
    if len(voc_t):
        for k, off in enumerate((-1, 1, -2)):
            target = qturn + off
            same = (target >= 0) & (target < n_turns) & (tconv[_clip(target, 0, n_turns - 1)] == tconv[qturn])
            lo_v = np.searchsorted(voc_t, target)
            hi_v = np.where(same, np.searchsorted(voc_t, target + 1), lo_v)
            rows, idx = _windows(lo_v, hi_v)
            add(voc_c[idx], 30 + k, rows)
    # Names in the narration of the last CANDIDATE_WINDOW code points and the paragraph,
    # most recent first (the priority grows with the distance back from the paragraph end).
    if len(mpos):
        hi_n = np.searchsorted(mpos, pend)
        rows, idx = _windows(np.searchsorted(mpos, np.maximum(qstart - CANDIDATE_WINDOW, scene_start)), hi_n)
        add(mchar[idx], 100 + (hi_n[rows] - idx), rows)
        # Names in the narration just after the paragraph: someone described at first
        # ("the woman") and named a little later.
        lo_f = np.searchsorted(mpos, pend)
        hi_f = np.minimum(np.searchsorted(mpos, np.minimum(pend + FORWARD_WINDOW, scene_end)), lo_f + FORWARD_NAMES)
        rows, idx = _windows(lo_f, hi_f)
        add(mchar[idx], 150 + (idx - lo_f[rows]), rows)
    # Names inside quotations just before (the last few mentions).
    if QUOTED_NAMES and state.index.mentions:
        apos = np.array(state.index.starts, np.int64)
        achar = np.array([cidx.get(m.character_id, -1) for m in state.index.mentions], np.int64)
        hi_q = np.searchsorted(apos, qstart)
        lo_q = np.maximum(
            np.searchsorted(apos, np.maximum(qstart - QUOTED_WINDOW, scene_start)), hi_q - 2 * QUOTED_NAMES
        )
        rows, idx = _windows(lo_q, hi_q)
        add(achar[idx], 200 + (hi_q[rows] - idx), rows)
    top_speakers = [
        int(c) for c in np.argsort(-explicit_counts, kind="stable")[:TOP_SPEAKERS] if explicit_counts[c] > 0
    ]
    for k, c in enumerate(top_speakers):
        add(np.full(n_quotes, c, np.int64), 300 + k)
    if narrator_i >= 0:
        add(np.full(n_quotes, narrator_i, np.int64), 400)
    desc_key, desc_share = _description_association(
        state, fixed_q, rule_sp, pstart, pend, scene_start, scene_end, mpos, mchar, n_chars
    )
    dq = np.flatnonzero(desc_key >= 0)
    if len(dq):
        # Each description's 2 leading characters (fewer when the story has fewer).
        order = np.argsort(-desc_share, axis=1, kind="stable")
        for k in range(min(DESC_CANDIDATES, n_chars)):
            top = order[:, k]
            tc = np.where(desc_share[np.arange(len(desc_share)), top] > 0, top, -1)
            add(tc[desc_key[dq]], 40 + k, dq)
    forms_of, form_share = _address_association(state, fixed_q, rule_sp, n_chars)
    all_q = np.concatenate(src_q)
    all_c = np.concatenate(src_c)
    all_p = np.minimum(np.concatenate(src_p), (1 << 20) - 1).astype(np.int64)
    key = ((all_q * n_chars + all_c) << 20) | all_p
    key = np.sort(key)
    pair = key >> 20
    key = key[np.r_[True, pair[1:] != pair[:-1]]]  # each (quote, character) once, best priority
    pair = key >> 20
    all_q, all_c, all_p = pair // n_chars, pair % n_chars, key & ((1 << 20) - 1)
    order = np.argsort((all_q << 20) | all_p, kind="stable")
    all_q, all_c = all_q[order], all_c[order]
    n_per = np.bincount(all_q, minlength=n_quotes)
    rank_in = np.arange(len(all_q)) - np.repeat(np.cumsum(n_per) - n_per, n_per)
    keep = rank_in < MAX_CANDIDATES
    pq = all_q[keep]
    pc = all_c[keep]
    counts = np.bincount(pq, minlength=n_quotes).astype(np.int64)
    n_pairs = len(pq)
    xt = np.zeros((n_feat, n_pairs), np.float32)  # filled column by column, transposed at the end
    col = {name: k for k, name in enumerate(FEATURES)}

    def put(name: str, values: np.ndarray) -> None:
        xt[col[name]] = values

    is_rule = pc == rule_sp[pq]
    put("is_rule", is_rule)
    put("rule_conf_if", is_rule * conf[pq])
    put("after_name_verb", (pc == after_name[pq]) & (after_str[pq] == 2))
    put("after_name_beat", (pc == after_name[pq]) & (after_str[pq] == 1))
    put("before_name_verb", (pc == before_name[pq]) & (before_str[pq] == 2))
    put("before_name_beat", (pc == before_name[pq]) & (before_str[pq] == 1))
    put("before_name_any", (pc == before_name[pq]) & (before_str[pq] == 0))
    put("pronoun_resolved", pc == resolved[pq])
    put("turn_tag_name", pc == turn_name[pq])
    put("turn_tag_resolved", pc == turn_res[pq])
    g = gender[pc]
    pr = pron[pq]
    agree = ((pr == 1) & (g == 1)) | ((pr == 2) & (g == 2)) | ((pr == 3) & narr[pc])
    disagree = (
        ((pr == 1) & (g == 2)) | ((pr == 2) & (g == 1)) | ((pr == 3) & ~narr[pc]) | ((pr == 1) | (pr == 2)) & narr[pc]
    )
    put("gender_agree", agree.astype(np.float32) - disagree)
    put("c_gender", g)
    put("c_narrator", narr[pc])
    for k in range(4):
        put(f"prev{k + 1}", pc == prev[k][0][pq])
    put("next1", pc == nxt[0][0][pq])
    put("next2", pc == nxt[1][0][pq])
    put("prev1_explicit", (pc == prev[0][0][pq]) & prev[0][1][pq])
    put("next1_explicit", (pc == nxt[0][0][pq]) & nxt[0][1][pq])
    since = np.full(n_pairs, 9.0, np.float32)
    spoke = np.zeros(n_pairs, np.float32)
    for k in range(8, 0, -1):
        eq = pc == prev[k - 1][0][pq]
        since = np.where(eq, float(k), since)
        spoke += eq
    put("turns_since_spoke", since)
    put("spoke_in_last8", spoke)

    def member(lists: list[list[int]], rows: np.ndarray) -> np.ndarray:
        """Whether each pair's candidate is in ``lists[rows]`` (rows: per-pair index, -1 = none)."""
        keys = [r * n_chars + c for r, cs in enumerate(lists) for c in cs]
        if not keys:
            return np.zeros(n_pairs, bool)
        ok = rows >= 0
        return ok & np.isin(np.where(ok, rows, 0) * n_chars + pc, np.array(keys, np.int64))

    put("voc_this", member(quote_vocs, pq))
    tq = qturn[pq]

    def same_conv(off: int) -> np.ndarray:
        """The turn ``off`` away from each pair's quote's turn, or -1 outside its conversation."""
        u = tq + off
        ok = (u >= 0) & (u < n_turns)
        return np.where(ok & (tconv[_clip(u, 0, n_turns - 1)] == tconv[tq]), u, -1)

    put("voc_prev1", member(turn_vocs, same_conv(-1)))
    put("voc_prev2", member(turn_vocs, same_conv(-2)))
    put("voc_next1", member(turn_vocs, same_conv(1)))
    put("named_in_quote", member(in_quote, pq))
    tag_objects = [[ci(c) for c in q.tag_objects if ci(c) >= 0] for q in qs]
    put("tag_object", member(tag_objects, pq))

    base = pc * big

    def count(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Narration mentions of each pair's candidate in ``[lo, hi)``."""
        return np.asarray(np.searchsorted(mkey, base + hi) - np.searchsorted(mkey, base + lo), np.float32)

    qs_ = qstart[pq]
    qe_ = qend[pq]
    span_len = _length_without_cr(text)
    k_before = np.searchsorted(mkey, base + qs_) - 1
    kb = _clip(k_before, 0, max(0, len(mkey) - 1))
    ok_b = (k_before >= 0) & (len(mkey) > 0)
    if len(mkey):
        ok_b &= mkey[kb] // big == pc
        ok_b &= mkey[kb] % big >= scene_start[pq]
        dist_b = np.where(ok_b, span_len(mkey[kb] % big, qs_), _FAR)
    else:
        dist_b = np.full(n_pairs, _FAR)
    k_after = np.searchsorted(mkey, base + qe_)
    ka = _clip(k_after, 0, max(0, len(mkey) - 1))
    if len(mkey):
        ok_a = (k_after < len(mkey)) & (mkey[ka] // big == pc)
        ok_a &= mkey[ka] % big < scene_end[pq]
        dist_a = np.where(ok_a, span_len(qe_, mkey[ka] % big), _FAR)
        # Not across another quote of the paragraph: a name there tags that quote.
        own_after = ok_a & (mkey[ka] % big < seg_end[pq])
    else:
        own_after = np.zeros(n_pairs, bool)
        dist_a = np.full(n_pairs, _FAR)
    put("named_in_own_after", own_after)
    dist_b = np.minimum(dist_b, _FAR)
    dist_a = np.minimum(dist_a, _FAR)
    put("dist_before", np.log1p(dist_b))
    k_sb = np.searchsorted(skey, base + qs_) - 1
    ksb = _clip(k_sb, 0, max(0, len(skey) - 1))
    if len(skey):
        ok_sb = (k_sb >= 0) & (skey[ksb] // big == pc)
        ok_sb &= skey[ksb] % big >= scene_start[pq]
        dist_sb = np.where(ok_sb, span_len(skey[ksb] % big, qs_), _FAR)
    else:
        dist_sb = np.full(n_pairs, _FAR)
    dist_sb = np.minimum(dist_sb, _FAR)
    put("dist_subject_before", np.log1p(dist_sb))
    put("dist_after", np.log1p(dist_a))
    put("n_para_before", count(pstart[pq], qs_))
    put("n_para_after", count(qe_, pend[pq]))
    put("n_window", count(np.maximum(scene_start[pq], qs_ - 2000), qs_))
    put("n_prev_para", count(np.maximum(prevp_start, scene_start)[pq], pstart[pq]))
    # Scene presence: named, or tagged as a speaker, since the scene began.
    put("scene_mentions", np.log1p(count(scene_start[pq], qs_)))
    strong_pos = qstart[strong]
    strong_c = rule_sp[strong]
    skey_tags = np.sort(strong_c * big + strong_pos)
    put(
        "scene_explicit",
        np.log1p(np.searchsorted(skey_tags, base + qs_) - np.searchsorted(skey_tags, base + scene_start[pq])),
    )
    # Recency rank among the quote's candidates (0 = named last before the quote).
    group_start = np.concatenate(([0], np.cumsum(counts)[:-1]))
    within = np.arange(n_pairs) - np.repeat(group_start, counts)

    def group_rank(key: np.ndarray) -> np.ndarray:
        """Rank of each pair's ``key`` (ascending; ties by candidate order) within its quote."""
        # Pairs are grouped by quote, so a stable sort on (quote, key) packed in one int64
        # ranks within groups; keys are distances below 2**21 (or the 2**30 sentinel).
        packed = (pq << 31) | np.minimum(key, 2**30).astype(np.int64)
        r = np.empty(n_pairs, np.float32)
        r[np.argsort(packed, kind="stable")] = within
        return r

    put("recency_rank", group_rank(dist_b))
    compat = ~disagree
    put("compat_rank", np.where(compat, group_rank(np.where(compat, dist_b, 2**30)), 20.0))
    put("subject_compat_rank", np.where(compat, group_rank(np.where(compat, dist_sb, 2**30)), 20.0))
    n_compat = np.bincount(pq, weights=(compat & (dist_b < 3000)).astype(np.float64), minlength=n_quotes).astype(
        np.float32
    )
    put("q_n_compat", n_compat[pq])
    put("even_back", pc == even_back[pq])
    put("odd_back", pc == odd_back[pq])
    put("even_fwd", pc == even_fwd[pq])
    put("odd_fwd", pc == odd_fwd[pq])
    put("q_anchor_back", anchor_back[pq])
    put("q_anchor_fwd", anchor_fwd[pq])
    # Narration names by position: the paragraph's first, the last before, the first after.
    if len(mpos):
        f_idx = np.searchsorted(mpos, pstart)
        fc = np.where(
            (f_idx < len(mpos)) & (mpos[_clip(f_idx, 0, len(mpos) - 1)] < pend),
            mchar[_clip(f_idx, 0, len(mpos) - 1)],
            -1,
        )
        s_idx = np.searchsorted(mpos, seg_start)
        sc_ = np.where(
            (s_idx < len(mpos)) & (mpos[_clip(s_idx, 0, len(mpos) - 1)] < seg_end),
            mchar[_clip(s_idx, 0, len(mpos) - 1)],
            -1,
        )
        l_idx = np.searchsorted(mpos, qstart) - 1
        lc = np.where(
            (l_idx >= 0) & (mpos[_clip(l_idx, 0, len(mpos) - 1)] >= pstart),
            mchar[_clip(l_idx, 0, len(mpos) - 1)],
            -1,
        )
        a_idx = np.searchsorted(mpos, qend)
        ac = np.where(
            (a_idx < len(mpos)) & (mpos[_clip(a_idx, 0, len(mpos) - 1)] < pend),
            mchar[_clip(a_idx, 0, len(mpos) - 1)],
            -1,
        )
    else:
        fc = lc = ac = sc_ = np.full(n_quotes, -1, np.int64)
    put("first_in_para", pc == fc[pq])
    put("first_in_segment", pc == sc_[pq])
    put("last_before_quote", pc == lc[pq])
    put("first_after_quote", pc == ac[pq])
    put("c_log_mentions", logcount[pc])
    put("c_explicit_share", explicit_share[pc])
    if len(conv_key_u):
        pk = qconv[pq] * n_chars + pc
        j = _clip(np.searchsorted(conv_key_u, pk), 0, len(conv_key_u) - 1)
        put("c_conv_explicit", np.where(conv_key_u[j] == pk, conv_key_n[j], 0))
    put("q_kind", kind[pq])
    put("q_conf", conf[pq])
    put("q_pronoun", pron[pq])
    put("q_desc_tag", desc[pq])
    put("q_prev_para_tag", prev_para_tag[pq])
    put("q_log_len", np.log1p(span_len(qs_, qe_)))
    put("q_turn_size", turn_size[pq])
    put("q_turn_pos", turn_pos[pq])
    para_initial = np.array(
        [not text[int(a) : int(b)].strip() for a, b in zip(pstart, qstart, strict=True)], np.float32
    )
    narration_after = np.zeros(n_quotes, np.float32)
    for t in turns:
        last = t[-1]
        narration_after[t] = bool(text[int(qend[last]) : int(pend[last])].strip())
    put("q_para_initial", para_initial[pq])
    put("q_narration_after", narration_after[pq])
    put("q_turn_in_conv", turn_in_conv[pq])
    put("q_n_candidates", counts[pq])
    put("q_has_narrator", np.full(n_pairs, narrator_i >= 0, np.float32))
    put("q_continuation", continuation[pq])
    # Tag objects of the neighbouring turns ("said she, to Elinor" -> Elinor answers).
    turn_objs = [sorted({ci(c) for i in t for c in qs[i].tag_objects} - {-1}) for t in turns]
    put("tobj_prev1", member(turn_objs, same_conv(-1)))
    put("tobj_next1", member(turn_objs, same_conv(1)))
    # The nearest anchor (a turn its tag names) naming this candidate, back and ahead,
    # in turns, and whether that distance is odd (alternation puts it at even ones).
    back_c = np.full(n_pairs, 20.0, np.float32)
    fwd_c = np.full(n_pairs, 20.0, np.float32)
    for off in range(ANCHOR_REACH, 0, -1):
        for sign, nearest in ((-1, back_c), (1, fwd_c)):
            u_near = same_conv(sign * off)
            near = (u_near >= 0) & (anchor_sp[_clip(u_near, 0, None)] == pc)
            nearest[near] = off
    put("anchor_back_c", back_c)
    put("anchor_back_c_odd", np.where(back_c < 20, back_c % 2, -1))
    put("anchor_fwd_c", fwd_c)
    put("anchor_fwd_c_odd", np.where(fwd_c < 20, fwd_c % 2, -1))
    # The run of turns without an anchor that holds the quote: its length and the
    # quote's position in it (0 for an anchored turn).
    anchored = anchor_sp >= 0
    run_id = np.cumsum(anchored | np.r_[True, tconv[1:] != tconv[:-1]])
    run_len_t = np.bincount(run_id, weights=(~anchored).astype(np.float64))[run_id]
    run_starts = np.flatnonzero(np.r_[True, run_id[1:] != run_id[:-1]])
    run_first = run_starts[np.searchsorted(run_starts, np.arange(n_turns), side="right") - 1]
    run_pos_t = np.where(anchored, 0, np.arange(n_turns) - run_first + (~anchored[run_first]).astype(np.int64))
    put("q_run_len", np.minimum(run_len_t[qturn], 40)[pq])
    _salience_features(put, snapshots, pq, pc, pron, gender, n_chars, n_quotes)
    addr_g, self_g = _content_genders(text, qs)
    put("q_addr_gender", addr_g[pq])
    put("addr_gender_same", (addr_g[pq] > 0) & (gender[pc] == addr_g[pq]))
    put("self_gender_agree", np.where(self_g[pq] > 0, (gender[pc] == self_g[pq]).astype(np.float32) * 2 - 1, 0))
    if len(desc_share):
        dk = desc_key[pq]
        ds = np.where(dk >= 0, desc_share[_clip(dk, 0, None), pc], 0.0)
        best_d = desc_share.max(axis=1)
        put("desc_assoc", ds)
        put("desc_top", (dk >= 0) & (ds > 0) & (ds >= best_d[_clip(dk, 0, None)]))
    if len(form_share):
        # Per quotation, each character's best share over the quotation's forms.
        fr, fk = _pair_keys(pq, forms_of)
        if len(fr):
            v = form_share[fk, pc[fr]]
            qf = np.zeros(n_pairs, np.float64)
            np.maximum.at(qf, fr, v)
            top = np.zeros(n_pairs, bool)
            np.logical_or.at(top, fr, (v > 0) & (v >= form_share.max(axis=1)[fk]))
            put("form_assoc", qf)
            put("form_top", top)
    # The paragraph of narration alone just before a paragraph-initial quotation.
    gap_kind, gap_subj, gap_pro = _gap_paragraphs(analysis, state, mpos, mchar, subj, narrator_i)
    on_subj = pc == gap_subj[pq]
    put("q_gap_kind", gap_kind[pq])
    put("gap_silent_subj", on_subj & (gap_kind[pq] == 1))
    put("gap_reported_subj", on_subj & (gap_kind[pq] == 2))
    put("gap_action_subj", on_subj & (gap_kind[pq] == 3))
    gp = gap_pro[pq]
    put(
        "gap_pro_agree",
        ((gp == 1) & (gender[pc] == 1)) | ((gp == 2) & (gender[pc] == 2)) | ((gp == 3) & narr[pc]),
    )
    put("q_run_pos", np.minimum(run_pos_t[qturn], 40)[pq])
    conv_anchors = np.bincount(tconv, weights=anchored.astype(np.float64), minlength=int(tconv.max()) + 1)
    put("q_conv_anchors", np.minimum(conv_anchors[tconv[qturn]], 50)[pq])
    return CandidateTable(pq.astype(np.int32), pc.astype(np.int32), ids, np.ascontiguousarray(xt.T))


#: A paragraph of narration saying that someone did not speak ("Margaret could not
#: reply.", "Elinor said no more", "I shrugged my shoulders."): the turn stays with the
#: one who spoke before.
_SILENCE = re.compile(
    r"\b(?:(?:could|did|would|does|do|can|dared|had)(?: not|n[’']t)(?: \w+)? (?:reply|answer|speak|say|respond)"
    r"|made no (?:reply|answer|response|remark)|said (?:no more|nothing)|(?:was|were|remained|kept|fell) silent"
    r"|no (?:reply|answer)|shrugged)\b",
    re.IGNORECASE,
)
#: Reported speech in narration ("Margaret asked who Dolly's people were."): the subject
#: has had a turn without quote marks, so the other party answers.
_REPORTED = re.compile(
    r"\b(?:asked|inquired|enquired|said|replied|answered|told \w+|explained|remarked|observed|added|"
    r"suggested|declared|protested|admitted|agreed|repeated|wondered)\b,? (?:who|what|whether|if|that|how|why|where|when)\b",
    re.IGNORECASE,
)
_LEAD_PRONOUN = re.compile(r"\s*(?:[A-Z][a-z]+,? )?(He|She|I)\b")
#: Narration longer than this (code points) is not a pause in a conversation.
_GAP_MAX = 700


def _gap_paragraphs(
    analysis: Analysis,
    state: RuleState,
    mpos: np.ndarray,
    mchar: np.ndarray,
    subj: np.ndarray,
    narrator_i: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the paragraph of narration alone before each paragraph-initial quotation says.

    Returns ``(kind, subject, pronoun)``, each ``(quotations,)``: kind 0 (no such
    paragraph), 1 (someone stays silent: :data:`_SILENCE`), 2 (reported speech:
    :data:`_REPORTED`), 3 (any other narration); the character index of its first
    subject mention (-1 none); the code of a pronoun opening it (1 he, 2 she, 3 I).
    """
    qs = state.qs
    n = len(qs)
    kind = np.zeros(n, np.float32)
    subject = np.full(n, -1, np.int64)
    pro = np.zeros(n, np.int64)
    paragraphs = analysis.story.paragraphs
    if not paragraphs:
        return kind, subject, pro
    text = analysis.text
    with_quotes = {q.para for q in qs}
    for i, q in enumerate(qs):
        p = q.para
        if p == 0 or (p - 1) in with_quotes or text[paragraphs[p].start : q.quote.span.start].strip():
            continue
        prev = paragraphs[p - 1]
        body = text[prev.start : prev.end]
        if not body.strip() or len(body) > _GAP_MAX:
            continue
        kind[i] = 1 if _SILENCE.search(body) else 2 if _REPORTED.search(body) else 3
        lo = int(np.searchsorted(mpos, prev.start))
        hi = int(np.searchsorted(mpos, prev.end))
        for k in range(lo, hi):
            if subj[k]:
                subject[i] = mchar[k]
                break
        m = _LEAD_PRONOUN.match(body)
        if m is not None:
            pro[i] = {"He": 1, "She": 2, "I": 3}[m.group(1)]
            if pro[i] == 3 and narrator_i >= 0 and subject[i] < 0:
                subject[i] = narrator_i
    return kind, subject, pro


#: Forms of address that give the addressee's gender ("Yes, sir."; "Madam, …").
_ADDRESS_MALE = re.compile(
    r"\b(?:sir|my lord|mister|my (?:dear )?(?:boy|fellow|son|man)|old (?:man|chap|fellow)|monsieur|signor|herr|papa|father)\b"
    r"(?=[\s]*[,.!?;:—\"”’'])",
    re.IGNORECASE,
)
_ADDRESS_FEMALE = re.compile(
    r"\b(?:madam|ma['’]am|my lady|my (?:dear )?(?:girl|daughter)|mademoiselle|madame|signora|mamma|mama|mother)\b"
    r"(?=[\s]*[,.!?;:—\"”’'])",
    re.IGNORECASE,
)
#: Self-reference that gives the speaker's gender ("my husband": a woman speaks).
_SELF_MALE = re.compile(r"\bmy (?:wife|bride)\b", re.IGNORECASE)
_SELF_FEMALE = re.compile(r"\bmy (?:husband|bridegroom)\b", re.IGNORECASE)


def _content_genders(text: str, qs: Sequence[object]) -> tuple[np.ndarray, np.ndarray]:
    """The addressee's and the speaker's gender as a quotation's own words give them.

    ``(addressed, self)``, each ``(quotations,)`` int: 0 unknown, 1 male, 2 female (both
    forms of address present: 0). Source: English forms of address ("sir", "madam") and
    kinship self-reference ("my husband"), read from the quotation itself.
    """
    n = len(qs)
    addressed = np.zeros(n, np.int64)
    own = np.zeros(n, np.int64)
    for i, q in enumerate(qs):
        span = q.quote.span  # type: ignore[attr-defined]
        body = text[span.start : span.end]
        m, f = _ADDRESS_MALE.search(body) is not None, _ADDRESS_FEMALE.search(body) is not None
        addressed[i] = 1 if m and not f else 2 if f and not m else 0
        sm, sf = _SELF_MALE.search(body) is not None, _SELF_FEMALE.search(body) is not None
        own[i] = 1 if sm and not sf else 2 if sf and not sm else 0
    return addressed, own


def _salience_features(
    put: Callable[[str, np.ndarray], None],
    snapshots: list[dict[int, float]],
    pq: np.ndarray,
    pc: np.ndarray,
    pron: np.ndarray,
    gender: np.ndarray,
    n_chars: int,
    n_quotes: int,
) -> None:
    """The salience features of each (quotation, candidate) pair (see :func:`narrative_salience`).

    ``sal_norm``: the candidate's salience over the most salient character of its gender;
    ``sal_log``: its salience; ``sal_pron_top``: it is what a Lappin & Leass resolution of
    the quotation's tag pronoun would pick; ``sal_top``: it is the most salient of all.
    """
    sq = np.array([q for q, snap in enumerate(snapshots) for _ in snap], np.int64)
    sc = np.array([c for snap in snapshots for c in snap], np.int64)
    sv = np.array([v for snap in snapshots for v in snap.values()], np.float64)
    n_pairs = len(pq)
    if not len(sq):
        for name in ("sal_norm", "sal_log", "sal_pron_top", "sal_top"):
            put(name, np.zeros(n_pairs, np.float32))
        return
    key = sq * n_chars + sc
    order = np.argsort(key)
    key, sq, sc, sv = key[order], sq[order], sc[order], sv[order]
    pk = pq.astype(np.int64) * n_chars + pc
    j = _clip(np.searchsorted(key, pk), 0, len(key) - 1)
    v = np.where(key[j] == pk, sv[j], 0.0)
    sg = gender[sc].astype(np.int64)
    gmax = np.zeros((n_quotes, 4))
    np.maximum.at(gmax, (sq, sg), sv)
    put("sal_norm", v / np.maximum(gmax[pq, gender[pc]], 1e-9))
    put("sal_log", np.log1p(v))
    top_all = gmax.max(axis=1)
    put("sal_top", (v > 0) & (v >= top_all[pq]))
    top_pron = np.zeros(n_pairs, bool)
    for g in (1, 2):
        adj = np.where(sg == g, sv, np.where(sg == 0, 0.5 * sv, 0.0))
        best = np.zeros(n_quotes)
        np.maximum.at(best, sq, adj)
        pg = gender[pc]
        adj_p = np.where(pg == g, v, np.where(pg == 0, 0.5 * v, 0.0))
        top_pron |= (pron[pq] == g) & (adj_p > 0) & (adj_p >= best[pq])
    put("sal_pron_top", top_pron)


#: Features of the second ranking pass, appended to :data:`FEATURES`: what the first
#: pass thought of each candidate here and in the turns around (``p_`` = the first
#: pass's softmax share; a turn whose own tag names its speaker counts as certain).
CONTEXT_FEATURES = (
    "p_self",
    "p_margin",
    "p_rank",
    "p_prev1",
    "p_prev2",
    "p_prev3",
    "p_next1",
    "p_next2",
    "p_prev1_max",
    "p_next1_max",
    "p_prev2_max",
    "p_next2_max",
    "p_even",
    "p_odd",
    "p_conv",
    "p_conv_rank",
    "p_conv_turns",
    "p_form",
)


def quote_shares(n_quotes: int, quote: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each pair's softmax share of its quotation's candidates' scores.

    Args:
        n_quotes: number of quotations.
        quote: ``(pairs,)`` quotation index of each pair (grouped, in order).
        scores: ``(pairs,)`` first-pass scores.

    Returns:
        ``(pairs,)`` float64 shares in (0, 1], summing to 1 per quotation.
    """
    if len(quote) == 0:
        return np.zeros(0, np.float64)
    best = np.full(n_quotes, -np.inf)
    np.maximum.at(best, quote, scores)
    e = np.exp(scores - best[quote])
    total = np.bincount(quote, weights=e, minlength=n_quotes)
    return np.asarray(e / total[quote], dtype=np.float64)


def turn_distributions(
    state: RuleState,
    char_ids: tuple[str, ...],
    quote: np.ndarray,
    char: np.ndarray,
    share: np.ndarray,
    qturn: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each turn's distribution over characters: the mean of its quotations' shares.

    A quotation left to the rules (no candidates: its tag names the speaker) counts as
    certain (1.0) of the rules' speaker; a quotation with neither does not count.

    Args:
        state: the rules' state (its quotations' turns and speakers).
        char_ids: the character ids the pairs index.
        quote: ``(pairs,)`` quotation index of each pair.
        char: ``(pairs,)`` character index of each pair.
        share: ``(pairs,)`` each pair's share of its quotation (:func:`quote_shares`).
        qturn: ``(quotes,)`` the turn to pool each quotation in; default its own turn
            (:func:`speech_turns` pools a multi-paragraph speech as one).

    Returns:
        ``(keys, values)``: sorted ``turn * len(char_ids) + character`` keys and each
        key's mean share, float64.
    """
    qs = state.qs
    n_quotes = len(qs)
    n_chars = len(char_ids)
    cidx = {cid: i for i, cid in enumerate(char_ids)}
    if qturn is None:
        qturn = np.array([q.turn for q in qs], np.int64)
    has_cands = np.zeros(n_quotes, bool)
    has_cands[quote] = True
    fixed = [(i, cidx[q.speaker]) for i, q in enumerate(qs) if not has_cands[i] and q.speaker in cidx]
    fq = np.array([i for i, _ in fixed], np.int64)
    fc = np.array([c for _, c in fixed], np.int64)
    all_q = np.concatenate([quote.astype(np.int64), fq])
    all_c = np.concatenate([char.astype(np.int64), fc])
    all_w = np.concatenate([share, np.ones(len(fq))])
    counted = np.zeros(n_quotes, bool)
    counted[all_q] = True
    per_turn = np.bincount(qturn[counted], minlength=len(state.turns)).astype(np.float64)
    uk, inv = np.unique(qturn[all_q] * n_chars + all_c, return_inverse=True)
    return uk, np.bincount(inv, weights=all_w) / np.maximum(per_turn[uk // n_chars], 1.0)


def speech_turns(state: RuleState) -> np.ndarray:
    """Each quotation's turn, a multi-paragraph speech's pieces all taking its first turn.

    A speech that runs over several paragraphs (each opening with a quotation mark, none
    but the last closing) is one speaker's, so its pieces pool their evidence as the
    quotations of one turn do.

    Returns:
        ``(quotes,)`` int64 turn numbers.
    """
    qs = state.qs
    ids = {q.quote.id: i for i, q in enumerate(qs)}
    out = np.array([q.turn for q in qs], np.int64)
    for i, q in enumerate(qs):
        prev = ids.get(q.quote.continues) if q.quote.continues is not None else None
        if prev is not None and prev < i:
            out[i] = out[prev]
    return out


def _soft_profile(
    state: RuleState, table: CandidateTable, share: np.ndarray, keys_of: list[list[int]], n_keys: int
) -> np.ndarray:
    """Each pair's leave-one-out share of the characters seen with its quotation's keys.

    Every quotation votes for its speaker under each of its keys (address forms): a
    quotation left to the rules with weight 1 for the rules' speaker, any other with the
    first pass's shares (soft counts, summing to 1). A pair's value is, over its
    quotation's keys, the largest of the character's votes without the quotation's own
    over all votes without its own + 2.

    Args:
        state: the rules' state (the speakers of quotations left to the rules).
        table: the candidate table ``share`` belongs to.
        share: ``(pairs,)`` each pair's first-pass share of its quotation.
        keys_of: per quotation, its key numbers (``0 <= key < n_keys``).
        n_keys: number of distinct keys.

    Returns:
        ``(pairs,)`` float64.

    Source: soft counts of the expectation step of EM (Dempster, Laird & Rubin 1977),
    left-one-out so that a quotation does not vote for itself.
    """
    pq = table.quote.astype(np.int64)
    pc = table.char.astype(np.int64)
    cidx = {cid: i for i, cid in enumerate(table.char_ids)}
    soft = np.zeros((n_keys, len(table.char_ids)), np.float64)
    has = np.zeros(len(state.qs), bool)
    has[pq] = True
    fixed = [
        (k, cidx[q.speaker]) for i, q in enumerate(state.qs) if not has[i] and q.speaker in cidx for k in keys_of[i]
    ]
    if fixed:
        fk, fc = np.array(fixed, np.int64).T
        np.add.at(soft, (fk, fc), 1.0)
    pr, pk = _pair_keys(pq, keys_of)
    val = np.zeros(len(pq), np.float64)
    if not len(pr):
        return val
    np.add.at(soft, (pk, pc[pr]), share[pr])
    tot = soft.sum(axis=1)
    v = (soft[pk, pc[pr]] - share[pr]) / (tot[pk] - 1.0 + 2.0)
    np.maximum.at(val, pr, v)
    return val


def context_features(table: CandidateTable, state: RuleState, scores: np.ndarray) -> np.ndarray:
    """The second pass's features (:data:`CONTEXT_FEATURES`) from the first pass's scores.

    Per turn, the first pass gives a distribution over characters: the mean of its
    quotations' candidate shares, and certainty (1.0) for the rules' speaker of a
    quotation left to the rules (its tag names the speaker). Each pair then sees its own
    share, its margin to the best other candidate, its rank, and its character's share
    in the 1-3 turns before and 1-2 after within the conversation, with those turns'
    top share (how sure the first pass was there), and ``p_form``: the character's
    share of the quotation's address forms over all quotations, counted with the first
    pass's shares (:func:`_soft_profile`), where ``form_assoc`` counted tagged ones only.

    Args:
        table: the candidate table the scores belong to.
        state: the rules' state it was built from.
        scores: ``(pairs,)`` first-pass scores.

    Returns:
        ``(pairs, len(CONTEXT_FEATURES))`` float32.
    """
    qs = state.qs
    n_pairs = len(table.quote)
    out = np.zeros((n_pairs, len(CONTEXT_FEATURES)), np.float32)
    if n_pairs == 0:
        return out
    n_quotes = len(qs)
    n_chars = len(table.char_ids)
    pq = table.quote.astype(np.int64)
    pc = table.char.astype(np.int64)
    share = quote_shares(n_quotes, pq, scores)
    qturn = np.array([q.turn for q in qs], np.int64)
    tconv = np.array(state.turn_conv, np.int64)
    n_turns = len(state.turns)
    uk, uval = turn_distributions(state, table.char_ids, pq, pc, share)
    turn_max = np.zeros(n_turns, np.float64)
    np.maximum.at(turn_max, uk // n_chars, uval)

    def lookup(t: np.ndarray) -> np.ndarray:
        k = t * n_chars + pc
        j = _clip(np.searchsorted(uk, k), 0, len(uk) - 1)
        return np.where((t >= 0) & (uk[j] == k), uval[j], 0.0)

    tq = qturn[pq]

    def at(off: int) -> np.ndarray:
        u = tq + off
        ok = (u >= 0) & (u < n_turns)
        return np.where(ok & (tconv[_clip(u, 0, n_turns - 1)] == tconv[tq]), u, -1)

    best = np.full(n_quotes, -np.inf)
    np.maximum.at(best, pq, share)
    # The best other candidate's share: the best, unless this pair is the best; then the second.
    second = np.full(n_quotes, 0.0)
    is_best = share >= best[pq]
    np.maximum.at(second, pq, np.where(is_best, 0.0, share))
    # Ties for best: the second best equals the best.
    n_best = np.bincount(pq, weights=is_best.astype(np.float64), minlength=n_quotes)
    second = np.where(n_best > 1, best, second)
    other = np.where(is_best, second[pq], best[pq])
    order = np.lexsort((-share, pq))
    rank = np.empty(n_pairs, np.float32)
    counts = np.bincount(pq, minlength=n_quotes)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    rank[order] = np.arange(n_pairs) - starts[pq[order]]
    cols = {name: k for k, name in enumerate(CONTEXT_FEATURES)}
    out[:, cols["p_self"]] = share
    out[:, cols["p_margin"]] = share - other
    out[:, cols["p_rank"]] = rank
    for name, off in (("p_prev1", -1), ("p_prev2", -2), ("p_prev3", -3), ("p_next1", 1), ("p_next2", 2)):
        out[:, cols[name]] = lookup(at(off))
    for name, off in (("p_prev1_max", -1), ("p_next1_max", 1), ("p_prev2_max", -2), ("p_next2_max", 2)):
        u = at(off)
        out[:, cols[name]] = np.where(u >= 0, turn_max[_clip(u, 0, None)], 0.0)
    # Soft alternation over a wider window: mean share at even / odd distances (up to 4).
    even = np.zeros(n_pairs)
    odd = np.zeros(n_pairs)
    n_even = np.zeros(n_pairs)
    n_odd = np.zeros(n_pairs)
    for off in (-4, -3, -2, -1, 1, 2, 3, 4):
        u = at(off)
        v = lookup(u)
        if off % 2 == 0:
            even += v
            n_even += u >= 0
        else:
            odd += v
            n_odd += u >= 0
    out[:, cols["p_even"]] = even / np.maximum(n_even, 1)
    out[:, cols["p_odd"]] = odd / np.maximum(n_odd, 1)
    # The conversation's participants: each character's summed share over the other turns.
    conv_of_turn = tconv
    ck = conv_of_turn[uk // n_chars] * n_chars + uk % n_chars
    cu, cinv = np.unique(ck, return_inverse=True)
    csum = np.bincount(cinv, weights=uval)
    qk = tconv[tq] * n_chars + pc
    j = _clip(np.searchsorted(cu, qk), 0, len(cu) - 1)
    conv_total = np.where(cu[j] == qk, csum[j], 0.0) - lookup(tq)
    conv_turns = np.bincount(tconv, minlength=int(tconv.max()) + 1 if n_turns else 0)[tconv[tq]]
    out[:, cols["p_conv"]] = conv_total / np.maximum(conv_turns - 1, 1)
    out[:, cols["p_conv_turns"]] = np.minimum(conv_turns, 50)
    # Rank of the candidate's conversation share among the quote's candidates.
    order = np.lexsort((-conv_total, pq))
    crank = np.empty(n_pairs, np.float32)
    crank[order] = np.arange(n_pairs) - starts[pq[order]]
    out[:, cols["p_conv_rank"]] = crank
    # Address forms, counted over every quotation with the first pass's shares (soft
    # counts) and the rules' tagged speakers, leaving the quotation's own votes out.
    forms_of, n_forms = _form_keys(state)
    if n_forms:
        out[:, cols["p_form"]] = _soft_profile(state, table, share, forms_of, n_forms)
    return out
