"""Generated code for curl (POSIX shell), JavaScript (fetch, Node.js 18+) and C# (HttpClient, .NET 8)."""

from __future__ import annotations

from flowport.web.codegen_literals import csharp_raw, csharp_str, js_str, js_value, json_text, shell
from flowport.web.codegen_request import Call, ClientCredentials


def curl(call: Call) -> str:
    lines: list[str] = []
    if call.auth is not None:
        lines += _curl_token(call.auth)
    args = ["curl", "-sS"]
    if call.method != "GET" or call.json_body is not None or call.form is not None or call.files:
        args += ["-X", call.method]
    parts = [" ".join(args) + " " + shell(call.url)]
    if call.auth is not None:
        parts.append('-H "Authorization: Bearer $ACCESS_TOKEN"')
    parts += [f"-H {shell(f'{name}: {value}')}" for name, value in call.headers]
    if call.json_body is not None:
        parts.append(f"-H {shell('Content-Type: application/json')}")
        parts.append(f"--data-raw {shell(json_text(call.json_body))}")
    elif call.multipart:
        parts += [f"--form-string {shell(f'{name}={value}')}" for name, value in call.form or ()]
        parts += [f'--form-string {shell(name + "=")}"${{{env}:?}}"' for name, env in call.form_env]
        parts += [f"-F {shell(f'{name}=@{_curl_file(path)}')}" for name, path in call.files]
    elif call.form is not None:
        parts += [f"--data-urlencode {shell(f'{name}={value}')}" for name, value in call.form]
        parts += [f'--data-urlencode {shell(name + "=")}"${{{env}:?}}"' for name, env in call.form_env]
    lines.append(" \\\n  ".join(parts))
    return "\n".join(lines) + "\n"


def _curl_token(auth: ClientCredentials) -> list[str]:
    parts = [
        f"curl -sS -X POST {shell(auth.token_url)}",
        f"--data-urlencode {shell('grant_type=client_credentials')}",
        f"--data-urlencode {shell('client_id=' + auth.client_id)}",
        f'--data-urlencode "client_secret=${{{auth.secret_env}:?Set {auth.secret_env}}}"',
    ]
    if auth.scope:
        parts.append(f"--data-urlencode {shell('scope=' + auth.scope)}")
    return [
        "# An access token (OAuth 2.0 client credentials); the secret comes from the environment",
        "ACCESS_TOKEN=$(" + " \\\n  ".join(parts) + " | jq -r .access_token)",
        "",
    ]


def _curl_file(path: str) -> str:
    # curl -F reads ';' and ',' as options of the field: a path with them (or '"') goes in quotes
    if any(ch in path for ch in ';,"\\'):
        return '"' + path.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return path


def javascript(call: Call) -> str:
    lines = ["// Node.js 18+ as an ES module (save as call.mjs, run with: node call.mjs)"]
    if call.files:
        lines += ['import { readFile } from "node:fs/promises";', 'import { basename } from "node:path";']
    lines.append("")
    headers: list[str] = []
    if call.auth is not None:
        lines += _js_token(call.auth)
        headers.append("Authorization: `Bearer ${accessToken}`,")
    headers += [f"{js_str(name)}: {js_str(value)}," for name, value in call.headers]
    body: str | None = None
    if call.json_body is not None:
        headers.append('"Content-Type": "application/json",')
        body = f"JSON.stringify({js_value(call.json_body, 2)})"
    elif call.multipart:
        lines.append("const form = new FormData();")
        lines += [f"form.append({js_str(k)}, {js_str(v)});" for k, v in call.form or ()]
        lines += [f"form.append({js_str(k)}, process.env[{js_str(env)}]);" for k, env in call.form_env]
        for name, path in call.files:
            blob = f"new Blob([await readFile({js_str(path)})])"
            lines.append(f"form.append({js_str(name)}, {blob}, basename({js_str(path)}));")
        lines.append("")
        body = "form"
    elif call.form is not None:
        pairs = [f"  {js_str(k)}: {js_str(v)}," for k, v in call.form]
        pairs += [f"  {js_str(k)}: process.env[{js_str(env)}]," for k, env in call.form_env]
        lines += ["const form = new URLSearchParams({", *pairs, "});", ""]
        body = "form"
    options = [f"  method: {js_str(call.method)},"]
    if headers:
        options += ["  headers: {", *(f"    {header}" for header in headers), "  },"]
    if body is not None:
        options.append(f"  body: {body},")
    lines += [f"const response = await fetch({js_str(call.url)}, {{", *options, "});"]
    if call.returns_json:
        lines += [
            "if (!response.ok) throw new Error(`${response.status}: ${await response.text()}`);",
            "console.log(JSON.stringify(await response.json(), null, 2));",
        ]
    else:
        lines.append("console.log(response.status, await response.text());")
    return "\n".join(lines) + "\n"


def _js_token(auth: ClientCredentials) -> list[str]:
    fields = [
        '    grant_type: "client_credentials",',
        f"    client_id: {js_str(auth.client_id)},",
        f"    client_secret: process.env[{js_str(auth.secret_env)}],",
    ]
    if auth.scope:
        fields.append(f"    scope: {js_str(auth.scope)},")
    return [
        "// An access token (OAuth 2.0 client credentials); the secret comes from the environment",
        f"const tokenResponse = await fetch({js_str(auth.token_url)}, {{",
        '  method: "POST",',
        "  body: new URLSearchParams({",
        *fields,
        "  }),",
        "});",
        "if (!tokenResponse.ok) throw new Error(`Token request: ${await tokenResponse.text()}`);",
        "const { access_token: accessToken } = await tokenResponse.json();",
        "",
    ]


def csharp(call: Call) -> str:
    lines = ["// .NET 8 top-level program (dotnet new console; paste into Program.cs)"]
    lines += ["using System.Net.Http.Headers;", "using System.Text;", "using System.Text.Json;", ""]
    lines += ["using var http = new HttpClient();", ""]
    if call.auth is not None:
        lines += _csharp_token(call.auth)
    method = csharp_str(call.method)
    lines.append(
        f"using var request = new HttpRequestMessage(new HttpMethod({method}), {csharp_str(call.url)});"
    )
    if call.auth is not None:
        lines.append('request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);')
    for name, value in call.headers:
        lines.append(f"request.Headers.TryAddWithoutValidation({csharp_str(name)}, {csharp_str(value)});")
    if call.json_body is not None:
        lines.append(f"var json = {csharp_raw(json_text(call.json_body))};")
        lines.append('request.Content = new StringContent(json, Encoding.UTF8, "application/json");')
    elif call.multipart:
        lines.append("var form = new MultipartFormDataContent();")
        for name, value in call.form or ():
            lines.append(f"form.Add(new StringContent({csharp_str(value)}), {csharp_str(name)});")
        for name, env in call.form_env:
            lines.append(f"form.Add(new StringContent({_cs_env(env)}), {csharp_str(name)});")
        for name, path in call.files:
            content = f"new ByteArrayContent(File.ReadAllBytes({csharp_str(path)}))"
            lines.append(f"form.Add({content}, {csharp_str(name)}, Path.GetFileName({csharp_str(path)}));")
        lines.append("request.Content = form;")
    elif call.form is not None:
        pairs = [f"    [{csharp_str(k)}] = {csharp_str(v)}," for k, v in call.form]
        pairs += [f"    [{csharp_str(k)}] = {_cs_env(env)}," for k, env in call.form_env]
        lines += [
            "request.Content = new FormUrlEncodedContent(new Dictionary<string, string>",
            "{",
            *pairs,
            "});",
        ]
    lines += [
        "",
        "using var response = await http.SendAsync(request);",
        'Console.WriteLine($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");',
    ]
    return "\n".join(lines) + "\n"


def _cs_env(env: str) -> str:
    read = f"Environment.GetEnvironmentVariable({csharp_str(env)})"
    return f"{read} ?? throw new InvalidOperationException({csharp_str(f'Set {env}')})"


def _csharp_token(auth: ClientCredentials) -> list[str]:
    fields = [
        '    ["grant_type"] = "client_credentials",',
        f'    ["client_id"] = {csharp_str(auth.client_id)},',
        f'    ["client_secret"] = {_cs_env(auth.secret_env)},',
    ]
    if auth.scope:
        fields.append(f'    ["scope"] = {csharp_str(auth.scope)},')
    return [
        "// An access token (OAuth 2.0 client credentials); the secret comes from the environment",
        "var tokenForm = new FormUrlEncodedContent(new Dictionary<string, string>",
        "{",
        *fields,
        "});",
        f"using var tokenResponse = await http.PostAsync({csharp_str(auth.token_url)}, tokenForm);",
        "tokenResponse.EnsureSuccessStatusCode();",
        "using var tokenJson = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync());",
        'var accessToken = tokenJson.RootElement.GetProperty("access_token").GetString();',
        "",
    ]
