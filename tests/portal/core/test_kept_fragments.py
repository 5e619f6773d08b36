"""{% kept %}: a block rendered once per process for the values it names; its CSRF token per request."""
import re
from dataclasses import dataclass

from django.template import engines
from django.test import RequestFactory
from django.utils import translation

from portal.core.templatetags.layout import _kept

TEMPLATE = engines["django"].from_string(
    "{% load layout %}{% kept row %}{{ row.name }} {{ other }} {% csrf_token %}{% endkept %}|{{ other }}")


@dataclass(frozen=True)
class Row:
    name: str


def render(row, other: str) -> str:
    return TEMPLATE.render({"row": row, "other": other}, RequestFactory().get("/"))


def setup_function():
    _kept.clear()


def test_the_block_is_rendered_once_for_equal_values_and_its_token_is_each_requests_own():
    first, second = render(Row("a"), "one"), render(Row("a"), "two")
    assert first.startswith("a one ") and second.startswith("a one ")  # kept: "other" is not named
    assert first.endswith("|one") and second.endswith("|two")  # outside the block: rendered each time
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.search(first).group(1) != token.search(second).group(1)
    assert "\ue000" not in first + second


def test_another_value_or_language_is_another_fragment():
    assert render(Row("b"), "three").startswith("b three ")
    with translation.override("ja"):
        assert render(Row("b"), "four").startswith("b four ")


def test_a_value_that_cannot_be_a_key_is_rendered_every_time():
    assert render(["a"], "five").startswith(" five ")
    assert render(["a"], "six").startswith(" six ")
