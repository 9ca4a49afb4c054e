"""Receivers of the sessions app's signals (connected in ``CasussenConfig.ready``)."""

from sessions.models import Session

from . import services


def requeue_casussen_of_cancelled_session(
    sender: type[Session], *, session: Session, **kwargs: object
) -> None:
    services.casussen_requeue_for_cancelled(session=session)
