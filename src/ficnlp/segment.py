"""Structure: notes apart from the story, chapters, scenes, time skips, lyrics, chat lines.

Works on the story's paragraphs (and, for HTML/EPUB input, on the reader's parts). Rules
come from fan-fiction conventions collected in ``docs/formats.md`` §1.6 (Fanlore's
"Author's Note", archive scene-break conventions, songfic rules) and from the layouts of
Project Gutenberg novels in PDNC. Each rule carries a comment on where it came from.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass

from ficnlp.model import Analysis, Chapter, Lyrics, Message, Note, Part, Scene, Span, Story, TimeSkip

__all__ = ["PRODUCES", "REQUIRES", "find_structure", "parse_chapter_heading"]

REQUIRES: tuple[str, ...] = ()
PRODUCES = ("notes", "chapters", "scenes", "scene_breaks", "time_skips", "lyrics", "messages")
VERSION = "1"

_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred"
)
_WORD_VALUES = {w: i + 1 for i, w in enumerate(_NUMBER_WORDS.split("|")[:20])}
_WORD_VALUES.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
_ROMAN = r"[ivxlcdm]+"
_NUM = rf"(?:\d+|{_ROMAN}|(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*)"
# "Chapter 3: The Lake", "CHAPTER I.", "Chapter One - Title", "Ch. 4", "Prologue".
_HEADING = re.compile(
    rf"^[\W_]{{0,4}}(?P<kw>chapter|chap\.?|ch\.?)\s*(?P<num>{_NUM})\b\.?\s*"
    r"(?:[:.\-–—)|]+\s*(?P<title>.*?))?\s*(?P<rest>[^\w\s].*)?[\W_]{0,4}$",
    re.IGNORECASE,
)
_HEADING_SIMPLE = re.compile(
    rf"^[\W_]{{0,4}}(?:chapter|chap\.?|ch\.?)\s*(?P<num>{_NUM})\b[.:]?\s*(?:[:.\-–—|]\s*)?(?P<title>[^\n]*?)[\W_]{{0,4}}$",
    re.IGNORECASE,
)
_SPECIAL_HEADING = re.compile(
    r"^[\W_]{0,4}(?P<kw>prologue|epilogue|interlude|foreword|preface|introduction)\b[.:]?\s*(?:[:.\-–—|]\s*)?(?P<title>[^\n]*?)[\W_]{0,4}$",
    re.IGNORECASE,
)
# A paragraph that is only a number ("I", "II.", "12"): a heading only when several
# appear in order (The Awakening, The Age of Innocence in PDNC).
_BARE_NUMBER = re.compile(rf"^\s*(?P<num>{_ROMAN}|\d+)\.?\s*$", re.IGNORECASE)
_MAX_HEADING_CHARS = 100

# Author's notes. Fanlore "Author's Note": "A/N" is the usual label, at the start or end
# of a chapter, sometimes mid-story; disclaimers ("I don't own …") were common in the
# early 2000s. Labels vary, so several spellings are accepted.
_NOTE_START = re.compile(
    r"^[\W_]{0,6}(?:"
    r"(?P<an>a/?n\b|a\.n\.|author'?s?’?s?\s*notes?|authors?\s*notes?|notes?\b|an\s*\d*\s*:|"
    r"a/n\s*\d+|p\.?s\.?\s*:|edit\s*:|update\s*:|beta(?:'d)?\s*(?:by|:))"
    r"|(?P<disc>disclaimer\b)"
    r"|(?P<summary>summary\s*:)"
    r"|(?P<preface>(?:title|author|rating|rated|pairings?|ships?|fandoms?|warnings?|genres?|"
    r"words?|word\s+count|characters?|spoilers?|status|category|dedication|timeline|setting)\s*:)"
    r")",
    re.IGNORECASE,
)
_DISCLAIMER_TEXT = re.compile(
    r"\b(?:I|we)\s+(?:do\s*n[o']t|don[’']t|do\s+not|never)\s+own\b|\bbelongs?\s+to\b.{0,40}\b(?:not\s+me|rights)\b|"
    r"\ball\s+(?:rights|characters)\s+(?:belong|go)\b|\bno\s+copyright\s+infringement\b",
    re.IGNORECASE,
)
_END_NOTE_TEXT = re.compile(
    r"\b(?:please\s+(?:r\s*(?:&|and)\s*r|review|comment|leave\s+a)|reviews?\s+(?:are|=)\s+love|"
    r"thanks?\s+(?:you\s+)?(?:for|to)\s+(?:reading|all|every(?:one|body))|let\s+me\s+know\s+what\s+you\s+think|"
    r"next\s+chapter\s+(?:will|should|is)|(?:hope|hoped)\s+you\s+(?:all\s+)?(?:enjoy|like|liked)|"
    r"to\s+be\s+continued|the\s+end\b|end\s+of\s+chapter|review\s+please|r&r)",
    re.IGNORECASE,
)
_INLINE_NOTE = re.compile(r"[(\[]\s*(?:a/n|an|author'?s?\s+note)\s*[:\-]?[^()\[\]\n]{0,600}[)\]]", re.IGNORECASE)

# Scene breaks. FFN strips symbol lines, so authors invent spacers (docs/formats.md 1.6):
# lines of symbols, "~x~", "oOo", "xXx", "-o-o-", "Line Break", "LB".
_BREAK_WORDS = re.compile(
    r"^[\W_]*(?:line\s*break|scene\s*break|page\s*break|time\s*skip|break|lb|pov\s*(?:change|switch)|"
    r"(?:change\s+of\s+)?pov)[\W_]*$",
    re.IGNORECASE,
)
_SYMBOLS_ONLY = re.compile(r"^[\W_]+$")
_OX_RULE = re.compile(r"^[\W_]*(?:[oOxX0]+[\W_]*)+$")
_MAX_BREAK_CHARS = 60

# Time skips ("1 month later."): no published source, common practice (formats.md 1.6).
_TIME_NUM = (
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"a\s+few|a\s+couple(?:\s+of)?|several|some|many|half\s+an?|a\s+half)"
)
_TIME_UNIT = r"(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|centuries|moments?|lifetimes?)"
_TIME_SKIP = re.compile(
    rf"^[\W_]*(?:[A-Z][\w.' ]{{0,30}},\s*)?(?:"
    rf"(?:{_TIME_NUM}(?:\s+and\s+(?:a\s+half|{_TIME_NUM}))?[\s-]+{_TIME_UNIT}(?:\s+and\s+{_TIME_NUM}\s+{_TIME_UNIT})?"
    r"\s+(?:later|after(?:wards)?|earlier|before|ago|pass(?:ed|es)?|on|into\s+\w+))"
    r"|(?:the\s+)?(?:next|following)\s+(?:morning|day|night|week|month|year|evening|afternoon|weekend)"
    r"|later(?:\s+that\s+(?:day|night|evening|morning|afternoon|week))?"
    r"|(?:earlier|meanwhile|present\s+day|(?:the\s+)?present|flashback|flash\s*forward|end\s+flashback|"
    r"(?:a\s+)?(?:long\s+)?time\s+(?:later|skip|passes))"
    r"|(?:\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.))"
    r")[\W_]*$",
    re.IGNORECASE,
)
_MAX_TIME_SKIP_CHARS = 60

# Chat / text-message lines: "Alex: where r u", "Addison (10:42): at Joe's".
_CHAT = re.compile(
    r"^[ \t]*(?:[*_\[<]{1,2})?(?P<label>[A-Z][\w'’.\-]{0,20}(?:[ ][A-Z][\w'’.\-]{0,20}){0,2})"
    r"(?:[*_\]>]{1,2})?[ \t]*(?:\([^)\n]{0,30}\)[ \t]*)?:[ \t]*(?:[*_]{1,2})?[ \t]*(?P<body>\S[^\n]*)$"
)
_CHAT_NOT_LABELS = frozenset(
    "a/n an note notes summary disclaimer chapter rating rated warning warnings pairing pairings author title "
    "fandom fandoms words status category characters genre spoilers ps p.s update edit dedication beta time date "
    "location setting subject sent re part book prologue epilogue timeline ship ships episode season song artist "
    "lyrics album dear yours sincerely translation word count".split()
)
_TEXT_CUE = re.compile(
    r"\b(?:text(?:ed|s|ing)?|messag(?:e|ed|es|ing)|phone|cell|screen|buzz(?:ed)?|chat|typed|sms)\b", re.IGNORECASE
)

_QUOTE_CHARS = '"“”„«»'
_SENTENCE_END = ".!?…"
#: Lyrics: at least this many consecutive short hard-broken lines, each at most this long.
#: HPFF's songfic rule counts lyrics above 4 lines (formats.md 1.6); two lines already
#: make a visibly set-apart verse block, which is what we detect.
_LYRIC_MIN_LINES = 2
_LYRIC_MAX_LINE_CHARS = 80


@dataclass(slots=True)
class _Para:
    span: Span
    text: str
    block: int  # index of the blank-line-delimited block it sits in
    gap_before: int  # blank lines between this paragraph and the previous one
    kind: str = "text"  # text | heading | note | break | time_skip | chat | lyric
    note_kind: str = ""


def parse_chapter_heading(line: str) -> tuple[str, int | None] | None:
    """Parse a chapter heading line.

    Returns:
        ``(title, number)``: ``title`` is the heading's own title when it has one,
        else the heading as written; ``number`` is the number as written, or ``None``
        (prologue, epilogue, words the parser cannot read). ``None`` if the line is not
        a heading.

    Example:
        >>> parse_chapter_heading("Chapter 3: The Lake")
        ('The Lake', 3)
        >>> parse_chapter_heading("CHAPTER IV.")
        ('CHAPTER IV.', 4)
    """
    s = line.strip()
    if not s or len(s) > _MAX_HEADING_CHARS or "\n" in s:
        return None
    m = _HEADING_SIMPLE.match(s)
    if m:
        title = m.group("title").strip(" .:-–—|*_#~")
        if title and (title[-1:] in "!?" and len(title.split()) > 8):
            return None
        # "Chapter 1 was the best" is prose, not a heading: a title must not start lowercase.
        if title and title[0].islower():
            return None
        return (title or s.strip("*_#~ ")), _parse_number(m.group("num"))
    m = _SPECIAL_HEADING.match(s)
    if m:
        title = m.group("title").strip(" .:-–—|*_#~")
        if title and title[0].islower():
            return None
        return (title or s.strip("*_#~ ")), None
    return None


def _parse_number(num: str) -> int | None:
    n = num.lower().strip()
    if n.isdigit():
        return int(n)
    if re.fullmatch(_ROMAN, n):
        return _roman(n)
    total = 0
    for part in re.split(r"[\s-]+", n):
        if part in _WORD_VALUES:
            total += _WORD_VALUES[part]
        elif part == "hundred":
            total = max(total, 1) * 100
        else:
            return None
    return total or None


def _roman(s: str) -> int | None:
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
    total = 0
    prev = 0
    for ch in reversed(s.lower()):
        v = values[ch]
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total if total > 0 else None


def _is_break(s: str) -> bool:
    if not s or len(s) > _MAX_BREAK_CHARS:
        return False
    if _SYMBOLS_ONLY.match(s):
        # A lone quote mark or ellipsis is not a break; a rule of symbols is.
        return not any(c in _QUOTE_CHARS + "'’‘" for c in s) and s.strip(".… ") != ""
    if _BREAK_WORDS.match(s):
        return True
    if _OX_RULE.match(s):
        letters = [c for c in s if c.isalnum()]
        has_symbols = any(not c.isalnum() and not c.isspace() for c in s)
        mixed_case = any(c.islower() for c in letters) and any(c.isupper() for c in letters)
        return len(s) >= 3 and (has_symbols or mixed_case)
    return False


def _paragraph_table(story: Story) -> list[_Para]:
    text = story.text
    paras: list[_Para] = []
    block = -1
    prev_end = 0
    for span in story.paragraphs:
        between = text[prev_end : span.start]
        newlines = between.count("\n") or between.count("\r")
        if not paras or newlines >= 2:
            block += 1
        gap = max(newlines - 1, 0) if paras else 0
        paras.append(_Para(span=span, text=text[span.start : span.end], block=block, gap_before=gap))
        prev_end = span.end
    return paras


def _classify(paras: list[_Para]) -> None:
    # Bare-number headings count only when two or more appear in increasing order.
    bare = [(i, _parse_number(m.group("num"))) for i, p in enumerate(paras) if (m := _BARE_NUMBER.match(p.text))]
    bare_ok: set[int] = set()
    if len(bare) >= 2:
        numbers = [n for _, n in bare if n is not None]
        increasing = sum(1 for a, b in itertools.pairwise(numbers) if b == a + 1)
        if increasing >= max(1, len(numbers) // 2):
            bare_ok = {i for i, _ in bare}
    for i, p in enumerate(paras):
        s = p.text.strip()
        first_line = s.split("\n", 1)[0]
        if i in bare_ok or (len(s) <= _MAX_HEADING_CHARS and parse_chapter_heading(first_line) and "\n" not in s):
            p.kind = "heading"
        elif _is_break(s):
            p.kind = "break"
        elif len(s) <= _MAX_TIME_SKIP_CHARS and _TIME_SKIP.match(s):
            p.kind = "time_skip"
        elif _NOTE_START.match(s) and not _starts_with_quote(s):
            m = _NOTE_START.match(s)
            assert m is not None
            if m.group("disc"):
                p.kind, p.note_kind = "note", "disclaimer"
            elif m.group("summary"):
                p.kind, p.note_kind = "note", "summary"
            elif m.group("preface"):
                p.kind, p.note_kind = "note", "preface"
            else:
                p.kind, p.note_kind = "note", "author_note"
        elif _DISCLAIMER_TEXT.search(s) and not _has_quote(s):
            p.kind, p.note_kind = "note", "disclaimer"


def _starts_with_quote(s: str) -> bool:
    return s[:1] in _QUOTE_CHARS + "'‘"


def _has_quote(s: str) -> bool:
    return any(c in s for c in _QUOTE_CHARS)


def _mark_edge_notes(paras: list[_Para]) -> None:
    """End-of-chapter sign-offs ("Please review!") next to a note or a heading are notes too."""
    n = len(paras)
    for i, p in enumerate(paras):
        if p.kind != "text" or _has_quote(p.text) or len(p.text) > 400:
            continue
        nxt = paras[i + 1].kind if i + 1 < n else "end"
        prv = paras[i - 1].kind if i > 0 else "start"
        at_edge = nxt in ("heading", "end", "note") or prv in ("start", "note")
        if at_edge and _END_NOTE_TEXT.search(p.text):
            p.kind, p.note_kind = "note", "author_note"
    # A note that ends with ":" introduces the next paragraph (e.g. "A/N:" alone on a line).
    for i, p in enumerate(paras[:-1]):
        if p.kind == "note" and p.text.rstrip().endswith(":") and paras[i + 1].kind == "text":
            paras[i + 1].kind, paras[i + 1].note_kind = "note", p.note_kind


def _mark_chat(paras: list[_Para]) -> list[tuple[int, re.Match[str]]]:
    hits: list[tuple[int, re.Match[str]]] = []
    for i, p in enumerate(paras):
        if p.kind != "text" or "\n" in p.text:
            continue
        m = _CHAT.match(p.text)
        if m and m.group("label").lower().rstrip(".") not in _CHAT_NOT_LABELS and not _starts_with_quote(p.text):
            hits.append((i, m))
    chosen: list[tuple[int, re.Match[str]]] = []
    k = 0
    while k < len(hits):
        j = k
        while (
            j + 1 < len(hits)
            and hits[j + 1][0] - hits[j][0] <= 2
            and all(
                paras[x].kind in ("text", "break") and not paras[x].text.strip()
                for x in range(hits[j][0] + 1, hits[j + 1][0])
            )
        ):
            j += 1
        run = hits[k : j + 1]
        first = run[0][0]
        cue = first > 0 and _TEXT_CUE.search(paras[first - 1].text) is not None
        if len(run) >= 2 or cue:
            chosen.extend(run)
        k = j + 1
    for i, _ in chosen:
        paras[i].kind = "chat"
    return chosen


def _mark_lyrics(paras: list[_Para]) -> list[tuple[int, int]]:
    """Runs of short hard-broken lines inside one block, unquoted, mostly unpunctuated."""
    by_block: dict[int, list[int]] = {}
    for i, p in enumerate(paras):
        by_block.setdefault(p.block, []).append(i)
    verse_blocks: list[list[int]] = []
    for idx in by_block.values():
        if len(idx) < _LYRIC_MIN_LINES:
            continue
        ps = [paras[i] for i in idx]
        if any(p.kind != "text" for p in ps):
            continue
        if any(len(p.text) > _LYRIC_MAX_LINE_CHARS or "\n" in p.text or _has_quote(p.text) for p in ps):
            continue
        unpunctuated = sum(1 for p in ps if p.text.rstrip()[-1:] not in _SENTENCE_END)
        capitalised = sum(1 for p in ps if p.text.lstrip()[:1].isupper())
        if unpunctuated * 2 >= len(ps) and capitalised * 2 >= len(ps):
            verse_blocks.append(idx)
    # Stanzas separated by a single blank line make one lyrics span.
    runs: list[tuple[int, int]] = []
    for idx in verse_blocks:
        if runs and paras[idx[0]].block == paras[runs[-1][1]].block + 1 and paras[idx[0]].gap_before <= 1:
            runs[-1] = (runs[-1][0], idx[-1])
        else:
            runs.append((idx[0], idx[-1]))
    # Single-line stanzas between two verse blocks belong to the song too.
    for a, b in runs:
        for i in range(a, b + 1):
            if paras[i].kind == "text":
                paras[i].kind = "lyric"
    return runs


def _gap_breaks(paras: list[_Para]) -> set[int]:
    """Paragraph indices preceded by an unusually wide run of blank lines (a "weak" break).

    writeoff.me uses three blank lines for a weak scene break (formats.md 1.6); fan
    fiction commonly uses two where paragraphs are separated by one. A gap counts when
    it is wider than the document's usual gap and rare (under 15% of gaps).
    """
    gaps = Counter(p.gap_before for p in paras[1:])
    if not gaps:
        return set()
    usual = gaps.most_common(1)[0][0]
    wide = sum(c for g, c in gaps.items() if g > usual)
    if wide == 0 or wide > 0.15 * sum(gaps.values()):
        return set()
    return {i for i, p in enumerate(paras) if i > 0 and p.gap_before > usual}


def find_structure(analysis: Analysis) -> Analysis:
    """Find notes, chapters, scenes, scene breaks, time skips, lyrics and chat lines.

    Args:
        analysis: an analysis whose story has paragraphs.

    Returns:
        The analysis with ``notes``, ``chapters``, ``scenes``, ``scene_breaks``,
        ``time_skips``, ``lyrics`` and ``messages`` set, each sorted by start. Every
        work has at least one chapter; scenes partition each chapter's story text
        between breaks (a time skip opens a new scene).
    """
    story = analysis.story
    text = story.text
    paras = _paragraph_table(story)
    _classify(paras)
    part_notes, part_chapters = _structure_from_parts(story)
    _mark_part_notes(paras, part_notes)
    if part_chapters:
        # The reader knows the chapters; headings inside bodies are prose, not structure.
        for p in paras:
            if p.kind == "heading":
                p.kind = "text"
    _mark_edge_notes(paras)
    chat = _mark_chat(paras)
    lyric_runs = _mark_lyrics(paras)
    gap_breaks = _gap_breaks(paras)

    notes = list(part_notes)
    for p in paras:
        if p.kind == "note":
            notes.append(Note(p.span, p.note_kind))
        elif p.kind == "text":
            for m in _INLINE_NOTE.finditer(p.text):
                notes.append(Note(Span(p.span.start + m.start(), p.span.start + m.end()), "author_note"))
    notes = _dedupe_notes(notes)

    chapters = part_chapters or _chapters_from_headings(text, paras)
    time_skips = [TimeSkip(p.span) for p in paras if p.kind == "time_skip"]
    breaks = [p.span for p in paras if p.kind == "break"]
    # A weak (blank-line) break is marked by the gap itself: an empty span at the start
    # of the paragraph that follows it.
    for i in sorted(gap_breaks):
        if paras[i].kind not in ("heading", "break") and paras[i - 1].kind not in ("heading", "break"):
            breaks.append(Span(paras[i].span.start, paras[i].span.start))
    breaks.sort()
    scenes = _scenes(paras, chapters, breaks, time_skips, notes)
    lyrics = [Lyrics(Span(paras[a].span.start, paras[b].span.end)) for a, b in lyric_runs]
    messages = [
        Message(
            span=paras[i].span,
            label=m.group("label"),
            label_span=Span(paras[i].span.start + m.start("label"), paras[i].span.start + m.end("label")),
        )
        for i, m in chat
    ]
    return analysis.replace(
        notes=tuple(notes),
        chapters=tuple(chapters),
        scenes=tuple(scenes),
        scene_breaks=tuple(breaks),
        time_skips=tuple(time_skips),
        lyrics=tuple(lyrics),
        messages=tuple(messages),
    )


def _mark_part_notes(paras: list[_Para], part_notes: list[Note]) -> None:
    """Paragraphs inside a reader's note part (summary, notes, preface …) are notes.

    So a title-page line such as ``Published: 2023-06-01`` is not taken for a chat
    line, nor a ``* * *`` in an author's note for a scene break.
    """
    spans = sorted(n.span for n in part_notes)
    kinds = {n.span: n.kind for n in part_notes}
    starts = [sp.start for sp in spans]
    for p in paras:
        k = bisect_right(starts, p.span.start) - 1
        if k >= 0 and spans[k].contains(p.span):
            p.kind, p.note_kind = "note", kinds[spans[k]]


def _dedupe_notes(notes: list[Note]) -> list[Note]:
    notes.sort(key=lambda n: (n.span.start, -n.span.end))
    out: list[Note] = []
    for n in notes:
        if out and out[-1].span.contains(n.span):
            continue
        out.append(n)
    return out


_PART_NOTE_KINDS = {
    "summary": "summary",
    "work_notes": "work_notes",
    "work_end_notes": "work_end_notes",
    "chapter_summary": "chapter_summary",
    "chapter_notes": "chapter_notes",
    "chapter_end_notes": "chapter_end_notes",
    "preface": "preface",
    "afterword": "afterword",
}


_NUMBERED_TITLE = re.compile(r"^(\d{1,4})\.\s+(\S.*)$")


def _structure_from_parts(story: Story) -> tuple[list[Note], list[Chapter]]:
    notes = [Note(p.span, _PART_NOTE_KINDS[p.kind]) for p in story.parts if p.kind in _PART_NOTE_KINDS]
    by_chapter: dict[int, list[Part]] = {}
    for p in story.parts:
        if p.chapter is not None and p.kind.startswith("chapter_"):
            by_chapter.setdefault(p.chapter, []).append(p)
    chapters = []
    for idx in sorted(by_chapter):
        parts = sorted(by_chapter[idx], key=lambda p: p.span.start)
        start = parts[0].span.start
        end = max(p.span.end for p in parts)
        title_part = next((p for p in parts if p.kind == "chapter_title"), None)
        title, number = "", None
        heading = None
        if title_part is not None:
            heading = title_part.span
            raw = story.slice(title_part.span).strip()
            parsed = parse_chapter_heading(raw)
            if parsed is None and (numbered := _NUMBERED_TITLE.match(raw)):
                # A reader's title part is known to be a heading, so FanFicFare's "2. The
                # Lake" (chapter list numbering) reads as number 2, title "The Lake".
                parsed = (numbered.group(2), int(numbered.group(1)))
            title, number = parsed if parsed else (raw, None)
        chapters.append(Chapter(Span(start, end), title, number, heading))
    return notes, chapters


def _chapters_from_headings(text: str, paras: list[_Para]) -> list[Chapter]:
    heads = [i for i, p in enumerate(paras) if p.kind == "heading"]
    story_paras = [p for p in paras if p.kind not in ("note",)]
    if not story_paras:
        story_paras = paras
    if not heads:
        return [Chapter(Span(story_paras[0].span.start, story_paras[-1].span.end), "")]
    chapters: list[Chapter] = []
    first = heads[0]
    if any(p.kind not in ("note", "break") for p in paras[:first]):
        lead = [p for p in paras[:first] if p.kind not in ("note", "break")]
        chapters.append(Chapter(Span(lead[0].span.start, paras[first].span.start), ""))
    for n, h in enumerate(heads):
        p = paras[h]
        end_idx = heads[n + 1] if n + 1 < len(heads) else len(paras)
        end = paras[end_idx - 1].span.end
        line = p.text.strip()
        parsed = parse_chapter_heading(line)
        if parsed is None:  # bare number heading
            m = _BARE_NUMBER.match(line)
            title, number = line, (_parse_number(m.group("num")) if m else None)
        else:
            title, number = parsed
            # "CHAPTER I." followed by a short title line ("Down the Rabbit-Hole").
            if title == line.strip("*_#~ ") and h + 1 < end_idx:
                nxt = paras[h + 1]
                t = nxt.text.strip()
                if (
                    nxt.kind == "text"
                    and 0 < len(t) <= 60
                    and "\n" not in t
                    and t[-1:] not in _SENTENCE_END + ",;:\"”'’"
                    and not _has_quote(t)
                    and sum(w[:1].isupper() for w in t.split()) * 2 >= len(t.split())
                ):
                    title = t
        chapters.append(Chapter(Span(p.span.start, end), title, number, p.span))
    return chapters


def _scenes(
    paras: list[_Para],
    chapters: list[Chapter],
    breaks: list[Span],
    time_skips: list[TimeSkip],
    notes: list[Note],
) -> list[Scene]:
    note_spans = [n.span for n in notes]
    note_starts = [s.start for s in note_spans]

    def in_note(span: Span) -> bool:
        k = bisect_right(note_starts, span.start) - 1
        return k >= 0 and note_spans[k].contains(span)

    cut_points = sorted({b.start for b in breaks} | {t.span.start for t in time_skips})
    # Only the paragraphs that start inside the chapter (paras are in text order): linear,
    # not chapters x paragraphs (docs/benchmarks.md, growth).
    para_starts = [p.span.start for p in paras]
    scenes: list[Scene] = []
    for ci, ch in enumerate(chapters):
        lo, hi = bisect_left(para_starts, ch.span.start), bisect_right(para_starts, ch.span.end)
        content = [
            p
            for p in paras[lo:hi]
            if ch.span.contains(p.span)
            and p.kind not in ("heading", "break", "note")
            and not in_note(p.span)
            and (ch.heading is None or p.span.start >= ch.heading.end)
        ]
        if not content:
            continue
        current: list[_Para] = []
        for p in content:
            if current:
                k = bisect_left(cut_points, current[-1].span.end)
                if k < len(cut_points) and cut_points[k] <= p.span.start:
                    scenes.append(Scene(Span(current[0].span.start, current[-1].span.end), ci))
                    current = []
            current.append(p)
        if current:
            scenes.append(Scene(Span(current[0].span.start, current[-1].span.end), ci))
    return scenes
