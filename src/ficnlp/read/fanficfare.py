"""FanFicFare output (placeholder until the readers land): plain-text detection only."""

from __future__ import annotations

from ficnlp.model import Story
from ficnlp.read.plain import read_plain


def looks_like_fff_txt(data: bytes) -> bool:
    """Whether the bytes look like FanFicFare's TXT output."""
    return False


def read_fff_txt(data: bytes, *, source: str = "<bytes>", encoding: str | None = None) -> Story:
    """Read FanFicFare TXT output."""
    return read_plain(data, source=source, encoding=encoding)
