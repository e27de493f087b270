"""Writing output files so that a failed write never leaves a half-written file behind."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from geo.errors import OutputWriteError

__all__ = ["write_atomic"]


def write_atomic(path: Path | str, content: str | bytes | Callable[[Path], object]) -> Path:
    """Write *path* through a temporary file beside it and a rename.

    A write that fails (full disk, an exception in *content*) leaves the old file as it was
    and no temporary file behind.

    Parameters
    ----------
    path : Path or str
        File to write; its folder is created when missing.
    content : str, bytes or callable
        Text (written as UTF-8), bytes, or a function called with the temporary file's path
        that writes it (for writers such as ``DataFrame.to_csv`` or ``Document.save``).

    Returns
    -------
    Path
        *path*.

    Raises
    ------
    OutputWriteError
        When the folder is read-only or the disk is full (the old file is kept).
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix, dir=path.parent)
    except OSError as exc:
        raise _write_error(path, exc) from None
    try:
        if callable(content):
            os.close(fd)
            content(Path(tmp))
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; outputs are meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        if exc.errno not in _CANNOT_WRITE:
            raise
        raise _write_error(path, exc) from None
    finally:
        Path(tmp).unlink(missing_ok=True)
    return path


_CANNOT_WRITE = {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT}


def _write_error(path: Path, exc: OSError) -> OutputWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
        fix = "Free some space and run the command again"
    else:
        why = f"the folder {path.parent} is read-only ({exc.strerror})"
        fix = (
            "Make it writable, write the output elsewhere (--out where the command has it), "
            "or copy the project folder somewhere writable"
        )
    return OutputWriteError(f"{path}: cannot write it: {why}; no file was changed. {fix}.")
