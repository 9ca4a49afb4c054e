"""State changes of casussen: intake, queue, booking, votes, summary, retention purge.

The live guide's state changes are in ``live.py``; attendance registration is the sessions app's
(``sessions/attendance.py``).
No function here logs casus text.
"""

import logging

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from groups.models import Group
from intervisie.errors import DomainError
from sessions.models import Presenter, Session

from .models import AdvanceContribution, Advice, Casus, CasusVote, ParkedItem, Question
from .permissions import votes_for_own
from .signals import casus_requeued

logger = logging.getLogger(__name__)

TEXT_FIELDS = ("title", "situatie", "kernvraag", "tried", "background")
EDITABLE_FIELDS = (*TEXT_FIELDS, "wish")


class CasusError(DomainError):
    """A rule of the casus workflow was broken."""


@transaction.atomic
def casus_create(*, group: Group, author: User, data: dict) -> Casus:
    casus = Casus(group=group, author=author, **{f: data[f] for f in EDITABLE_FIELDS if f in data})
    casus.full_clean()
    casus.save()
    logger.info("casus %s created in group %s", casus.pk, group.pk)
    return casus


@transaction.atomic
def casus_update(*, casus: Casus, data: dict) -> Casus:
    """Save the author's text (explicit save or autosave). Only drafts and queued casussen can change; a
    queued one keeps a kernvraag (a ``ValidationError`` at ``kernvraag``)."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if not casus.is_editable:
        raise CasusError(_("Deze casus kan niet meer worden gewijzigd."))
    for field in EDITABLE_FIELDS:
        if field in data:
            setattr(casus, field, data[field])
    if casus.status != Casus.Status.DRAFT and not casus.kernvraag.strip():
        raise ValidationError({"kernvraag": _("Een ingediende casus heeft een kernvraag nodig.")})
    casus.full_clean()
    casus.save()
    return casus


@transaction.atomic
def casus_submit(*, casus: Casus) -> Casus:
    """Put a draft in the group's queue; it needs a kernvraag (a ``ValidationError`` at ``kernvraag``)."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if casus.status != Casus.Status.DRAFT:
        return casus
    if not casus.kernvraag.strip():
        raise ValidationError({"kernvraag": _("Vul een kernvraag in voordat je de casus indient.")})
    casus.status = Casus.Status.SUBMITTED
    casus.submitted_at = timezone.now()
    casus.full_clean()
    casus.save()
    logger.info("casus %s submitted", casus.pk)
    return casus


@transaction.atomic
def casus_book(*, casus: Casus, session: Session) -> Casus:
    """Put a queued casus on a planned session of its group, taking a presenter slot for its author
    (or using the slot the author already claimed). The unique constraints on Presenter decide races."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.group_id != casus.group_id:
        raise CasusError(_("Deze bijeenkomst hoort niet bij de groep van de casus."))
    if casus.status != Casus.Status.SUBMITTED:
        raise CasusError(_("Alleen een ingediende casus uit de wachtrij kan worden ingepland."))
    if session.status != Session.Status.PLANNED or session.starts_at <= timezone.now():
        raise CasusError(_("Je kunt alleen inplannen op een komende bijeenkomst."))
    booked = Casus.objects.filter(session=session, status=Casus.Status.BOOKED)
    if booked.filter(author_id=casus.author_id).exists():
        raise CasusError(_("Deze inbrenger heeft al een casus op deze bijeenkomst."))
    if booked.count() >= session.presenter_slots:
        raise CasusError(_("Alle inbrengplekken van deze bijeenkomst zijn bezet."))
    if not Presenter.objects.filter(session=session, user_id=casus.author_id).exists():
        taken = set(Presenter.objects.filter(session=session).values_list("slot", flat=True))
        free = [slot for slot in range(1, session.presenter_slots + 1) if slot not in taken]
        if not free:
            raise CasusError(_("Alle inbrengplekken van deze bijeenkomst zijn bezet."))
        try:
            with transaction.atomic():
                Presenter.objects.create(session=session, user_id=casus.author_id, slot=free[0])
        except IntegrityError as error:
            raise CasusError(_("Iemand anders was je net voor; probeer het opnieuw.")) from error
    casus.status = Casus.Status.BOOKED
    casus.session = session
    casus.booked_at = timezone.now()
    casus.full_clean()
    casus.save()
    logger.info("casus %s booked on session %s", casus.pk, session.pk)
    return casus


@transaction.atomic
def casus_unbook(*, casus: Casus) -> Casus:
    """Back to the queue; the author's presenter slot on that session is released. Its votes stay."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if casus.status != Casus.Status.BOOKED:
        raise CasusError(_("Deze casus is niet ingepland."))
    _back_to_queue(casus)
    return casus


def _back_to_queue(casus: Casus) -> None:
    Presenter.objects.filter(session_id=casus.session_id, user_id=casus.author_id).delete()
    casus.status = Casus.Status.SUBMITTED
    casus.session = None
    casus.booked_at = None
    casus.full_clean()
    casus.save()


@transaction.atomic
def casussen_requeue_for_cancelled(*, session: Session) -> list[Casus]:
    """A cancelled session gives its booked casussen back to the queue (the sessions app's
    ``session_cancelled`` signal calls this), so their authors can book them again; ``casus_requeued``
    tells the apps above (the author's e-mail). Returns them."""
    booked = list(
        Casus.objects.select_for_update().filter(session=session, status=Casus.Status.BOOKED).order_by("pk")
    )
    for casus in booked:
        _back_to_queue(casus)
        logger.info("casus %s back in the queue: session %s cancelled", casus.pk, session.pk)
        casus_requeued.send(sender=Casus, casus=casus, session=session)
    return booked


@transaction.atomic
def casus_vote_toggle(*, casus: Casus, session: Session, voter: User) -> bool:
    """Vote (or withdraw the vote) for discussing a queued casus at a session. Returns whether voted.
    A vote belongs to the casus until it is discussed: it stays when the session passes or the casus is
    booked and given back, and counts once per voter whichever session it was cast for."""
    if votes_for_own(voter, casus):
        raise CasusError(_("Op je eigen casus kun je niet stemmen."))
    if casus.status != Casus.Status.SUBMITTED or session.group_id != casus.group_id:
        raise CasusError(_("Op deze casus kun je nu niet stemmen."))
    if session.status != Session.Status.PLANNED:
        raise CasusError(_("Op deze casus kun je nu niet stemmen."))
    deleted, _rows = CasusVote.objects.filter(casus=casus, voter=voter).delete()
    if deleted:
        return False
    CasusVote.objects.get_or_create(casus=casus, session=session, voter=voter)
    return True


@transaction.atomic
def casus_mark_discussed(*, casus: Casus) -> Casus:
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if casus.status == Casus.Status.BOOKED:
        casus.status = Casus.Status.DISCUSSED
        casus.discussed_at = timezone.now()
        casus.full_clean()
        casus.save()
        CasusVote.objects.filter(casus=casus).delete()  # votes count until the casus is discussed
    return casus


@transaction.atomic
def casus_summary_set(*, casus: Casus, outcome: str, takeaways: str, action_1: str, action_2: str) -> Casus:
    """The presenter's summary after the session (visible to the group)."""
    casus = Casus.objects.select_for_update().get(pk=casus.pk)
    if casus.status != Casus.Status.DISCUSSED:
        raise CasusError(_("Een samenvatting schrijf je na de bespreking."))
    casus.outcome, casus.takeaways, casus.action_1, casus.action_2 = outcome, takeaways, action_1, action_2
    casus.full_clean()
    casus.save()
    return casus


def casus_purge_cutoff(group: Group, now=None):
    return (now or timezone.now()) - relativedelta(months=group.casus_retention_months)


def casus_purge_expired(*, now=None) -> int:
    """Purge casus text, question log, advice (also what was written in advance) and parked-item text older
    than each group's retention.

    A casus expires by the start of its session, or (never booked) by its last change. Attendance and
    the session record stay. Idempotent: purged casussen are skipped. Returns how many were purged.
    """
    now = now or timezone.now()
    purged = 0
    for group in Group.objects.only("pk", "casus_retention_months"):
        cutoff = casus_purge_cutoff(group, now)
        expired = Casus.objects.filter(group=group).exclude(status=Casus.Status.PURGED)
        expired = expired.filter(
            Q(session__isnull=False, session__starts_at__lt=cutoff)
            | Q(session__isnull=True, updated_at__lt=cutoff)
        )
        ids = list(expired.values_list("pk", flat=True))
        if ids:
            purged += _purge(ids, now)
        ParkedItem.objects.filter(
            session__group=group, session__starts_at__lt=cutoff, purged_at__isnull=True
        ).update(text="", purged_at=now)
    return purged


@transaction.atomic
def _purge(ids: list[int], now) -> int:
    ids = list(
        Casus.objects.select_for_update(skip_locked=True)
        .filter(pk__in=ids)
        .exclude(status=Casus.Status.PURGED)
        .values_list("pk", flat=True)
    )
    Question.objects.filter(run__casus_id__in=ids).delete()
    Advice.objects.filter(run__casus_id__in=ids).delete()
    AdvanceContribution.objects.filter(casus_id__in=ids).delete()  # written in advance (casussen/advance.py)
    CasusVote.objects.filter(casus_id__in=ids).delete()
    count = Casus.objects.filter(pk__in=ids).update(
        status=Casus.Status.PURGED,
        purged_at=now,
        updated_at=now,
        **dict.fromkeys((*TEXT_FIELDS, "outcome", "takeaways", "action_1", "action_2"), ""),
    )
    logger.info("purged %s casussen after their retention period", count)
    return count
