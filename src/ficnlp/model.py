"""The data model: one immutable story text and layers of annotations over it.

Every annotation is addressed by a :class:`Span`: a half-open interval of *code points*
(Python ``str`` indices) into :attr:`Story.text`. The text itself is never rewritten:
for plain-text input it is exactly the decoded file; for HTML and EPUB input it is the
extracted plain text, with the structure kept as :class:`Part` spans.

All classes are frozen dataclasses with slots, so an :class:`Analysis` is a value:
two analyses of the same input compare equal with ``==`` and serialise to identical
JSON (see :mod:`ficnlp.write.json`). Layers are tuples sorted by ``span.start``.
IDs are prefixed strings: characters ``c0``, ``c1`` …, quotations ``q0``, ``q1`` …

Shape of an analysis (after spaCy's ``Doc`` / ``Span`` design, with plain offsets so
that spans pickle and serialise without a reference to the text)::

    Analysis
    ├── story: Story            text, source, metadata, paragraphs, parts, styles
    ├── notes, chapters, scenes, scene_breaks, time_skips, lyrics, messages
    ├── mentions, characters    who is in the story
    ├── quotes                  who said what to whom
    ├── rating                  estimated AO3 rating with evidence
    └── provenance              which stages ran, with their versions
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "GENDERS",
    "NOTE_KINDS",
    "PART_KINDS",
    "QUOTE_KINDS",
    "RATINGS",
    "Analysis",
    "Chapter",
    "Character",
    "Evidence",
    "Lyrics",
    "Mention",
    "Message",
    "Note",
    "Part",
    "Quote",
    "Rating",
    "Relationship",
    "Scene",
    "SourceRef",
    "Span",
    "StageRun",
    "Story",
    "StyleSpan",
    "TimeSkip",
    "WorkMetadata",
]

#: Referential gender: the pronoun set the narration uses for a character.
#: ``unknown`` when the text gives too little evidence. Source: BookNLP's referential
#: gender (he/him/his, she/her, they/them), Bamman et al. 2019.
GENDERS = ("he/him", "she/her", "they/them", "unknown")
Gender = Literal["he/him", "she/her", "they/them", "unknown"]

#: Kinds of :class:`Note` (text that is about the story, not part of it).
#: ``author_note``: "A/N", "Author's Note" paragraphs in plain text; ``disclaimer``:
#: "I don't own …"; the rest come from AO3/FanFicFare structure (``docs/formats.md``).
NOTE_KINDS = (
    "author_note",
    "disclaimer",
    "summary",
    "work_notes",
    "work_end_notes",
    "chapter_summary",
    "chapter_notes",
    "chapter_end_notes",
    "preface",
    "afterword",
)

#: Kinds of :class:`Part`: the reader's own structural spans (HTML/EPUB/FanFicFare).
PART_KINDS = (
    "preface",
    "summary",
    "work_notes",
    "work_end_notes",
    "chapter_title",
    "chapter_summary",
    "chapter_notes",
    "chapter_body",
    "chapter_end_notes",
    "afterword",
)

#: Quotation types as annotated in PDNC (Vishnubhotla et al., LREC 2022): ``explicit``
#: (the tag names the speaker), ``anaphoric`` (the tag has a pronoun or description),
#: ``implicit`` (no tag).
QUOTE_KINDS = ("explicit", "anaphoric", "implicit")

#: AO3 ratings, from least to most restricted (otwarchive ``config.yml``).
RATINGS = ("General Audiences", "Teen And Up Audiences", "Mature", "Explicit")


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open interval ``[start, end)`` of code points into ``Story.text``.

    Raises:
        ValueError: if ``start`` is negative or ``end < start``.
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"invalid span [{self.start}, {self.end}): need 0 <= start <= end")

    def __len__(self) -> int:
        return self.end - self.start

    def contains(self, other: Span) -> bool:
        """Whether ``other`` lies inside this span (an empty span at the end counts)."""
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: Span) -> bool:
        """Whether the two spans share at least one code point."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a story came from.

    Attributes:
        path: the file path as given, ``"-"`` for stdin, ``"<text>"`` for a string.
        format: the detected input format (``txt``, ``ao3-html``, ``ao3-epub``,
            ``fff-epub``, ``fff-html``, ``fff-txt``, ``epub``, ``html``).
        sha256: hex digest of the raw input bytes (of the UTF-8 encoding for a string).
        encoding: the encoding the bytes were decoded with (``utf-8``, ``utf-16``, …).
    """

    path: str
    format: str
    sha256: str
    encoding: str = "utf-8"


@dataclass(frozen=True, slots=True)
class Relationship:
    """A relationship tag as declared by the work (AO3 "Relationships").

    Attributes:
        tag: the tag as written, e.g. ``"Addison Montgomery/Alex Karev"``.
        kind: ``romantic`` for ``A/B``, ``platonic`` for ``A & B``.
        names: the character names in the tag, in order.
    """

    tag: str
    kind: Literal["romantic", "platonic"]
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorkMetadata:
    """What the work says about itself (AO3 preface, EPUB OPF, FanFicFare title page).

    Empty for plain text that carries no header. ``rating`` is the *declared* AO3 rating,
    kept apart from ficnlp's estimate in :class:`Rating`. Dates are ISO ``YYYY-MM-DD``
    strings as written by the source; ``words`` and ``chapters`` are as declared.
    """

    title: str | None = None
    authors: tuple[str, ...] = ()
    fandoms: tuple[str, ...] = ()
    rating: str | None = None
    warnings: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    characters: tuple[str, ...] = ()
    additional_tags: tuple[str, ...] = ()
    language: str | None = None
    series: tuple[str, ...] = ()
    published: str | None = None
    updated: str | None = None
    completed: str | None = None
    words: int | None = None
    chapters: str | None = None
    summary: str | None = None
    url: str | None = None
    source_site: str | None = None
    extra: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Part:
    """A structural span given by the input format (HTML/EPUB), one of :data:`PART_KINDS`.

    ``chapter`` is the 0-based chapter index for chapter parts, else ``None``.
    """

    span: Span
    kind: str
    chapter: int | None = None


@dataclass(frozen=True, slots=True)
class StyleSpan:
    """Inline formatting kept from the source: ``italic``, ``bold``, ``underline``, ``strike``."""

    span: Span
    style: str


@dataclass(frozen=True, slots=True)
class Story:
    """The immutable text of one work and what the reader found in its source.

    Attributes:
        id: stable work id: ``sha256`` of the raw input, first 16 hex digits.
        text: the analysed text; every offset in the analysis indexes this string.
        source: where the text came from.
        metadata: the work's declared metadata (empty for bare plain text).
        paragraphs: paragraph spans, sorted and non-overlapping, trimmed of surrounding
            whitespace. For plain text, blank lines separate paragraphs and single line
            breaks do too unless the text is hard-wrapped (see :mod:`ficnlp.read.plain`).
        parts: structural spans from HTML/EPUB input (empty for plain text).
        styles: italic/bold spans from HTML/EPUB input (empty for plain text).
    """

    id: str
    text: str
    source: SourceRef
    metadata: WorkMetadata = field(default_factory=WorkMetadata)
    paragraphs: tuple[Span, ...] = ()
    parts: tuple[Part, ...] = ()
    styles: tuple[StyleSpan, ...] = ()

    def slice(self, span: Span) -> str:
        """The text covered by ``span``."""
        return self.text[span.start : span.end]


@dataclass(frozen=True, slots=True)
class Note:
    """Text about the story rather than of it: an author's note, disclaimer, summary, …"""

    span: Span
    kind: str


@dataclass(frozen=True, slots=True)
class Chapter:
    """A chapter: ``span`` runs from its heading to the next chapter's heading.

    Attributes:
        title: the chapter's own title when the heading has one (``"The Lake"`` for
            ``Chapter 3: The Lake``), else the heading as written (``"Chapter 4"``),
            else ``""`` for a work without headings.
        number: the number as written in the heading (a skipped number stays skipped),
            or ``None``.
        heading: the heading line's span, or ``None``.
    """

    span: Span
    title: str
    number: int | None = None
    heading: Span | None = None


@dataclass(frozen=True, slots=True)
class Scene:
    """A scene: a stretch of one chapter between scene breaks. ``chapter`` is 0-based."""

    span: Span
    chapter: int


@dataclass(frozen=True, slots=True)
class TimeSkip:
    """A standalone time-skip line such as ``1 month later.``"""

    span: Span


@dataclass(frozen=True, slots=True)
class Lyrics:
    """A block of verse (song lyrics, poems) set apart from the prose, unquoted."""

    span: Span


@dataclass(frozen=True, slots=True)
class Message:
    """One line of a text-message or chat exchange (``Alex: where r u``).

    Attributes:
        label: the sender as written in the line.
        label_span: where the label is.
        speaker_id: the character the label resolves to, or ``None``.
    """

    span: Span
    label: str
    label_span: Span
    speaker_id: str | None = None


@dataclass(frozen=True, slots=True)
class Mention:
    """A mention of a character: ``kind`` is ``name``, ``pronoun`` or ``narrator``."""

    span: Span
    character_id: str
    kind: str = "name"


@dataclass(frozen=True, slots=True)
class Character:
    """A person in the story, with every name it goes by.

    Attributes:
        id: ``c<N>``, numbered by first appearance.
        name: the canonical name (the fullest common form, e.g. ``"Alex Karev"``).
        aliases: every other form seen, sorted (``"Alex"``, ``"Dr Karev"``, ``"Karev"``).
        gender: referential gender from the pronouns the narration uses, one of :data:`GENDERS`.
        narrator: ``True`` for the first-person narrator.
        mention_count: name mentions found (pronouns not counted).
    """

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    gender: str = "unknown"
    narrator: bool = False
    mention_count: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by the aliases."""
        return (self.name, *self.aliases)


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: speech (or thought, or sung lines) set off by quote marks.

    Attributes:
        id: ``q<N>`` in text order.
        span: from the opening mark to the closing mark, both included. A quotation that
            runs over several paragraphs (each opening a mark, only the last closing) is
            one quotation per paragraph, linked by ``continues``.
        speaker_id: the speaking character, or ``None`` when unattributed.
        addressee_ids: the characters spoken to, sorted by id.
        kind: ``explicit`` / ``anaphoric`` / ``implicit`` (:data:`QUOTE_KINDS`): how the
            speaker was found, following PDNC's quotation types.
        confidence: the attribution's confidence, a probability in [0, 1].
        tag: the speech tag's span (``said Alex``), or ``None`` for an untagged quote.
        continues: the id of the quotation this one continues (multi-paragraph speech).
    """

    id: str
    span: Span
    speaker_id: str | None = None
    addressee_ids: tuple[str, ...] = ()
    kind: str = "implicit"
    confidence: float = 0.0
    tag: Span | None = None
    continues: str | None = None


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span that supports part of the rating estimate: ``category`` and ``reason``."""

    span: Span
    category: str
    reason: str


@dataclass(frozen=True, slots=True)
class Rating:
    """An AO3-style content rating *estimate* with the evidence behind it.

    Attributes:
        estimate: one of :data:`RATINGS`.
        warnings: AO3 archive warnings the text appears to call for, or
            ``("No Archive Warnings Apply",)``.
        advisories: content advisories: ``sexual content``, ``violence``,
            ``strong language``, ``alcohol/drugs``.
        evidence: the spans behind the estimate, sorted by start.
        scores: per-category evidence weight per 1,000 words of story text.
        declared: the work's own AO3 rating when the input declared one.
    """

    estimate: str
    warnings: tuple[str, ...] = ()
    advisories: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    scores: tuple[tuple[str, float], ...] = ()
    declared: str | None = None


@dataclass(frozen=True, slots=True)
class StageRun:
    """Provenance: a stage that produced part of the analysis."""

    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything ficnlp found in one story; each layer is a tuple sorted by start.

    Build one with :func:`ficnlp.analyze`. Stages return a new analysis with
    :func:`dataclasses.replace`; nothing is mutated.
    """

    story: Story
    notes: tuple[Note, ...] = ()
    chapters: tuple[Chapter, ...] = ()
    scenes: tuple[Scene, ...] = ()
    scene_breaks: tuple[Span, ...] = ()
    time_skips: tuple[TimeSkip, ...] = ()
    lyrics: tuple[Lyrics, ...] = ()
    messages: tuple[Message, ...] = ()
    mentions: tuple[Mention, ...] = ()
    characters: tuple[Character, ...] = ()
    quotes: tuple[Quote, ...] = ()
    rating: Rating | None = None
    provenance: tuple[StageRun, ...] = ()

    @property
    def text(self) -> str:
        """The story text (shortcut for ``story.text``)."""
        return self.story.text

    def character(self, character_id: str) -> Character:
        """The character with this id.

        Raises:
            KeyError: if no character has that id.
        """
        for c in self.characters:
            if c.id == character_id:
                return c
        raise KeyError(character_id)

    def replace(self, **changes: object) -> Analysis:
        """A copy with some layers replaced (``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def to_json(self, *, indent: int | None = 2) -> str:
        """The analysis as JSON text; see :mod:`ficnlp.write.json` for the schema."""
        from ficnlp.write.json import analysis_to_json

        return analysis_to_json(self, indent=indent)

    @classmethod
    def from_json(cls, data: str | bytes) -> Analysis:
        """Rebuild an analysis from :meth:`to_json` output.

        Raises:
            ficnlp.errors.InputError: if the JSON is not a ficnlp analysis.
        """
        from ficnlp.write.json import analysis_from_json

        return analysis_from_json(data)
