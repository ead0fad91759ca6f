"""Every Python example in docs/ runs, and prints what the page says it prints."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.S | re.M)


def _examples():
    for page in sorted(DOCS.glob("*.md")):
        text = page.read_text()
        blocks = list(FENCE.finditer(text))
        for i, block in enumerate(blocks):
            if block[1] != "python":
                continue
            expected = None
            if i + 1 < len(blocks):
                following = blocks[i + 1]
                between = text[block.end() : following.start()]
                if following[1] == "text" and not between.strip():
                    expected = following[2]
            line = text[: block.start()].count("\n") + 1
            yield pytest.param(block[2], expected, id=f"{page.name}:{line}")


@pytest.mark.parametrize(("code", "expected"), list(_examples()))
def test_example_runs_and_prints_what_the_page_says(code, expected):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<docs example>", "exec"), {"__name__": "__docs__"})
    if expected is not None:
        assert out.getvalue() == expected
