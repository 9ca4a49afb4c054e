"""Locust scenario: members log in through the login form, then browse their pages, answer RSVPs and
poll the live guide (as the live page does every 3 s). Users come from LOAD_USERS (written by seed.py)."""

import itertools
import json
import os
import random
import re

from locust import HttpUser, between, task

with open(os.environ["LOAD_USERS"]) as fh:
    _DATA = json.load(fh)
_USERS = itertools.cycle(_DATA["users"])
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Member(HttpUser):
    wait_time = between(1, 3)

    def on_start(self):
        self.me = next(_USERS)
        page = self.client.get("/account/inloggen/", name="login page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/account/inloggen/",
            data={"username": self.me["email"], "password": _DATA["password"], "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login answered {response.status_code}")
        self.version = ""

    def _csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    @task(3)
    def browse(self):
        self.client.get("/", name="home")
        self.client.get(f"/groepen/{self.me['group']}/", name="group")
        self.client.get("/bijeenkomsten/", name="my sessions")

    @task(1)
    def casussen(self):
        self.client.get(f"/casussen/groep/{self.me['group']}/", name="casus queue")

    @task(2)
    def rsvp(self):
        session = random.choice(self.me["sessions"])
        self.client.post(
            f"/bijeenkomsten/{session}/antwoord/",
            data={"answer": random.choice(["attend", "maybe"]), "csrfmiddlewaretoken": self._csrf()},
            headers={"Referer": self.host + "/bijeenkomsten/"},
            name="rsvp",
            allow_redirects=False,
        )

    @task(6)
    def poll_live(self):
        url = f"/casussen/bijeenkomst/{self.me['live']}/live/poll/"
        with self.client.get(url, params={"v": self.version}, name="live poll", catch_response=True) as r:
            if r.status_code == 200:
                match = re.search(r'data-token="([^"]+)"', r.text)
                self.version = match.group(1) if match else ""
            elif r.status_code != 204:
                r.failure(f"poll answered {r.status_code}")
