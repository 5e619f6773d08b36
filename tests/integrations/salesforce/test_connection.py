"""The Salesforce connection at the HTTP boundary: JWT bearer sign-in, session renewal, retries."""
import time
from urllib.parse import parse_qs

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from integrations.salesforce.connection import JWT_BEARER_GRANT, SalesforceConfig, SalesforceConnection
from integrations.salesforce.errors import (
    SalesforceApiError,
    SalesforceAuthError,
    SalesforceError,
    SalesforceNotFound,
    SalesforceTransportError,
)

LOGIN = "https://login.example.test"
INSTANCE = "https://acme.my.example.test"
QUERY_URL = f"{INSTANCE}/services/data/v62.0/query/"
TOKEN_URL = f"{LOGIN}/services/oauth2/token"


@pytest.fixture(scope="module")
def keypair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@pytest.fixture
def connection(keypair):
    config = SalesforceConfig(login_url=LOGIN, client_id="consumer-key", username="integration@acme.test",
                              private_key=keypair[0], max_attempts=3, backoff_base=0.001, backoff_max=0.01)
    return SalesforceConnection(config)


def token_ok(token="token-1"):
    return responses.Response(responses.POST, TOKEN_URL, json={
        "access_token": token, "instance_url": INSTANCE, "token_type": "Bearer", "scope": "api"})


@responses.activate
def test_signs_in_with_a_jwt_bearer_assertion_signed_by_the_private_key(connection, keypair):
    responses.add(token_ok())
    responses.get(QUERY_URL, json={"totalSize": 0, "done": True, "records": []})

    assert connection.query("SELECT Id FROM Organization") == {"totalSize": 0, "done": True, "records": []}

    form = parse_qs(responses.calls[0].request.body)
    assert form["grant_type"] == [JWT_BEARER_GRANT]
    claims = jwt.decode(form["assertion"][0], keypair[1], algorithms=["RS256"], audience=LOGIN)
    assert claims["iss"] == "consumer-key" and claims["sub"] == "integration@acme.test"
    assert 0 < claims["exp"] - time.time() <= 180
    assert responses.calls[1].request.headers["Authorization"] == "Bearer token-1"


@responses.activate
def test_the_session_is_reused(connection):
    responses.add(token_ok())
    responses.get(QUERY_URL, json={"totalSize": 0, "done": True, "records": []})

    connection.query("SELECT Id FROM Account")
    connection.query("SELECT Id FROM Account")

    assert [c.request.url.split("?")[0] for c in responses.calls].count(TOKEN_URL) == 1


@responses.activate
def test_an_expired_session_is_renewed_once_and_the_call_repeated(connection):
    responses.add(token_ok("token-1"))
    responses.add(token_ok("token-2"))
    responses.get(QUERY_URL, status=401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}])
    responses.get(QUERY_URL, json={"totalSize": 0, "done": True, "records": []})

    assert connection.query("SELECT Id FROM Account")["done"] is True
    auth = [c.request.headers.get("Authorization") for c in responses.calls if c.request.method == "GET"]
    assert auth == ["Bearer token-1", "Bearer token-2"]


@responses.activate
def test_a_session_refused_again_after_renewal_is_not_retried_forever(connection):
    responses.add(token_ok("token-1"))
    responses.add(token_ok("token-2"))
    responses.get(QUERY_URL, status=401, json=[{"errorCode": "INVALID_SESSION_ID", "message": "Session expired"}])

    with pytest.raises(SalesforceError):
        connection.query("SELECT Id FROM Account")
    assert len([c for c in responses.calls if c.request.method == "GET"]) == 2


@responses.activate
def test_a_rejected_assertion_is_a_typed_auth_error_without_the_key(connection, keypair):
    responses.post(TOKEN_URL, status=400, json={"error": "invalid_grant", "error_description": "invalid assertion"})

    with pytest.raises(SalesforceAuthError) as caught:
        connection.query("SELECT Id FROM Account")

    assert "invalid_grant: invalid assertion" in str(caught.value)
    assert "PRIVATE KEY" not in repr(caught.value) and "PRIVATE KEY" not in repr(connection.config)


@responses.activate
def test_reads_are_retried_on_5xx_and_network_errors(connection):
    responses.add(token_ok())
    responses.get(QUERY_URL, status=503, body="Service Unavailable")
    responses.get(QUERY_URL, body=requests.ConnectionError("reset"))
    responses.get(QUERY_URL, json={"totalSize": 1, "done": True, "records": [{"Id": "x"}]})

    assert connection.query("SELECT Id FROM Account")["totalSize"] == 1
    assert len([c for c in responses.calls if c.request.method == "GET"]) == 3


@responses.activate
def test_reads_give_up_after_max_attempts(connection):
    responses.add(token_ok())
    responses.get(QUERY_URL, status=500, body="oops")

    with pytest.raises(SalesforceTransportError):
        connection.query("SELECT Id FROM Account")
    assert len([c for c in responses.calls if c.request.method == "GET"]) == 3


@responses.activate
def test_writes_are_not_retried(connection):
    responses.add(token_ok())
    responses.post(f"{INSTANCE}/services/data/v62.0/composite/tree/Order", status=503, body="busy")

    with pytest.raises(SalesforceTransportError):
        connection.create_tree("Order", {"records": []})
    assert len([c for c in responses.calls if "composite" in c.request.url]) == 1


@responses.activate
def test_salesforce_errors_are_typed_and_not_retried(connection):
    responses.add(token_ok())
    responses.get(QUERY_URL, status=400, json=[{"errorCode": "MALFORMED_QUERY", "message": "unexpected token"}])
    responses.delete(f"{INSTANCE}/services/data/v62.0/sobjects/Order/801x", status=404,
                  json=[{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])

    with pytest.raises(SalesforceApiError) as caught:
        connection.query("SELECT")
    assert caught.value.error_codes == ("MALFORMED_QUERY",)
    assert len([c for c in responses.calls if "query" in c.request.url]) == 1
    with pytest.raises(SalesforceNotFound):
        connection.delete("Order", "801x")


@responses.activate
def test_timeouts_are_always_set(connection):
    seen = []

    def capture(request):
        seen.append(request.req_kwargs["timeout"])
        return (200, {}, '{"totalSize": 0, "done": true, "records": []}')

    responses.add(token_ok())
    responses.add_callback(responses.GET, QUERY_URL, callback=capture)

    connection.query("SELECT Id FROM Account")

    assert seen == [(3.0, 15.0)]
