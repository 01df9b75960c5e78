"""ficnlp: read a story and tell who is in it and who said what.

Quick start::

    import ficnlp
    analysis = ficnlp.analyze("story.txt")          # a path, a string of text, bytes or a Story
    for q in analysis.quotes:
        print(analysis.text[q.span.start:q.span.end], q.speaker_id)
    analysis.to_json()                               # the JSON contract (docs/json.md)

Every annotation is a half-open code-point span into ``analysis.story.text``.
"""

from __future__ import annotations

import logging

from ficnlp.config import Config
from ficnlp.errors import (
    ConfigError,
    DecodeError,
    EmptyStoryError,
    FicnlpError,
    InputError,
    MalformedSourceError,
    MissingExtraError,
    StageError,
    UnsupportedFormatError,
)
from ficnlp.model import (
    Analysis,
    Chapter,
    Character,
    Evidence,
    Lyrics,
    Mention,
    Message,
    Note,
    Part,
    Quote,
    Rating,
    Relationship,
    Scene,
    SourceRef,
    Span,
    Story,
    StyleSpan,
    TimeSkip,
    WorkMetadata,
)
from ficnlp.pipeline import analyze, analyze_story, analyze_text
from ficnlp.read import read_bytes, read_story

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "Chapter",
    "Character",
    "Config",
    "ConfigError",
    "DecodeError",
    "EmptyStoryError",
    "Evidence",
    "FicnlpError",
    "InputError",
    "Lyrics",
    "MalformedSourceError",
    "Mention",
    "Message",
    "MissingExtraError",
    "Note",
    "Part",
    "Quote",
    "Rating",
    "Relationship",
    "Scene",
    "SourceRef",
    "Span",
    "StageError",
    "Story",
    "StyleSpan",
    "TimeSkip",
    "UnsupportedFormatError",
    "WorkMetadata",
    "__version__",
    "analyze",
    "analyze_story",
    "analyze_text",
    "read_bytes",
    "read_story",
]

logging.getLogger(__name__).addHandler(logging.NullHandler())
