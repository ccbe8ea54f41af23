"""Locust journeys of the load benchmark (run by ``tests/benchmarks/bench_load.py``).

Three kinds of users, 1–3 s between actions, each signed in once through the real login form
(with its CSRF token) as one account of the benchmark data:

* a school (weight 6): its cabinet (the school page the menu links to), then one of its
  document pages;
* a curator (weight 3): the queue, a document of the queue, and its review screen when the
  document is in review (``/documents/<id>/review``);
* a coordinator (weight 1): the overview, now and then filtered by ``?state=submitted``.

The accounts come from the JSON file named by ``BENCH_ACCOUNTS`` (written by the runner):
``{"password": ..., "school": [...], "curator": [...], "coordinator": [...]}``. Request names
are the screens, so the statistics are per screen.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re

from locust import FastHttpUser, between, task
from locust.exception import StopUser

with open(os.environ["BENCH_ACCOUNTS"], encoding="utf-8") as handle:
    ACCOUNTS = json.load(handle)
PASSWORD = ACCOUNTS["password"]
_NEXT = {kind: itertools.cycle(ACCOUNTS[kind]) for kind in ("school", "curator", "coordinator")}

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
DOCUMENT = re.compile(r'href="/documents/(\d+)"')
REVIEW = re.compile(r'href="/documents/(\d+)/review"')
CABINET = re.compile(r'id="nav-cabinet" href="([^"]+)"')


class Journey(FastHttpUser):
    abstract = True
    wait_time = between(1, 3)
    kind = ""

    def on_start(self) -> None:
        email = next(_NEXT[self.kind])
        page = self.client.get("/login", name="login page")
        match = CSRF.search(page.text or "")
        token = match.group(1) if match else ""
        with self.client.post(
            "/login",
            data={"email": email, "password": PASSWORD, "csrf_token": token},
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in of {email}: HTTP {response.status_code}")
                raise StopUser()
            response.success()

    def get(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name}: HTTP {response.status_code}")
            else:
                response.success()
            return response.text or ""


class School(Journey):
    weight = 6
    kind = "school"
    cabinet = "/cabinet"

    def on_start(self) -> None:
        super().on_start()
        # After signing in the browser follows the redirect to the landing page (the school
        # page); from then on the user clicks the menu's «Кабинет школы», which links to it.
        landing = self.get("/", "landing page")
        match = CABINET.search(landing)
        self.cabinet = match.group(1) if match else self.cabinet

    @task
    def cabinet_then_document(self) -> None:
        page = self.get(self.cabinet, "school cabinet")
        documents = DOCUMENT.findall(page)
        if documents:
            self.wait()
            self.get(f"/documents/{random.choice(documents)}", "document page")


class Curator(Journey):
    weight = 3
    kind = "curator"

    @task
    def queue_then_review(self) -> None:
        page = self.get("/queue", "curator queue")
        documents = DOCUMENT.findall(page)
        if not documents:
            return
        self.wait()
        document = random.choice(documents)
        detail = self.get(f"/documents/{document}", "document page")
        if REVIEW.search(detail):
            self.wait()
            self.get(f"/documents/{document}/review", "review screen")


class Coordinator(Journey):
    weight = 1
    kind = "coordinator"

    @task(3)
    def overview(self) -> None:
        self.get("/overview", "coordinator overview")

    @task(1)
    def overview_submitted(self) -> None:
        self.get("/overview?state=submitted", "coordinator overview ?state=submitted")
