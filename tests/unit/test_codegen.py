"""Generated code: hostile values stay data in every language, and the token is fetched first."""

from __future__ import annotations

import ast
import json
import re
import shlex
from typing import Any

import pytest

from flowport.web.api_catalog import Operation, RequestBody, ResponseCode, build_catalog
from flowport.web.codegen import ClientCredentials, ExampleRequest, Target, generate
from flowport.web.codegen_literals import csharp_raw, csharp_str

HOSTILE = 'it\'s "quoted" $HOME `id` \\ back\nnew line, ünïcødé ✓ \u2028 end'
BODY: dict[str, Any] = {
    "definitionKey": "order",
    "variables": {"note": HOSTILE, "n": 1, "ok": True, "x": None},
}
AUTH = ClientCredentials("app's-client", "http://127.0.0.1:8077/connect/token")
OP = Operation(
    id="post-items-item-id",
    method="POST",
    path="/api/v1/items/{item_id}",
    summary="",
    description="",
    permission="instances:start",
    tag="",
    group="",
    bodies=(RequestBody("application/json", True),),
    responses=(ResponseCode("201", "", ("application/json",)),),
)
REQUEST = ExampleRequest(
    base_url="http://127.0.0.1:8077",
    path_params={"item_id": "a/b?c'd"},
    query={"q": HOSTILE},
    headers={"x-note": "it's $HOME `id`"},
    json_body=BODY,
    auth=AUTH,
)
URL = "http://127.0.0.1:8077/api/v1/items/a%2Fb%3Fc%27d?q=" + "it%27s%20%22quoted%22"


def test_curl_is_one_token_request_then_the_call_with_every_value_literal() -> None:
    code = generate(OP, REQUEST, Target.CURL)
    token_part, call_part = code.split("\n\n", 1)
    assert "${FLOWPORT_CLIENT_SECRET:?" in token_part and "grant_type=client_credentials" in token_part
    words = shlex.split(call_part.replace("\\\n", " "))
    assert words[:4] == ["curl", "-sS", "-X", "POST"]
    assert words[4].startswith(URL)
    assert "Authorization: Bearer $ACCESS_TOKEN" in words  # double-quoted: the shell expands only this
    assert "x-note: it's $HOME `id`" in words
    assert "'x-note: it'\"'\"'s $HOME `id`'" in call_part  # single quotes: nothing expanded
    assert json.loads(words[words.index("--data-raw") + 1]) == BODY
    assert "app's-client" in shlex.split(token_part.split("$(", 1)[1].replace("\\\n", " "))[-7]


def keyword(tree: ast.AST, name: str) -> ast.expr:
    return next(node.value for node in ast.walk(tree) if isinstance(node, ast.keyword) and node.arg == name)


def test_python_requests_parses_and_sends_the_same_values() -> None:
    code = generate(OP, REQUEST, Target.PYTHON_REQUESTS)
    tree = ast.parse(code)
    assert ast.literal_eval(keyword(tree, "json")) == BODY
    assert 'os.environ["FLOWPORT_CLIENT_SECRET"]' in code
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)}
    assert any(isinstance(s, str) and s.startswith(URL) for s in strings)
    assert "app's-client" in strings and "it's $HOME `id`" in strings
    assert code.index("token_response = requests.post(") < code.index("response = requests.post(")


def test_python_sdk_uses_typed_methods_or_execute() -> None:
    catalog = build_catalog(
        {"paths": {"/api/v1/process-instances": {"post": {"x-permission": "instances:start"}}}}
    )
    start = catalog.find("POST", "/api/v1/process-instances")
    request = ExampleRequest(
        "http://h:1", json_body={"definitionKey": HOSTILE, "variables": {"a": 1}}, auth=AUTH
    )
    code = generate(start, request, Target.PYTHON_SDK)
    tree = ast.parse(code)
    call = next(
        n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).endswith("start")
    )
    assert ast.unparse(call.func) == "flowport.instances.start"
    assert [ast.literal_eval(arg) for arg in call.args] == [HOSTILE, {"a": 1}]
    assert 'client_secret=os.environ["FLOWPORT_CLIENT_SECRET"]' in code
    assert 'token_url="http://127.0.0.1:8077/connect/token"' in code

    fallback = generate(OP, REQUEST, Target.PYTHON_SDK)  # no SDK method for this path
    tree = ast.parse(fallback)
    assert "flowport.execute(" in fallback and "from flowport.client.operations import Operation" in fallback
    assert ast.literal_eval(keyword(tree, "json")) == BODY
    assert ast.literal_eval(keyword(tree, "params")) == {"q": HOSTILE}


def test_javascript_literals_are_json_strings() -> None:
    code = generate(OP, REQUEST, Target.JAVASCRIPT_FETCH)
    assert "\u2028" not in code  # escaped: a raw one ends a line in older JavaScript
    body = code.split("JSON.stringify(", 1)[1].rsplit("),\n});", 1)[0]
    assert json.loads(body) == BODY
    url = re.search(r'const response = await fetch\(("(?:[^"\\]|\\.)*")', code)
    assert url is not None and json.loads(url.group(1)).startswith(URL)
    assert 'process.env["FLOWPORT_CLIENT_SECRET"]' in code
    assert code.index("tokenResponse") < code.index("const response")


def parse_csharp_literal(text: str) -> str:
    escapes = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "0": "\0"}
    assert text[0] == '"' and text[-1] == '"'
    out, i, body = [], 0, text[1:-1]
    while i < len(body):
        ch = body[i]
        assert ch not in '\n\r"', "a raw line break or quote inside a C# literal"
        if ch == "\\":
            if body[i + 1] == "u":
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            out.append(escapes[body[i + 1]])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out).encode("utf-16", "surrogatepass").decode("utf-16")


@pytest.mark.parametrize("value", [HOSTILE, "", "tab\there\0nul", "emoji 🚀 \x7f"])
def test_csharp_string_literals_round_trip(value: str) -> None:
    assert parse_csharp_literal(csharp_str(value)) == value


def test_csharp_json_body_is_a_raw_literal_with_a_long_enough_delimiter() -> None:
    assert csharp_raw('say """"hi""""').startswith('"""""\n')  # longer than the run of quotes inside
    request = ExampleRequest("http://h:1", path_params={"item_id": "1"}, json_body=BODY, auth=AUTH)
    code = generate(OP, request, Target.CSHARP_HTTPCLIENT)
    match = re.search(r'var json = ("{3,})\n(.*?)\n\1;', code, re.S)
    assert match is not None
    assert json.loads(match.group(2)) == BODY
    assert 'Environment.GetEnvironmentVariable("FLOWPORT_CLIENT_SECRET")' in code


def test_public_operations_get_no_token_request() -> None:
    public = Operation("get-healthz", "GET", "/healthz", "", "", None, "", "")
    request = ExampleRequest("http://h:1")
    for target in Target:
        code = generate(public, request, target)
        assert "client_credentials" not in code and "FLOWPORT_CLIENT_SECRET" not in code, target


def test_the_secret_is_never_in_the_code_and_headers_cannot_break_lines() -> None:
    for target in Target:
        assert "FLOWPORT_CLIENT_SECRET" in generate(OP, REQUEST, target)
    bad = ExampleRequest("http://h:1", path_params={"item_id": "1"}, headers={"x-a": "1\r\nX-Evil: 2"})
    with pytest.raises(ValueError, match="line break"):
        generate(OP, bad, Target.CURL)
    with pytest.raises(ValueError, match="path parameter"):
        generate(OP, ExampleRequest("http://h:1"), Target.CURL)
