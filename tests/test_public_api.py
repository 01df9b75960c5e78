"""The package's public names are exactly ``__all__`` (after httpx's test)."""

from __future__ import annotations
import __future__

import types

import ficnlp


def test_public_api_all_matches_public_names() -> None:
    public = {
        name
        for name in dir(ficnlp)
        if not name.startswith("_") and not isinstance(getattr(ficnlp, name), (types.ModuleType, __future__._Feature))
    }
    assert set(ficnlp.__all__) - {"__version__"} == public
    assert ficnlp.__version__
