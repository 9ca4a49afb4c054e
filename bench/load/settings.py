"""Load-test settings (never used in production): the real production settings over plain HTTP on
127.0.0.1, static files without the collectstatic manifest, and a fast password hasher so that 200 logins
in a 60-second run measure the app rather than PBKDF2 (the login itself still goes through the real form,
axes and the session machinery)."""

from intervisie.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
