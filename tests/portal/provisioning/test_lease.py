"""The subscriber lease in PostgreSQL: one holder, standbys that take over when its session ends,
and the fence that keeps a holder that lost it from writing (docs/decisions.md D19)."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from portal.provisioning.lease import Lease, LeaseLost, current_subscriber_lease
from portal.provisioning.models import EventCursor
from portal.provisioning.subscriber import DatabaseReplayStore
from tests.processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)
TOPIC = "/event/OrderProvisionRequested__e"


@pytest.fixture
def leases():
    """Leases made by the test (each a process in production), released at the end."""
    made: list[Lease] = []

    def make(**options) -> Lease:
        lease = Lease("test-lease", poll_seconds=0.1, **options)
        made.append(lease)
        return lease

    yield make
    for lease in made:
        lease.release()


def become_active(lease: Lease) -> None:
    assert lease.wait_until_active(threading.Event())
    assert lease.active


def standby_in_thread(lease: Lease) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=lease.wait_until_active, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def end_session(lease: Lease) -> None:
    """What PostgreSQL does when the holder's process dies or stays silent: its session ends."""
    state = current_subscriber_lease(lease.name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 20000)", [state.backend_pid])  # waits for it


def test_one_process_holds_the_lease_the_other_waits_and_takes_over_on_release(leases):
    first, second = leases(), leases()
    become_active(first)
    assert current_subscriber_lease("test-lease").held
    assert current_subscriber_lease("test-lease").holder == first.holder

    thread, stop = standby_in_thread(second)
    wait_for(lambda: second._db is not None, what="the standby to ask for the lease")
    assert thread.is_alive() and not second.active

    first_epoch = first.epoch
    first.release()
    thread.join(timeout=30)
    assert not thread.is_alive() and second.active
    assert second.epoch == first_epoch + 1
    state = current_subscriber_lease("test-lease")
    assert (state.holder, state.epoch, state.held) == (second.holder, second.epoch, True)


def test_a_holder_whose_session_ended_is_fenced_out_and_sees_it_lost(leases):
    old, new = leases(), leases()
    become_active(old)
    old_store = DatabaseReplayStore(TOPIC, old.check)
    old_store.save(b"\x00\x01")
    lost = []
    old.on_lost(lambda: lost.append(True))

    end_session(old)
    assert not current_subscriber_lease("test-lease").held
    become_active(new)

    with pytest.raises(LeaseLost):
        old_store.save(b"\x00\x02")  # a paused holder waking up: its write is refused
    assert bytes(EventCursor.objects.get(topic=TOPIC).replay_id) == b"\x00\x01"
    assert lost == [True] and not old.active
    assert not old.heartbeat()
    DatabaseReplayStore(TOPIC, new.check).save(b"\x00\x03")
    assert bytes(EventCursor.objects.get(topic=TOPIC).replay_id) == b"\x00\x03"


def test_the_holder_notices_its_session_ended_at_its_next_heartbeat(leases):
    lease = leases(lease_seconds=0.4)  # heartbeats every 0.1 s
    become_active(lease)
    assert lease.heartbeat()
    end_session(lease)
    wait_for(lambda: not lease.heartbeat(), what="the heartbeat to find the lease lost")
    with pytest.raises(LeaseLost):
        DatabaseReplayStore(TOPIC, lease.check).save(b"\x00\x01")
    assert not EventCursor.objects.exists()


def test_a_silent_holder_loses_the_lease_after_lease_seconds(leases):
    """A holder that stops querying (SIGSTOP, cut off) has its session ended by PostgreSQL's
    idle_session_timeout, so a standby takes over without it."""
    silent, standby = leases(lease_seconds=1), leases()
    become_active(silent)  # and never heartbeats again
    thread, stop = standby_in_thread(standby)
    thread.join(timeout=30)
    assert standby.active
    assert current_subscriber_lease("test-lease").holder == standby.holder
    assert not silent.heartbeat()


def test_a_new_holder_waits_for_the_old_holders_write_in_flight_and_then_sees_it(leases):
    """The fence's share lock: the takeover's epoch bump waits for the old holder's open
    transaction, so the new holder reads the cursor after that transaction's commit."""
    from django.db import transaction

    old, new = leases(), leases()
    become_active(old)
    old_store = DatabaseReplayStore(TOPIC, old.check)
    with transaction.atomic():
        with old_store.transaction():  # fenced: the lease row share-locked until the commit
            EventCursor.objects.create(topic=TOPIC, replay_id=b"\x00\x07")
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(backend_pid, 20000) FROM provisioning_subscriberlease "
                               "WHERE name = 'test-lease'")
            thread, stop = standby_in_thread(new)
            wait_for(lambda: _waiting_for_a_lock(), what="the new holder's bump to wait for the old transaction")
            assert not new.active
    thread.join(timeout=30)
    assert new.active and new.epoch == 2
    assert bytes(EventCursor.objects.get(topic=TOPIC).replay_id) == b"\x00\x07"


def _waiting_for_a_lock() -> bool:
    """Whether a session of this database waits for a lock (asked on a connection of its own:
    the test's is inside the transaction being waited for)."""
    db = connections.create_connection("default")
    try:
        with db.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")
            return cursor.fetchone()[0] > 0
    finally:
        db.close()
