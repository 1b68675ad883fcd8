import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from complaintdesk.lib import uploads

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 100
PDF = b"%PDF-1.7\n" + b"0" * 100
EXE = b"MZ\x90\x00\x03" + b"\x00\xff" * 50


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (b"\xff\xd8\xff\xe0", "image/jpeg"),
        (b"plain", "text/plain"),
    ],
)
def test_the_type_is_read_from_the_content_and_the_file_is_left_rewound(content, content_type):
    upload = SimpleUploadedFile("named.exe", content)
    upload.read(3)
    assert uploads.check(upload, {content_type}) == content_type
    assert upload.read() == content


def test_an_oversize_upload_is_refused_before_its_content_is_read(settings):
    settings.EVIDENCE_MAX_BYTES = 10
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check(SimpleUploadedFile("a.png", EXE + b"x" * 100), {"image/png"})
    assert (refused.value.problem, refused.value.field) == (uploads.TOO_LARGE, "file")
    assert refused.value.reason == f"is {len(EXE) + 100} bytes; the limit is 10 bytes"


def test_an_empty_upload_is_refused():
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check(SimpleUploadedFile("a.png", b""), {"image/png"})
    assert (refused.value.problem, refused.value.reason) == (uploads.EMPTY, "is empty")


def test_a_renamed_executable_is_refused_with_the_allowed_types_or_the_callers_reason():
    with pytest.raises(uploads.UploadRefused) as refused:
        uploads.check(SimpleUploadedFile("plan.pdf", EXE), {"image/png", "application/pdf"})
    assert refused.value.problem == uploads.WRONG_TYPE
    assert refused.value.reason == "type not allowed; send one of: application/pdf, image/png"
    with pytest.raises(uploads.UploadRefused, match="must be a PDF"):
        uploads.check(SimpleUploadedFile("plan.pdf", PNG), {"application/pdf"}, wrong_type="must be a PDF")
