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


# --- date poll links ------------------------------------------------------------------------------------
# A "date_poll" message carries one link per proposed date and answer (ja / als het moet / nee), signed with
# the same signer and expiry as the links above, bound to the outbox row. Their own salt keeps a poll token
# from ever reading as an attend/decline token and back. A GET shows a confirm page, only the POST records
# (``views.poll_link``); answering again changes the answer, so they are not single-use.

POLL_SALT = "notifications.oneclick.poll"
POLL_ANSWERS = ("yes", "ifneed", "no")  # sessions.models.DatePollAnswer.Answer


@dataclass(frozen=True)
class PollLink:
    outbox: Outbox
    option_id: int
    answer: str


@lru_cache(maxsize=4)
def _poll_signer(secret_key: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(key=secret_key, salt=POLL_SALT)


def poll_link_url(outbox_id: int, option_id: int, answer: str) -> str:
    token = _poll_signer(settings.SECRET_KEY).sign_object([outbox_id, option_id, answer], compress=False)
    return settings.SITE_URL + reverse("notifications:poll_link", kwargs={"token": token})


def read_poll_token(token: str) -> PollLink:
    """The answer behind a poll token, or LinkError (tampered, expired)."""
    try:
        payload = _poll_signer(settings.SECRET_KEY).unsign_object(
            token, max_age=conf.link_max_age().total_seconds()
        )
    except signing.SignatureExpired as error:
        raise LinkError(code=LinkError.EXPIRED) from error
    except signing.BadSignature as error:
        raise LinkError(code=LinkError.TAMPERED) from error
    valid = isinstance(payload, list) and len(payload) == 3 and payload[2] in POLL_ANSWERS
    if not valid or not all(isinstance(v, int) for v in payload[:2]):
        raise LinkError(code=LinkError.TAMPERED)
    rows = Outbox.objects.select_related("recipient", "group")
    outbox = rows.filter(pk=payload[0], kind="date_poll").first()
    if outbox is None:
        raise LinkError(code=LinkError.TAMPERED)
    return PollLink(outbox=outbox, option_id=payload[1], answer=payload[2])
