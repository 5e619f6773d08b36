"""A customer's identity as the billing system and the CRM hold it: names, phone, Japanese
address, and the identity check Japanese law requires before a voice SIM contract.

Every value is checked here once, whoever it comes from (a form, a provider's answer):
- a name in Latin letters (what WHMCS and the SIM platform take), and optionally in Japanese;
- a Japanese phone number, kept as its digits (``09012345678``);
- a Japanese postal address: postal code ``NNN-NNNN``, one of the 47 prefectures, city, street,
  and an optional building.
"""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field

from domain.shared.model import DomainModel
from domain.shared.salesforce_id import AccountId

PREFECTURES: tuple[tuple[str, str], ...] = (
    ("Hokkaido", "北海道"), ("Aomori", "青森県"), ("Iwate", "岩手県"), ("Miyagi", "宮城県"), ("Akita", "秋田県"),
    ("Yamagata", "山形県"), ("Fukushima", "福島県"), ("Ibaraki", "茨城県"), ("Tochigi", "栃木県"),
    ("Gunma", "群馬県"), ("Saitama", "埼玉県"), ("Chiba", "千葉県"), ("Tokyo", "東京都"), ("Kanagawa", "神奈川県"),
    ("Niigata", "新潟県"), ("Toyama", "富山県"), ("Ishikawa", "石川県"), ("Fukui", "福井県"), ("Yamanashi", "山梨県"),
    ("Nagano", "長野県"), ("Gifu", "岐阜県"), ("Shizuoka", "静岡県"), ("Aichi", "愛知県"), ("Mie", "三重県"),
    ("Shiga", "滋賀県"), ("Kyoto", "京都府"), ("Osaka", "大阪府"), ("Hyogo", "兵庫県"), ("Nara", "奈良県"),
    ("Wakayama", "和歌山県"), ("Tottori", "鳥取県"), ("Shimane", "島根県"), ("Okayama", "岡山県"),
    ("Hiroshima", "広島県"), ("Yamaguchi", "山口県"), ("Tokushima", "徳島県"), ("Kagawa", "香川県"),
    ("Ehime", "愛媛県"), ("Kochi", "高知県"), ("Fukuoka", "福岡県"), ("Saga", "佐賀県"), ("Nagasaki", "長崎県"),
    ("Kumamoto", "熊本県"), ("Oita", "大分県"), ("Miyazaki", "宮崎県"), ("Kagoshima", "鹿児島県"),
    ("Okinawa", "沖縄県"),
)
"""The 47 prefectures: the name billing and the CRM store (``state``), and the name in Japanese."""
PREFECTURE_NAMES = frozenset(name for name, _ in PREFECTURES)
_JAPANESE_PREFECTURES = {japanese: name for name, japanese in PREFECTURES}
COUNTRY = "JP"

MAX_NAME_LENGTH = 50
MAX_ADDRESS_PART_LENGTH = 100
_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z .'\-]*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_POSTAL_CODE = re.compile(r"(\d{3})-?(\d{4})")
_PHONE = re.compile(r"0\d{9,10}")


def _text(value: str, *, limit: int, what: str) -> str:
    value = unicodedata.normalize("NFKC", value).strip()
    if not value:
        raise ValueError(f"the {what} is empty")
    if len(value) > limit:
        raise ValueError(f"the {what} is longer than {limit} characters")
    if _CONTROL.search(value):
        raise ValueError(f"the {what} has control characters")
    return value


def check_latin_name(value: str) -> str:
    """A name in Latin letters (spaces, hyphens, apostrophes and dots inside): ``Mary-Jane``."""
    value = _text(value, limit=MAX_NAME_LENGTH, what="name")
    if not _LATIN_NAME.fullmatch(value):
        raise ValueError("the name must be written in Latin letters (A to Z)")
    return re.sub(r"\s+", " ", value)


def check_local_name(value: str) -> str:
    """A name as written in Japanese (kanji or kana): any text without control characters."""
    return _text(value, limit=MAX_NAME_LENGTH, what="name")


def check_postal_code(value: str) -> str:
    """A Japanese postal code, written ``NNN-NNNN`` (``1000001`` and full-width digits accepted)."""
    match = _POSTAL_CODE.fullmatch(unicodedata.normalize("NFKC", value).strip().replace("〒", "").strip())
    if match is None:
        raise ValueError("a postal code is seven digits, written 123-4567")
    return f"{match.group(1)}-{match.group(2)}"


def check_prefecture(value: str) -> str:
    """One of the 47 prefectures, by its stored name (``Tokyo``) or its Japanese one (``東京都``)."""
    value = unicodedata.normalize("NFKC", value).strip()
    name = _JAPANESE_PREFECTURES.get(value) or next((n for n in PREFECTURE_NAMES if n.lower() == value.lower()), None)
    if name is None:
        raise ValueError("not one of Japan's 47 prefectures")
    return name


def check_phone(value: str) -> str:
    """A Japanese phone number as its digits: ``090-1234-5678`` -> ``09012345678`` (10 or 11 digits
    starting with 0; ``+81 90 ...`` is read as ``090 ...``)."""
    digits = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", value).strip())
    if digits.startswith("+81"):
        digits = "0" + digits[3:].lstrip("0")
    if not _PHONE.fullmatch(digits):
        raise ValueError("a Japanese phone number has 10 or 11 digits and starts with 0")
    return digits


def _address_part(what: str):
    return AfterValidator(lambda value: _text(value, limit=MAX_ADDRESS_PART_LENGTH, what=what))


LatinName = Annotated[str, AfterValidator(check_latin_name)]
LocalName = Annotated[str, AfterValidator(check_local_name)]
PostalCode = Annotated[str, AfterValidator(check_postal_code)]
Prefecture = Annotated[str, AfterValidator(check_prefecture)]
PhoneNumber = Annotated[str, AfterValidator(check_phone)]


class JapaneseAddress(DomainModel):
    postal_code: PostalCode
    prefecture: Prefecture
    city: Annotated[str, _address_part("city")]
    street: Annotated[str, _address_part("street")]
    building: Annotated[str, AfterValidator(lambda v: _text(v, limit=MAX_ADDRESS_PART_LENGTH, what="building")
                                            if v.strip() else "")] = ""
    """The building's name and room, if any."""

    @property
    def prefecture_japanese(self) -> str:
        return dict(PREFECTURES)[self.prefecture]


class PersonName(DomainModel):
    first_name: LatinName
    last_name: LatinName
    first_name_local: Annotated[str, AfterValidator(lambda v: check_local_name(v) if v.strip() else "")] = ""
    last_name_local: Annotated[str, AfterValidator(lambda v: check_local_name(v) if v.strip() else "")] = ""

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def local_full_name(self) -> str:
        """Japanese order, family name first: ``山田 太郎`` (empty when not given)."""
        return " ".join(part for part in (self.last_name_local, self.first_name_local) if part)


class ContactDetails(DomainModel):
    """What the customer may change themselves: phone and address."""

    phone: PhoneNumber
    address: JapaneseAddress


class NewCustomer(DomainModel):
    """A person signing up who is not a customer yet: the billing client and the CRM's Account and
    Contact are made from this. ``marker`` is put in each record so that it can be found again
    after an answer was lost."""

    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")]
    name: PersonName
    contact: ContactDetails
    marker: Annotated[str, Field(pattern=r"^[A-Za-z0-9-]{1,64}$")]
    """The sign-up's request id (a UUID): ``Portal_Request_Id__c`` and the billing client's notes."""

    @property
    def notes_marker(self) -> str:
        return signup_marker(self.marker)


class CustomerProfile(DomainModel):
    """The customer's details as billing holds them (the account page shows this)."""

    client_id: Annotated[int, Field(gt=0)]
    email: str
    first_name: str
    last_name: str
    phone: str = ""
    """Digits, or empty when billing has none (or one the portal cannot read as Japanese)."""
    address: JapaneseAddress | None = None
    """None when billing has no complete Japanese address."""
    notes: str = ""
    """Billing's notes for the client (where the sign-up marker is)."""


class LinkableClient(DomainModel):
    """A billing client a person proved is theirs (their client-area sign-in, or a code sent to
    the email on file)."""

    client_id: Annotated[int, Field(gt=0)]
    email: str


class IdentityStatus(StrEnum):
    NOT_SUBMITTED = "not_submitted"
    UNDER_REVIEW = "under_review"
    VERIFIED = "verified"
    REJECTED = "rejected"


class IdentityVerification(DomainModel):
    """Where the customer's identity check stands, as staff set it in the CRM."""

    account_id: AccountId
    status: IdentityStatus
    rejection_reason: str = ""
    """Why staff rejected the documents (shown to the customer), when rejected."""

    @property
    def verified(self) -> bool:
        return self.status is IdentityStatus.VERIFIED

    @property
    def can_submit(self) -> bool:
        return self.status in (IdentityStatus.NOT_SUBMITTED, IdentityStatus.REJECTED)


SIGNUP_MARKER_PREFIX = "portal-signup:"


def signup_marker(request_id: str) -> str:
    """What the billing client created for a sign-up carries in its notes: ``portal-signup:<id>``."""
    return f"{SIGNUP_MARKER_PREFIX}{request_id}"


def carries_signup_marker(notes: str, request_id: str) -> bool:
    return signup_marker(request_id) in notes.split()
