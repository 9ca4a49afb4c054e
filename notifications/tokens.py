"""Signed, expiring one-click links (attend / decline / unsubscribe), bound to the outbox row they were
sent in. A GET shows a confirm page; only a POST acts, and each link acts once (``OneClickUse``)."""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from intervisie.errors import DomainError

from . import conf
from .models import Outbox

SALT = "notifications.oneclick"


class Action:
    ATTEND = "attend"
    DECLINE = "decline"
    UNSUBSCRIBE = "unsubscribe"
    ALL = (ATTEND, DECLINE, UNSUBSCRIBE)


class LinkError(DomainError):
    """Why a one-click link cannot be used; ``code`` is one of the constants."""

    TAMPERED = "tampered"
    EXPIRED = "expired"
    USED = "used"
    CLOSED = "closed"  # the session has started, was cancelled or held
    GONE = "gone"  # the recipient is no longer a member of the session's group

    MESSAGES = {
        EXPIRED: _("De link is verlopen. Log in om je antwoord of je e-mailvoorkeuren te wijzigen."),
        USED: _(
            "Deze link is al gebruikt; er is niets veranderd. Log in om je antwoord of voorkeuren te "
            "bekijken."
        ),
        GONE: _(
            "Deze link werkt niet meer. Log in om te zien voor welke bijeenkomsten je je kunt aanmelden."
        ),
        CLOSED: _(
            "Voor deze bijeenkomst kun je je niet meer aan- of afmelden: hij is begonnen, afgelopen of "
            "afgelast."
        ),
        TAMPERED: _("De link is niet compleet of niet geldig. Kopieer de volledige link uit de e-mail."),
    }


@dataclass(frozen=True)
class Link:
    outbox: Outbox
    action: str


@lru_cache(maxsize=4)
def _signer(secret_key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=secret_key, salt=SALT)


def make_token(outbox_id: int, action: str) -> str:
    """``signing.dumps([outbox_id, action], salt=SALT)``, with the signer made once per secret key (the
    sweep signs three links per e-mail); ``read_token`` checks it with ``signing.loads``."""
    return _signer(settings.SECRET_KEY).sign_object([outbox_id, action], compress=False)


@lru_cache
def _link_pattern(site_url: str, script_prefix: str) -> str:
    return site_url + reverse("notifications:oneclick", kwargs={"token": "TOKEN"})


def link_url(outbox_id: int, action: str) -> str:
    """Absolute URL of a one-click link (the URL pattern is reversed once per process: the sweep builds
    three links per e-mail)."""
    pattern = _link_pattern(settings.SITE_URL, get_script_prefix())
    return pattern.replace("TOKEN", make_token(outbox_id, action))


def read_token(token: str) -> Link:
    """The link behind a token, or LinkError saying why it cannot be used (does not check reuse)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=conf.link_max_age().total_seconds())
    except signing.SignatureExpired as error:
        raise LinkError(code=LinkError.EXPIRED) from error
    except signing.BadSignature as error:
        raise LinkError(code=LinkError.TAMPERED) from error
    if not (isinstance(payload, list) and len(payload) == 2 and payload[1] in Action.ALL):
        raise LinkError(code=LinkError.TAMPERED)
    outbox = (
        Outbox.objects.select_related("recipient", "group", "session", "session__group")
        .filter(pk=payload[0])
        .first()
    )
    if outbox is None:
        raise LinkError(code=LinkError.TAMPERED)
    return Link(outbox=outbox, action=payload[1])
