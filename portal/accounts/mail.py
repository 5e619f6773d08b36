"""Emails of the accounts area: written in the language of the request that sends them."""
from django.core.mail import send_mail
from django.template.loader import render_to_string


def send_templated(to: str, subject_template: str, body_template: str, context: dict) -> None:
    subject = "".join(render_to_string(subject_template, context).splitlines())
    send_mail(subject, render_to_string(body_template, context), None, [to])
