"""The client's own address, for sign-in lockouts, behind a known number of proxies."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """Each trusted proxy (the load balancer, say) appends the address it was reached from to
    X-Forwarded-For, so with N of them the client is the Nth entry from the right; anything to
    its left was written by the client and is ignored. With none, X-Forwarded-For is ignored
    entirely: a client could write any address there."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.CASELOAD_TRUSTED_PROXY_COUNT
    if count == 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < count:
        # Not through all of our proxies (a direct call on the internal network, say).
        return remote
    try:
        return str(ipaddress.ip_address(hops[-count]))
    except ValueError:
        return remote
