"""Files people attach as evidence: which kinds are accepted, and a check that the content really is that kind
(a web page renamed `.pdf` is refused). The name's extension and the first bytes must agree; Office and
OpenDocument files must be zip archives with the part their format always has; CSV and text must be UTF-8 without
NUL bytes. Nothing here is ever executed or rendered: accepted files are only handed back as downloads."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

__all__ = ["CONTENT_TYPES", "check_evidence_file", "size_text"]

_OOXML = "[Content_Types].xml"  # every Word, Excel and PowerPoint file has this part
_ODF = "mimetype"  # every OpenDocument file starts with this part

CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
}


def _starts(*signatures: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, _file: head.startswith(signatures)


def _webp(head: bytes, _file: IO[bytes]) -> bool:
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _zip_with(part: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, file: IO[bytes]) -> bool:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(file) as archive:
                return part in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return False

    return check


def _utf8_text(_head: bytes, file: IO[bytes]) -> bool:
    data = file.read()
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_CHECKS: dict[str, Callable[[bytes, IO[bytes]], bool]] = {
    ".pdf": _starts(b"%PDF-"),
    ".png": _starts(b"\x89PNG\r\n\x1a\n"),
    ".jpg": _starts(b"\xff\xd8\xff"),
    ".jpeg": _starts(b"\xff\xd8\xff"),
    ".gif": _starts(b"GIF87a", b"GIF89a"),
    ".webp": _webp,
    ".docx": _zip_with(_OOXML),
    ".xlsx": _zip_with(_OOXML),
    ".pptx": _zip_with(_OOXML),
    ".odt": _zip_with(_ODF),
    ".ods": _zip_with(_ODF),
    ".csv": _utf8_text,
    ".txt": _utf8_text,
}
assert set(_CHECKS) == set(CONTENT_TYPES)


def size_text(size: int) -> str:
    """A size as people say it: 512 bytes, 40 KB, 1.5 MB, 14 MB (decimal point as the language writes it)."""
    if size < 1024:
        return _("%(count)s bytes") % {"count": size}
    if size < 1024 * 1024:
        return _("%(count)s KB") % {"count": number_format(round(size / 1024))}
    megabytes = size / (1024 * 1024)
    shown = round(megabytes, 1)
    text = number_format(shown, 0 if shown == int(shown) else 1)
    return _("%(count)s MB") % {"count": text}


def check_evidence_file(name: str, file: IO[bytes], *, size: int, max_bytes: int) -> str:
    """The content type to serve the file with, or a ValidationError in plain words.
    `file` is read from the start and rewound afterwards."""
    if size <= 0:
        raise ValidationError(_("This file is empty. Choose the file again, or another one."))
    if size > max_bytes:
        raise ValidationError(
            _("This file is %(size)s; attachments can be at most %(limit)s.")
            % {"size": size_text(size), "limit": size_text(max_bytes)}
        )
    wrong_type = _("Only PDF, images, Office documents, CSV and text files can be attached.")
    extension = PurePath(name or "").suffix.lower()
    check = _CHECKS.get(extension)
    if check is None:
        raise ValidationError(wrong_type)
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    try:
        ok = check(head, file)
    finally:
        file.seek(0)
    if not ok:
        raise ValidationError(
            _(
                "This file does not look like a %(kind)s file inside, although its name ends in %(extension)s. "
                "Only PDF, images, Office documents, CSV and text files can be attached."
            )
            % {"kind": extension[1:].upper(), "extension": extension}
        )
    return CONTENT_TYPES[extension]
