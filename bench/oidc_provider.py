"""node-oidc-provider (npm ``oidc-provider``) as the token benchmark's reference server.

Installed by the benchmark itself with npm into ``~/.cache/flowport-bench/oidc-provider`` (once),
configured with one client, the client-credentials grant, and JWT access tokens signed RS256
(a resource indicator whose resource server asks for ``accessTokenFormat: 'jwt'``).
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

CACHE = Path.home() / ".cache" / "flowport-bench" / "oidc-provider"
PACKAGE = "oidc-provider@^9"

SERVER_SCRIPT = """\
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, audience] = [Number(process.argv[2]), ...process.argv.slice(3)];
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' };

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [jwk] },
  scopes: ['api:read'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => `urn:bench:${audience}`,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api:read',
        audience,
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
provider.listen(port, '127.0.0.1', () => console.log(`ready ${port}`));
"""


class Unavailable(RuntimeError):
    """node, npm or the package could not be set up; the message says why."""


def install() -> tuple[Path, str]:
    """The folder with node_modules/oidc-provider and server.mjs, and the installed version."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise Unavailable("node and npm are not installed (apt-get install nodejs npm)")
    package_json = CACHE / "node_modules" / "oidc-provider" / "package.json"
    if not package_json.is_file():
        CACHE.mkdir(parents=True, exist_ok=True)
        if not (CACHE / "package.json").exists():
            (CACHE / "package.json").write_text('{"name": "flowport-bench-oidc", "private": true}\n')
        try:
            done = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", PACKAGE],
                cwd=CACHE,
                capture_output=True,
                text=True,
                timeout=600,
            )
        except subprocess.TimeoutExpired:
            raise Unavailable("npm install oidc-provider took longer than 10 minutes") from None
        if done.returncode != 0 or not package_json.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise Unavailable(f"npm install {PACKAGE} failed: {tail[0][:200]}")
    (CACHE / "server.mjs").write_text(SERVER_SCRIPT)
    import json

    version = json.loads(package_json.read_text()).get("version", "?")
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return CACHE, f"oidc-provider {version} on node {node}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(client_id: str, secret: str, audience: str) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Start the provider on a free port; yield (port, process); stop it."""
    folder, _ = install()
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", "server.mjs", str(port), client_id, secret, audience],
            cwd=folder,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 30
        while "ready" not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                raise Unavailable(f"node-oidc-provider did not start: {' | '.join(tail)[:300]}")
            time.sleep(0.1)
        yield port, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
