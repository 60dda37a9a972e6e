"""Refuse URLs that point into the service's own network (SSRF) when users submit them.

Checks every address the host name resolves to, for the first URL and for every redirect.
Not a defence against DNS that changes between this check and the connect (that needs the
connected address checked; see the hardening issue).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from collectors.errors import CollectError


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def ensure_public(url: str) -> None:
    """Raise ``CollectError("blocked")`` when ``url``'s host is not a public address."""
    host = urlsplit(url).hostname
    if not host:
        raise CollectError("invalid_url", f"no host in {url}")
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host.rstrip("."), None, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise CollectError("connect", f"cannot resolve {host}: {error}") from None
    for info in infos:
        address = str(info[4][0])
        if not _is_public(address):
            raise CollectError("blocked", f"{host} resolves to a non-public address ({address})")
