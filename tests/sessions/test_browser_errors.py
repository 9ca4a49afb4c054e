"""A refused RSVP in Chromium at phone width: declining with "anders" and no note comes back in the card,
the note field marked (aria-invalid, described by the message) and focused, the chosen reason still chosen,
and nothing saved. The screenshot goes to $ARTIFACTS_DIR/errors/."""

import pytest
from django.test import Client
from django.urls import reverse

from sessions.models import RSVP
from tests.browser import ARTIFACTS, BROWSER_MARKS, phone_page
from tests.valid_html import html_problems

from .factories import SessionFactory

pytestmark = [*BROWSER_MARKS, pytest.mark.django_db(transaction=True)]

# What the browser logs for the answered 400 (htmx's own line and Chromium's): expected here.
EXPECTED_LOG = (
    "Response Status Error Code 400",
    "Failed to load resource: the server responded with a status of 400",
)


@pytest.mark.parametrize("page_name", ["sessions:mine", "sessions:detail"])
def test_decline_with_anders_and_no_note_is_refused_at_the_note(world, live_server, page_name):
    from playwright.sync_api import expect

    session = SessionFactory(group=world.group)
    client = Client()
    client.force_login(world.member, backend="django.contrib.auth.backends.ModelBackend")
    kwargs = {"session_id": session.pk} if page_name == "sessions:detail" else {}
    with phone_page() as page:
        page.context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
        )
        page.goto(live_server.url + reverse(page_name, kwargs=kwargs))
        card = page.locator(f"#session-{session.pk}")
        card.locator("summary").click()
        card.locator(f"#reason-{session.pk}").select_option("other")
        card.get_by_role("button", name="Afmelden").click()

        note = page.locator(f"#note-{session.pk}")
        expect(note).to_have_attribute("aria-invalid", "true")
        expect(note).to_be_focused()
        message = page.locator("#" + note.get_attribute("aria-describedby"))
        expect(message).to_be_visible()
        expect(message).to_contain_text("anders")
        expect(page.locator(f"#reason-{session.pk}")).to_have_value("other")

        (ARTIFACTS / "errors").mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "errors" / f"rsvp-anders-without-note-{page_name[9:]}.png"))
        assert [p for p in page.problems if not p.startswith(EXPECTED_LOG)] == []
        assert html_problems(page.content()) == []
    assert not RSVP.objects.filter(session=session, user=world.member).exists()
