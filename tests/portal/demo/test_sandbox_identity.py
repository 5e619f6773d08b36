"""The demo's identity-check operator page lists each Salesforce Account with its WHMCS client
number written as the number it is (Salesforce's JSON gives a Number field as ``1001.0``)."""
import re

import pytest

from sandbox.demo_identities import DEMO_CUSTOMERS
from tests.portal.provisioning.test_sandbox_approval_page import in_process_salesforce  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.mark.usefixtures("in_process_salesforce")
def test_the_accounts_show_their_whmcs_client_numbers_as_whole_numbers(client, staff_user):
    client.force_login(staff_user)
    page = client.get("/admin/sandbox/identity/").content.decode()
    numbers = re.findall(r"<td>([^<]*)</td><td>", page)
    assert str(DEMO_CUSTOMERS[0].whmcs_client_id) in numbers
    assert not [n for n in numbers if n.endswith(".0")], numbers
