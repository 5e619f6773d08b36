"""ICCIDs: 19 or 20 digits with a Luhn check digit, checked before any provider call."""
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from domain.shared.model import DomainModel
from domain.sim.iccid import Iccid, InvalidIccid, is_valid_iccid, luhn_valid, require_iccid

VALID = ["8981100000001001124", "8981100000001002213", "89812003004567890125", "8944500102198304826"]


def luhn_digit(digits: str) -> str:
    """The check digit to append (computed independently of the code under test)."""
    for candidate in "0123456789":
        number = digits + candidate
        total = sum(int(c) if i % 2 == 0 else sum(divmod(int(c) * 2, 10)) for i, c in enumerate(reversed(number)))
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


@pytest.mark.parametrize("iccid", VALID)
def test_valid_iccids_are_returned_as_they_are(iccid):
    assert require_iccid(iccid) == iccid
    assert is_valid_iccid(iccid)


def test_surrounding_blanks_are_removed():
    assert require_iccid("  8981100000001001124\n") == "8981100000001001124"


@pytest.mark.parametrize("value, message", [
    ("8981100000001001125", "check digit"),
    ("8981100000001001142", "check digit"),
    ("898110000000100112", "19 or 20 digits"),  # 18 digits
    ("898110000000100112400", "19 or 20 digits"),  # 21 digits
    ("", "19 or 20 digits"),
    ("8981 1000 0000 1001 124", "19 or 20 digits"),
    ("898110000000100112A", "19 or 20 digits"),
    ("-898110000000100112", "19 or 20 digits"),
    ("8981100000001001124'; DROP", "19 or 20 digits"),
    ("٨٩٨١١٠٠٠٠٠٠٠١٠٠١١٢٤", "19 or 20 digits"),  # Arabic-Indic digits are digits to \d, not to us
    (8981100000001001124, "must be text"),
    (None, "must be text"),
    (b"8981100000001001124", "must be text"),
])
def test_anything_else_is_refused_without_echoing_the_value(value, message):
    with pytest.raises(InvalidIccid, match=message) as caught:
        require_iccid(value)
    assert isinstance(caught.value, ValueError)
    assert str(value) not in str(caught.value) or value in ("",)
    assert not is_valid_iccid(value)


@given(st.text(alphabet="0123456789", min_size=18, max_size=19))
def test_any_body_with_its_luhn_digit_is_valid(body):
    iccid = body + luhn_digit(body)
    assert luhn_valid(iccid)
    assert require_iccid(iccid) == iccid


@given(st.text(alphabet="0123456789", min_size=18, max_size=19), st.data())
def test_any_single_mistyped_digit_is_caught(body, data):
    iccid = body + luhn_digit(body)
    position = data.draw(st.integers(0, len(iccid) - 1))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != iccid[position]]))
    mistyped = iccid[:position] + wrong + iccid[position + 1:]
    with pytest.raises(InvalidIccid):
        require_iccid(mistyped)


def test_the_pydantic_type_validates_and_refuses_blanks():
    class Holder(DomainModel):
        iccid: Iccid

    assert Holder(iccid=VALID[0]).iccid == VALID[0]
    for bad in ("8981100000001001125", " 8981100000001001124", "1234"):
        with pytest.raises(ValidationError):
            Holder(iccid=bad)
