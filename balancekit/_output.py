"""Writing command outputs safely: escaping data-derived text, atomic files, ``--out``.

Shared by ``balancekit bench`` and ``balancekit inspect``. Text that comes from a
user's data (file names, column names, labels, error messages) is escaped for the
output it reaches:

* :func:`csv_cell` - a CSV text cell never starts a spreadsheet formula;
* :func:`markdown_cell` - a Markdown table cell never breaks the table or injects HTML;
* :func:`terminal_text` - nothing printed moves the cursor, recolours or retitles the
  terminal (ANSI escapes and C0/C1 control characters are removed).

Files are written atomically (:func:`atomic_write`: a temporary file in the same
folder, then :func:`os.replace`), so a reader sees the old file or the new one, never
half of one. :func:`check_out_dir` checks an output folder before any work.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from os import PathLike
from pathlib import Path
from typing import IO, Any

__all__ = [
    "FolderInUse",
    "Interrupted",
    "atomic_write",
    "atomic_write_text",
    "check_out_dir",
    "csv_cell",
    "csv_uncell",
    "lock_folder",
    "markdown_cell",
    "terminal_text",
    "trap_signals",
]

#: Characters that make a spreadsheet read a cell as a formula (OWASP's list), plus
#: the quote itself, so :func:`csv_uncell` can undo :func:`csv_cell` exactly.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "'")

# ANSI escape sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), and the
# two-character ESC sequences; then every other C0/C1 control but newline and tab.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[@-_]?"
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV text cell: text starting like a formula gets a ``'``.

    Numbers and None pass unchanged. Undo with :func:`csv_uncell`.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(\\"http://x\\")"), csv_cell("-1+2"), csv_cell("yeast4")
    ('\\'=HYPERLINK("http://x")', "'-1+2", 'yeast4')
    >>> csv_cell(-0.5)
    -0.5
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_uncell(text: str) -> str:
    """The text :func:`csv_cell` escaped.

    Examples
    --------
    >>> csv_uncell(csv_cell("=1+1")), csv_uncell(csv_cell("'quoted"))
    ('=1+1', "'quoted")
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def markdown_cell(value: Any) -> str:
    """``value`` as the text of one Markdown table cell (or heading, or list item).

    ``|`` is escaped, line breaks become spaces, HTML's ``&``, ``<`` and ``>`` become
    entities, and control characters are removed.

    Examples
    --------
    >>> markdown_cell("a|b<script>&\\nc")
    'a\\\\|b&lt;script&gt;&amp; c'
    """
    text = terminal_text(str(value)).replace("\r\n", " ").replace("\n", " ")
    text = text.replace("\t", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def terminal_text(text: str) -> str:
    """``text`` without ANSI escape sequences or control characters (but ``\\n``,
    ``\\t``): safe to print.

    Examples
    --------
    >>> terminal_text("\\x1b[31mred\\x1b[0m \\x1b]0;title\\x07ok\\x07\\x9b2J!")
    'red ok!'
    """
    return _CONTROLS.sub("", _ANSI.sub("", text))


def check_out_dir(path: str | PathLike[str], option: str = "--out") -> Path:
    """Check that ``path`` is, or can become, a writable folder; returns it.

    Nothing is created. The message is one line naming ``option``.

    Raises
    ------
    ValueError
        When ``path`` is a file, sits under a file, or its folder is not writable.

    Examples
    --------
    >>> import tempfile, os
    >>> folder = tempfile.mkdtemp()
    >>> check_out_dir(os.path.join(folder, "new", "deeper")).name
    'deeper'
    >>> open(os.path.join(folder, "f"), "w").close()
    >>> check_out_dir(os.path.join(folder, "f"))
    Traceback (most recent call last):
    ...
    ValueError: --out ... is a file, not a folder; give a folder name.
    """
    out = Path(path)
    if str(path) == "":
        raise ValueError(f"{option} is empty; give a folder name.")
    if out.exists() and not out.is_dir():
        raise ValueError(
            f"{option} {terminal_text(str(out))!r} is a file, not a folder; give a "
            "folder name."
        )
    existing = out
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise ValueError(
            f"{option} {terminal_text(str(out))!r} lies under "
            f"{terminal_text(str(existing))!r}, which is a file, not a folder."
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        where = "" if existing == out else f" (its nearest existing parent {existing})"
        raise ValueError(
            f"{option} {terminal_text(str(out))!r}{terminal_text(where)} is not "
            "writable; choose another folder."
        )
    return out


@contextlib.contextmanager
def atomic_write(
    path: str | PathLike[str], mode: str = "w", **open_kwargs: Any
) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path``; on success it replaces ``path``.

    On an exception (or an interrupt) the temporary file is removed and ``path`` is
    untouched: readers see the old file or the complete new one.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "out.txt")
    >>> with atomic_write(path) as handle:
    ...     _ = handle.write("done\\n")
    >>> open(path).read()
    'done\\n'
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        with os.fdopen(handle, mode, **open_kwargs) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: str | PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path.

    Examples
    --------
    >>> import tempfile, os
    >>> path = atomic_write_text(os.path.join(tempfile.mkdtemp(), "a.md"), "# hi\\n")
    >>> path.read_text()
    '# hi\\n'
    """
    with atomic_write(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    return Path(path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; ``exit_code`` is 128 + the signal number.

    A ``BaseException`` like :class:`KeyboardInterrupt`, so ``except Exception``
    blocks (a failing strategy is a result) let it through.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum
        self.name = signal.Signals(signum).name


@contextlib.contextmanager
def trap_signals() -> Iterator[Callable[[], None]]:
    """Turn SIGINT and SIGTERM into :class:`Interrupted` inside the block.

    Yields a function that makes both signals ignored (for the last writes after an
    interrupt, so a second Ctrl-C cannot cut them); the previous handlers come back
    when the block exits.
    """

    def raise_interrupted(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    def ignore() -> None:
        for signum in previous:
            signal.signal(signum, signal.SIG_IGN)

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, raise_interrupted)
    try:
        yield ignore
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


class FolderInUse(ValueError):
    """Another process holds the output folder's lock."""


def lock_folder(path: str | PathLike[str], name: str) -> IO[Any] | None:
    """Take the advisory lock ``path/name`` for this process; returns its handle
    (keep it open while writing; closing it, or the process ending however it ends,
    releases the lock). None where there is no ``fcntl`` (Windows).

    Raises
    ------
    FolderInUse
        When another process holds the lock.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> handle = lock_folder(folder, ".lock")
    >>> lock_folder(folder, ".lock")
    Traceback (most recent call last):
    ...
    balancekit._output.FolderInUse: ... is in use by another run; ...
    >>> handle.close()
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no lock
        return None
    handle = open(Path(path) / name, "a+")  # noqa: SIM115 - held by the caller
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise FolderInUse(
            f"{terminal_text(str(path))} is in use by another run; wait for it to "
            "finish or choose another folder."
        ) from None
    return handle
