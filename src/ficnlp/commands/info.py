"""``ficnlp info``: version, installed extras and shipped models."""

from __future__ import annotations

import argparse
import importlib.util
import platform

from ficnlp import __version__


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``info`` command."""
    p = sub.add_parser("info", help="show version and installed extras")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print version information; returns 0."""
    print(f"ficnlp {__version__} on Python {platform.python_version()}")
    for extra, module in (("dask", "distributed"), ("train", "lightgbm"), ("bench", "psutil")):
        have = importlib.util.find_spec(module) is not None
        print(f"  extra [{extra}]: {'installed' if have else 'not installed'}")
    return 0
