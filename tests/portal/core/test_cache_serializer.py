"""portal.core.cache_serializer: a provider value read again as the same bytes is not decoded again."""
import pickle
from decimal import Decimal

from domain.shared.money import Money
from portal.core.cache import Cached
from portal.core.cache_serializer import KeptValuesSerializer, forget_kept_values

serializer = KeptValuesSerializer({})


def setup_function():
    forget_kept_values()


def test_the_same_bytes_give_the_same_value_object_once_decoded():
    raw = serializer.dumps(Cached(value=(Money(amount=Decimal("1200"), currency="JPY"),), fetched_at=1.0))
    first, again = serializer.loads(raw), serializer.loads(bytes(raw))
    assert again is first and first.value[0].amount == Decimal("1200")


def test_new_bytes_for_a_refreshed_value_give_the_new_value():
    old = serializer.loads(serializer.dumps(Cached(value="old", fetched_at=1.0)))
    new = serializer.loads(serializer.dumps(Cached(value="new", fetched_at=2.0)))
    assert (old.value, new.value) == ("old", "new")


def test_anything_that_could_be_changed_is_decoded_every_time():
    for value in ({"_auth_user_id": "1"}, Cached(value=["a", "list"]), Cached(value={"a": "dict"}), 5):
        raw = pickle.dumps(value)
        first, again = serializer.loads(raw), serializer.loads(raw)
        assert first == again == value and (first is not again or isinstance(value, int))
