"""Bytes -> text, and the checks that come first: binary files, empty files, encodings that are not UTF-8.

Pure functions; the caller yields the `ReadFailure`s they return.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from rag.records import ReadFailure

SNIFF_BYTES = 8192  # NUL bytes this early mean a binary file (image, PDF, database), not a news export
_DECLARED_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.I)


def check_bytes(name: str, data: bytes) -> ReadFailure | None:
    """A `ReadFailure` for a file that is empty or binary, else None."""
    body = data.removeprefix(codecs.BOM_UTF8)
    if not body or body.isspace() or body in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return ReadFailure(name, None, "empty file")
    if _utf16_codec(data) is None and b"\x00" in data[:SNIFF_BYTES]:
        return ReadFailure(name, None, "binary file, not a news export")
    return None


def decode(name: str, data: bytes) -> tuple[str, ReadFailure | None]:
    """Bytes -> (text, warning). UTF-8 (BOM stripped) or UTF-16 with a BOM are read as they are; a line
    that is not UTF-8 is read as Windows-1252 (Latin-1 if even that fails) and the warning names the
    first bad byte.
    The text comes back NFC-normalised with `\\n` line ends."""
    if codec := _utf16_codec(data):
        return _normalise(data.decode(codec, errors="replace")), None
    try:
        return _normalise(data.decode("utf-8-sig")), None
    except UnicodeDecodeError as error:
        return _normalise(_decode_by_line(data, error.start)), not_utf8_warning(name, data, error)


def decode_declared(name: str, data: bytes) -> tuple[str, ReadFailure | None]:
    """Like `decode`, but first honours a charset the document declares in its first 2 KB
    (`<meta charset=...>`, `<?xml encoding=...?>`): saved web pages often say what they are. A UTF-16
    byte order mark outranks the declaration, as browsers have it."""
    if _utf16_codec(data):
        return decode(name, data)
    try:
        return _normalise(data.decode("utf-8-sig")), None
    except UnicodeDecodeError:
        pass
    if match := _DECLARED_CHARSET.search(data[:2048]):
        try:
            codec = codecs.lookup(match.group(1).decode("ascii")).name
            if codec not in ("utf-8", "utf-8-sig"):
                return _normalise(data.decode(codec)), None
        except (LookupError, UnicodeDecodeError, ValueError):
            pass
    return decode(name, data)


def not_utf8_warning(name: str, data: bytes, error: UnicodeDecodeError) -> ReadFailure:
    line = data.count(b"\n", 0, error.start) + 1
    read_as = _decode_legacy(data)[1]
    return ReadFailure(
        name,
        line,
        f"not valid UTF-8 (byte 0x{data[error.start]:02X} at line {line}); read as {read_as} "
        "— convert the file to UTF-8 if accents look wrong",
    )


def _decode_by_line(data: bytes, first_bad: int) -> str:
    """A file that is mostly UTF-8 with some lines in a legacy encoding (exports appended to by two
    tools): each line decoded as what it is, so one Latin-1 record does not garble the UTF-8 ones.
    A line break is one byte in all of these encodings, so no character spans two lines."""
    if data.startswith(codecs.BOM_UTF8):
        data, first_bad = data[len(codecs.BOM_UTF8):], first_bad - len(codecs.BOM_UTF8)
    start = data.rfind(b"\n", 0, first_bad) + 1  # everything before this line is valid UTF-8
    lines = [data[:start].decode("utf-8")]
    for line in data[start:].split(b"\n"):
        try:
            lines.append(line.decode("utf-8") + "\n")
        except UnicodeDecodeError:
            lines.append(_decode_legacy(line)[0] + "\n")
    return "".join(lines)[:-1]


def _decode_legacy(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:  # 0x81, 0x8D, 0x8F, 0x90, 0x9D are unassigned in Windows-1252
        return data.decode("latin-1"), "Latin-1"


def _utf16_codec(data: bytes) -> str | None:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _normalise(text: str) -> str:
    text = text.removeprefix("\ufeff")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
