"""``/api/v1/sims``: the list, details, usage (with its range checks), top-up and plan change."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from domain.shared import clock
from domain.shared.calendar import previous_month
from domain.shared.money import to_minor_units as minor
from domain.sim.types import DataQuota
from portal.sim.models import PlanChange, SimUsageDay, TopUp
from tests.portal.sim.conftest import (
    ALICE_DATA,
    ALICE_SIMS,
    ALICE_VOICE,
    ALICE_VOICE_5G,
    BOB_VOICE,
    SIM_BY_SERVICE,
)

pytestmark = pytest.mark.django_db

# DRF marks the request's transaction for rollback when it answers an error; the top-up view is
# not atomic, so it would mark the test's own transaction instead: tests of its refusals commit for
# real (the other views run in a savepoint of their own).
committing = pytest.mark.django_db(transaction=True)


def post_json(browser, path: str, body: dict):
    return browser.post(path, body, content_type="application/json")


def usage_points(rows) -> list[dict]:
    return [{"date": row.day.isoformat(), "used": {"mb": row.used_kb // 1024, "display": DataQuota(kb=row.used_kb)
                                                   .format()}} for row in rows]


def recorded(iccid: str, days, kb: int = 300_000) -> None:
    """Figures the portal recorded on earlier looks at the SIM."""
    for day in days:
        SimUsageDay.objects.create(iccid=iccid, day=day, used_kb=kb + day.day, read_at=timezone.now(), reads=1)


# -- reads -----------------------------------------------------------------------------------------


def test_the_list_holds_the_customers_sims(providers, customer_client):
    response = customer_client.get("/api/v1/sims")

    assert response.status_code == 200
    data = response.json()["data"]
    assert sorted(sim["iccid"] for sim in data) == sorted(ALICE_SIMS)
    by_iccid = {sim["iccid"]: sim for sim in data}
    assert by_iccid[ALICE_VOICE] == {"iccid": ALICE_VOICE, "service_id": SIM_BY_SERVICE[12].service_id,
                                     "product_name": "Mobile Voice 20 GB", "service_status": "Active"}
    assert providers.calls() == 0


def test_the_details_of_a_voice_sim(providers, customer_client):
    store, sim = providers.store, providers.sim(ALICE_VOICE)
    with time_machine.travel(timezone.now(), tick=False):  # the emulator's usage grows by the second
        store.advance(providers.app.now())  # its clock moves on a call: to this instant, as the API's call will
        total, remaining = store.month_quota_kb(sim, store.today), store.remaining_kb(sim)

        body = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}").json()

    assert body["stale"] is False
    data = body["data"]
    assert data == {
        "iccid": ALICE_VOICE, "msisdn": sim.msisdn, "status": "active", "plan_code": "MOB-VOICE-20G",
        "plan_name": "Mobile Voice 20 GB", "data_only": False, "sim_type": "eSIM", "eid": sim.eid,  # the demo's eSIM
        "remaining": {"mb": remaining // 1024, "display": DataQuota(kb=remaining).format()},
        "total": {"mb": total // 1024, "display": DataQuota(kb=total).format()},
        "usage_started": True, "used_percent": min(100, round((total - remaining) * 100 / total)),
        "activation_date": sim.activation_date.isoformat(),
        "voice_options": {"Call waiting": sim.voice["callWaiting"], "Voicemail": sim.voice["voiceMail"],
                          "International roaming": sim.voice["worldWing"]},
    }


def test_a_data_sim_has_no_voice_options(providers, customer_client):
    data = customer_client.get(f"/api/v1/sims/{ALICE_DATA}").json()["data"]

    assert data["data_only"] is True and data["voice_options"] == {}
    assert (data["sim_type"], data["eid"]) == ("Physical", None)


def test_usage_defaults_to_this_month_of_recorded_figures(providers, customer_client):
    today = clock.today()
    recorded(ALICE_VOICE, [today - timedelta(days=n) for n in range(1, 40)])

    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage")

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["iccid"], data["start"], data["end"]) == (ALICE_VOICE, today.replace(day=1).isoformat(),
                                                           today.isoformat())
    rows = SimUsageDay.objects.filter(iccid=ALICE_VOICE, day__gte=today.replace(day=1)).order_by("day")
    assert len(rows) == today.day, "the days recorded before and today's reading"
    assert data["points"] == usage_points(rows)
    total = sum(row.used_kb for row in rows)
    assert data["total_used"] == {"mb": total // 1024, "display": DataQuota(kb=total).format()}
    assert providers.calls("PA05-01") == 1


def test_usage_over_a_range_given(providers, customer_client):
    start, end = previous_month(clock.today())
    recorded(ALICE_VOICE, [start, start + timedelta(days=3), end])

    data = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage",
                               {"start": start.isoformat(), "end": end.isoformat()}).json()["data"]

    assert (data["start"], data["end"]) == (start.isoformat(), end.isoformat())
    assert data["points"] == usage_points(SimUsageDay.objects.filter(day__lte=end).order_by("day"))


def test_usage_of_62_days_is_accepted(providers, customer_client):
    today = clock.today()
    start = today - timedelta(days=61)
    recorded(ALICE_VOICE, [start, today - timedelta(days=1)])

    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage", {"start": start.isoformat()})

    assert response.status_code == 200
    assert len(response.json()["data"]["points"]) == 3


def test_freebit_down_the_usage_is_the_recorded_figures_marked_stale(providers, customer_client):
    yesterday = clock.today() - timedelta(days=1)
    recorded(ALICE_VOICE, [yesterday])
    providers.faults(error_rate=1.0, status=503)

    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage")

    assert response.status_code == 200
    assert response.json()["stale"] is True
    assert [point["date"] for point in response.json()["data"]["points"]] == (
        [yesterday.isoformat()] if yesterday.month == clock.today().month else [])


def bad_ranges():
    today = clock.today()
    return {
        "reversed": ({"start": today.isoformat(), "end": (today - timedelta(days=3)).isoformat()},
                     "range", f"the start date {today.isoformat()} is after the end date "
                              f"{(today - timedelta(days=3)).isoformat()}"),
        "too-long": ({"start": (today - timedelta(days=62)).isoformat(), "end": today.isoformat()},
                     "range", "a usage range may span at most 62 days; 63 were asked for"),
        "future-end": ({"start": today.isoformat(), "end": (today + timedelta(days=1)).isoformat()},
                       "range", f"the end date {(today + timedelta(days=1)).isoformat()} is in the future"),
        "future-start": ({"start": (today + timedelta(days=2)).isoformat(),
                          "end": (today + timedelta(days=5)).isoformat()},
                         "range", f"the end date {(today + timedelta(days=5)).isoformat()} is in the future"),
    }


@pytest.mark.parametrize("kind", ["reversed", "too-long", "future-end", "future-start"])
def test_a_bad_usage_range_is_a_400_naming_the_problem(providers, customer_client, kind):
    params, field, message = bad_ranges()[kind]

    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage", params)

    assert response.status_code == 400
    assert response.json() == {"message": "Validation error", "extra": {"fields": {field: [message]}}}
    assert providers.calls() == 0


@pytest.mark.parametrize("params", [{"start": "2026-13-01"}, {"start": "yesterday"}, {"end": "01/02/2026"},
                                    {"start": "2026-02-30"}, {"end": "2026-01-01T00:00:00"}])
def test_a_malformed_usage_date_is_a_400_on_its_field(providers, customer_client, params):
    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/usage", params)

    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "Validation error"
    [field] = params
    assert list(body["extra"]["fields"]) == [field]
    assert "Date has wrong format. Use one of these formats instead: YYYY-MM-DD." in body["extra"]["fields"][field]
    assert providers.calls() == 0


# -- top-up ----------------------------------------------------------------------------------------


def test_a_top_up_is_201_then_200_for_the_same_request_id(providers, billing, customer_client):
    request_id = str(uuid.uuid4())
    body = {"quota_mb": 1024, "request_id": request_id}

    first = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)
    again = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

    assert first.status_code == 201 and again.status_code == 200
    assert first.json() == again.json()
    data = first.json()["data"]
    [invoice] = billing.new_invoices()
    assert {key: data[key] for key in ("request_id", "iccid", "quota_mb", "amount", "currency", "status",
                                       "whmcs_invoice_id")} == {
        "request_id": request_id, "iccid": ALICE_VOICE, "quota_mb": 1024, "amount": 500, "currency": "JPY",
        "status": "applied", "whmcs_invoice_id": invoice.id}
    assert invoice.status == "Paid" and billing.calls("CapturePayment") == 1
    assert len(providers.topups_for(request_id)) == 1 and providers.calls("PA04-04") == 1
    assert TopUp.objects.get().amount == Decimal("500")


@committing
def test_a_top_up_out_of_bounds_is_a_400(providers, billing, customer_client):
    for quota_mb in (99, 51201, 0, -1024):
        response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up",
                             {"quota_mb": quota_mb, "request_id": str(uuid.uuid4())})

        assert response.status_code == 400, quota_mb
        fields = response.json()["extra"]["fields"]
        assert list(fields) == ["top_up"] and fields["top_up"][0], quota_mb
        if quota_mb in (99, 51201):
            assert fields == {"top_up": ["Choose from 100 MB to 50 GB."]}

    assert not TopUp.objects.exists()
    assert billing.calls("CreateInvoice") == 0 and providers.calls("PA04-04") == 0


@pytest.mark.parametrize("quota_mb", [100, 51200])
def test_the_bounds_themselves_are_accepted(providers, billing, customer_client, quota_mb):
    response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up",
                         {"quota_mb": quota_mb, "request_id": str(uuid.uuid4())})

    assert response.status_code == 201
    assert response.json()["data"]["status"] == "applied"


@committing
def test_a_malformed_top_up_is_a_400_on_its_field(providers, billing, customer_client):
    for body, field in (({"quota_mb": "lots", "request_id": "3f1d9c52-0b7e-4a8e-9a43-5c2f0e1d7b90"}, "quota_mb"),
                        ({"quota_mb": 1024, "request_id": "not-a-uuid"}, "request_id"),
                        ({"quota_mb": 1024}, "request_id"),
                        ({"request_id": "3f1d9c52-0b7e-4a8e-9a43-5c2f0e1d7b90"}, "quota_mb")):
        response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

        assert response.status_code == 400, body
        assert list(response.json()["extra"]["fields"]) == [field], body

    assert billing.calls("CreateInvoice") == 0 and not TopUp.objects.exists()


def test_a_top_up_unfinished_in_its_request_is_201_not_done_then_a_repeat_finishes_it(providers, billing,
                                                                                      customer_client):
    heal = billing.fail_action("CreateInvoice")
    body = {"quota_mb": 1024, "request_id": str(uuid.uuid4())}

    first = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

    assert first.status_code == 201
    data = first.json()["data"]
    assert (data["status"], data["done"], data["whmcs_invoice_id"]) == ("requested", False, None)
    assert data["message"] == ("We could not confirm your payment just now. We are checking and will add the data "
                               "once it is confirmed; you will not be charged twice.")
    heal()

    again = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

    assert again.status_code == 200
    [invoice] = billing.new_invoices()
    assert {key: again.json()["data"][key] for key in ("status", "done", "whmcs_invoice_id")} == {
        "status": "applied", "done": True, "whmcs_invoice_id": invoice.id}
    assert billing.calls("CapturePayment") == 1 and TopUp.objects.count() == 1


def test_a_repeat_while_the_first_request_is_still_at_work_is_202_with_its_state(providers, billing,
                                                                                 customer_client, customer_user):
    request_id = uuid.uuid4()
    topup = TopUp.objects.create(  # the first request holds it: it is inside CreateInvoice right now
        request_id=request_id, customer=customer_user.customer, iccid=ALICE_VOICE, quota_mb=1024,
        amount=Decimal("500"), currency="JPY", attempts=1, lease_until=timezone.now() + timedelta(minutes=1),
        invoice_requested_at=timezone.now(), invoice_requests=1)
    body = {"quota_mb": 1024, "request_id": str(request_id)}

    response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

    assert response.status_code == 202
    data = response.json()["data"]
    assert (data["request_id"], data["status"], data["done"]) == (str(request_id), "requested", False)
    assert billing.calls() == 0, "the repeat leaves the top-up to the request that holds it"
    topup.refresh_from_db()
    assert topup.attempts == 1

    TopUp.objects.filter(pk=topup.pk).update(lease_until=timezone.now() - timedelta(seconds=1))  # that request died
    after = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up", body)

    assert after.status_code == 200 and after.json()["data"]["status"] == "applied"
    assert len(billing.new_invoices()) == 1 and billing.calls("CapturePayment") == 1


def test_a_refused_card_is_201_failed_and_done_with_the_reason(providers, billing, customer_client):
    billing.remove_cards()

    response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up",
                         {"quota_mb": 1024, "request_id": str(uuid.uuid4())})

    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["status"], data["done"]) == ("failed", True)
    assert data["message"] == ("Your payment could not be taken, so nothing was charged or added. Please check your "
                               "payment method and try again.")
    [invoice] = billing.new_invoices()
    assert invoice.status == "Cancelled" and billing.payments_of(invoice.id) == []


@committing
def test_another_customers_request_id_is_refused(providers, billing, customer_client, bob_client):
    request_id = str(uuid.uuid4())
    assert post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/top-up",
                     {"quota_mb": 1024, "request_id": request_id}).status_code == 201

    response = post_json(bob_client, f"/api/v1/sims/{BOB_VOICE}/top-up", {"quota_mb": 1024, "request_id": request_id})

    assert response.status_code == 400
    assert response.json()["extra"]["fields"] == {"top_up": ["This form is no longer valid; please reload the page."]}
    assert billing.calls("CreateInvoice") == 1, "Bob was not charged"
    assert TopUp.objects.get().customer.whmcs_client_id != 1002


# -- plan change -----------------------------------------------------------------------------------
# The plan change view is not atomic (each step is recorded the moment it happens): its tests commit.


def plan_body(plan_code: str, immediate: bool = False, **extra) -> dict:
    return {"plan_code": plan_code, "immediate": immediate, "request_id": str(uuid.uuid4()), **extra}


@committing
def test_the_quote_answers_whmcs_price_and_changes_nothing(providers, billing, salesforce, customer_client):
    store = billing.store
    response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE_5G}/plan/quote",
                         {"plan_code": "MOB-VOICE-20G", "immediate": True})

    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["plan_code"], data["current_plan_code"], data["immediate"]) == ("MOB-VOICE-20G", "MOB-VOICE-5G", True)
    assert data["new_monthly"] == {"amount": minor(store.products[3].monthly_price, "JPY"), "currency": "JPY"}
    assert Decimal(data["charge_now"]["amount"]) > 0
    assert billing.new_invoices() == [] and providers.calls("PA05-21") == 0


@committing
def test_an_upgrade_now_answers_201_done_then_200_for_the_same_request_id(providers, billing, salesforce,
                                                                         customer_client):
    body = plan_body("MOB-VOICE-20G", immediate=True)

    first = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE_5G}/plan", body)
    second = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE_5G}/plan", body)

    assert (first.status_code, second.status_code) == (201, 200)
    data = first.json()["data"]
    [invoice] = billing.new_invoices()
    assert (data["status"], data["done"], data["cancellable"], data["whmcs_invoice_id"]) == ("done", True, False,
                                                                                           invoice.id)
    assert data["message"] == ("Your plan is now Mobile Voice 20 GB. The difference is on an invoice of its own, "
                               "already paid, in Billing.")
    assert billing.charges() == 1 and providers.sim(ALICE_VOICE_5G).plan_code == "MOB-VOICE-20G"
    assert billing.store.services[13].pid == 3
    assert customer_client.get(f"/api/v1/sims/{ALICE_VOICE_5G}").json()["data"]["plan_code"] == "MOB-VOICE-20G"


@committing
def test_a_change_from_next_month_is_scheduled_listed_and_cancelled(providers, billing, salesforce,
                                                                              customer_client):
    body = plan_body("MOB-VOICE-5G")

    created = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan", body)

    assert created.status_code == 201
    data = created.json()["data"]
    assert (data["status"], data["done"], data["cancellable"]) == ("scheduled", False, True)
    listed = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}/plan-changes").json()["data"]
    assert [c["request_id"] for c in listed] == [body["request_id"]]

    cancel = {"request_id": body["request_id"]}
    cancelled = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", cancel)

    assert cancelled.status_code == 200 and cancelled.json()["data"]["status"] == "cancelled"
    assert post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", cancel).status_code == 200
    assert billing.calls("UpgradeProduct") == 0 and providers.calls("PA05-21") == 0  # quotes only


@committing
def test_without_a_request_id_the_sims_waiting_change_is_cancelled(providers, billing, salesforce, customer_client):
    body = plan_body("MOB-VOICE-5G")
    nothing = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", {})
    post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan", body)

    cancelled = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", {})
    unknown = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", {"request_id": str(uuid.uuid4())})

    assert nothing.status_code == 404
    assert nothing.json() == {"message": "This SIM has no plan change waiting to be made.", "extra": {}}
    assert cancelled.status_code == 200 and cancelled.json()["data"]["request_id"] == body["request_id"]
    assert PlanChange.objects.get(request_id=body["request_id"]).status == PlanChange.Status.CANCELLED
    assert unknown.status_code == 404


@committing
def test_a_change_made_cannot_be_cancelled(providers, billing, salesforce, customer_client):
    body = plan_body("MOB-VOICE-20G", immediate=True)
    post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE_5G}/plan", body)

    response = post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE_5G}/plan/cancel",
                         {"request_id": body["request_id"]})

    assert response.status_code == 409
    assert response.json()["message"] == ("This plan change has already taken effect or is being made; it can no "
                                          "longer be cancelled.")


@committing
def test_another_customers_plan_change_is_a_404(providers, billing, salesforce, customer_client, bob_client):
    body = plan_body("MOB-VOICE-5G")
    post_json(customer_client, f"/api/v1/sims/{ALICE_VOICE}/plan", body)

    cancel = {"request_id": body["request_id"]}
    assert post_json(bob_client, f"/api/v1/sims/{BOB_VOICE}/plan/cancel", cancel).status_code == 404
    assert post_json(bob_client, f"/api/v1/sims/{ALICE_VOICE}/plan/cancel", cancel).status_code == 404
    assert PlanChange.objects.get(request_id=body["request_id"]).status == PlanChange.Status.SCHEDULED


@committing
@pytest.mark.parametrize(("iccid", "plan_code", "immediate", "message"), [
    (ALICE_DATA, "MOB-VOICE-5G", False, "MOB-VOICE-5G is a voice plan and this is a data-only SIM: data-only and "
                                        "voice SIMs cannot switch between each other."),
    (ALICE_VOICE, "MOB-DATA-10G", True, "MOB-DATA-10G is a data-only plan and this is a voice SIM: data-only and "
                                        "voice SIMs cannot switch between each other."),
    (ALICE_VOICE, "MOB-VOICE-20G", False, "This SIM is already on that plan."),
    (ALICE_VOICE, "MOB-VOICE-3G", False, "Please choose one of the plans offered."),
    (ALICE_VOICE, "ANYTHING", False, "Please choose one of the plans offered."),
    (ALICE_VOICE, "MOB-VOICE-5G", True, 'A cheaper plan starts on the first of next month: choose "From the first of '
                                        'next month" (this month is not refunded).'),
])
def test_a_change_the_sim_cannot_make_is_a_400_saying_why(providers, billing, salesforce, customer_client, iccid,
                                                          plan_code, immediate, message):
    for path in (f"/api/v1/sims/{iccid}/plan", f"/api/v1/sims/{iccid}/plan/quote"):
        response = post_json(customer_client, path, plan_body(plan_code, immediate))

        assert response.status_code == 400, path
        assert response.json()["extra"]["fields"] == {"plan_code": [message]}
    assert billing.new_invoices() == [] and billing.calls("CapturePayment") == 0
    assert providers.calls("PA05-21") == 0 and providers.sim(iccid).pending is None
    assert not PlanChange.objects.exists()


# -- outages ---------------------------------------------------------------------------------------


def test_freebit_down_with_nothing_cached_is_a_503_with_a_reference(providers, customer_client):
    providers.faults(error_rate=1.0, status=503)

    response = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    body = response.json()
    assert body["message"] == "Your SIM details are temporarily unavailable. Please try again shortly."
    assert body["extra"]["reference"]


def test_freebit_down_after_a_read_serves_the_last_copy_marked_stale(providers, customer_client, customer_user):
    from portal.core.cache import invalidate_customer

    first = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}").json()
    invalidate_customer(customer_user.pk)
    providers.faults(error_rate=1.0, status=503)

    again = customer_client.get(f"/api/v1/sims/{ALICE_VOICE}").json()

    assert again["stale"] is True and again["data"] == first["data"]
