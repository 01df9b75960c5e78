"""One frozen configuration object for the whole pipeline (after trafilatura's settings)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from ficnlp.errors import ConfigError

__all__ = ["Config"]

_QUOTE_STYLES = ("auto", "double", "single")
_FORMATS = ("auto", "txt", "html", "epub")


@dataclass(frozen=True, slots=True)
class Config:
    """Settings for reading and analysing a story.

    Attributes:
        format: input format, ``auto`` to detect it from the content.
        encoding: force a text encoding (``cp1252``, ``utf-16`` …); ``None`` detects it.
        quote_style: ``auto`` picks double or single (British) quote marks per story.
        use_speaker_model: rank speaker candidates with the shipped model; ``False``
            uses the rules alone.
        max_input_bytes: refuse inputs larger than this (bytes).

    Raises:
        ConfigError: on an unknown ``format`` or ``quote_style``, or a non-positive size.
    """

    format: str = "auto"
    encoding: str | None = None
    quote_style: str = "auto"
    use_speaker_model: bool = True
    max_input_bytes: int = 200_000_000

    def __post_init__(self) -> None:
        if self.format not in _FORMATS:
            raise ConfigError(f"format {self.format!r} is not one of {', '.join(_FORMATS)}")
        if self.quote_style not in _QUOTE_STYLES:
            raise ConfigError(f"quote_style {self.quote_style!r} is not one of {', '.join(_QUOTE_STYLES)}")
        if self.max_input_bytes <= 0:
            raise ConfigError("max_input_bytes must be positive")

    def digest(self) -> str:
        """A short stable hash of the settings, for provenance and caches."""
        blob = json.dumps(asdict(self), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:12]
