"""Exceptions raised by ficnlp.

Every message says what went wrong, where (file and position), and what to do next.
The tree (after httpx's exception hierarchy)::

    FicnlpError
    ├── InputError(FicnlpError, ValueError)       .source, .position
    │   ├── UnsupportedFormatError                lists the supported formats
    │   ├── DecodeError                           byte offset, encoding tried, --encoding hint
    │   ├── MalformedSourceError                  AO3 page without #chapters, EPUB without spine, zip bomb
    │   └── EmptyStoryError                       nothing to analyse
    ├── ConfigError(FicnlpError, ValueError)      bad configuration; lists valid values
    ├── StageError(FicnlpError)                   a stage failed; .stage, .story_id; chained
    └── MissingExtraError(FicnlpError, ImportError)  an optional dependency is not installed

Only the CLI prints these; a corpus run records them per work and carries on.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DecodeError",
    "EmptyStoryError",
    "FicnlpError",
    "InputError",
    "MalformedSourceError",
    "MissingExtraError",
    "StageError",
    "UnsupportedFormatError",
]


class FicnlpError(Exception):
    """Base class of every error ficnlp raises on purpose."""


class InputError(FicnlpError, ValueError):
    """The input cannot be read as a story.

    Attributes:
        source: the file path or story id the error is about (``"<text>"`` for a string).
        position: where in the source: a byte offset, a code-point offset or a
            ``"line N"`` string, as the message says; ``None`` when not applicable.
    """

    def __init__(self, message: str, *, source: str = "<text>", position: int | str | None = None) -> None:
        self.source = source
        self.position = position
        self.message = message
        super().__init__(self._format())

    def _format(self) -> str:
        where = self.source if self.position is None else f"{self.source}:{self.position}"
        return f"{where}: {self.message}"


class UnsupportedFormatError(InputError):
    """The input's format is not one ficnlp reads."""


class DecodeError(InputError):
    """The bytes could not be decoded as text."""


class MalformedSourceError(InputError):
    """The file claims a format but breaks its structure (or is unsafe to open)."""


class EmptyStoryError(InputError):
    """The input holds no story text."""


class ConfigError(FicnlpError, ValueError):
    """A configuration value is invalid."""


class StageError(FicnlpError):
    """A pipeline stage failed unexpectedly on a story.

    Attributes:
        stage: the stage's name.
        story_id: the story's id.
    """

    def __init__(self, stage: str, story_id: str, message: str) -> None:
        self.stage = stage
        self.story_id = story_id
        super().__init__(f"stage {stage!r} failed on story {story_id}: {message}")


class MissingExtraError(FicnlpError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, package: str, extra: str) -> None:
        self.package = package
        self.extra = extra
        super().__init__(f"{package} is not installed: run pip install 'ficnlp[{extra}]'")
