"""One active Platform Event subscriber: a lease in PostgreSQL (docs/decisions.md D19, docs/pubsub.md).

Every subscriber process asks for the lease on a connection of its own (not Django's): a
**session-level advisory lock** (``pg_try_advisory_lock``). The one that gets it is active; the
others are hot standbys that ask again every ``SUBSCRIBER_STANDBY_POLL_SECONDS``. The lock belongs
to the holder's database session, so PostgreSQL releases it when that session ends:

- the holder is killed (SIGKILL, a crash): its socket closes, the session ends at once;
- the holder is paused or cut off: its lease session runs with ``idle_session_timeout`` =
  ``SUBSCRIBER_LEASE_SECONDS`` and the holder runs a query on it four times in that period, so a
  holder that stops doing so loses its session, and the lock, after that long.

**Fencing.** Taking the lease bumps ``SubscriberLease.epoch`` (the fencing token). Every write the
subscriber makes (a job and the cursor, a checkpoint) is done in a transaction that first reads
the epoch ``FOR SHARE`` and goes ahead only if it is still the one this holder got
(:meth:`Lease.check`). The next holder's bump waits for those transactions and each later one
sees the new epoch, so an old holder that wakes up after losing the lease cannot write; and the
new holder reads the cursor only after its bump, so it resumes after everything the old one
committed. A paused holder cannot block the bump for long either: the fenced transactions run
with ``idle_in_transaction_session_timeout`` = ``SUBSCRIBER_LEASE_SECONDS``.

Which process is active: :func:`current_subscriber_lease` (``manage.py subscriber_lease``).
Databases other than PostgreSQL (the demo's SQLite, one process) have no lease: always active.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connection, connections

from domain.shared import clock

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = zlib.crc32(b"portal:subscriber-lease") & 0x7FFFFFFF
"""The first key of the two-key advisory lock; the second is the lease's name's."""
TABLE = "provisioning_subscriberlease"


class LeaseLost(Exception):  # noqa: N818 - a state, not a programming error
    """This process no longer holds the subscriber lease: it must not write."""

    expected = True  # the Pub/Sub client logs it on one line, without a traceback


def lock_keys(name: str) -> tuple[int, int]:
    return LOCK_NAMESPACE, zlib.crc32(name.encode()) & 0x7FFFFFFF


def holder_name() -> str:
    """Who this process is, in the logs, the lease row and ``pg_stat_activity``."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    """The subscriber lease, as one process sees it: ``wait_until_active`` (standby until then),
    ``heartbeat`` (active: still held?), ``check`` (the fence in write transactions), ``release``.

    The lease connection is used by one thread only (the one running the subscriber); ``check``
    runs on the writing thread's own Django connection, and ``mark_lost`` from any thread."""

    def __init__(self, name: str | None = None, *, lease_seconds: float | None = None,
                 poll_seconds: float | None = None) -> None:
        self.name = name or settings.SUBSCRIBER_LEASE_NAME
        self.lease_seconds = lease_seconds or settings.SUBSCRIBER_LEASE_SECONDS
        self.poll_seconds = poll_seconds or settings.SUBSCRIBER_STANDBY_POLL_SECONDS
        self.keys = lock_keys(self.name)
        self.holder = holder_name()
        self.epoch: int | None = None
        self._db = None  # the lease session: a DatabaseWrapper of its own
        self._lost = threading.Event()
        self._on_lost: list = []
        self._next_heartbeat = 0.0

    @property
    def heartbeat_seconds(self) -> float:
        return self.lease_seconds / 4

    @property
    def active(self) -> bool:
        return self.epoch is not None and not self._lost.is_set()

    # -- standby -> active ---------------------------------------------------------------------
    def wait_until_active(self, stop: threading.Event) -> bool:
        """Block until this process holds the lease (True) or ``stop`` is set (False)."""
        said_standby = False
        while not stop.is_set():
            try:
                if self._try_acquire():
                    return True
                if not said_standby:
                    current = current_subscriber_lease(self.name, using=self._db)
                    logger.info("platform event subscriber is STANDBY: lease %s held by %s; taking over when it "
                                "is released", self.name, current.describe() if current else "another process")
                    said_standby = True
            except DatabaseError as exc:
                logger.warning("subscriber lease %s: the database did not answer (%s); trying again", self.name, exc)
                self._close()
            stop.wait(self.poll_seconds)
        return False

    def _try_acquire(self) -> bool:
        db = self._session()
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", self.keys)
            if not cursor.fetchone()[0]:
                return False
            # The fencing token: waits for the old holder's fenced transactions still open.
            cursor.execute(
                f"INSERT INTO {TABLE} (name, epoch, holder, backend_pid, acquired_at) "  # noqa: S608 - a constant
                "VALUES (%s, 1, %s, pg_backend_pid(), %s) ON CONFLICT (name) DO UPDATE SET "
                f"epoch = {TABLE}.epoch + 1, holder = EXCLUDED.holder, backend_pid = EXCLUDED.backend_pid, "
                "acquired_at = EXCLUDED.acquired_at RETURNING epoch, backend_pid",
                [self.name, self.holder, clock.now()])
            self.epoch, backend_pid = cursor.fetchone()
        self._lost.clear()
        self._next_heartbeat = time.monotonic() + self.heartbeat_seconds
        logger.info("platform event subscriber is ACTIVE: lease %s epoch %s taken by %s (database session %s)",
                    self.name, self.epoch, self.holder, backend_pid)
        return True

    # -- active ----------------------------------------------------------------------------------
    def heartbeat(self) -> bool:
        """While active, call this often (it queries at most every ``lease_seconds / 4``): False
        once the lease is lost (the session was ended, or a fence found a newer holder)."""
        if self._lost.is_set():
            return False
        if time.monotonic() < self._next_heartbeat:
            return True
        try:
            with self._session().cursor() as cursor:
                cursor.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                    "AND classid = %s AND objid = %s AND objsubid = 2 AND granted)", self.keys)
                held = cursor.fetchone()[0]
        except DatabaseError as exc:
            self._close()
            self.mark_lost(f"its database session ended ({exc})".strip())
            return False
        if not held:
            self.mark_lost("its advisory lock is gone")
            return False
        self._next_heartbeat = time.monotonic() + self.heartbeat_seconds
        return True

    def on_lost(self, callback) -> None:
        """``callback()`` runs (once) when the lease is found lost, from whichever thread finds it."""
        self._on_lost.append(callback)

    def mark_lost(self, reason: str) -> None:
        if self._lost.is_set():
            return
        self._lost.set()
        logger.error("platform event subscriber LOST the lease %s (epoch %s): %s; stopping its subscriptions",
                     self.name, self.epoch, reason)
        for callback in self._on_lost:
            callback()

    def check(self) -> None:
        """The fence: call inside the transaction that writes (Django's connection of this thread).
        Raises :class:`LeaseLost` unless the lease row still has this holder's epoch; the row stays
        share-locked until the transaction ends, so a new holder cannot take over in between."""
        if not self.active:
            raise LeaseLost(f"lease {self.name} is not held by {self.holder}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                           [str(int(self.lease_seconds * 1000))])
            cursor.execute(f"SELECT epoch FROM {TABLE} WHERE name = %s FOR SHARE", [self.name])  # noqa: S608
            row = cursor.fetchone()
        if row is None or row[0] != self.epoch:
            self.mark_lost(f"a newer holder has epoch {row[0] if row else None}")
            raise LeaseLost(f"lease {self.name} was taken over (epoch {row[0] if row else None}, ours {self.epoch})")

    def release(self) -> None:
        """Give the lease up (a clean stop): closing the session releases the lock at once."""
        if self.epoch is not None and not self._lost.is_set():
            logger.info("platform event subscriber released the lease %s (epoch %s)", self.name, self.epoch)
        self.epoch = None
        self._close()

    # -- the lease session -----------------------------------------------------------------------
    def _session(self):
        if self._db is None:
            db = connections.create_connection("default")
            options = dict(db.settings_dict.get("OPTIONS") or {})
            # The client notices a dead server too; the server side is the idle timeout below.
            options.update(keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=3,
                           application_name=f"portal subscriber lease {self.holder}"[:63])
            db.settings_dict = {**db.settings_dict, "OPTIONS": options, "CONN_MAX_AGE": None}
            db.ensure_connection()
            with db.cursor() as cursor:
                cursor.execute("SELECT set_config('idle_session_timeout', %s, false)",
                               [str(int(self.lease_seconds * 1000))])
            self._db = db
        return self._db

    def _close(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            try:
                db.close()
            except DatabaseError:
                pass


class NoLease:
    """Databases without advisory locks (the demo's SQLite, one process): always active."""

    name = "none"
    epoch = None
    active = True

    def wait_until_active(self, stop: threading.Event) -> bool:
        logger.info("platform event subscriber is ACTIVE without a lease (%s database: run one subscriber only)",
                    connection.vendor)
        return not stop.is_set()

    def heartbeat(self) -> bool:
        return True

    def on_lost(self, callback) -> None:
        pass

    def check(self) -> None:
        pass

    def release(self) -> None:
        pass


def subscriber_lease() -> Lease | NoLease:
    """The lease for this deployment's database (settings)."""
    return Lease() if connection.vendor == "postgresql" else NoLease()


@dataclass(frozen=True)
class LeaseState:
    """Who took the lease last, and whether they still hold it."""

    name: str
    holder: str
    """``host:pid`` of the process that took it."""
    epoch: int
    acquired_at: datetime
    backend_pid: int
    held: bool
    """The holder's lease session still holds the advisory lock: it is the active subscriber."""

    def describe(self) -> str:
        state = "active" if self.held else "gone (no active subscriber until a standby takes over)"
        return f"{self.holder} (epoch {self.epoch}, since {self.acquired_at.isoformat()}, {state})"


def current_subscriber_lease(name: str | None = None, *, using=None) -> LeaseState | None:
    """The lease's last holder and whether it holds it now (None: never taken, or not PostgreSQL)."""
    db = using or connection
    if db.vendor != "postgresql":
        return None
    name = name or settings.SUBSCRIBER_LEASE_NAME
    keys = lock_keys(name)
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT lease.name, lease.holder, lease.epoch, lease.acquired_at, lease.backend_pid, EXISTS ("  # noqa: S608
            " SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = lease.backend_pid"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = %s AND objid = %s AND objsubid = 2)"
            f" FROM {TABLE} AS lease WHERE lease.name = %s", [*keys, name])
        row = cursor.fetchone()
    return LeaseState(*row) if row else None
