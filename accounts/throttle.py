"""How often a password reset link may be requested: per e-mail address and per client address, each a
count in a fixed window in the shared cache (settings ``PASSWORD_RESET_*``, docs/security.md).

Both counts grow with every request, whether or not an account has that address, so a refusal says nothing
about which addresses exist. If the cache is unreachable the request is let through (logged): the outbox
still sends an account at most one reset mail per interval (its unique constraint)."""

import hashlib
import logging
from time import time

from django.conf import settings
from django.core.cache import cache

from .client_ip import client_ip
from .lockout import normalise

logger = logging.getLogger(__name__)


def _count(scope: str, value: str, window: int) -> int:
    digest = hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()[:32]
    key = f"pwreset:{scope}:{digest}:{int(time() // window)}"
    cache.add(key, 0, timeout=window + 60)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        return 1


def password_reset_throttled(*, request, email: str) -> bool:
    """Count this request; True when the address or the client has asked too often in this window."""
    window = int(settings.PASSWORD_RESET_WINDOW.total_seconds())
    try:
        by_address = _count("email", normalise(email), window)
        by_client = _count("ip", client_ip(request), window)
    except Exception:  # noqa: BLE001 - a cache outage must not stop password resets
        logger.warning("password reset throttle: cache unreachable; request let through", exc_info=True)
        return False
    return by_address > settings.PASSWORD_RESET_ADDRESS_LIMIT or by_client > settings.PASSWORD_RESET_IP_LIMIT
