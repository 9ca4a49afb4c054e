"""Who may do what with a casus and in the live guide: the one place that decides, on top of the group level
that ``groups.permissions`` checks (``Need.MEMBER`` to read, ``Need.FACILITATE`` to steer). Views ask the
functions below; templates ask the same ones as named abilities (``can.edit``, ``can.book``, …): a view
passes ``can`` in its context, and a page listing many casussen uses ``{% casus_abilities user casus access
as can %}`` from ``casussen/templatetags/casus_permissions.py``.

- A draft is its author's only: for everyone else it does not exist (404), on every casus page.
- Only the author edits (a draft or a queued casus), submits a draft, writes the summary once it was
  discussed and reads the advice given in the advice round. The author's pages are a 404 for others.
- A queued casus is booked onto a session (and taken back to the queue) by its author or one of the
  group's facilitators; anyone else in the group gets a 403.
- Any member but its author votes for discussing a queued casus (``may_vote``; the service refuses a vote
  for one's own casus too).
- In the live guide the facilitators steer (start, next phase, finish); only the presenter marks the
  questions that opened their eyes (403 for others), and the presenter listens in the advice round instead
  of giving advice.
- Before a session, a member who declined it (not the presenter) writes questions and advice in advance
  for a casus booked on it (``may_write_in_advance``); reading its title and kernvraag for that.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import User
from groups.models import Group
from groups.permissions import Access, Need, group_access, object_in_group_or_404

from .models import Casus, LiveRun, Question


def is_author(user: User, casus: Casus, access: Access) -> bool:
    """The casus's author, while an active member of its group."""
    return access.is_member and casus.author_id == user.pk


def may_read(user: User, casus: Casus, access: Access) -> bool:
    return access.is_member and (not casus.is_draft or is_author(user, casus, access))


def may_book(user: User, casus: Casus, access: Access) -> bool:
    """Book onto a session or take back to the queue: the author or a facilitator of the group."""
    return is_author(user, casus, access) or access.is_facilitator


def may_vote(user: User, casus: Casus, access: Access) -> bool:
    """Vote for discussing a queued casus: any member of the group but its author (nobody votes for
    their own casus)."""
    return access.is_member and casus.in_queue and not votes_for_own(user, casus)


def votes_for_own(voter: User, casus: Casus) -> bool:
    """The one rule against a vote for one's own casus (``casus_vote_toggle`` refuses it too)."""
    return casus.author_id == voter.pk


@dataclass(frozen=True)
class CasusAbilities:
    """What one user may do with one casus; the names the casus templates ask (``can.edit``, …)."""

    read: bool
    edit: bool
    submit: bool
    book: bool
    unbook: bool
    vote: bool
    write_summary: bool
    read_advice: bool


def casus_abilities(user: User, casus: Casus, access: Access) -> CasusAbilities:
    author = is_author(user, casus, access)
    return CasusAbilities(
        read=may_read(user, casus, access),
        edit=author and casus.is_editable,
        submit=author and casus.status == Casus.Status.DRAFT,
        book=casus.in_queue and may_book(user, casus, access),
        unbook=casus.status == Casus.Status.BOOKED and may_book(user, casus, access),
        vote=may_vote(user, casus, access),
        write_summary=author and casus.status == Casus.Status.DISCUSSED,
        read_advice=author and casus.status == Casus.Status.DISCUSSED,
    )


def readable_casus_or_404(user: User, casus_id: int) -> tuple[Casus, Access]:
    """A casus the user may read, with the user's access to its group: another group's casus and someone
    else's draft are a 404, a group level below ``Need.MEMBER`` a 403."""
    casus = object_in_group_or_404(Casus.objects.select_related("author"), user, Need.MEMBER, pk=casus_id)
    access = group_access(user, casus.group)
    if not may_read(user, casus, access):
        raise Http404
    return casus, access


def own_casus_or_404(user: User, casus_id: int) -> tuple[Casus, Access]:
    """The author's pages (edit, submit, summary): for anyone else the casus's page there does not exist."""
    casus, access = readable_casus_or_404(user, casus_id)
    if not is_author(user, casus, access):
        raise Http404
    return casus, access


def own_draft_or_404(user: User, group: Group, casus_id: str | int) -> Casus:
    """The draft that autosave made, named by the id the page sends back: only the author's own draft of
    this group (anything else, or not a number, is a 404)."""
    if not str(casus_id).isdigit():
        raise Http404
    casus = Casus.objects.filter(
        pk=int(casus_id), group=group, author=user, status=Casus.Status.DRAFT
    ).first()
    if casus is None:
        raise Http404
    return casus


def require_may_book(user: User, casus: Casus, access: Access) -> None:
    if not may_book(user, casus, access):
        raise PermissionDenied


@dataclass(frozen=True)
class LiveAbilities:
    """What one user may do in the live guide of a session (``can.steer``, …, in ``_live_state.html``)."""

    steer: bool
    mark_questions: bool
    give_advice: bool


def is_presenter(user: User, run: LiveRun | None) -> bool:
    return run is not None and run.presenter_id == user.pk


def live_abilities(user: User, run: LiveRun | None, access: Access) -> LiveAbilities:
    presenter = is_presenter(user, run)
    return LiveAbilities(
        steer=access.allows(Need.FACILITATE),
        mark_questions=presenter and access.is_member,
        give_advice=run is not None and not presenter and access.is_member,
    )


def require_may_mark(user: User, question: Question) -> None:
    """Only the presenter of the question's run marks it (403 for the rest of the group)."""
    if not is_presenter(user, question.run):
        raise PermissionDenied


def may_write_in_advance(user: User, casus: Casus, access: Access, *, declined: bool) -> bool:
    """Write questions and advice before the session (casussen/advance.py): an active member of the group
    who is not the casus's presenter, for a casus booked on a planned session the member declined
    (``declined``: their RSVP says "ik kan niet"). The deadline is the service's rule."""
    return (
        access.is_member
        and declined
        and not is_author(user, casus, access)
        and casus.status == Casus.Status.BOOKED
        and casus.session_id is not None
    )


def advance_casus_or_404(user: User, casus_id: int) -> tuple[Casus, Access]:
    """The casus of the page for writing in advance: one the user may read that is booked on a session
    (another group's casus, a draft, or a casus without a session is a 404)."""
    casus, access = readable_casus_or_404(user, casus_id)
    if casus.status != Casus.Status.BOOKED or casus.session_id is None:
        raise Http404
    return casus, access


def require_may_write_in_advance(user: User, casus: Casus, access: Access, *, declined: bool) -> None:
    if not may_write_in_advance(user, casus, access, declined=declined):
        raise PermissionDenied
