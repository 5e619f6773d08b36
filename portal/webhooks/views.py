"""``POST /webhooks/whmcs/``: the receiver of the WHMCS hook module (``contrib/whmcs``).

No session, no CSRF token (the signature is the authentication), and outside ATOMIC_REQUESTS: the
service commits the stored event itself and queues its processing on that commit.
"""
import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.core import throttle
from portal.core.client_address import client_address, known_client_address
from portal.webhooks import services
from portal.webhooks.services import ReceiveResult

logger = logging.getLogger(__name__)
REFUSALS = "webhook-refused"


@csrf_exempt
@login_not_required
@require_POST
@transaction.non_atomic_requests
def whmcs_webhook(request: HttpRequest) -> JsonResponse:
    """A delivery WHMCS signed is stored and never throttled: the signature (an HMAC over at most
    ``WEBHOOK_MAX_BODY_BYTES``) is checked before anything else is read or written, so WHMCS's own
    burst (a billing run sends one InvoiceCreated per invoice, and its hook module does not retry)
    costs no cache call. Every refused delivery counts against its address: past
    ``WEBHOOK_REFUSALS_PER_ADDRESS`` the answer is 429, and nothing more is logged for it."""
    address = client_address(request)
    body, refusal = _read(request)
    if refusal is None:
        refusal = services.webhook_refusal(headers=request.headers, body=body)
    if refusal is not None:
        return _refuse(request, refusal, address)
    result = services.webhook_store(headers=request.headers, body=body,
                                    remote_addr=known_client_address(request) or "")
    return JsonResponse(result.body, status=result.status_code)


def _read(request: HttpRequest) -> tuple[bytes, ReceiveResult | None]:
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        return body, ReceiveResult(413, {"error": f"body larger than {limit} bytes"})
    if request.content_type.lower() != "application/json":
        # The hook module always sends JSON; anything else is not a delivery (a browser's form post,
        # a misconfigured proxy) and is refused before the signature is even looked at.
        return body, ReceiveResult(415, {"error": "Content-Type must be application/json"})
    return body, None


def _refuse(request: HttpRequest, refusal: ReceiveResult, address: str) -> JsonResponse:
    retry_after = throttle.hit(REFUSALS, address, settings.WEBHOOK_REFUSALS_PER_ADDRESS)
    if retry_after is not None:
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    if refusal.status_code == 415:
        logger.warning("refused a webhook from %s: Content-Type %r is not application/json",
                       address, request.content_type[:100])
    else:
        services.log_refusal(refusal, headers=request.headers, remote_addr=known_client_address(request) or "")
    return JsonResponse(refusal.body, status=refusal.status_code)
