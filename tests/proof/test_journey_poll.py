"""The date poll's journey through the real UI in Chromium (issue 19 part 3): a session two days ahead has
too few coming → the facilitator's home page asks for other dates → they propose two → one member answers in
the app (htmx, per date), another from the e-mail link (a GET only confirms, the POST records) → the
facilitator confirms the best date → the session has moved, every member got exactly one change e-mail (the
invite with the raised SEQUENCE), and the RSVPs follow the answers for the new date."""

from datetime import timedelta
from email import message_from_bytes

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from notifications import sweep
from notifications.models import Kind, Outbox
from sessions.models import RSVP, DatePoll, DatePollAnswer
from tests.browser import ARGS, CHROMIUM
from tests.factories import FacilitatorFactory, GroupFactory, MembershipFactory
from tests.sessions.factories import RSVPFactory, SessionFactory

from .browser import MARKS, Shots, new_page, unexpected

pytestmark = MARKS


def test_poll_journey(live_server, viewport):
    from playwright.sync_api import expect, sync_playwright

    group = GroupFactory(name="Groep Datum", quorum=3, alert_quorum_days=3)
    facilitator = FacilitatorFactory(group=group).user
    anna, bram, cas = (MembershipFactory(group=group).user for _ in range(3))
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    session = SessionFactory(group=group, starts_at=start, ends_at=start + timedelta(minutes=150))
    RSVPFactory(session=session, user=cas, answer=RSVP.Answer.ATTEND)  # only one coming: at risk
    sequence = session.sequence
    local = timezone.localtime(start)
    day_1 = (local + timedelta(days=7)).date()
    day_2 = (local + timedelta(days=8)).date()
    shots = Shots("poll", viewport)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            boss = new_page(browser, live_server, facilitator, viewport=viewport)
            # 1. The home page's to-do item leads to the poll form for that session.
            boss.goto(live_server.url + reverse("home"))
            item = boss.locator("[data-todo=poll_propose]")
            expect(item).to_contain_text("haalt het quorum niet")
            shots(boss, "home-at-risk")
            item.get_by_role("link").first.click()
            boss.wait_for_url("**/datumprikker/?sessie=*")
            boss.fill("#id_day_1", day_1.isoformat())
            boss.fill("#id_time_1", "14:00")
            boss.fill("#id_day_2", day_2.isoformat())
            boss.fill("#id_time_2", "19:30")
            shots(boss, "propose")
            boss.get_by_role("button", name="Datumprikker openen").click()
            boss.wait_for_url("**/datumprikker/*/")
            poll = DatePoll.objects.get(session=session)
            first, second = poll.options.order_by("position")
            shots(boss, "poll-open")

            # 2. The members' e-mails: one each, with a link per date and answer.
            sweep.send_due()
            asked = {m.to[0]: m for m in mail.outbox if "Kies mee een datum" in m.subject}
            assert sorted(asked) == sorted(u.email for u in (anna, bram, cas))

            # 3. Anna answers in the app, per date, in place.
            member = new_page(browser, live_server, anna, viewport=viewport)
            member.goto(live_server.url + reverse("home"))
            member.locator("[data-todo=poll_vote]").get_by_role("link").first.click()
            member.wait_for_url("**/datumprikker/*/")
            row_2 = member.locator(f"#poll-option-{second.pk}")
            row_2.get_by_role("button", name="Ja").click()
            expect(member.locator(f"#poll-option-{second.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "yes"
            )
            member.locator(f"#poll-option-{first.pk}").get_by_role("button", name="Nee").click()
            expect(member.locator(f"#poll-option-{first.pk} [data-my-answer]")).to_have_attribute(
                "data-my-answer", "no"
            )
            # The best date so far follows the answers (swapped in out of band).
            expect(member.locator("#poll-best [data-best]")).to_have_attribute("data-best", str(second.pk))
            shots(member, "member-answered")

            # 4. Bram answers from the e-mail: "als het moet" for the second date, without logging in.
            body = asked[bram.email].body
            lines = body.splitlines()
            index = next(i for i, line in enumerate(lines) if line.startswith("- ") and "19:30" in line)
            link = next(
                line.split(": ", 1)[1] for line in lines[index + 1 : index + 4] if "als het moet" in line
            )
            path = link[link.index("/", len("http://x")) :]
            mailer = new_page(browser, live_server, viewport=viewport)
            mailer.goto(live_server.url + path)
            expect(mailer.locator("[data-answer]")).to_have_text("als het moet")
            assert not DatePollAnswer.objects.filter(user=bram).exists()  # a GET (a scanner) records nothing
            shots(mailer, "email-confirm")
            mailer.get_by_role("button", name="Antwoord opslaan").click()
            expect(mailer.locator("[role=status]")).to_contain_text("opgeslagen")
            shots(mailer, "email-done")
            assert DatePollAnswer.objects.get(user=bram).answer == "ifneed"

            # 5. The facilitator sees the best date and moves the session there.
            mail.outbox.clear()
            boss.reload()
            expect(boss.locator("[data-best]")).to_have_attribute("data-best", str(second.pk))
            shots(boss, "best")
            boss.get_by_role("button", name="Verplaats naar deze datum").click()
            boss.wait_for_url(live_server.url + reverse("sessions:detail", args=[session.pk]))
            expect(boss.locator("body")).to_contain_text("verplaatst")
            shots(boss, "moved")

            # 6. Anna's page is still open: an answer now is refused in place (409, the row's own alert).
            member.locator(f"#poll-option-{first.pk}").get_by_role("button", name="Ja").click()
            expect(member.locator(f"#poll-option-{first.pk} [role=alert]")).to_contain_text("gesloten")
            shots(member, "member-too-late")
            assert DatePollAnswer.objects.get(user=anna, option=first).answer == "no"
            # htmx logs the refusal it was told to expect (the 409 that carried the fragment); nothing else.
            refused = [p for p in member.problems if "Error Code 409" in p]
            assert len(refused) == 1, member.problems
            member.problems.remove(refused[0])

            for page in (boss, member, mailer):
                assert not unexpected(page.problems), page.problems
        finally:
            browser.close()

    session.refresh_from_db()
    assert session.starts_at == second.starts_at
    assert session.sequence == sequence + 1
    sweep.send_due()
    assert sweep.send_due() == 0
    for user in (facilitator, anna, bram, cas):
        mine = [m for m in mail.outbox if m.to == [user.email]]
        assert len(mine) == 1, (user.email, [m.subject for m in mine])
        kind = Outbox.objects.get(pk=mine[0].extra_headers["X-Intervisie-Outbox"]).kind
        assert kind == Kind.INVITE
        calendar = next(
            part.get_payload(decode=True).decode()
            for part in message_from_bytes(mine[0].message().as_bytes()).walk()
            if part.get_content_type() == "text/calendar"
        )
        assert f"SEQUENCE:{session.sequence}" in calendar
    answers = dict(RSVP.objects.filter(session=session).values_list("user_id", "answer"))
    assert answers == {
        anna.pk: RSVP.Answer.ATTEND,
        bram.pk: RSVP.Answer.MAYBE,
    }  # cas and the rest: asked again
