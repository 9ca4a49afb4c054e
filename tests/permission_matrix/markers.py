"""Unique strings seeded in ``world.group`` so the matrix can read bodies, not only status codes.

Each marker names who may read it. On every 200 answer the matrix asserts that no marker the role may not
read is in the body (or a header); a row's ``shows`` names the markers the page must show to the roles that
may read them, so the negative check cannot pass because the page shows nothing at all.
"""

import io
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from django.utils import timezone

CURRENT_MEMBERS = frozenset({"member", "facilitator"})
GROUP_VIEWERS = CURRENT_MEMBERS | {"admin"}


@dataclass(frozen=True)
class Marker:
    text: str
    readers: frozenset


MARKERS = {
    # world.group's name; an invitation's token page names the group to whoever holds the link
    "group": Marker("Groep Noord", GROUP_VIEWERS | {"invitee"}),
    "member_name": Marker("Merel Merkteken", GROUP_VIEWERS),
    "location": Marker("Zaal Meeuwenveld", GROUP_VIEWERS),
    "casus_title": Marker("Casus Kompasnaald", CURRENT_MEMBERS),
    "kernvraag": Marker("Kernvraag Lantaarnpaal", CURRENT_MEMBERS),
    "situatie": Marker("Situatie Wolkenkrabber", CURRENT_MEMBERS),
    "parked": Marker("Parkeerpunt Zeppelin", CURRENT_MEMBERS),
    "draft_title": Marker("Concept Vuurtoren", frozenset({"facilitator"})),  # the facilitator's draft
    "reflection": Marker("Reflectie Zandloper", frozenset({"member"})),  # an unshared takeaway
    # a peer's note with a declined RSVP (health information: the facilitator's only); seeded by the rows
    # that need it (rows_sessions._session_with_casus_and_decline), not by ``seed``
    "decline_note": Marker("Afmelding Griepgolf", frozenset({"facilitator"})),
    # the member's registration number (personal data): their own, and their group's facilitators' in
    # the exports (presence list, the member's overview)
    "registration": Marker("SKJ-Merkteken-Meerkoet", frozenset({"member", "facilitator"})),
}


def text(key: str) -> str:
    return MARKERS[key].text


def found(body: str, key: str) -> bool:
    marker = MARKERS[key].text
    return marker in body or escape(marker) in body


def _readable(content: bytes) -> str:
    """The text in a body, also inside a PDF (compressed streams) or a ZIP (every member)."""
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(name + "\n" + _readable(archive.read(name)) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def response_text(response) -> str:
    """Body and headers (a file name in Content-Disposition leaks as much as the body)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = "\n".join(f"{name}: {value}" for name, value in response.headers.items())
    return headers + "\n" + _readable(content)


def seed(world) -> dict:
    """The marked objects: a submitted casus of the member, a private draft of the facilitator, an upcoming
    session with a location and a parked topic, and a held session with the member's unshared reflection."""
    from casussen.models import ParkedItem
    from tests.casussen.factories import CasusFactory
    from tests.reflections.factories import reflect
    from tests.sessions.factories import SessionFactory, held_session

    world.member.display_name = text("member_name")
    world.member.save(update_fields=["display_name"])
    world.member.registrations.create(register="skj", number=text("registration"))
    casus = CasusFactory(
        group=world.group,
        author=world.member,
        title=text("casus_title"),
        kernvraag=text("kernvraag"),
        situatie=text("situatie"),
    )
    draft = CasusFactory(
        group=world.group,
        author=world.facilitator,
        title=text("draft_title"),
        status="draft",
        submitted_at=None,
    )
    start = (timezone.now() + timedelta(days=5)).replace(second=0, microsecond=0)
    session = SessionFactory(
        group=world.group, starts_at=start, ends_at=start + timedelta(hours=2), location=text("location")
    )
    ParkedItem.objects.create(session=session, author=world.facilitator, text=text("parked"))
    held = held_session(world.group, present=[world.facilitator, world.member])
    reflection = reflect(held, world.member, takeaway=text("reflection"), share_takeaway=False)
    marked = {"casus": casus, "draft": draft, "session": session, "held": held, "reflection": reflection}
    world.extra["marked"] = marked
    return marked


def check_body(response, *, reader: str, seen_as: str | None = None, shows=(), also=()) -> None:
    """No marker that neither ``reader`` nor the token's owner ``seen_as`` may read (beyond ``also``) is in
    the answer; every marker in ``shows`` that the owner (or else the reader) may read is."""
    body = response_text(response)
    leaked = [
        key
        for key, marker in MARKERS.items()
        if reader not in marker.readers
        and seen_as not in marker.readers
        and key not in also
        and found(body, key)
    ]
    assert not leaked, f"{reader} reads {leaked}"
    owner = seen_as or reader
    if isinstance(shows, dict):
        shows = shows.get(owner, ())
    missing = [key for key in shows if owner in MARKERS[key].readers and not found(body, key)]
    assert not missing, f"{reader} does not see {missing} (the body check would be blind)"


def marked(world) -> dict:
    """The marked objects of ``world``, seeded on first use (suites that reuse the rows need not seed)."""
    return world.extra.get("marked") or seed(world)
