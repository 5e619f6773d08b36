"""The demo's identity-check operator page lists each Salesforce Account with its WHMCS client
number written as the number it is (Salesforce's JSON gives a Number field as ``1001.0``)."""
import re

import pytest

from portal.demo import sandboxes
from sandbox.demo_identities import DEMO_CUSTOMERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_process_salesforce(settings):
    settings.SALESFORCE_LOGIN_URL = ""
    settings.PROVIDERS_USE_SANDBOX = True
    return sandboxes.salesforce_sandbox()


def test_the_accounts_show_their_whmcs_client_numbers_as_whole_numbers(client, staff_user, in_process_salesforce):
    client.force_login(staff_user)
    page = client.get("/admin/sandbox/identity/").content.decode()
    numbers = re.findall(r"<td>([^<]*)</td><td>", page)
    assert str(DEMO_CUSTOMERS[0].whmcs_client_id) in numbers
    assert not [n for n in numbers if n.endswith(".0")], numbers
