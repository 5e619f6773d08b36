"""Helpers of the accounts tests: reading the code a test email carries, walking the sign-up."""
import re

from django.core import mail

NEW_CUSTOMER = {"first_name": "Taro", "last_name": "Yamada", "last_name_local": "山田", "first_name_local": "太郎",
                "phone": "090-1234-5678", "postal_code": "1000001", "prefecture": "Tokyo", "city": "Chiyoda-ku",
                "street": "1-1 Chiyoda", "building": "Palace Heights 101"}
PASSWORD = "a sturdy passphrase 42"  # noqa: S105


def last_code(to: str) -> str:
    """The 6-digit code of the last email sent to ``to``."""
    message = next(m for m in reversed(mail.outbox) if to.lower() in m.to)
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def sign_up(client, email: str) -> None:
    """Walk the sign-up to a signed-in user (the code read from the outbox)."""
    assert client.post("/signup/", {"email": email}).status_code == 302
    response = client.post("/signup/verify/", {"code": last_code(email)})
    assert response.status_code == 302 and response["Location"] == "/signup/details/", response
    response = client.post("/signup/details/", {"first_name": "Taro", "last_name": "Yamada",
                                                "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/start/", response.content[:500]
