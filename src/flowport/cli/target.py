"""Which server the remote commands talk to, and as whom: options, environment, then a profile.

A stored secret goes only where it was stored for: the ``default`` profile fills in credentials
for ``--url`` only when that is the profile's own URL (``--profile`` names one on purpose).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowport.cli.profiles import DEFAULT_PROFILE, Profile, ProfileError, credentials_file, load_all
from flowport.client import Client

# A command line waits for a person: fewer retries of idempotent calls than the SDK's default.
CLI_RETRIES = 2


@dataclass(frozen=True, repr=False)
class Target:
    """A server and the credentials to call it with (none: a server in ``open`` mode)."""

    url: str
    client_id: str | None = None
    client_secret: str | None = None

    def __repr__(self) -> str:
        return f"Target(url={self.url!r}, client_id={self.client_id!r})"

    def connect(self) -> Client:
        return Client(
            self.url, client_id=self.client_id, client_secret=self.client_secret, retries=CLI_RETRIES
        )


def resolve(
    url: str | None, client_id: str | None, client_secret: str | None, profile_name: str | None
) -> Target | None:
    """The remote target the options ask for; None when they ask for none (work in-process)."""
    if url is None and profile_name is None:
        if client_id or client_secret:
            raise ProfileError("--client-id and --client-secret need --url (or --profile)")
        return None
    profile = _profile(profile_name, url)
    if url is None:
        assert profile is not None  # _profile raised for a named profile that is missing
        url = profile.url
    check_url(url)
    if profile is not None:
        client_id = client_id or profile.client_id
        if client_secret is None and profile.client_id == client_id:
            client_secret = profile.client_secret
    if client_id and not client_secret:
        raise ProfileError(
            f"No client secret for {client_id}: give --client-secret (or FLOWPORT_CLIENT_SECRET), "
            "or store it with `flowport login`"
        )
    if client_secret and not client_id:
        raise ProfileError("--client-secret needs --client-id (or FLOWPORT_CLIENT_ID)")
    return Target(url.rstrip("/"), client_id, client_secret)


def check_url(url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise ProfileError(f"'{url}' is not a server URL: it must start with http:// or https://")


def _profile(name: str | None, url: str | None) -> Profile | None:
    profiles = load_all()
    if name is not None:
        if name not in profiles:
            raise ProfileError(
                f"No profile '{name}' in {credentials_file()}: create it with "
                f"`flowport login --profile {name}`"
            )
        return profiles[name]
    fallback = profiles.get(DEFAULT_PROFILE)
    if fallback is not None and url is not None and fallback.url.rstrip("/") == url.rstrip("/"):
        return fallback
    return None
