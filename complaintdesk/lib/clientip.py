"""The client's address, the same for login throttling (django-axes) and the filing rate limit."""

import ipaddress

from django.conf import settings


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_ip_from(meta: dict, trusted_proxies: int) -> str | None:
    """REMOTE_ADDR, or, behind `trusted_proxies` reverse proxies that each append to X-Forwarded-For, the
    address the outermost trusted proxy saw. Entries left of that are client-supplied and can be forged.
    None when there is no valid address (a test client, a misconfigured proxy)."""
    remote = meta.get("REMOTE_ADDR") or ""
    address = remote
    if trusted_proxies > 0:
        hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= trusted_proxies:
            address = hops[-trusted_proxies]
    if _valid(address):
        return address
    return remote if _valid(remote) else None


def client_ip(request) -> str | None:
    return client_ip_from(request.META, settings.TRUSTED_PROXY_COUNT)
