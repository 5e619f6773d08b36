"""Top-up and plan-change arguments, checked before anything is sent."""
import pytest

from domain.sim.commands import InvalidSimCommand, require_plan_code, require_request_id, require_top_up_mb


@pytest.mark.parametrize("value", [1, 100, 1024, 20480])
def test_top_up_amounts(value):
    assert require_top_up_mb(value) == value


@pytest.mark.parametrize("value", [0, -1, 1.5, 1024.0, "1024", True, None, 2**60])
def test_bad_top_up_amounts(value):
    with pytest.raises(InvalidSimCommand, match="top-up amount"):
        require_top_up_mb(value)


@pytest.mark.parametrize("value", ["2f0c8e5a-3b1d-4c57-9e8a-6d4f1b2a9c30", "a", "req_1", "x" * 64])
def test_request_ids(value):
    assert require_request_id(value) == value


@pytest.mark.parametrize("value", ["", "x" * 65, "a b", "a/b", "ü", None, 12])
def test_bad_request_ids(value):
    with pytest.raises(InvalidSimCommand, match="request id"):
        require_request_id(value)


@pytest.mark.parametrize("value", ["MOB-VOICE-20G", "PA05_D.3", "x"])
def test_plan_codes(value):
    assert require_plan_code(value) == value


@pytest.mark.parametrize("value", ["", "-X", "MOB VOICE", "x" * 41, None, "a'b"])
def test_bad_plan_codes(value):
    with pytest.raises(InvalidSimCommand, match="plan code"):
        require_plan_code(value)
