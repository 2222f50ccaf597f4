"""The workspace database: the one place that opens SQLite connections and holds the write lock.

Many processes (kernels, scripts, servers, supervisors) write one workspace at once, so:
- WAL lets readers run beside a writer, and a busy timeout makes a second writer wait instead of failing;
- every write transaction starts with BEGIN IMMEDIATE, so a transaction that reads before it writes is never
  refused an upgrade to the write lock (the one case a busy timeout cannot cure: "database is locked");
- within a process, one writer connection serves every thread, one transaction at a time (`write()`), and each
  thread reads on a connection of its own (`read()`) with no process-wide lock: a slow search never holds up the
  metric writer, and the metric writer never holds up a search.

A `write()` inside a `write()` joins the outer transaction, and a `read()` inside a `write()` reads on the write
connection, so a unit of work sees its own changes. Repositories get the Database and pass the connection that
`read()`/`write()` yields to their private helpers; nothing outside this module touches a connection's state.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

BUSY_TIMEOUT_S = 60.0


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are begun here (BEGIN IMMEDIATE / BEGIN), never implicitly by sqlite3.
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
    _enable_wal(conn)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switching a new file to WAL needs a moment alone with it; a racing opener just tries again."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        except sqlite3.OperationalError:
            mode = None
        if mode == "wal":
            return
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch the workspace database to WAL mode")
        time.sleep(0.01)


class _Reader:
    """A thread's read connection, closed when the thread (and so its thread-local holder) is gone.

    Not at interpreter exit: atexit hooks registered earlier (the SDK ends the runs this process owns) run after
    the finalizers' own hook and still read; the process's end closes the connection anyway."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        conn.execute("PRAGMA query_only=ON")
        self.conn = conn
        weakref.finalize(self, conn.close).atexit = False


class Database:
    """The connections of one workspace database in this process. Thread-safe."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = _connect(path)
        self._write_lock = threading.RLock()
        self._write_depth = 0
        self._write_owner: int | None = None
        self._local = threading.local()
        # Weak: a thread that ends takes its connection with it (widgets start threads freely).
        self._readers: weakref.WeakSet[_Reader] = weakref.WeakSet()
        self._readers_lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction that holds the write lock from its first statement; committed when the
        outermost `write()` ends, rolled back if it raises."""
        with self._write_lock:
            if self._write_depth:
                self._write_depth += 1
                try:
                    yield self._writer
                finally:
                    self._write_depth -= 1
                return
            self._writer.execute("BEGIN IMMEDIATE")
            self._write_depth, self._write_owner = 1, threading.get_ident()
            try:
                yield self._writer
            except BaseException:
                if self._writer.in_transaction:
                    self._writer.execute("ROLLBACK")
                raise
            else:
                self._writer.execute("COMMIT")
            finally:
                self._write_depth, self._write_owner = 0, None

    @contextlib.contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """This thread's read connection, inside one read transaction (a consistent snapshot for every statement
        of the block); the write connection when this thread is inside `write()`."""
        if self._write_owner == threading.get_ident():
            yield self._writer
            return
        conn = self._reader()
        if conn.in_transaction:  # a read() inside a read(): same snapshot
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    def _reader(self) -> sqlite3.Connection:
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            if self._closed:
                raise sqlite3.ProgrammingError("the workspace database is closed")
            reader = _Reader(_connect(self.path))
            self._local.reader = reader
            with self._readers_lock:
                self._readers.add(reader)
        return reader.conn

    def data_version(self) -> int:
        """A number that changes whenever another connection (another process, or this process's readers, which
        never write) commits, never for this process's own writes: a cheap way to wait for another process's
        change without watching files."""
        with self._write_lock:
            return int(self._writer.execute("PRAGMA data_version").fetchone()[0])

    def backup(self, target: Path) -> None:
        """Copy the database into a new file `target` with SQLite's online backup, in one step: one read
        transaction, so the copy is a consistent snapshot while other processes go on writing (in WAL a reader
        never waits for them, and a copy made in several steps would restart at each of their commits)."""
        source = _connect(self.path)
        copy = sqlite3.connect(str(target))
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()

    def close(self) -> None:
        self._closed = True
        with self._readers_lock:
            readers, self._readers = list(self._readers), weakref.WeakSet()
        for reader in readers:
            reader.conn.close()
        with self._write_lock:
            self._writer.close()
