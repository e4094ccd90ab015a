"""The ``Content-Type`` of a request body: media type and charset (RFC 9110 section 8.3)."""

from __future__ import annotations

from dataclasses import dataclass

# The charsets whose bytes are read as UTF-8 without change (US-ASCII is a subset).
UTF8_CHARSETS = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


@dataclass(frozen=True)
class ContentType:
    """A parsed ``Content-Type``: ``media`` lower-cased (``""`` when absent), ``charset`` if declared."""

    media: str
    charset: str | None = None

    @property
    def is_json(self) -> bool:
        """``application/json`` or a structured ``+json`` suffix (RFC 6839 section 3.1)."""
        return self.media == "application/json" or (
            self.media.startswith("application/") and self.media.endswith("+json")
        )

    @property
    def is_xml(self) -> bool:
        """``application/xml``, ``text/xml`` or a ``+xml`` suffix (RFC 7303)."""
        return self.media in ("application/xml", "text/xml") or (
            self.media.startswith("application/") and self.media.endswith("+xml")
        )

    @property
    def utf8(self) -> bool:
        """Its bytes may be read as UTF-8: no charset declared, or UTF-8 or US-ASCII."""
        return self.charset is None or self.charset in UTF8_CHARSETS


def parse(header: str | None) -> ContentType:
    """Parse ``type/subtype; name=value; ...``; parameter names are case-insensitive, values may be quoted."""
    if not header:
        return ContentType("")
    media, _, rest = header.partition(";")
    charset = None
    for parameter in rest.split(";"):
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').strip().lower()
    return ContentType(media.strip().lower(), charset)


def is_json(header: str | None) -> bool:
    return parse(header).is_json
