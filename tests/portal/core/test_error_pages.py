import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.core.error_urls")]


def test_server_error_shows_a_friendly_page_without_internals(customer_client):
    customer_client.raise_request_exception = False

    response = customer_client.get("/boom/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    for internal in ("Traceback", "RuntimeError", "hunter2", "error_urls.py"):
        assert internal not in body


def test_not_found_is_friendly(customer_client):
    response = customer_client.get("/no/such/page/")

    assert response.status_code == 404
    assert "We can't find that page" in response.content.decode()


def test_forbidden_is_friendly_and_keeps_the_reason_private(customer_client):
    response = customer_client.get("/forbidden/")

    assert response.status_code == 403
    assert "You can't open this page" in response.content.decode()
    assert "rule 42" not in response.content.decode()


def test_responses_carry_the_security_headers(client):
    response = client.get("/login/")

    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_every_response_carries_a_correlation_id_and_honours_a_valid_one(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32

    given = "0f2b5c3a9d8e4f6a8b1c2d3e4f5a6b7c"
    assert client.get("/healthz", headers={"X-Request-ID": given})["X-Request-ID"] == given
    assert client.get("/healthz", headers={"X-Request-ID": "<script>"})["X-Request-ID"] != "<script>"
