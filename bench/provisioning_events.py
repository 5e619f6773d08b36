"""Deliver order-provisioning events the way the Platform Event subscriber does, in a process of
the portal (run by ``bench.scenarios.provisioning`` with the portal's environment).

Reads ``[{"order_id", "key", "event_id"}, ...]`` as JSON on stdin; for each event calls
``provisioning_request`` in its own transaction (the subscriber's, where its replay cursor would
move too), so the job is queued to the Celery broker when that commits. Prints
``{"created": n, "duplicates": n, "errors": [...], "seconds": s}`` as JSON.
"""
import json
import sys
import time


def main() -> int:
    import django

    django.setup()
    from django.db import transaction

    from portal.provisioning.services import provisioning_request

    events = json.load(sys.stdin)
    created = duplicates = 0
    errors: list[str] = []
    started = time.perf_counter()
    for event in events:
        try:
            with transaction.atomic():
                _, is_new = provisioning_request(order_id=event["order_id"], idempotency_key=event["key"],
                                                 event_id=event["event_id"])
        except Exception as exc:  # reported, not raised: the bench prints what went wrong
            errors.append(f"{event['key']}: {type(exc).__name__}: {exc}")
            continue
        created += is_new
        duplicates += not is_new
    json.dump({"created": created, "duplicates": duplicates, "errors": errors[:20], "error_count": len(errors),
               "seconds": round(time.perf_counter() - started, 2)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
