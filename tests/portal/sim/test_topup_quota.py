"""A top-up's quota addition against Freebit's PA04-04, which has no idempotency key: sent once
under the request id as ``quotaCode``, never sent again blindly; after a lost answer the quota
history (PA05-02) settles it, and when nothing can tell, the top-up waits for staff (needs review),
who settle it in the admin. Faults come from the Freebit emulator's controls; nothing is patched."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal.sim import services
from portal.sim.models import TopUp
from tests.pages import main_of, messages_of, request_id_of
from tests.portal.sim.conftest import ALICE_VOICE, NUMBER_OF, ask_quote, confirm_topup, sim_page

pytestmark = pytest.mark.django_db
Status = TopUp.Status


@pytest.fixture(autouse=True)
def _settle(settings):
    settings.SIM_TOPUP_QUOTA_SETTLE_SECONDS = 120
    settings.SIM_TOPUP_QUOTA_MAX_SENDS = 2


def confirmed(browser, *, follow: bool = False):
    """The SIM page, the price, then the confirmed form: (the request id, the response)."""
    page = sim_page(browser, ALICE_VOICE)
    quote = ask_quote(browser, ALICE_VOICE, "1024", request_id_of(page))
    request_id = request_id_of(quote)
    return request_id, confirm_topup(browser, ALICE_VOICE, "1024", request_id, follow=follow)


def later(seconds: int):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds))


def test_the_quota_addition_carries_the_request_id_as_quota_code(providers, billing, customer_client):
    request_id, _ = confirmed(customer_client)

    [record] = providers.topups_for(request_id)
    assert (record.account, record.quota_mb, record.quota_code) == (NUMBER_OF[ALICE_VOICE], 1024, request_id)
    assert providers.calls("PA04-04") == 1 and providers.calls("PA05-02") == 0
    assert TopUp.objects.get().status == Status.APPLIED


def test_a_lost_answer_is_settled_from_the_quota_history_and_never_sent_again(providers, billing, customer_client):
    providers.lose_answer("PA04-04")  # Freebit adds the data; the portal gets a 504

    request_id, response = confirmed(customer_client, follow=True)

    topup = TopUp.objects.get()
    assert topup.status == Status.CHARGED and topup.quota_requested_at is not None
    assert len(providers.topups_for(request_id)) == 1, "Freebit did add it"
    assert ("warning", "Your payment went through; 1 GB will be added to your SIM within a few minutes. "
                       "You don't need to do anything.") in messages_of(response)

    services.topup_process(topup_id=topup.pk)  # at once: no need to wait for what the history shows

    topup.refresh_from_db()
    assert topup.status == Status.APPLIED and topup.quota_requests == 1
    assert providers.calls("PA04-04") == 1 and providers.calls("PA05-02") == 1
    assert len(providers.topups_for(request_id)) == 1, "added once"
    assert billing.calls("CapturePayment") == 1


def test_an_addition_not_in_the_history_is_sent_again_only_once_it_has_had_time_to_finish(
        providers, billing, customer_client):
    providers.fail("PA04-04")  # a 503 from the gateway: the portal cannot know that nothing was done

    request_id, _ = confirmed(customer_client)
    topup = TopUp.objects.get()
    assert providers.topups_for(request_id) == []

    services.topup_process(topup_id=topup.pk)
    topup.refresh_from_db()
    assert topup.status == Status.CHARGED and "not in the quota history yet" in topup.last_error
    assert providers.calls("PA04-04") == 1, "a lost call may still be under way: nothing is sent yet"

    with later(121):
        services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == Status.APPLIED and topup.quota_requests == 2
    assert providers.calls("PA04-04") == 2 and len(providers.topups_for(request_id)) == 1


def test_a_refusal_is_an_answer_nothing_was_added_and_nothing_is_left_to_settle(providers, billing,
                                                                                customer_client):
    page = sim_page(customer_client, ALICE_VOICE)  # cached while active
    providers.set_status(ALICE_VOICE, "suspended")
    quote = ask_quote(customer_client, ALICE_VOICE, "1024", request_id_of(page))

    confirm_topup(customer_client, ALICE_VOICE, "1024", request_id_of(quote))

    topup = TopUp.objects.get()
    assert topup.status == Status.FAILED and topup.quota_requested_at is None
    assert providers.calls("PA05-02") == 0


def test_a_history_that_cannot_be_read_stops_in_review_without_adding_twice(providers, billing, customer_client):
    providers.lose_answer("PA04-04")
    request_id, _ = confirmed(customer_client)
    providers.faults(malformed_rate=1.0, malformed_kind="html", actions=["PA05-02"])  # an answer nobody can read

    services.topup_process(topup_id=TopUp.objects.get().pk)

    topup = TopUp.objects.get()
    assert topup.status == Status.NEEDS_REVIEW and topup.is_done
    assert "quota history cannot tell" in topup.last_error
    assert providers.calls("PA04-04") == 1 and len(providers.topups_for(request_id)) == 1
    page = main_of(sim_page(customer_client, ALICE_VOICE))
    assert "needs review" in page.lower(), "the SIM page lists the top-up as needing review"
    services.topup_process(topup_id=topup.pk)  # nothing happens by itself any more
    assert providers.calls("PA04-04") == 1


def test_attempts_running_out_with_the_outcome_unknown_stop_in_review(providers, billing, customer_client, settings):
    settings.SIM_TOPUP_MAX_ATTEMPTS = 3
    providers.fail("PA04-04")
    confirmed(customer_client)
    providers.fail("PA05-02", times=None)  # the history keeps failing

    topup = TopUp.objects.get()
    for _ in range(2):
        services.topup_process(topup_id=topup.pk)

    topup.refresh_from_db()
    assert topup.status == Status.NEEDS_REVIEW and topup.attempts == 3
    assert providers.calls("PA04-04") == 1
    level, text = services.topup_message(topup)
    assert level == "warning" and "you will not be charged twice" in text


def test_no_more_than_the_allowed_sends(providers, billing, customer_client, settings):
    settings.SIM_TOPUP_QUOTA_SETTLE_SECONDS = 0
    settings.SIM_TOPUP_QUOTA_MAX_SENDS = 1
    providers.fail("PA04-04")
    confirmed(customer_client)

    services.topup_process(topup_id=TopUp.objects.get().pk)

    topup = TopUp.objects.get()
    assert topup.status == Status.NEEDS_REVIEW and "never seen added" in topup.last_error
    assert providers.calls("PA04-04") == 1


# -- staff review in the admin ------------------------------------------------------------------------


@pytest.fixture
def needs_review(providers, billing, customer_client):
    """A top-up in review whose data Freebit did not add (the call failed at the gateway)."""
    providers.fail("PA04-04")
    request_id, _ = confirmed(customer_client)
    providers.faults(malformed_rate=1.0, malformed_kind="html", actions=["PA05-02"])
    topup = TopUp.objects.get()
    services.topup_process(topup_id=topup.pk)
    providers.clear_faults()
    topup.refresh_from_db()
    assert topup.status == Status.NEEDS_REVIEW and providers.topups_for(request_id) == []
    return topup


def act(admin_client, action: str, topup: TopUp):
    return admin_client.post(reverse("admin:sim_topup_changelist"),
                             {"action": action, "_selected_action": [topup.pk]}, follow=True)


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_add_the_data_once(needs_review, providers, admin_client, staff_user,
                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the queued attempt runs (in-process tasks)
        response = act(admin_client, "review_add_once", needs_review)

    assert response.status_code == 200
    needs_review.refresh_from_db()
    assert needs_review.status == Status.APPLIED
    assert (needs_review.review_outcome, needs_review.reviewed_by) == (TopUp.ReviewOutcome.ADD_ONCE, staff_user)
    assert len(providers.topups_for(needs_review.request_id)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        act(admin_client, "review_add_once", needs_review)  # a second click decides nothing
    assert len(providers.topups_for(needs_review.request_id)) == 1


def test_staff_confirm_the_data_was_added(needs_review, providers, admin_client):
    act(admin_client, "review_confirmed_added", needs_review)

    needs_review.refresh_from_db()
    assert needs_review.status == Status.APPLIED and needs_review.quota_requested_at is None
    assert providers.calls("PA04-04") == 1, "nothing sent: staff saw it on Freebit"


def test_staff_refund_and_the_top_up_can_no_longer_be_retried(needs_review, providers, admin_client):
    act(admin_client, "review_refund", needs_review)

    needs_review.refresh_from_db()
    assert needs_review.status == Status.FAILED and needs_review.review_outcome == TopUp.ReviewOutcome.REFUND
    act(admin_client, "retry", needs_review)
    needs_review.refresh_from_db()
    assert needs_review.status == Status.FAILED
    assert providers.calls("PA04-04") == 1
