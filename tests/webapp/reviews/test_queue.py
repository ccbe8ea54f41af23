"""The curator's queue: own schools only, oldest first, overdue marked."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, documents_of, fire, upload
from webapp.common.time import utcnow
from webapp.extensions import db


def test_queue_lists_oldest_first_and_marks_overdue(app, demo, client):
    first, second = documents_of("08-UMC")[:2]
    for doc in (first, second):
        upload(doc, SCHOOL)
        fire(doc, "submit", SCHOOL)
    other = documents_of("38-VER")[0]
    upload(other, "school.38-ver@ekspertiza.local")
    fire(other, "submit", "school.38-ver@ekspertiza.local")
    first.due_at = utcnow() - timedelta(days=1)
    first.submitted_at = utcnow() - timedelta(days=12)
    db.session.commit()
    login(client, CURATOR)
    html = client.get("/queue").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'<tr data-document-id="(\d+)"', html)]
    assert ids == [first.id, second.id]
    assert html.count("просрочен") == 1 and "table-danger" in html
