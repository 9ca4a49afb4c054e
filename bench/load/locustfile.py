"""Locust scenario: members log in through the login form and follow their group's running live session
the way the live page does (a poll every 3 s, carrying the token of the last state they saw). Between polls
each member, on average every ~10 s, does one thing a member does: open the home, group, "Mijn
bijeenkomsten", casus queue or live page, answer an RSVP, or post a question in the live session (which
changes the state every member of that group then fetches). Users come from LOAD_USERS (written by seed.py).

FastHttpUser (geventhttpclient) keeps the load generator cheap: it shares the machine's two cores with the
server it measures."""

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, constant_pacing, task

POLL_SECONDS = 3
ACTION_CHANCE = 0.3  # per poll tick: one action every ~10 s on average

with open(os.environ["LOAD_USERS"]) as fh:
    _DATA = json.load(fh)
_USERS = itertools.cycle(_DATA["users"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN = re.compile(r'data-token="([^"]+)"')


class Member(FastHttpUser):
    wait_time = constant_pacing(POLL_SECONDS)

    def on_start(self):
        self.me = next(_USERS)
        self.token = ""
        page = self.client.get("/account/inloggen/", name="login page")
        csrf = CSRF.search(page.text).group(1)
        with self.client.post(
            "/account/inloggen/",
            data={"username": self.me["email"], "password": _DATA["password"], "csrfmiddlewaretoken": csrf},
            headers={"Referer": self.host + "/account/inloggen/"},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        self.csrf = csrf

    @task
    def follow_the_session(self):
        self.poll()
        if random.random() < ACTION_CHANCE:
            actions = [self.home, self.group, self.my_sessions, self.casus_queue, self.live_page, self.rsvp]
            random.choices([*actions, self.ask], weights=[3, 3, 3, 2, 2, 3, 1])[0]()

    def poll(self):
        url = f"/casussen/bijeenkomst/{self.me['live']}/live/poll/?v={self.token}"
        with self.client.get(url, name="live poll", catch_response=True) as response:
            if response.status_code == 200:
                match = TOKEN.search(response.text)
                self.token = match.group(1) if match else ""
            elif response.status_code == 204:
                response.success()
            else:
                response.failure(f"poll answered {response.status_code}")

    def home(self):
        self.client.get("/", name="home")

    def group(self):
        self.client.get(f"/groepen/{self.me['group']}/", name="group")

    def my_sessions(self):
        self.client.get("/bijeenkomsten/", name="my sessions")

    def casus_queue(self):
        self.client.get(f"/casussen/groep/{self.me['group']}/", name="casus queue")

    def live_page(self):
        self.client.get(f"/casussen/bijeenkomst/{self.me['live']}/live/", name="live page")

    def _post(self, url: str, data: dict, name: str):
        with self.client.post(
            url,
            data={**data, "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": self.host + "/bijeenkomsten/"},
            name=name,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (200, 302):
                response.failure(f"{name} answered {response.status_code}")

    def _csrf(self) -> str:
        return next((c.value for c in self.client.cookiejar if c.name == "csrftoken"), self.csrf)

    def rsvp(self):
        session = random.choice(self.me["sessions"])
        answer = random.choice(["attend", "maybe"])
        self._post(f"/bijeenkomsten/{session}/antwoord/", {"answer": answer}, "rsvp")

    def ask(self):
        self._post(
            f"/casussen/bijeenkomst/{self.me['live']}/live/vraag/",
            {"text": "Wat maakt dit voor jou lastig?"},
            "question",
        )
