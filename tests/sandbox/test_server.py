"""The emulators' HTTP server: a client hanging up on a delayed answer is not an error."""
import time

import pytest
import requests

from sandbox.whmcs import start_whmcs_sandbox


def test_a_client_that_times_out_on_a_delay_leaves_no_traceback(capfd):
    handle = start_whmcs_sandbox(env={}, faults={"latency_ms": 400})
    try:
        with pytest.raises(requests.Timeout):
            requests.post(handle.url + "/includes/api.php", data={"action": "GetCurrencies"}, timeout=0.1)
        time.sleep(0.6)  # the server writes its answer to the closed connection
    finally:
        handle.stop()

    assert "Traceback" not in capfd.readouterr().err
