"""The pipeline: read a story, run each stage in order, return an :class:`Analysis`.

Each stage is a pure function ``stage(analysis, config) -> analysis`` that declares the
layers it reads (``REQUIRES``) and writes (``PRODUCES``), after spaCy's ``requires`` /
``assigns``. :func:`build_pipeline` checks that every stage's inputs come from an
earlier stage, so a mis-ordered pipeline fails when it is built, not half-way through a
corpus.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ficnlp import characters, quotes, ratings, segment, speakers
from ficnlp.config import Config
from ficnlp.errors import ConfigError, FicnlpError, StageError
from ficnlp.model import Analysis, StageRun, Story
from ficnlp.read import read_bytes, read_story, story_from_text

__all__ = ["DEFAULT_STAGES", "STAGES", "Stage", "analyze", "analyze_story", "analyze_text", "build_pipeline"]


@dataclass(frozen=True, slots=True)
class Stage:
    """A pipeline stage: a function plus the layers it reads and writes."""

    name: str
    func: Callable[[Analysis, Config], Analysis]
    requires: tuple[str, ...]
    produces: tuple[str, ...]
    version: str


STAGES: dict[str, Stage] = {
    "structure": Stage(
        "structure", lambda a, c: segment.find_structure(a), segment.REQUIRES, segment.PRODUCES, segment.VERSION
    ),
    "quotes": Stage("quotes", quotes.find_quotes, quotes.REQUIRES, quotes.PRODUCES, quotes.VERSION),
    "characters": Stage(
        "characters", characters.find_characters, characters.REQUIRES, characters.PRODUCES, characters.VERSION
    ),
    "speakers": Stage("speakers", speakers.attribute_speakers, speakers.REQUIRES, speakers.PRODUCES, speakers.VERSION),
    "rating": Stage(
        "rating", lambda a, c: ratings.rate_content(a), ratings.REQUIRES, ratings.PRODUCES, ratings.VERSION
    ),
}
DEFAULT_STAGES = ("structure", "quotes", "characters", "speakers", "rating")


def build_pipeline(names: Sequence[str] = DEFAULT_STAGES) -> tuple[Stage, ...]:
    """The stages to run, checked for order.

    Raises:
        ConfigError: an unknown stage name, or a stage whose inputs no earlier stage makes.
    """
    have: set[str] = set()
    out = []
    for name in names:
        if name not in STAGES:
            raise ConfigError(f"unknown stage {name!r}: choose from {', '.join(STAGES)}")
        stage = STAGES[name]
        missing = [r for r in stage.requires if r not in have]
        if missing:
            raise ConfigError(f"stage {name!r} needs {', '.join(missing)} from an earlier stage; reorder the pipeline")
        have.update(stage.produces)
        out.append(stage)
    return tuple(out)


def analyze_story(story: Story, config: Config | None = None, stages: Sequence[str] = DEFAULT_STAGES) -> Analysis:
    """Run the pipeline over a story that has already been read.

    Raises:
        StageError: a stage failed unexpectedly (the original error is chained).
        FicnlpError: a stage rejected the input.
    """
    config = config or Config()
    analysis = Analysis(story=story)
    runs = []
    for stage in build_pipeline(stages):
        try:
            analysis = stage.func(analysis, config)
        except FicnlpError:
            raise
        except Exception as exc:
            raise StageError(stage.name, story.id, f"{type(exc).__name__}: {exc}") from exc
        runs.append(StageRun(stage.name, stage.version))
    return analysis.replace(provenance=tuple(runs))


def analyze_text(text: str, config: Config | None = None, *, name: str = "<text>") -> Analysis:
    """Analyse a story given as a string (plain text).

    Raises:
        EmptyStoryError: the text is empty or only whitespace.
    """
    if not isinstance(text, str):
        raise TypeError(f"expected str, got {type(text).__name__}")
    return analyze_story(story_from_text(text, path=name), config)


def analyze(source: str | os.PathLike[str] | bytes | Story, config: Config | None = None) -> Analysis:
    """Analyse a story: a path, a :class:`~pathlib.Path`, raw bytes, a string of story text, or a Story.

    A ``str`` is taken as a file path when it is a single line naming an existing file
    or folder, a single word with a ``/`` or a story file ending (``.txt``, ``.html``,
    ``.epub`` …; so a mistyped path raises instead of being analysed as text), or ``"-"``
    for stdin; as story text otherwise. Use :func:`analyze_text` to be explicit.

    Args:
        source: the story.
        config: settings; defaults to :class:`~ficnlp.config.Config()`.

    Returns:
        The full analysis. Every offset in it indexes ``analysis.story.text``.

    Raises:
        InputError: the input cannot be read as a story (subclasses say why).
        StageError: a stage failed unexpectedly.

    Example:
        >>> a = analyze('"Hello," said Ann.')
        >>> [(a.text[q.span.start:q.span.end], a.character(q.speaker_id).name) for q in a.quotes]
        [('"Hello,"', 'Ann')]
    """
    config = config or Config()
    if isinstance(source, Story):
        return analyze_story(source, config)
    if isinstance(source, bytes):
        return analyze_story(read_bytes(source, format=config.format, encoding=config.encoding), config)
    if isinstance(source, os.PathLike) or _looks_like_path(source):
        story = read_story(source, format=config.format, encoding=config.encoding, max_bytes=config.max_input_bytes)
        return analyze_story(story, config)
    if isinstance(source, str):
        return analyze_text(source, config)
    raise TypeError(f"expected a path, str, bytes or Story, got {type(source).__name__}")


#: Endings that make a one-word string a file name even when no such file exists (so that
#: a mistyped path is an error, not a one-word story).
_STORY_SUFFIXES = (".txt", ".text", ".html", ".htm", ".xhtml", ".epub", ".json")


def _looks_like_path(source: object) -> bool:
    if not isinstance(source, str):
        return False
    if source == "-":
        return True
    if "\n" in source or len(source) > 4096:
        return False
    try:
        if Path(source).exists():
            return True
    except OSError:
        return False
    # A single word with a folder separator or a story file ending: a path that is not there.
    return not any(c.isspace() for c in source) and (
        "/" in source or os.sep in source or source.lower().endswith(_STORY_SUFFIXES)
    )
