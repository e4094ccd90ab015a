"""The strict JSON parser every request body goes through: what it refuses, and what it still accepts."""

from __future__ import annotations

import pytest

from flowport.api import json_body
from flowport.api.json_body import JsonBodyError
from flowport.api.media_types import parse


def fault_of(raw: bytes | str, **kwargs: int) -> JsonBodyError:
    with pytest.raises(JsonBodyError) as caught:
        json_body.loads(raw, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("raw", "fault", "named"),
    [
        (b'{"a": "\xff"}', "invalid-utf8", "UTF-8"),
        (b'{"a": "\xed\xa0\x80"}', "invalid-utf8", "UTF-8"),  # a surrogate encoded as raw bytes
        (b'{"a": 1,}', "invalid-json", "line 1"),
        (b"\xef\xbb\xbf{}", "invalid-json", "not valid JSON"),  # a byte order mark (RFC 8259 section 8.1)
        (b'"\\ud800"', "lone-surrogate", "\\ud800"),
        (b'{"v": {"a": ["x", "\\udfff"]}}', "lone-surrogate", "\\udfff"),
        (b'{"\\ud800": 1}', "lone-surrogate", "key"),
        (b'{"a": "\\ude00\\ud83d"}', "lone-surrogate", "surrogate"),  # the pair in the wrong order
        (b'{"a": NaN}', "non-finite-number", "NaN"),
        (b"[Infinity]", "non-finite-number", "Infinity"),
        (b'{"a": -Infinity}', "non-finite-number", "-Infinity"),
        (b'{"a": 1e999}', "non-finite-number", "1e999"),
        (b'{"a": -1e400}', "non-finite-number", "out of range"),
        (b"[1" + b"0" * 400 + b".5]", "non-finite-number", "out of range"),
        (b'{"a": 1, "a": 2}', "duplicate-key", "'a'"),
        (b'{"x": {"client_id": "a", "client_id": "b"}}', "duplicate-key", "'client_id'"),
        (b"[" * 65 + b"]" * 65, "too-deep", "64"),
        (b'{"a": ' * 1000 + b"1" + b"}" * 1000, "too-deep", "64"),
        (b"[" * 50_000 + b"]" * 50_000, "too-deep", "64"),
        (b"1" * 5000, "invalid-json", "digits"),
    ],
)
def test_refused_bodies_name_their_fault(raw: bytes, fault: str, named: str) -> None:
    error = fault_of(raw)
    assert error.fault == fault
    assert named in error.detail


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'{"a": "\\ud83d\\ude00", "b": "\xf0\x9f\x98\x80"}', {"a": "\U0001f600", "b": "\U0001f600"}),
        (b'{"path": "C:\\\\ud800"}', {"path": "C:\\ud800"}),  # an escaped backslash, not an escape
        (
            b'{"a": 1.5e300, "b": -0.0, "c": 12345678901234567890}',
            {"a": 1.5e300, "b": -0.0, "c": 12345678901234567890},
        ),
        (b'{"text": "[[[[{{{{"}', {"text": "[[[[{{{{"}),
        (b"null", None),
        ('{"a": "é"}', {"a": "é"}),
    ],
)
def test_ordinary_json_is_accepted(raw: bytes | str, value: object) -> None:
    assert json_body.loads(raw) == value


def test_the_depth_bound_is_inclusive_and_configurable() -> None:
    at_bound = b"[" * 64 + b"]" * 64
    assert json_body.loads(at_bound) is not None
    assert fault_of(b'{"a": {"b": [1]}}', max_depth=2).fault == "too-deep"
    assert json_body.loads(b'{"a": {"b": 1}}', max_depth=2) == {"a": {"b": 1}}


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = '{"a": "' + "[" * 100 + '"}'
    assert json_body.loads(text) == {"a": "[" * 100}


def test_invalid_json_tells_where() -> None:
    error = fault_of(b'{\n  "a": tru\n}')
    assert (error.extra["line"], error.extra["column"]) == (2, 8)


@pytest.mark.parametrize(
    ("header", "media", "charset", "utf8"),
    [
        (None, "", None, True),
        ("application/json", "application/json", None, True),
        ("Application/JSON; Charset=UTF-8", "application/json", "utf-8", True),
        (
            'application/x-www-form-urlencoded; charset="us-ascii"',
            "application/x-www-form-urlencoded",
            "us-ascii",
            True,
        ),
        (
            "application/x-www-form-urlencoded; charset=utf-16",
            "application/x-www-form-urlencoded",
            "utf-16",
            False,
        ),
        ("application/problem+json; charset=latin1", "application/problem+json", "latin1", False),
    ],
)
def test_content_types(header: str | None, media: str, charset: str | None, utf8: bool) -> None:
    declared = parse(header)
    assert (declared.media, declared.charset, declared.utf8) == (media, charset, utf8)
    assert declared.is_json == media.endswith("json")
