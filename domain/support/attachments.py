"""Files a customer attaches to a case: images and PDFs, recognised by their content.

The type is what the bytes are (their signature), never what the browser or the file name
claims: a renamed executable is refused, a PNG called ``scan.pdf`` is a PNG. The name kept is the
customer's, reduced to a safe single file name whose extension matches the type.
"""
from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from typing import Annotated

from pydantic import Field, Strict

from domain.shared.model import DomainModel

MAX_FILE_NAME_LENGTH = 100
_UNSAFE = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


class AttachmentKind(StrEnum):
    PNG = "png"
    JPEG = "jpeg"
    GIF = "gif"
    PDF = "pdf"

    @property
    def content_type(self) -> str:
        return {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif", "pdf": "application/pdf"}[self.value]

    @property
    def extension(self) -> str:
        return "jpg" if self is AttachmentKind.JPEG else self.value


_EXTENSIONS = {"png": AttachmentKind.PNG, "jpg": AttachmentKind.JPEG, "jpeg": AttachmentKind.JPEG,
               "gif": AttachmentKind.GIF, "pdf": AttachmentKind.PDF}


def sniff(head: bytes) -> AttachmentKind | None:
    """The kind of file these first bytes start, or None when it is none we accept."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return AttachmentKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return AttachmentKind.JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return AttachmentKind.GIF
    if head.startswith(b"%PDF-"):
        return AttachmentKind.PDF
    return None


def kind_of_extension(extension: str) -> AttachmentKind | None:
    return _EXTENSIONS.get(extension.lower().lstrip("."))


class AttachmentRefused(ValueError):  # noqa: N818 - a refusal the customer is told about
    """The file cannot be attached; ``reason`` says why (``empty``, ``too_large``, ``type``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NewAttachment(DomainModel):
    """A file checked and ready to send to the CRM's file store."""

    file_name: Annotated[str, Strict(), Field(min_length=1, max_length=MAX_FILE_NAME_LENGTH)]
    kind: AttachmentKind
    content: Annotated[bytes, Strict(), Field(min_length=1)]

    @property
    def title(self) -> str:
        """The name without its extension (what Salesforce Files shows)."""
        return self.file_name.rsplit(".", 1)[0] or self.file_name

    @property
    def size(self) -> int:
        return len(self.content)


def safe_file_name(name: str, kind: AttachmentKind) -> str:
    """The last path component of ``name``, without control or reserved characters, at most
    ``MAX_FILE_NAME_LENGTH`` characters, ending in the extension of ``kind``."""
    base = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    base = _UNSAFE.sub("_", base).strip(" ._") or "attachment"
    stem, dot, extension = base.rpartition(".")
    if dot and kind_of_extension(extension) is not None:
        base = stem.rstrip(" ._") or "attachment"
    suffix = f".{kind.extension}"
    return base[: MAX_FILE_NAME_LENGTH - len(suffix)] + suffix


def check_attachment(name: str, content: bytes, *, max_bytes: int) -> NewAttachment:
    """``content`` as an attachment, or :class:`AttachmentRefused` (empty, larger than
    ``max_bytes``, or not a PNG, JPEG, GIF or PDF by its content)."""
    if not content:
        raise AttachmentRefused("empty", "the file is empty")
    if len(content) > max_bytes:
        raise AttachmentRefused("too_large", f"the file is larger than {max_bytes} bytes")
    kind = sniff(content[:16])
    if kind is None:
        raise AttachmentRefused("type", "the file is not a PNG, JPEG or GIF image nor a PDF")
    return NewAttachment(file_name=safe_file_name(name, kind), kind=kind, content=content)
