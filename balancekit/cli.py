"""The ``balancekit`` command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from balancekit import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="balancekit", description="Tools for class-imbalanced data."
    )
    parser.add_argument(
        "--version", action="version", version=f"balancekit {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser(
        "demo",
        help="resample a real imbalanced data set with every sampler (NumPy, torch)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``balancekit`` command; returns the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from balancekit.demo import run_demo

        run_demo()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
