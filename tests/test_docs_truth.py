"""The README and every docs page describe what is there today (issue 15).

Every dotted ``balancekit.*`` name a page mentions resolves to a module or an object;
no page says a part is missing or coming that exists (or the reverse); relative links
resolve. ``mkdocs build --strict`` (``make docs``) checks the links between pages.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Not a configuration key ("balancekit.max-gather-bytes"): no hyphen after the name.
DOTTED = re.compile(r"\bbalancekit(?:\.[A-Za-z_][A-Za-z0-9_]*)+(?![-\w])")
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
# Words that promise or deny a feature: a page states what exists now.
STALE = re.compile(
    r"not in this release|is coming|coming soon|will (?:handle|come|be added)|"
    r"this release has (?:one|two|three)",
    re.I,
)


def _resolves(dotted: str) -> bool:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(obj, name):
                return False
            obj = getattr(obj, name)
        return True
    return False


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_named_module_and_object_exists(page):
    import torch  # noqa: F401  (before tensorflow, see DESIGN.md)

    text = page.read_text()
    missing = sorted({name for name in DOTTED.findall(text) if not _resolves(name)})
    assert missing == [], f"{page.name} names what does not exist"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_no_page_says_a_feature_is_missing_or_coming(page):
    stale = [match.group(0) for match in STALE.finditer(page.read_text())]
    assert stale == [], f"{page.name}: describe what is there today"


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_relative_links_resolve(page):
    broken = []
    for target in LINK.findall(page.read_text()):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        if not (page.parent / target).exists():
            broken.append(target)
    assert broken == [], f"{page.name} links to missing files"


def test_the_stale_check_catches_the_old_index_page():
    old = "This release has two samplers, and TensorFlow (not in this release yet)."
    assert len(STALE.findall(old)) == 2
    assert not _resolves("balancekit.spark")
    assert _resolves("balancekit.metrics.StreamingScores.state_dict")


def test_commands_without_pandas_say_which_extra_to_install(monkeypatch, capsys):
    import balancekit.cli as cli

    monkeypatch.setattr(cli, "_has_module", lambda name: name != "pandas")
    assert cli.main(["inspect", "data.csv", "--target", "y"]) == 2
    assert "pip install 'balancekit[cli]'" in capsys.readouterr().err
