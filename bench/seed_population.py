"""Give the portal's database the generated customers the emulators were started with, in a process
of the portal (run by ``bench.stack.Stack`` with the portal's environment, after ``seed_demo``).

``python -m bench.seed_population N``: the first N customers of ``sandbox.population``, each a
``User`` (their email, the published ``POPULATION_PASSWORD``) with a ``Customer`` linking the WHMCS
client and the Salesforce Account the emulators seeded for them. Argon2 costs a fraction of a
second per hash by design, so the password is hashed once with the configured hasher and that hash
(with its salt) stored for everyone: signing in checks it exactly as for any user. Rows are written
with ``bulk_create`` in batches. Prints ``{"users": n, "seconds": s}`` as JSON.
"""
import json
import sys
import time

BATCH = 2000


def main(argv: list[str]) -> int:
    import django
    from django.apps import apps

    if not apps.ready:  # setting up again would configure logging again (onto a test's captured stream)
        django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from portal.accounts.models import Customer, User
    from sandbox.population import POPULATION_PASSWORD, check_count, customers
    from sandbox.salesforce.ids import make_id

    count = check_count(int(argv[0]))
    started = time.perf_counter()
    password = make_password(POPULATION_PASSWORD)
    people = list(customers(count))
    with transaction.atomic():
        for start in range(0, count, BATCH):
            batch = people[start:start + BATCH]
            users = User.objects.bulk_create(
                User(email=person.email, first_name=person.first_name, last_name=person.last_name,
                     password=password, is_active=True)
                for person in batch)
            Customer.objects.bulk_create(
                Customer(user=user, salesforce_account_id=make_id("001", person.account_number),
                         whmcs_client_id=person.whmcs_client_id)
                for user, person in zip(users, batch, strict=True))
    json.dump({"users": count, "seconds": round(time.perf_counter() - started, 2)}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
