"""Login sessions read from the shared cache (Redis) and written through to the database.

Django's ``cached_db`` store answers a 500 when the cache is unreachable while it loads a session, checks a
new session key or deletes one (at login and logout); this one then uses the database alone, so logins and
pages keep working through a Redis restart. Redis here keeps nothing on disk, so a restart leaves no cached
copy of a deleted session behind."""

import logging

from django.contrib.sessions.backends import cached_db, db

logger = logging.getLogger(__name__)
UNREACHABLE = "session cache unreachable; using the database alone"


class SessionStore(cached_db.SessionStore):
    def load(self):
        try:
            return super().load()
        except Exception:
            logger.warning(UNREACHABLE, exc_info=True)
            return db.SessionStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:
            logger.warning(UNREACHABLE, exc_info=True)
            return db.SessionStore.exists(self, session_key)

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:
            logger.error(UNREACHABLE, exc_info=True)
            db.SessionStore.delete(self, session_key)
