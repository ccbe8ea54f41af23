"""Shared set-up of the peer screen tests: one staged assignment and signed-in clients."""

from __future__ import annotations

from dataclasses import dataclass

from tests.webapp.expertise.peer_support import (
    REVIEWED,
    REVIEWER,
    REVIEWER_USER,
    accept_concept,
    assignment_of,
    confirm,
    enable_peer_stage,
    make_pairing,
)
from tests.webapp.helpers import upload

PAIRS = [(REVIEWER, REVIEWED)]

REVIEWED_USER = "school.08-umc@ekspertiza.local"
OTHER_SCHOOL = "school.14-d02@ekspertiza.local"  # another region's school with no assignment
CURATOR = "curator1@ekspertiza.local"  # curates 08-UMC
OTHER_CURATOR = "curator2@ekspertiza.local"
COORD_REVIEWED = "coord.08@ekspertiza.local"  # the reviewed school's region
COORD_REVIEWER = "coord.56@ekspertiza.local"  # the reviewing school's region
COORD_OTHER = "coord.38@ekspertiza.local"
MUNICIPAL = "mun.zalari@ekspertiza.local"
ADMIN = "admin@ekspertiza.local"

# Visible Russian texts, spelled out here (not imported) so the tests pin the UI.
REASON_REQUIRED = "Укажите причину: она обязательна для этого действия."
CLOSE_REASON_REQUIRED = "Укажите причину закрытия этапа."
INCOMPLETE = "Заполните заключение: оценку по каждому критерию и общий вывод."
REVIEWED_NAME = "Уманцевская СОШ им."  # part of 08-UMC's full name (not in its nav)


@dataclass
class Staged:
    assignment_id: int
    document_id: int
    document_title: str


def stage(*, two_versions: bool = False) -> Staged:
    """08-UMC's concept accepted by its curator, paired with 56-D01: the assignment is open."""
    enable_peer_stage()
    if two_versions:
        from tests.webapp.expertise.peer_support import concept_of

        upload(concept_of(REVIEWED), REVIEWED_USER, "старая.pdf")
    document = accept_concept()
    confirm(make_pairing(PAIRS), PAIRS)
    assignment = assignment_of(document, REVIEWER)
    return Staged(assignment.id, document.id, document.title)


class Client:
    """A test client whose every request runs in its own app context (a fresh ``g``, so the
    signed-in user is looked up anew, as live)."""

    def __init__(self, app, email: str | None) -> None:
        self.app = app
        self.client = app.test_client()
        if email:
            self.post("/login", data={"email": email, "password": "demo-pass"})

    def open(self, url: str, method: str = "GET", **kwargs):
        with self.app.app_context():
            return self.client.open(url, method=method, **kwargs)

    def get(self, url: str, **kwargs):
        return self.open(url, "GET", **kwargs)

    def post(self, url: str, **kwargs):
        return self.open(url, "POST", **kwargs)


def client_for(app, email: str | None) -> Client:
    return Client(app, email)


__all__ = ["REVIEWER_USER"]
