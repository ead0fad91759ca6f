"""The ``balancekit`` command line: ``bench``, ``inspect`` and ``demo``."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence

from balancekit import __version__

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    import balancekit.bench._cli as bench_cli
    import balancekit.diagnostics._cli as inspect_cli

    parser = argparse.ArgumentParser(
        prog="balancekit", description="Tools for class-imbalanced data."
    )
    parser.add_argument(
        "--version", action="version", version=f"balancekit {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench_cli.add_arguments(
        commands.add_parser(
            "bench",
            help="compare imbalance strategies on real data with an honest protocol",
            description=bench_cli.DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    inspect_cli.add_arguments(
        commands.add_parser(
            "inspect",
            help="check a data set (and a train/test split) for what hides the "
            "minority class",
            description=inspect_cli.DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
    )
    commands.add_parser(
        "demo",
        help="resample a real imbalanced data set with every sampler (NumPy, torch)",
    )
    return parser


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``balancekit`` command; returns the exit code.

    Ctrl-C before a command has started its work ends with exit code 130 and one
    line (the commands themselves keep finished work and say so).
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("balancekit: interrupted.", file=sys.stderr)
        return 130


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("bench", "inspect") and not _has_module("pandas"):
        print(
            f"balancekit {args.command} needs pandas, which is not installed: "
            "pip install 'balancekit[cli]'",
            file=sys.stderr,
        )
        return 2
    if args.command == "bench":
        import balancekit.bench._cli as bench_cli

        return bench_cli.run(args)
    if args.command == "inspect":
        import balancekit.diagnostics._cli as inspect_cli

        return inspect_cli.run(args)
    from balancekit.demo import run_demo

    run_demo()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
