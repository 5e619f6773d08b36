"""portal.core.compiled: the per-request user query, compiled once, answers what the ORM answers."""
import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from portal.accounts.backends import CustomerBackend, user_with_customer
from portal.accounts.models import Customer
from portal.core.compiled import CompiledLookup

pytestmark = pytest.mark.django_db


def test_the_user_and_their_customer_come_back_as_the_orm_loads_them(customer_user, django_assert_num_queries):
    Customer.objects.filter(user=customer_user).update(known_iccids=["8981100000000000001"])
    expected = get_user_model().objects.select_related("customer").get(pk=customer_user.pk)

    with django_assert_num_queries(1):
        user = user_with_customer.first(customer_user.pk)
        customer = user.customer  # loaded with the user: no second query

    assert {f.attname: getattr(user, f.attname) for f in user._meta.concrete_fields} == {
        f.attname: getattr(expected, f.attname) for f in expected._meta.concrete_fields}
    assert customer.pk == expected.customer.pk
    assert customer.known_iccids == ["8981100000000000001"]  # the JSON column converted, as the ORM does
    assert user._state.adding is False and user._state.db == "default"


def test_a_user_without_a_customer_has_none_cached_and_no_extra_query(make_user, django_assert_num_queries):
    user = make_user(email="no-customer@example.com")
    with django_assert_num_queries(1):
        loaded = user_with_customer.first(user.pk)
        assert not hasattr(loaded, "customer")  # the reverse one-to-one is known empty, not queried


def test_an_unknown_id_is_none_and_the_backend_refuses_an_inactive_user(make_user):
    assert user_with_customer.first(987654) is None
    user = make_user(email="gone@example.com", is_active=False)
    assert CustomerBackend().get_user(user.pk) is None
    assert CustomerBackend().get_user(987654) is None


def test_a_signed_in_page_reads_the_user_and_customer_in_one_query(customer_client, customer_user):
    users, customers = get_user_model()._meta.db_table, Customer._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        response = customer_client.get("/account/")
        assert response.wsgi_request.user.customer.whmcs_client_id == customer_user.customer.whmcs_client_id

    assert response.status_code == 200
    reads = [q["sql"] for q in queries if f'FROM "{users}"' in q["sql"] or f'FROM "{customers}"' in q["sql"]]
    assert len(reads) == 1, reads  # Django's own backend would read the user, then the customer apart
    assert f'JOIN "{customers}"' in reads[0]


def test_a_query_with_more_than_its_one_parameter_is_refused():
    lookup = CompiledLookup(lambda pk: Customer.objects.filter(pk=pk, whmcs_client_id=5))
    with pytest.raises(ImproperlyConfigured):
        lookup.first(1)
    annotated = CompiledLookup(lambda pk: Customer.objects.annotate(n=Count("pk")).filter(pk=pk))
    with pytest.raises(ImproperlyConfigured):
        annotated.first(1)


def test_an_insert_stores_the_row_as_save_would_and_a_conflict_stores_nothing():
    from portal.core.compiled import CompiledInsert
    from portal.webhooks.models import WebhookEvent

    insert = CompiledInsert(WebhookEvent, unique_fields=("provider", "event_id"))
    row = WebhookEvent(event_id="evt_compiled", event_type="InvoicePaid", headers={"X-A": "1"}, body=b"{}",
                       remote_addr="2001:db8::1", client_id=7)
    assert insert.insert(row) is True and row.pk and row._state.adding is False

    stored = WebhookEvent.objects.get(pk=row.pk)
    assert (stored.headers, bytes(stored.body), stored.remote_addr, stored.client_id, stored.status) == (
        {"X-A": "1"}, b"{}", "2001:db8::1", 7, WebhookEvent.Status.RECEIVED)
    again = WebhookEvent(event_id="evt_compiled", event_type="Other", headers={}, body=b"[]")
    assert insert.insert(again) is False and again.pk is None
    assert WebhookEvent.objects.get(event_id="evt_compiled").event_type == "InvoicePaid"
