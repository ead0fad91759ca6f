"""Every Python example in docs/ runs, and prints what the page says it prints.

The blocks of a page run in order in one namespace, as a reader would run them.
"""

from __future__ import annotations

import contextlib
import io
import re
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


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_examples_run_and_print_what_the_page_says(page):
    namespace: dict = {"__name__": "__docs__"}
    for line, code, expected in _examples(page):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{page.name}:{line}", "exec"), namespace)
        if expected is not None:
            assert out.getvalue() == expected, f"{page.name}:{line}"
