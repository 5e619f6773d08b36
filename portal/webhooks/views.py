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

logger = logging.getLogger(__name__)
REFUSALS = "webhook-refused"


@csrf_exempt
@login_not_required
@require_POST
@transaction.non_atomic_requests
def whmcs_webhook(request: HttpRequest) -> JsonResponse:
    address = client_address(request)
    # First, before the body is read or a signature computed: an address that sent too many refused
    # deliveries lately is answered 429 for one cache read. Only refusals count, so WHMCS's own burst
    # (a billing run sends one InvoiceCreated per invoice, and its hook module does not retry) is
    # never turned away.
    retry_after = throttle.over(REFUSALS, address, settings.WEBHOOK_REFUSALS_PER_ADDRESS)
    if retry_after is not None:
        response = JsonResponse({"error": "too many requests"}, status=429)
        response["Retry-After"] = str(retry_after)
        return response
    response = _receive(request, address)
    if response.status_code >= 400:
        throttle.hit(REFUSALS, address, settings.WEBHOOK_REFUSALS_PER_ADDRESS)
    return response


def _receive(request: HttpRequest, address: str) -> JsonResponse:
    limit = settings.WEBHOOK_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    body = b"" if declared > limit else request.read(limit + 1)
    if declared > limit or len(body) > limit:
        logger.warning("refused a webhook from %s: body larger than %s bytes", address, limit)
        return JsonResponse({"error": f"body larger than {limit} bytes"}, status=413)
    if request.content_type.lower() != "application/json":
        # The hook module always sends JSON; anything else is not a delivery (a browser's form post,
        # a misconfigured proxy) and is refused before the signature is even looked at.
        logger.warning("refused a webhook from %s: Content-Type %r is not application/json",
                       address, request.content_type[:100])
        return JsonResponse({"error": "Content-Type must be application/json"}, status=415)
    result = services.webhook_receive(headers=request.headers, body=body,
                                      remote_addr=known_client_address(request) or "")
    return JsonResponse(result.body, status=result.status_code)
