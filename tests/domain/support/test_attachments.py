"""Attachments are what their bytes are: images and PDFs only, a safe name, a size limit."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.support.attachments import (
    MAX_FILE_NAME_LENGTH,
    AttachmentKind,
    AttachmentRefused,
    check_attachment,
    safe_file_name,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
PDF = b"%PDF-1.7\n" + b"\x00" * 32


@pytest.mark.parametrize(("content", "kind", "name"), [
    (PNG, AttachmentKind.PNG, "screen.png"), (JPEG, AttachmentKind.JPEG, "photo.jpg"),
    (GIF, AttachmentKind.GIF, "anim.gif"), (PDF, AttachmentKind.PDF, "letter.pdf"),
])
def test_images_and_pdfs_are_accepted_by_their_content(content, kind, name):
    attachment = check_attachment(name, content, max_bytes=1000)
    assert attachment.kind is kind and attachment.file_name == name and attachment.content == content


@pytest.mark.parametrize(("name", "content"), [
    ("invoice.pdf", b"MZ\x90\x00 a Windows program"), ("photo.png", b"<html><script>"), ("x.png", b"\x89PNG"[:3]),
])
def test_anything_else_is_refused_whatever_its_name(name, content):
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment(name, content, max_bytes=1000)
    assert refused.value.reason == "type"


def test_empty_and_too_large_files_are_refused():
    with pytest.raises(AttachmentRefused, match="empty"):
        check_attachment("a.png", b"", max_bytes=10)
    with pytest.raises(AttachmentRefused) as refused:
        check_attachment("a.png", PNG, max_bytes=len(PNG) - 1)
    assert refused.value.reason == "too_large"
    assert check_attachment("a.png", PNG, max_bytes=len(PNG)).size == len(PNG)


@pytest.mark.parametrize(("name", "kind", "expected"), [
    ("C:\\Users\\alice\\shot.PNG", AttachmentKind.PNG, "shot.png"),
    ("../../etc/passwd", AttachmentKind.PDF, "passwd.pdf"),
    ("scan.pdf", AttachmentKind.PNG, "scan.png"),  # the content decides the extension
    ("report.final.jpeg", AttachmentKind.JPEG, "report.final.jpg"),
    ("", AttachmentKind.GIF, "attachment.gif"),
    ("...", AttachmentKind.GIF, "attachment.gif"),
    ("a<b>|c?.png", AttachmentKind.PNG, "a_b_c.png"),
])
def test_file_names_are_made_safe(name, kind, expected):
    assert safe_file_name(name, kind) == expected


@given(st.text())
def test_any_name_becomes_one_short_file_name_of_the_right_type(name):
    safe = safe_file_name(name, AttachmentKind.PDF)
    assert safe.endswith(".pdf") and len(safe) <= MAX_FILE_NAME_LENGTH
    assert "/" not in safe and "\\" not in safe and "\x00" not in safe and not safe.startswith(".")
