"""The client's IP address, as far as the deployment can vouch for it (``TRUSTED_PROXY_COUNT``).

Each reverse proxy in front of the app appends the address it received the request from to
``X-Forwarded-For``; whatever the client sent itself stands to the left of those. With N trusted proxies the
N-th address from the right is therefore the first one a proxy wrote, the client's; everything further left
is the client's own claim and is ignored. With 0 (nothing in front of the app) the header is ignored
altogether. Used by django-axes (``AXES_CLIENT_IP_CALLABLE``) and the password reset throttle."""

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer entries than proxies: the request did not come through all of them; nothing in the header
        # can be trusted.
        return remote
    return _valid(forwarded[-count]) or remote
