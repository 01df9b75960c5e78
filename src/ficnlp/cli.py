"""Command-line interface: ``ficnlp <command> …``. Thin wrappers over the library.

Exit codes: 0 success; 1 some stories failed (corpus runs: see the errors table);
2 usage error or unreadable input; 3 every story failed.
Results go to stdout, progress and messages to stderr; ``-`` means stdin/stdout.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from ficnlp import __version__
from ficnlp.errors import FicnlpError, InputError

__all__ = ["main"]

#: Each command lives in ``ficnlp.commands.<name>`` with ``register(subparsers)``;
#: ``register`` sets ``func`` (``args -> int``) on its parser.
COMMANDS = ("analyze", "report", "export", "corpus", "query", "eval", "train", "info")

EPILOG = "exit codes: 0 success, 1 some stories failed, 2 usage or input error, 3 all stories failed"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every available command registered."""
    parser = argparse.ArgumentParser(
        prog="ficnlp",
        description="Read a story and tell who is in it and who said what.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action="version", version=f"ficnlp {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more messages on stderr (-vv: tracebacks)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ficnlp.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"ficnlp.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return 2
    level = logging.WARNING if args.verbose == 0 else logging.INFO if args.verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="ficnlp: %(levelname)s: %(message)s", stream=sys.stderr)
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(encoding="utf-8")
    try:
        return int(args.func(args))
    except InputError as exc:
        _error(exc, args.verbose)
        return 2
    except FicnlpError as exc:
        _error(exc, args.verbose)
        return 3
    except KeyboardInterrupt:
        print("ficnlp: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # An output that cannot be written (a folder in the way, no permission, a full disk).
        _error(OSError(f"{exc.filename or 'output'}: {exc.strerror or exc}: check the output path"), args.verbose)
        return 2


def _error(exc: BaseException, verbose: int) -> None:
    if verbose >= 2:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    print(f"ficnlp: error: {exc}", file=sys.stderr)
