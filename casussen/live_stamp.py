"""The live guide's poll token, kept in the shared cache so an unchanged poll touches no database.

Each session has a change stamp in the cache. A page render reads the stamp *before* it reads the live
state from the database and hands it to the device as its token; every change bumps the stamp (at once and
again after the commit). A change the render missed was therefore committed after the render read the
stamp, so its bump moves the stamp past the device's token and the next poll fetches the new state: an
unchanged stamp always means an unchanged state, without a race.

The stamp starts at the clock in nanoseconds, so a stamp lost with the cache (a Redis restart) never comes
back with a value some device still holds. Without a working cache every function here falls back to the
database token and the poll takes its slow path.

An unchanged poll is answered from the cache when the same login (session key) passed the full membership
check for this session within ``ACCESS_SECONDS`` and is still logged in; a 204 carries no content, and any
change of state sends the device through the full check again.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import cached_db
from django.core.cache import DEFAULT_CACHE_ALIAS, cache
from django.db import transaction

logger = logging.getLogger(__name__)

ACCESS_SECONDS = 60
STAMP_SECONDS = 24 * 3600


def _stamp_key(session_id: int) -> str:
    return f"live:stamp:{session_id}"


def _access_key(session_id: int, request) -> str | None:
    """Per login (the session cookie's key, hashed): a logout or a new login is a new key."""
    session_key = request.session.session_key
    if not session_key:
        return None
    login = hashlib.sha256(session_key.encode()).hexdigest()[:32]
    return f"live:access:{session_id}:{login}"


def _session_cache_key(request) -> str | None:
    """Where the login session itself lives in this cache, if the session store keeps it there: then one
    round trip reads the session, the stamp and the access mark together."""
    store = request.session
    if isinstance(store, cached_db.SessionStore) and settings.SESSION_CACHE_ALIAS == DEFAULT_CACHE_ALIAS:
        return store.cache_key
    return None


def current_stamp(session_id: int) -> str | None:
    """The session's stamp (created when missing); read it before reading the live state."""
    key = _stamp_key(session_id)
    try:
        stamp = cache.get(key)
        if stamp is None:
            cache.add(key, time.time_ns(), STAMP_SECONDS)
            stamp = cache.get(key)
    except Exception:  # the cache is down: the poll falls back to the database token
        logger.warning("live poll stamp unavailable for session %s", session_id, exc_info=True)
        return None
    return None if stamp is None else str(stamp)


def _bump_now(session_id: int) -> None:
    key = _stamp_key(session_id)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no stamp yet: nobody holds a token for this session
            cache.add(key, time.time_ns(), STAMP_SECONDS)
    except Exception:
        logger.warning("live poll stamp not bumped for session %s", session_id, exc_info=True)


def stamp_bump(session_id: int) -> None:
    """Call on every change members must see: bumps now and again once the change is committed."""
    _bump_now(session_id)
    transaction.on_commit(lambda: _bump_now(session_id), robust=True)


def answer_unchanged_from_cache(request, session_id: int, token: str) -> bool:
    """True when ``token`` is the current stamp, this login recently passed the membership check and its
    session is still logged in."""
    if not token:
        return False
    try:
        access_key = _access_key(session_id, request)
        if access_key is None:
            return False
        session_cache_key = _session_cache_key(request)
        stamp_key = _stamp_key(session_id)
        found = cache.get_many([stamp_key, access_key, *([session_cache_key] if session_cache_key else [])])
        if access_key not in found or str(found.get(stamp_key)) != token:
            return False
        if session_cache_key is None:
            return SESSION_KEY in request.session
        return SESSION_KEY in (found.get(session_cache_key) or {})
    except Exception:
        return False


def remember_access(request, session_id: int) -> None:
    """After the full check passed: let this login's unchanged polls be answered from the cache."""
    try:
        access_key = _access_key(session_id, request)
        if access_key is not None:
            cache.set(access_key, 1, ACCESS_SECONDS)
    except Exception:
        logger.warning("live poll access not cached for session %s", session_id, exc_info=True)
