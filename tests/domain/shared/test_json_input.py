"""The bounded JSON decoder: depth counted before decoding, every failure one ``InvalidJson``."""
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.shared import json_input

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8")),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=20,
)


def depth(value) -> int:
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    return 0


@given(JSON_VALUES)
def test_the_depth_count_agrees_with_the_decoded_value(value):
    text = json.dumps(value)
    real = depth(value)

    assert not json_input.nesting_depth_exceeds(text, real)
    assert json_input.nesting_depth_exceeds(text, real - 1) == (real > 0)
    assert json_input.loads(text.encode(), max_depth=max(real, 1)) == value


@pytest.mark.parametrize("text", [
    '{"a": "[[[[[[[[[[[[[[["}',  # brackets inside a string do not count
    '{"a": "\\"[[[[[[[[[[[[[[["}',  # nor after an escaped quote
    '{"a": "\\\\", "b": 1}',  # an escaped backslash ends nothing
])
def test_brackets_in_strings_do_not_count(text):
    assert json_input.loads(text, max_depth=1) == json.loads(text)


def test_nesting_past_the_recursion_limit_is_refused_before_decoding():
    deep = "[" * 100_000 + "]" * 100_000

    with pytest.raises(json_input.InvalidJson) as refused:
        json_input.loads(deep, max_depth=10_000_000)  # the count allows it: the decoder's RecursionError is caught

    assert refused.value.too_deep
    with pytest.raises(json_input.InvalidJson, match="nested deeper than 32"):
        json_input.loads(deep)


@pytest.mark.parametrize("raw", [b"{", b"\xff\xfe", b'{"a": NaN}', b"[Infinity]", b"", b"{'a': 1}"])
def test_anything_else_that_is_not_json_is_one_error(raw):
    with pytest.raises(json_input.InvalidJson) as refused:
        json_input.loads(raw)

    assert not refused.value.too_deep
    assert isinstance(refused.value, ValueError)
