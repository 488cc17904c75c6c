"""The app-state database: engine, sessions and migrations (Alembic, run at start).

SQLite by default (``sqlite:///portalroi-app.sqlite``, setting ``app_db_url``); any SQLAlchemy
URL such as ``postgresql+psycopg://user@host/db`` for a multi-process server.

Examples
--------
>>> import tempfile, pathlib
>>> url = f"sqlite:///{pathlib.Path(tempfile.mkdtemp()) / 'app.sqlite'}"
>>> db = AppDB(url)
>>> db.migrate()
>>> db.revision()
'0003'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import sessionmaker

from portalroi.errors import ConfigError, StoreError

__all__ = ["AppDB"]

_MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


class AppDB:
    """Engine and session factory of the app-state database.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///path`` or ``postgresql+psycopg://...``).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            kwargs: dict[str, Any] = {"future": True}
            if url.startswith("sqlite"):
                kwargs["connect_args"] = {"check_same_thread": False}
            else:
                kwargs["pool_pre_ping"] = True
            self.engine: Engine = create_engine(url, **kwargs)
        except Exception as exc:
            raise ConfigError(f"app_db_url {url!r} is not a usable database URL: {exc}") from exc
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent).

        Raises :class:`~portalroi.errors.StoreError` naming the database (password hidden)
        when it cannot be opened: a missing folder, a server that does not answer.
        """
        cfg = Config()
        cfg.set_main_option("script_location", str(_MIGRATIONS))
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            url = self.engine.url.render_as_string(hide_password=True)
            raise StoreError(f"cannot open the app database {url}: {exc.orig}") from exc

    def revision(self) -> str | None:
        """The schema revision the database is at (``None`` before the first migration)."""
        with self.engine.connect() as conn:
            rev: str | None = MigrationContext.configure(conn).get_current_revision()
            return rev

    @contextmanager
    def session(self) -> Iterator[OrmSession]:
        """A session that commits on success and rolls back on error."""
        with self._factory() as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
