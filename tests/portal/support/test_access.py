"""Whose case is it: Bob cannot read, reply to or attach a file to Alice's case, through the pages
or the API. Another customer's case id is a plain 404, nothing of Alice's shows, nothing is
written in Salesforce, and Alice's case is only ever asked for with Bob's Account in the query."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.pages import main_of
from tests.portal.support.conftest import ALICE, BOB, new_request_id, png

pytestmark = pytest.mark.django_db(transaction=True)

NOT_FOUND_API = {"message": "Not found.", "extra": {}}


def writes(sf) -> dict:
    return {name: n for name, n in sf.stats()["calls"].items() if name.split(" ")[0] in ("POST", "PATCH", "DELETE")}


def attempts(case_id: str):
    """Every page and API request Bob could make about the case."""
    return [
        ("get", f"/support/cases/{case_id}/", None),
        ("post", f"/support/cases/{case_id}/comment/", {"request_id": new_request_id(), "body": "I am Alice"}),
        ("post", f"/support/cases/{case_id}/attachments/", {"request_id": new_request_id(),
                                                            "file": SimpleUploadedFile("a.png", png(), "image/png")}),
        ("get", f"/api/v1/cases/{case_id}", None),
        ("post_json", f"/api/v1/cases/{case_id}/comments", {"request_id": new_request_id(), "body": "I am Alice"}),
        ("post", f"/api/v1/cases/{case_id}/attachments", {"request_id": new_request_id(),
                                                          "file": SimpleUploadedFile("a.png", png(), "image/png")}),
    ]


def send(browser, method, path, body):
    if method == "get":
        return browser.get(path)
    if method == "post_json":
        return browser.post(path, body, content_type="application/json")
    return browser.post(path, body)


def test_bob_cannot_read_reply_to_or_attach_to_alices_case(sf, customer_client, bob_client, alice_case):
    comments, files = len(sf.comments_of(alice_case["Id"])), len(sf.files_of(alice_case["Id"]))
    assert customer_client.get(f"/support/cases/{alice_case['Id']}/").status_code == 200  # Alice's copy is cached
    sf.reset_stats()

    for method, path, body in attempts(alice_case["Id"]):
        response = send(bob_client, method, path, body)
        assert response.status_code == 404, (method, path, response.status_code)
        if path.startswith("/api/"):
            assert response.json() == NOT_FOUND_API, path
        else:
            assert "We can't find that page" in response.content.decode()
        text = response.content.decode()
        assert alice_case["Subject"] not in text and ALICE.last_name not in text, path

    assert writes(sf) == {}
    assert len(sf.comments_of(alice_case["Id"])) == comments and len(sf.files_of(alice_case["Id"])) == files


def test_alices_case_is_only_ever_looked_for_in_bobs_own_account(sf, bob_client, alice_case):
    """No cache and no query can hand Bob Alice's case: it is read with his Account in the WHERE clause."""
    assert bob_client.get(f"/support/cases/{alice_case['Id']}/").status_code == 404
    assert bob_client.get(f"/support/cases/{alice_case['Id'][:15]}/").status_code == 404  # the 15-character form
    assert bob_client.get("/api/v1/cases").json()["data"] and all(
        row["id"] in {c["Id"] for c in sf.cases_of(BOB)} for row in bob_client.get("/api/v1/cases").json()["data"])


@pytest.mark.parametrize("case_id", ["nonsense", "' OR Id != '", "001Dn00000AliceIAB", "500" + "0" * 15, ".."])
def test_malformed_and_unknown_case_ids_are_a_404(sf, customer_client, case_id):
    for method, path, body in attempts(case_id):
        assert send(customer_client, method, path, body).status_code == 404, (method, path)
    assert writes(sf) == {}


def test_the_same_routes_serve_alice_her_own_case(sf, customer_client, alice_case):
    for method, path, body in attempts(alice_case["Id"]):
        response = send(customer_client, method, path, body)
        assert 200 <= response.status_code < 400, (method, path, response.status_code, main_of(response)[:500])


def test_a_user_without_a_customer_link_is_told_so(sf, unlinked_client, alice_case):
    assert "Your account is not linked yet" in unlinked_client.get("/support/cases/").content.decode()
    assert unlinked_client.get("/api/v1/cases").status_code == 403
    assert unlinked_client.get(f"/api/v1/cases/{alice_case['Id']}").status_code == 403
    assert sf.calls() == 0
