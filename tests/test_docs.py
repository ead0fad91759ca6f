"""Every Python example in docs/ runs, and prints what the page says it prints.

The blocks of a page run in order in one namespace, as a reader would run them. A page
whose optional dependency (torch, tensorflow, matplotlib, pandas, ...) is not installed
is skipped, naming the missing module, rather than failed.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def _examples(page: Path) -> list[tuple[int, str, str | None]]:
    """(line, code, expected output or None) of each python block of ``page``."""
    text = page.read_text()
    blocks = list(FENCE.finditer(text))
    examples = []
    for i, block in enumerate(blocks):
        if block[1] != "python":
            continue
        expected = None
        if i + 1 < len(blocks):
            following = blocks[i + 1]
            between = text[block.end() : following.start()]
            if following[1] == "text" and not between.strip():
                expected = following[2]
        examples.append((text[: block.start()].count("\n") + 1, block[2], expected))
    return examples


PAGES = [page for page in sorted(DOCS.glob("*.md")) if _examples(page)]


def _missing_module(error: BaseException) -> str | None:
    """The optional module whose absence caused ``error`` (or its causes), if any.

    A missing ``balancekit`` module is a bug, not an optional dependency: None.
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, ModuleNotFoundError) and current.name:
            top = current.name.split(".")[0]
            return None if top == "balancekit" else current.name
        current = current.__cause__ or current.__context__
    return None


def run_page(page: Path) -> None:
    """Run the page's examples in order; skip the page if a dependency is missing."""
    namespace: dict = {"__name__": "__docs__"}
    for line, code, expected in _examples(page):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        except ImportError as error:
            missing = _missing_module(error)
            if missing is None:
                raise
            pytest.skip(f"{page.name}:{line} needs the optional module {missing!r}")
        if expected is not None:
            assert out.getvalue() == expected, f"{page.name}:{line}"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_examples_run_and_print_what_the_page_says(page):
    run_page(page)


def test_page_with_a_missing_optional_dependency_is_skipped(tmp_path, monkeypatch):
    # None in sys.modules makes `import` raise ModuleNotFoundError, as if absent.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    page = tmp_path / "plots.md"
    page.write_text(
        "```python\nprint(1)\n```\n\n```text\n1\n```\n\n"
        "```python\nimport matplotlib.pyplot as plt\n```\n"
    )
    with pytest.raises(pytest.skip.Exception, match="'matplotlib"):
        run_page(page)


def test_page_with_a_broken_import_still_fails(tmp_path):
    # A missing balancekit module, or any other error, is a failure, not a skip.
    page = tmp_path / "broken.md"
    page.write_text("```python\nfrom balancekit import no_such_module_xyz\n```\n")
    with pytest.raises(ImportError):
        run_page(page)
    page.write_text("```python\nimport balancekit.no_such_module_xyz\n```\n")
    with pytest.raises(ModuleNotFoundError):
        run_page(page)
