"""The code-shape figures of issue 16, for any checkout: module sizes, framework names
in the core, duplicated helpers, inline parameter checks, private-path examples, the
share of ``Any`` among annotated parameters and comment density.

Usage (from the repository root; give another checkout's root to compare)::

    .venv/bin/python tools/code_figures.py [ROOT]

Only the standard library is used, so it reads any revision of the tree.
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections import Counter
from pathlib import Path

FRAMEWORKS = {"torch", "tensorflow", "tf", "cupy", "jax"}
# The adapters and the bench application may name their frameworks.
ADAPTER_DIRS = ("torch", "tensorflow", "keras", "bench")
LIMIT = 600


def python_files(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).rglob("*.py"))


def line_count(path: Path) -> int:
    return len(path.read_text().splitlines())


def code_tokens(path: Path) -> list[tokenize.TokenInfo]:
    source = path.read_text()
    return list(tokenize.generate_tokens(io.StringIO(source).readline))


def framework_lines(path: Path) -> set[int]:
    """Lines whose code (not comments, not strings) names a framework."""
    return {
        token.start[0]
        for token in code_tokens(path)
        if token.type == tokenize.NAME and token.string in FRAMEWORKS
    }


def comment_lines(path: Path) -> tuple[int, int]:
    """(comment lines, code lines): docstrings and blank lines are neither."""
    tokens = code_tokens(path)
    comments = {t.start[0] for t in tokens if t.type == tokenize.COMMENT}
    ignored = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT}
    ignored |= {tokenize.DEDENT, tokenize.ENDMARKER}
    code = set()
    previous = None
    for token in tokens:
        # a string that is a whole statement is a docstring: not code
        if token.type == tokenize.STRING and previous in (
            None,
            tokenize.NEWLINE,
            tokenize.INDENT,
            tokenize.DEDENT,
            tokenize.NL,
        ):
            previous = token.type
            continue
        if token.type not in ignored:
            code.update(range(token.start[0], token.end[0] + 1))
        if token.type not in (tokenize.NL, tokenize.COMMENT):
            previous = token.type
    return len(comments), len(code)


def annotated_parameters(path: Path) -> tuple[int, int]:
    """(annotated parameters, those annotated exactly ``Any``) of every function."""
    tree = ast.parse(path.read_text())
    total = any_count = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            every += [a for a in (args.vararg, args.kwarg) if a is not None]
            for arg in every:
                if arg.annotation is None:
                    continue
                total += 1
                text = ast.unparse(arg.annotation)
                any_count += text in ("Any", "typing.Any")
    return total, any_count


def grep(paths: list[Path], pattern: str) -> Counter:
    regex = re.compile(pattern)
    found: Counter = Counter()
    for path in paths:
        for line in path.read_text().splitlines():
            if regex.search(line):
                found[str(path)] += 1
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[0] if argv else ".").resolve()
    package = python_files(root, "balancekit")
    benchmarks = python_files(root, "benchmarks")
    rel = {path: str(path.relative_to(root)) for path in package + benchmarks}

    print(f"# code figures of {root}")
    big = [(line_count(p), rel[p]) for p in package + benchmarks]
    over = sorted((n, name) for n, name in big if n > LIMIT)
    print(f"\nmodules over {LIMIT} lines: {len(over)}")
    for n, name in over:
        print(f"  {n:5d} {name}")

    core = [
        p
        for p in package
        if not any(f"balancekit/{d}/" in rel[p] for d in ADAPTER_DIRS)
    ]
    named = {rel[p]: len(framework_lines(p)) for p in core}
    named = {name: n for name, n in named.items() if n}
    print(
        f"\ncode lines naming torch/tensorflow/cupy/jax in the core (outside "
        f"{', '.join(ADAPTER_DIRS)}/; comments and strings excluded): "
        f"{sum(named.values())} in {len(named)} files"
    )
    for name, n in sorted(named.items(), key=lambda item: -item[1]):
        print(f"  {n:4d} {name}")

    checks = {
        "inline int checks (isinstance(..., Integral))": r"isinstance\([^)]*Integral",
        "check_choice definitions": r"def check_choice\b",
        "float_dtype helper definitions": r"def \w*float_dtype\w*\(",
        "top-k kernels outside _array_api (topk / argpartition calls)": (
            r"\b(topk|argpartition)\("
        ),
        "is_numpy_namespace branches outside _array_api": r"is_numpy_namespace\(",
        "docstring examples importing private paths": (
            r">>> (from balancekit(\.\w+)*\._\w+ import|import balancekit(\.\w+)*\._)"
        ),
        "_parameter_constraints mentions": r"_parameter_constraints",
    }
    for label, pattern in checks.items():
        paths = package
        if "outside _array_api" in label:
            paths = [p for p in package if not rel[p].endswith("_array_api.py")]
        found = grep(paths, pattern)
        print(f"\n{label}: {sum(found.values())} in {len(found)} files")

    totals = [annotated_parameters(p) for p in package]
    annotated = sum(t for t, _ in totals)
    any_count = sum(a for _, a in totals)
    share = any_count / annotated if annotated else 0.0
    print(
        f"\nannotated parameters: {annotated}; annotated `Any`: {any_count} "
        f"({share:.0%})"
    )

    counts = [comment_lines(p) for p in package]
    comments = sum(c for c, _ in counts)
    code = sum(k for _, k in counts)
    print(
        f"\ncomment lines per 1,000 code lines (balancekit/): "
        f"{1000 * comments / code:.1f} ({comments} / {code})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
