"""The e2e flake's path without a browser: a criterion comment posted with the verdict is kept."""

from __future__ import annotations

import re

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of

REMARK = "В разделе 3 нет сроков и ответственных."
CRITERION_REMARK = "Нет сроков и ответственных."


def form_fields(html: str) -> tuple[list[str], str]:
    """The criterion field names of the rendered checklist and its lock_version."""
    statuses = re.findall(r'name="(status_\d+)"', html)
    lock = re.search(r'name="lock_version" value="(\d+)"', html).group(1)
    return statuses, lock


def test_criterion_comment_posted_with_the_verdict_reaches_the_school(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    login(client, CURATOR)
    page = client.get(f"/documents/{doc.id}/review")
    assert page.status_code == 200
    statuses, lock = form_fields(page.get_data(as_text=True))
    assert len(statuses) >= 2
    data = {name: "met" for name in statuses}
    second = statuses[1].removeprefix("status_")
    data |= {
        f"status_{second}": "remark",
        f"comment_{second}": CRITERION_REMARK,
        "verdict": "revise",
        "comment": REMARK,
        "lock_version": lock,
    }
    response = client.post(f"/documents/{doc.id}/review", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    client.post("/logout")
    login(client, SCHOOL)
    html = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    last = html[html.index('id="last-review"') :]
    assert CRITERION_REMARK in last
    assert REMARK in html
