"""``/api/v1/cases``: the customer's support cases, opening one, replying and attaching a file.

The same rules as the pages (``portal.support.forms``): a request's details are checked by the
page form, so the API answers the same messages. Another customer's case id is a 404.
"""
from django.conf import settings
from django.db import transaction
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from domain.support.requests import SPECS
from domain.support.types import RelatedKind, RequestType
from portal.core.api import CustomerApi
from portal.support import labels, selectors, services
from portal.support.forms import AttachmentForm, CommentForm, NewCaseForm


class RelatedSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[kind.value for kind in RelatedKind])
    id = serializers.CharField(help_text="WHMCS invoice or service id, Salesforce order id, or ICCID")


class AddressSerializer(serializers.Serializer):
    postal_code = serializers.CharField(help_text="123-4567")
    prefecture = serializers.CharField()
    city = serializers.CharField()
    street = serializers.CharField()
    building = serializers.CharField(required=False, allow_blank=True)


class DetailsSerializer(serializers.Serializer):
    iccid = serializers.CharField(required=False, allow_null=True)
    loss_kind = serializers.CharField(required=False, allow_null=True)
    noticed_on = serializers.DateField(required=False, allow_null=True)
    holder_name = serializers.CharField(required=False, allow_null=True)
    replacement_reason = serializers.CharField(required=False, allow_null=True)
    sim_size = serializers.CharField(required=False, allow_null=True)
    address = AddressSerializer(required=False, allow_null=True)


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField(help_text="new, in_progress, waiting_for_you or solved")
    status_label = serializers.SerializerMethodField()
    category = serializers.CharField(allow_null=True)
    request_type = serializers.CharField()
    priority = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(help_text="The last change or reply")
    closed_at = serializers.DateTimeField(allow_null=True)

    def get_status_label(self, case) -> str:
        return str(labels.STATUSES[case.status])


class CaseListItemSerializer(CaseSummarySerializer):
    changed = serializers.SerializerMethodField(help_text="Changed since the customer last opened it")

    def get_changed(self, case) -> bool:
        return case.id in self.context.get("changed", ())


class CommentSerializer(serializers.Serializer):
    id = serializers.CharField()
    author = serializers.CharField(help_text="customer or support")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    document_id = serializers.CharField()
    title = serializers.CharField()
    file_extension = serializers.CharField()
    size_bytes = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()


class CaseDetailSerializer(CaseSummarySerializer):
    description = serializers.CharField()
    related = RelatedSerializer(allow_null=True)
    details = DetailsSerializer()
    comments = CommentSerializer(many=True)
    attachments = AttachmentSerializer(many=True)


def _form_errors(form) -> ValidationError:
    return ValidationError({field: [str(error) for error in errors] for field, errors in form.errors.items()})


def _case_answer(customer, case_id: str, code: int) -> Response:
    case = selectors.case_detail(customer, case_id)
    return Response({"data": CaseDetailSerializer(case.value).data, "stale": case.stale}, status=code)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CaseListApi(CustomerApi):
    """GET: your support cases, newest first. POST: open a new case (a subject, a description and its
    type; optionally the invoice, service, order or SIM it is about)."""

    refused_field = "case"

    class NewCaseSerializer(serializers.Serializer):
        request_id = serializers.CharField(help_text="Idempotency key (e.g. a UUID): repeat it to get the same case")
        type = serializers.ChoiceField(choices=[t.value for t in RequestType], default=RequestType.GENERAL.value)
        category = serializers.CharField(required=False, allow_null=True, allow_blank=True,
                                         help_text="For a general request (a structured one has its own)")
        subject = serializers.CharField()
        description = serializers.CharField(required=False, allow_blank=True, allow_null=True)
        related = RelatedSerializer(required=False, allow_null=True)
        details = DetailsSerializer(required=False)

    @extend_schema(operation_id="cases_list", responses=CaseListItemSerializer(many=True))
    def get(self, request: Request) -> Response:
        customer = request.user.customer
        cases = selectors.case_list(customer)
        changed = selectors.changed_since_seen(customer, cases.value)
        return Response({"data": CaseListItemSerializer(cases.value, many=True, context={"changed": changed}).data,
                         "stale": cases.stale})

    @extend_schema(operation_id="cases_create", request=NewCaseSerializer, responses={
        201: OpenApiResponse(CaseDetailSerializer, description="Opened by this request"),
        200: OpenApiResponse(CaseDetailSerializer, description="A repeat of a request id: the same case"),
        429: OpenApiResponse(description="Too many cases opened in a short time (Retry-After)"),
    })
    def post(self, request: Request) -> Response:
        shape = self.NewCaseSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        customer = request.user.customer
        flat = _flatten(shape.validated_data)
        request_type = RequestType(flat["request_type"])
        related = selectors.related_record(customer, flat["related_kind"], flat["related_id"]) \
            if flat.get("related_kind") else None  # 404 unless it is theirs
        needs_sim = any(detail.value == "iccid" for detail in SPECS[request_type].details)
        form = NewCaseForm(flat, sims=selectors.customer_sims(customer) if needs_sim else [])
        if not form.is_valid():
            raise _form_errors(form)
        try:
            written = services.case_open(
                customer=customer, request_id=form.cleaned_data["request_id"], request_type=request_type,
                category=form.category_value(), subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"], related=related.record if related else None,
                details=form.request_details(),
            )
        except services.TooManyCases as refused:
            raise Throttled(wait=refused.retry_after, detail=refused.message) from None
        code = status.HTTP_201_CREATED if written.created else status.HTTP_200_OK
        return _case_answer(customer, written.case_id, code)


def _flatten(data: dict) -> dict:
    """The API's nested request as the form's fields."""
    details = dict(data.get("details") or {})
    address = details.pop("address", None) or {}
    related = data.get("related") or {}
    flat = {"request_id": data["request_id"], "request_type": data["type"], "category": data.get("category") or "",
            "subject": data["subject"], "description": data.get("description") or "",
            "related_kind": related.get("kind", ""), "related_id": related.get("id", "")}
    flat.update({name: value for name, value in details.items() if value is not None})
    flat.update(address)
    return {name: (value.isoformat() if hasattr(value, "isoformat") else value) for name, value in flat.items()}


class CaseDetailApi(CustomerApi):
    """One of your support cases with its public conversation. Another customer's case is a 404."""

    @extend_schema(operation_id="cases_retrieve", responses=CaseDetailSerializer)
    def get(self, request: Request, case_id: str) -> Response:
        customer = request.user.customer
        case = selectors.case_detail(customer, case_id)
        if not case.stale:
            services.case_mark_seen(customer, case.value)
        return Response({"data": CaseDetailSerializer(case.value).data, "stale": case.stale})


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CaseCommentsApi(CustomerApi):
    """Reply on one of your open support cases."""

    refused_field = "body"

    class CommentInputSerializer(serializers.Serializer):
        request_id = serializers.CharField(help_text="Idempotency key: repeat it and the reply is added once")
        body = serializers.CharField()

    @extend_schema(operation_id="cases_comment", request=CommentInputSerializer, responses={
        201: OpenApiResponse(CaseDetailSerializer, description="The reply was added: the case as it is now"),
        200: OpenApiResponse(CaseDetailSerializer, description="A repeat of a request id: added once already"),
    })
    def post(self, request: Request, case_id: str) -> Response:
        customer = request.user.customer
        case = selectors.case_detail(customer, case_id).value  # 404 unless it is theirs, before anything else
        shape = self.CommentInputSerializer(data=request.data)
        shape.is_valid(raise_exception=True)
        form = CommentForm(shape.validated_data)
        if not form.is_valid():
            raise _form_errors(form)
        written = services.case_comment_add(customer=customer, case_id=case.id, body=form.cleaned_data["body"],
                                            request_id=form.cleaned_data["request_id"])
        return _case_answer(customer, case.id, status.HTTP_201_CREATED if written.created else status.HTTP_200_OK)


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class CaseAttachmentsApi(CustomerApi):
    """A multipart upload (``file``, ``request_id``); the body may be larger than elsewhere
    (``SUPPORT_UPLOAD_MAX_BODY_BYTES``)."""

    refused_field = "file"

    parser_classes = [MultiPartParser, FormParser]
    max_body_bytes_setting = "SUPPORT_UPLOAD_MAX_BODY_BYTES"  # portal.core.middleware.accepts_uploads

    class AttachmentInputSerializer(serializers.Serializer):
        request_id = serializers.CharField(help_text="Idempotency key: repeat it and the file is added once")
        file = serializers.FileField(help_text="A PNG, JPEG or GIF image, or a PDF")

    @extend_schema(operation_id="cases_attach", request={"multipart/form-data": AttachmentInputSerializer},
                   responses={
                       201: OpenApiResponse(CaseDetailSerializer, description="The file was added: the case now"),
                       200: OpenApiResponse(CaseDetailSerializer, description="A repeat of a request id"),
                   })
    def post(self, request: Request, case_id: str) -> Response:
        customer = request.user.customer
        case = selectors.case_detail(customer, case_id).value  # 404 unless it is theirs, before anything else
        form = AttachmentForm(request.data, request.FILES)
        if not form.is_valid():
            raise _form_errors(form)
        written = services.case_attachment_add(customer=customer, case_id=case.id,
                                               attachment=form.cleaned_data["file"],
                                               request_id=form.cleaned_data["request_id"])
        return _case_answer(customer, case.id, status.HTTP_201_CREATED if written.created else status.HTTP_200_OK)


class CaseTypesApi(CustomerApi):
    """The kinds of support case you can open."""

    class CaseTypeSerializer(serializers.Serializer):
        type = serializers.CharField()
        label = serializers.CharField()
        description = serializers.CharField()
        category = serializers.CharField()
        priority = serializers.CharField()
        required_details = serializers.ListField(child=serializers.CharField())
        optional_details = serializers.ListField(child=serializers.CharField())

    @extend_schema(operation_id="case_types_list", responses=CaseTypeSerializer(many=True))
    def get(self, request: Request) -> Response:
        types = [{"type": spec.request_type.value, "label": str(labels.REQUEST_TYPES[spec.request_type]),
                  "description": str(labels.REQUEST_TYPE_HELP[spec.request_type]), "category": spec.category.value,
                  "priority": spec.priority.value, "required_details": [d.value for d in spec.required],
                  "optional_details": [d.value for d in spec.optional]} for spec in SPECS.values()]
        return Response({"data": self.CaseTypeSerializer(types, many=True).data, "stale": False,
                         "limits": {"attachment_max_bytes": settings.SUPPORT_ATTACHMENT_MAX_BYTES,
                                    "attachments_per_case": settings.SUPPORT_ATTACHMENTS_PER_CASE,
                                    "cases_rate": settings.SUPPORT_CASE_RATE}})
