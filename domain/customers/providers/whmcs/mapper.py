"""WHMCS clients <-> customer types. Pure: no I/O.

Reading: each ``transform_*`` validates the raw shape of one action's answer and builds the domain
value; a mismatch raises MappingError naming the raw field. Writing: each ``build_*`` turns domain
values into the form parameters the action expects (docs/whmcs.md lists them).

Since WHMCS 8 a *user* (who signs in to the client area) is apart from a *client* (the billing
account): ``ValidateLogin`` checks a user's email and password and answers the user's id;
``GetUsers`` tells which clients that user owns.
"""
from __future__ import annotations

from pydantic import ValidationError

from domain.customers.types import (
    COUNTRY,
    ContactDetails,
    CustomerProfile,
    JapaneseAddress,
    LinkableClient,
    NewCustomer,
    check_phone,
)
from domain.shared.mapping import build_domain, validate_raw
from domain.shared.providers.whmcs import (
    PROVIDER,
    WhmcsContainer,
    WhmcsFlag,
    WhmcsId,
    WhmcsList,
    WhmcsRawModel,
    WhmcsText,
)

# --- raw answers --------------------------------------------------------------------------------------


class WhmcsValidateLoginRaw(WhmcsRawModel):
    """``ValidateLogin``: ``{"result": "success", "userid": 3, "passwordhash": "..."}`` (the hash
    is a session token for the client area: never read, never kept)."""

    userid: WhmcsId


class WhmcsUserClientRaw(WhmcsRawModel):
    id: WhmcsId
    isOwner: WhmcsFlag = False


class WhmcsUserRaw(WhmcsRawModel):
    id: WhmcsId
    email: WhmcsText
    clients: WhmcsList[WhmcsUserClientRaw] = []


class WhmcsUsersRaw(WhmcsRawModel):
    """``GetUsers``: ``{"users": [{"id": 3, "email": ..., "clients": [{"id": 1001, "isOwner": true}]}]}``."""

    users: WhmcsList[WhmcsUserRaw] = []


class WhmcsClientSummaryRaw(WhmcsRawModel):
    id: WhmcsId
    email: WhmcsText


class WhmcsClientListRaw(WhmcsRawModel):
    client: WhmcsList[WhmcsClientSummaryRaw] = []


class WhmcsClientsRaw(WhmcsRawModel):
    """``GetClients``: ``{"clients": {"client": [{"id": "1001", "email": ...}, ...]}}`` (``""`` when none)."""

    clients: WhmcsContainer[WhmcsClientListRaw] = WhmcsClientListRaw()


class WhmcsClientDetailsRaw(WhmcsRawModel):
    id: WhmcsId
    email: WhmcsText
    firstname: WhmcsText = ""
    lastname: WhmcsText = ""
    phonenumber: WhmcsText = ""
    address1: WhmcsText = ""
    address2: WhmcsText = ""
    city: WhmcsText = ""
    state: WhmcsText = ""
    postcode: WhmcsText = ""
    countrycode: WhmcsText = ""
    notes: WhmcsText = ""


class WhmcsClientsDetailsRaw(WhmcsRawModel):
    """``GetClientsDetails``: the client under ``client`` (the copy at the top level is deprecated)."""

    client: WhmcsClientDetailsRaw


class WhmcsClientIdRaw(WhmcsRawModel):
    """``AddClient`` (and ``UpdateClient``): ``{"result": "success", "clientid": "1003"}``."""

    clientid: WhmcsId


# --- reading ----------------------------------------------------------------------------------------


def transform_whmcs_validate_login(raw: object) -> int:
    """The id of the WHMCS user whose email and password were right."""
    return validate_raw(WhmcsValidateLoginRaw, raw, provider=PROVIDER, entity="login").userid


def transform_whmcs_owned_clients(raw: object, *, user_id: int, email: str) -> tuple[LinkableClient, ...]:
    """The clients the user ``user_id`` (signed in with ``email``) owns, by ``GetUsers``."""
    users = validate_raw(WhmcsUsersRaw, raw, provider=PROVIDER, entity="user list").users
    wanted = email.strip().lower()
    return tuple(
        LinkableClient(client_id=client.id, email=user.email.strip().lower())
        for user in users if user.id == user_id and user.email.strip().lower() == wanted
        for client in user.clients if client.isOwner
    )


def transform_whmcs_clients_with_email(raw: object, *, email: str) -> tuple[int, ...]:
    """The ids of the clients ``GetClients`` found whose email is exactly ``email`` (its search
    also matches names and parts of addresses)."""
    clients = validate_raw(WhmcsClientsRaw, raw, provider=PROVIDER, entity="client list").clients.client
    wanted = email.strip().lower()
    return tuple(sorted(client.id for client in clients if client.email.strip().lower() == wanted))


def transform_whmcs_client_profile(raw: object) -> CustomerProfile:
    """The client's details. A phone or an address the portal cannot read as Japanese is left
    out (None / empty) rather than failing the page: billing staff may have typed anything."""
    client = validate_raw(WhmcsClientsDetailsRaw, raw, provider=PROVIDER, entity="client").client
    try:
        phone = check_phone(client.phonenumber) if client.phonenumber.strip() else ""
    except ValueError:
        phone = ""
    address = None
    if client.countrycode in ("", COUNTRY):
        try:
            address = JapaneseAddress(postal_code=client.postcode, prefecture=client.state, city=client.city,
                                      street=client.address1, building=client.address2)
        except ValidationError:
            address = None
    return build_domain(CustomerProfile, provider=PROVIDER, entity="client", client_id=client.id,
                        email=client.email.strip().lower(), first_name=client.firstname.strip(),
                        last_name=client.lastname.strip(), phone=phone, address=address, notes=client.notes)


def transform_whmcs_client_id(raw: object, *, entity: str = "new client") -> int:
    return validate_raw(WhmcsClientIdRaw, raw, provider=PROVIDER, entity=entity).clientid


# --- writing ----------------------------------------------------------------------------------------

def build_whmcs_add_client(customer: NewCustomer, *, password: str) -> dict[str, str]:
    """``AddClient``: the client and its owner user. ``password`` is a random one for the WHMCS
    user (the portal signs customers in to WHMCS by single sign-on; they never need it); the
    sign-up's marker goes into the client's notes, where ``GetClientsDetails`` shows it."""
    if len(password) < 16:
        raise ValueError("the WHMCS user's password must be a long random one")
    return {
        "firstname": customer.name.first_name,
        "lastname": customer.name.last_name,
        "email": customer.email,
        **_contact_fields(customer.contact),
        "password2": password,
        "notes": customer.notes_marker,
        "language": "",
        "noemail": "true",
    }


def build_whmcs_update_contact(client_id: int, contact: ContactDetails) -> dict[str, str]:
    """``UpdateClient``: the phone and the address; nothing else of the client changes."""
    if not isinstance(client_id, int) or isinstance(client_id, bool) or client_id <= 0:
        raise ValueError("client_id must be a positive whole number")
    return {"clientid": str(client_id), **_contact_fields(contact)}


def _contact_fields(contact: ContactDetails) -> dict[str, str]:
    address = contact.address
    return {
        "address1": address.street,
        "address2": address.building,
        "city": address.city,
        "state": address.prefecture,
        "postcode": address.postal_code,
        "country": COUNTRY,
        "phonenumber": contact.phone,
    }
