"""``{% url %}`` in every template (a builtin of ``TEMPLATES``), with each reversal kept per process.

A page reverses the same few names on every view (the layout's links and navigation, a panel's "All
invoices"): Django's ``reverse`` walks the URLconf's patterns each time. A reversal depends only on
the name and its arguments, the current app, the URLconf, the script prefix and (were a pattern ever
translated) the language, so :func:`cached_reverse` keeps it under all of those. A name that does not
reverse raises as before and is not kept.
"""
from functools import lru_cache

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()


def cached_reverse(view_name: str, args=(), kwargs=None, current_app: str | None = None) -> str:
    """``reverse(view_name, args=..., kwargs=...)``, kept per process (arguments that cannot be
    hashed are reversed every time)."""
    kwargs = kwargs or {}
    key = (view_name, tuple((type(arg), arg) for arg in args),
           tuple(sorted((name, type(value), value) for name, value in kwargs.items())), current_app,
           settings.ROOT_URLCONF, get_urlconf(), get_script_prefix(), get_language())
    try:
        hash(key)
    except TypeError:
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    return _reversed(key, view_name, tuple(args), tuple(kwargs.items()), current_app)


@lru_cache(maxsize=8192)
def _reversed(key: tuple, view_name: str, args: tuple, kwargs: tuple, current_app: str | None) -> str:
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget_reversals(*, setting: str, **kwargs) -> None:
    if setting == "ROOT_URLCONF":
        _reversed.cache_clear()


class CachedURLNode(URLNode):
    """Django's ``URLNode``, reversing through :func:`cached_reverse`."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = cached_reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """``{% url 'name' arg ... [as var] %}``, as Django's, reversed once per process."""
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
