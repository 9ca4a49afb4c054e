"""The console mail backend of ``make run`` (notifications/console.py) prints links whole."""

import io

from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.console import EmailBackend as DjangoConsole

from notifications.console import EmailBackend

LINK = "https://intervisie.example/l/" + "a1b2c3d4e5" * 12 + "/?next=/groepen/12/&x=1"


def _message() -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject="Uitnodiging: Groep Noord op dinsdag 3 maart 2026, 14:00",
        body=f"Hallo Anna,\n\nIk kom: {LINK}\n\nGroetjes, één team\n",
        to=["anna@example.org"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">Ik kom</a></p>', "text/html")
    message.attach("uitnodiging.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "application/ics")
    return message


def _printed(backend_class) -> str:
    stream = io.StringIO()
    assert backend_class(stream=stream).send_messages([_message()]) == 1
    return stream.getvalue()


def test_a_long_link_is_printed_on_one_line_with_the_headers_and_the_other_parts():
    lines = _printed(EmailBackend).splitlines()
    assert f"Ik kom: {LINK}" in lines
    assert "Subject: Uitnodiging: Groep Noord op dinsdag 3 maart 2026, 14:00" in lines
    assert "To: anna@example.org" in lines
    assert "Groetjes, één team" in lines  # decoded, not =C3=A9=C3=A9n
    assert "[text/html]" in lines and "[application/ics: uitnodiging.ics]" in lines


def test_django_s_own_console_backend_breaks_that_link():
    """Why the backend exists: the wire format cuts the link (quoted-printable soft line breaks)."""
    assert not any(LINK in line for line in _printed(DjangoConsole).splitlines())
