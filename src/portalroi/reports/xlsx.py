"""Writing workbooks: a file that cannot be created is an :class:`OSError` naming it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["close_workbook"]


def close_workbook(workbook: Any, path: Path | str) -> None:
    """Close (write) an XlsxWriter ``workbook``; raise :class:`OSError` with ``path`` when the
    file cannot be created (a missing folder, a folder, no permission).

    XlsxWriter writes the file only when the workbook closes, and reports a failure as its own
    ``FileCreateError``, which callers would otherwise have to know about.

    Examples
    --------
    >>> import tempfile, xlsxwriter
    >>> missing = Path(tempfile.mkdtemp()) / "no-such-folder" / "x.xlsx"
    >>> close_workbook(xlsxwriter.Workbook(str(missing)), missing)
    Traceback (most recent call last):
    ...
    FileNotFoundError: [Errno 2] No such file or directory: ...
    """
    from xlsxwriter.exceptions import FileCreateError

    try:
        workbook.close()
    except FileCreateError as exc:
        cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
        if cause is not None:
            raise type(cause)(cause.errno, cause.strerror, str(path)) from None
        raise OSError(f"cannot write {path}: {exc}") from None
