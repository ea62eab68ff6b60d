"""Reading user input: every way a file can be unusable gives a clear InputError."""
from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from spinfix.errors import InputError
from spinfix.io.reading import DEFAULT_MAX_BYTES, decode_text, read_text


def write(tmp_path: Path, data: bytes, name: str = "in.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


class _Stdin:
    """Stand-in for sys.stdin: a text wrapper whose .buffer counts what was read."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


# --- good input ----------------------------------------------------------------------------


def test_reads_utf8_text_exactly(tmp_path: Path) -> None:
    text = "Café — “quoted”.\nSecond line.\n"
    assert read_text(write(tmp_path, text.encode())) == text


def test_accepts_str_path_and_pathlike(tmp_path: Path) -> None:
    path = write(tmp_path, b"Hello.")
    assert read_text(str(path)) == read_text(path) == "Hello."


def test_strips_a_leading_bom_only(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbfHello.\xef\xbb\xbf")
    assert read_text(path) == "Hello.\ufeff"


def test_keeps_crlf_and_cr_line_endings(tmp_path: Path) -> None:
    data = b"One.\r\nTwo.\rThree.\n"
    assert read_text(write(tmp_path, data)) == data.decode()


def test_file_exactly_at_the_limit_is_accepted(tmp_path: Path) -> None:
    assert read_text(write(tmp_path, b"x" * 100), max_bytes=100) == "x" * 100


def test_default_limit_is_fifty_mebibytes() -> None:
    assert DEFAULT_MAX_BYTES == 50 * 1024 * 1024


def test_dash_reads_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"Hello from a pipe.\n"))
    assert read_text("-") == "Hello from a pipe.\n"


# --- errors --------------------------------------------------------------------------------


def test_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError, match=r"nope\.txt: no such file"):
        read_text(path)


def test_path_through_a_file_is_reported_as_missing(tmp_path: Path) -> None:
    path = write(tmp_path, b"text") / "child.txt"
    with pytest.raises(InputError, match="no such file"):
        read_text(path)


def test_directory_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_text(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_says_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path, b"secret")
    path.chmod(0)
    try:
        with pytest.raises(InputError, match=r"in\.txt: permission denied"):
            read_text(path)
    finally:
        path.chmod(0o600)


def test_permission_error_on_open_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Runs as root too, where chmod 0 does not stop reading.
    path = write(tmp_path, b"secret")

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr("builtins.open", deny)
    with pytest.raises(InputError, match=r"in\.txt: permission denied"):
        read_text(path)


def test_empty_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"in\.txt is empty"):
        read_text(write(tmp_path, b""))


def test_whitespace_only_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"in\.txt is empty"):
        read_text(write(tmp_path, b" \n\t\r\n  \xc2\xa0\n"))


def test_bom_only_file_is_empty(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is empty"):
        read_text(write(tmp_path, b"\xef\xbb\xbf\n"))


def test_nul_bytes_look_binary(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"in\.txt .*looks binary"):
        read_text(write(tmp_path, b"Hello\x00world. " * 10))


def test_many_control_characters_look_binary(tmp_path: Path) -> None:
    data = bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 50 + b"some text"
    with pytest.raises(InputError, match="looks binary"):
        read_text(write(tmp_path, data))


def test_few_control_characters_are_still_text(tmp_path: Path) -> None:
    data = b"A line with a \x1b[1mbold\x1b[0m word and a form feed.\x0c\n" * 20
    assert read_text(write(tmp_path, data)) == data.decode()


@pytest.mark.parametrize("at", [10, 9000, 5_000_000])
def test_a_nul_byte_anywhere_is_refused_and_located(tmp_path: Path, at: int) -> None:
    # A NUL is never text: refused after the first 8 KB as before it, with where it is.
    data = b"Officials said the bridge is closed. " * (at // 37 + 1)
    data = data[:at] + b"\x00" + data[at:]
    with pytest.raises(InputError, match=f"NUL byte at byte offset {at:,}"):
        read_text(write(tmp_path, data))


def test_gzip_file_looks_binary_and_suggests_decompressing(tmp_path: Path) -> None:
    import gzip

    with pytest.raises(InputError, match="looks binary.*gunzip"):
        read_text(write(tmp_path, gzip.compress(b"Hello world."), "in.txt.gz"))


def test_utf16_file_looks_binary_and_suggests_iconv(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="looks binary.*utf-16"):
        read_text(write(tmp_path, "Hello world.".encode("utf-16")))


def test_invalid_utf8_says_where_and_suggests_iconv(tmp_path: Path) -> None:
    data = b"First line.\nCaf\xe9 au lait.\n"  # Latin-1 e-acute
    with pytest.raises(InputError) as info:
        read_text(write(tmp_path, data))
    msg = str(info.value)
    assert "in.txt" in msg and "not valid UTF-8" in msg
    assert "byte offset 15" in msg and "line 2" in msg and "0xe9" in msg
    assert "iconv -f latin1 -t utf-8" in msg


def test_file_over_the_limit_reports_size_and_limit_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, b"x" * 2048)
    read_calls: list[int] = []
    real_open = open

    class Spy(io.BufferedReader):
        def read(self, n: int | None = -1) -> bytes:  # type: ignore[override]
            read_calls.append(n if n is not None else -1)
            return super().read(n)

    def spy_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        fh = real_open(file, mode, *args, **kwargs)
        return Spy(fh.detach()) if "b" in mode else fh  # type: ignore[union-attr]

    monkeypatch.setattr("builtins.open", spy_open)
    with pytest.raises(InputError) as info:
        read_text(path, max_bytes=1000)
    msg = str(info.value)
    assert "in.txt" in msg and "2.0 KiB (2,048 bytes)" in msg and "1,000 bytes" in msg
    assert "--max-bytes" in msg
    assert read_calls == []  # decided from fstat alone


def test_stdin_over_the_limit_reads_at_most_limit_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = _Stdin(b"y" * 10_000)
    monkeypatch.setattr(sys, "stdin", fake)
    with pytest.raises(InputError, match=r"standard input .*limit of 100 bytes.*--max-bytes"):
        read_text("-", max_bytes=100)
    assert fake.buffer.tell() == 101


def test_empty_stdin_is_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b""))
    with pytest.raises(InputError, match="standard input is empty"):
        read_text("-")


def test_negative_limit_is_a_programming_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        read_text(write(tmp_path, b"x"), max_bytes=-1)


# --- decode_text directly ------------------------------------------------------------------


def test_decode_text_uses_the_given_name_in_messages() -> None:
    with pytest.raises(InputError, match="^notes.txt is empty"):
        decode_text(b"", "notes.txt")
    with pytest.raises(InputError, match="^<input> is not valid UTF-8"):
        decode_text(b"abc \xff def")


def test_decode_text_truncated_multibyte_sequence_reports_offset() -> None:
    with pytest.raises(InputError, match="byte offset 3"):
        decode_text(b"abc\xe2\x80")


def test_a_byte_order_mark_is_not_text_but_is_remembered(tmp_path: Path) -> None:
    from spinfix.io.reading import read_input

    path = write(tmp_path, "\ufeffThe bridge is closed.".encode())
    assert read_input(path) == ("The bridge is closed.", True)
    assert read_input(write(tmp_path, b"The bridge is closed.", "plain.txt")) == ("The bridge is closed.", False)
