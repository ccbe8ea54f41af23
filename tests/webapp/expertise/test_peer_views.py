"""The peer screens at work: cabinet, accept/decline, checklist, conclusions, closing, follow-up."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy import select

from tests.webapp.expertise.peer_screens import (
    ADMIN,
    CLOSE_REASON_REQUIRED,
    COORD_OTHER,
    COORD_REVIEWED,
    COORD_REVIEWER,
    CURATOR,
    INCOMPLETE,
    OTHER_SCHOOL,
    REASON_REQUIRED,
    REVIEWED_USER,
    REVIEWER_USER,
    client_for,
    stage,
)
from tests.webapp.expertise.peer_support import (
    REVIEWED,
    act,
    concept_of,
    fill_conclusion,
    school_id,
)
from webapp.common.time import utcnow
from webapp.documents.models import Document
from webapp.expertise.models import PeerAssignment
from webapp.expertise.workflow import stage_of
from webapp.extensions import db

CONCLUSION = "Концепция реалистична; уточните показатели раздела 2."
REMARK = "Нет измеримых показателей."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fresh(assignment_id: int) -> PeerAssignment:
    db.session.expire_all()
    return db.session.get(PeerAssignment, assignment_id)


def criteria_of(assignment_id: int) -> list[int]:
    return [c.id for c in fresh(assignment_id).template.criteria]


def checklist_data(assignment_id: int, statuses: list[str], conclusion: str, action: str) -> dict:
    data = {"action": action, "conclusion": conclusion}
    for cid, status in zip(criteria_of(assignment_id), statuses, strict=False):
        data[f"status_{cid}"] = status
        data[f"comment_{cid}"] = REMARK if status == "remark" else ""
    return data


# -- the cabinet ----------------------------------------------------------------------------


def test_cabinet_lists_the_assignment_by_state_with_its_due_date(app, demo):
    staged = stage()
    page = client_for(app, REVIEWER_USER).get("/peer").get_data(as_text=True)
    waiting = page.split('id="peer-waiting"')[1].split("</section>")[0]
    assert f'data-assignment-id="{staged.assignment_id}"' in waiting
    assert "Уманцевская СОШ" in waiting and "Республика Калмыкия" in waiting
    assert "Назначено, ждёт ответа" in waiting
    # shown in the reviewer's zone (Orenburg region: Yekaterinburg time), the zone named
    due = fresh(staged.assignment_id).due_at.astimezone(ZoneInfo("Asia/Yekaterinburg"))
    assert f"{due:%d.%m.%Y} 23:59 (Екатеринбург, UTC+5)" in waiting
    assert 'data-count="working">0<' in page and 'data-count="finished">0<' in page
    # another school holds nothing
    other = client_for(app, OTHER_SCHOOL).get("/peer").get_data(as_text=True)
    assert "data-assignment-id" not in other and "Уманцевская" not in other


def test_nav_links_by_role(app, demo):
    assert 'id="nav-peer"' in client_for(app, REVIEWER_USER).get("/peer").get_data(as_text=True)
    page = client_for(app, COORD_REVIEWED).get("/overview").get_data(as_text=True)
    assert 'id="nav-peer-overview"' in page and 'id="nav-peer"' not in page
    page = client_for(app, CURATOR).get("/queue").get_data(as_text=True)
    assert 'id="nav-peer-overview"' not in page and 'id="nav-peer"' not in page


# -- accept and decline -------------------------------------------------------------------------


def test_accept_opens_the_document_link_and_the_checklist(app, demo):
    staged = stage()
    client = client_for(app, REVIEWER_USER)
    url = f"/peer/assignments/{staged.assignment_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="trigger-accept">Принять назначение<' in page
    assert 'id="trigger-decline">Отказаться<' in page
    assert 'id="read-document"' not in page and 'id="peer-checklist"' not in page
    version = fresh(staged.assignment_id).lock_version
    response = client.post(
        f"{url}/transitions", data={"trigger": "accept", "lock_version": version}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert fresh(staged.assignment_id).state == "accepted"
    page = client.get(url).get_data(as_text=True)
    assert "Готово: Принять назначение." in page
    assert f'href="/documents/{staged.document_id}"' in page
    assert 'id="peer-checklist"' in page and 'id="submit-conclusion"' in page
    assert 'id="trigger-accept"' not in page and 'id="trigger-decline"' in page
    history = page.split('id="peer-history"')[1]
    assert "Директор: Демо-школа № 1 (Оренбург)" in history and "Принять назначение" in history


def test_decline_without_a_reason_is_refused_in_russian(app, demo):
    staged = stage()
    client = client_for(app, REVIEWER_USER)
    url = f"/peer/assignments/{staged.assignment_id}/transitions"
    response = client.post(url, data={"trigger": "decline", "comment": "   "})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert REASON_REQUIRED in page and 'id="actions"' in page
    assert fresh(staged.assignment_id).state == "assigned"


def test_decline_with_a_reason_hands_the_document_to_the_replacement(app, demo):
    staged = stage()
    client = client_for(app, REVIEWER_USER)
    url = f"/peer/assignments/{staged.assignment_id}/transitions"
    response = client.post(url, data={"trigger": "decline", "comment": "Нет специалистов"})
    assert response.status_code == 302
    assert fresh(staged.assignment_id).state == "declined"
    page = client.get(f"/peer/assignments/{staged.assignment_id}").get_data(as_text=True)
    assert "Нет специалистов" in page.split('id="peer-history"')[1]
    assert 'id="actions"' not in page
    replacement = db.session.scalar(
        select(PeerAssignment).where(PeerAssignment.replaces_id == staged.assignment_id)
    )
    assert replacement.reviewer_school_id == school_id("14-D01")
    cabinet = client_for(app, "school.14-d01@ekspertiza.local").get("/peer")
    waiting = cabinet.get_data(as_text=True).split('id="peer-waiting"')[1].split("</section>")[0]
    assert f'data-assignment-id="{replacement.id}"' in waiting and "замена" in waiting


def test_stale_page_gets_409(app, demo):
    staged = stage()
    stale = fresh(staged.assignment_id).lock_version
    act(staged.assignment_id, "accept", REVIEWER_USER)
    client = client_for(app, "school.56-d01@ekspertiza.local")
    url = f"/peer/assignments/{staged.assignment_id}/transitions"
    response = client.post(url, data={"trigger": "decline", "comment": "x", "lock_version": stale})
    assert response.status_code == 409
    assert "Назначение уже изменено" in response.get_data(as_text=True)
    assert fresh(staged.assignment_id).state == "accepted"


# -- the checklist ------------------------------------------------------------------------------


def test_draft_save_keeps_the_values(app, demo):
    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    client = client_for(app, REVIEWER_USER)
    url = f"/peer/assignments/{staged.assignment_id}"
    data = checklist_data(staged.assignment_id, ["remark"], "Черновик вывода", "save")
    response = client.post(f"{url}/conclusion", data=data)
    assert response.status_code == 302
    assignment = fresh(staged.assignment_id)
    first = assignment.template.criteria[0].id
    assert [(a.criterion_id, a.status, a.comment) for a in assignment.answers] == [
        (first, "remark", REMARK)
    ]
    assert assignment.conclusion == "Черновик вывода" and assignment.state == "accepted"
    page = client.get(url).get_data(as_text=True)
    assert "Черновик заключения сохранён." in page
    assert re.search(
        rf'name="status_{first}"[^>]*>\s*<option value="">—</option>\s*'
        r'<option value="met" >Соответствует</option>\s*'
        r'<option value="remark" selected>',
        page,
    )
    assert f'value="{REMARK}"' in page and ">Черновик вывода</textarea>" in page


def test_submit_of_an_incomplete_checklist_is_refused_and_the_draft_kept(app, demo):
    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    client = client_for(app, REVIEWER_USER)
    url = f"/peer/assignments/{staged.assignment_id}/conclusion"
    data = checklist_data(staged.assignment_id, ["met"], "", "submit")
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert INCOMPLETE in response.get_data(as_text=True)
    assignment = fresh(staged.assignment_id)
    assert assignment.state == "accepted" and len(assignment.answers) == 1


def test_submit_freezes_the_conclusion(app, demo):
    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    client = client_for(app, "school.56-d01@ekspertiza.local")
    url = f"/peer/assignments/{staged.assignment_id}"
    n = len(criteria_of(staged.assignment_id))
    data = checklist_data(
        staged.assignment_id, ["remark"] + ["met"] * (n - 1), CONCLUSION, "submit"
    )
    response = client.post(f"{url}/conclusion", data=data)
    assert response.status_code == 302
    assert fresh(staged.assignment_id).state == "submitted"
    assert db.session.get(Document, staged.document_id).state == "peer_reviewed"
    page = client.get(url).get_data(as_text=True)
    assert "Заключение отправлено." in page
    frozen = page.split('id="frozen-conclusion"')[1]
    assert CONCLUSION in frozen and REMARK in frozen and "Есть замечания" in frozen
    assert (
        "<select" not in page and 'id="peer-checklist"' not in page and 'id="actions"' not in page
    )
    # a late edit is refused and changes nothing
    again = checklist_data(staged.assignment_id, ["met"] * n, "Другое", "save")
    assert client.post(f"{url}/conclusion", data=again).status_code == 422
    assert fresh(staged.assignment_id).conclusion == CONCLUSION


# -- the document page after the stage ---------------------------------------------------------


def _submit(staged) -> None:
    act(staged.assignment_id, "accept", REVIEWER_USER)
    fill_conclusion(fresh(staged.assignment_id), CONCLUSION)
    act(staged.assignment_id, "submit", REVIEWER_USER)


def _peer_section(client, document_id: int) -> str:
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    return (
        page.split('id="peer-stage"')[1].split("</section>")[0] if 'id="peer-stage"' in page else ""
    )


def test_curator_sees_the_conclusion_with_the_reviewer_and_approves(app, demo):
    staged = stage()
    _submit(staged)
    curator = client_for(app, CURATOR)
    section = _peer_section(curator, staged.document_id)
    assert CONCLUSION in section
    assert "Демо-школа № 1 (Оренбург) (Оренбургская область)" in section
    page = curator.get(f"/documents/{staged.document_id}").get_data(as_text=True)
    assert 'id="trigger-approve"' in page and 'id="trigger-request_revision"' in page
    response = curator.post(
        f"/documents/{staged.document_id}/transitions", data={"trigger": "approve"}
    )
    assert response.status_code == 302
    assert db.session.get(Document, staged.document_id).state == "approved"
    for email in (COORD_REVIEWED, ADMIN):
        assert CONCLUSION in _peer_section(client_for(app, email), staged.document_id)


@pytest.mark.parametrize("reveal", [True, False])
def test_reviewed_school_sees_the_conclusion_and_the_reviewer_only_if_revealed(app, demo, reveal):
    staged = stage()
    stage_of(fresh(staged.assignment_id).campaign_id).reveal_reviewer = reveal
    db.session.commit()
    _submit(staged)
    section = _peer_section(client_for(app, REVIEWED_USER), staged.document_id)
    assert CONCLUSION in section
    assert ("Оренбург" in section) is reveal
    assert 'id="peer-assignments"' not in section and 'id="close-peer-stage"' not in section
    # the curator always sees who reviewed
    assert "Оренбург" in _peer_section(client_for(app, CURATOR), staged.document_id)


def test_no_school_sees_conclusions_about_another_school(app, demo):
    staged = stage()
    _submit(staged)
    reviewer = client_for(app, REVIEWER_USER)
    assert reviewer.get(f"/documents/{staged.document_id}").status_code == 404
    own = db.session.scalars(
        select(Document.id).where(Document.school_id == school_id("56-D01"))
    ).all()
    for document_id in own:
        assert CONCLUSION not in reviewer.get(f"/documents/{document_id}").get_data(as_text=True)
    for email in (OTHER_SCHOOL, "school.08-sol@ekspertiza.local"):
        client = client_for(app, email)
        assert client.get(f"/documents/{staged.document_id}").status_code == 404
        assert client.get(f"/peer/assignments/{staged.assignment_id}").status_code == 404
        assert CONCLUSION not in client.get("/peer").get_data(as_text=True)


def test_reviewed_school_does_not_see_conclusions_while_the_stage_runs(app, demo):
    from tests.webapp.expertise.peer_support import confirm, make_pairing

    enable = stage  # the first reviewer submits; a second one still works
    staged = enable()
    pairs = [("22-D01", REVIEWED)]
    confirm(make_pairing(pairs), pairs)
    _submit(staged)
    assert db.session.get(Document, staged.document_id).state == "peer_review"
    assert _peer_section(client_for(app, REVIEWED_USER), staged.document_id) == ""
    assert CONCLUSION in _peer_section(client_for(app, CURATOR), staged.document_id)


# -- closing the stage --------------------------------------------------------------------------


def test_curator_closes_the_stage_with_a_reason(app, demo):
    staged = stage()
    act(staged.assignment_id, "accept", REVIEWER_USER)
    curator = client_for(app, CURATOR)
    page = curator.get(f"/documents/{staged.document_id}").get_data(as_text=True)
    assert 'id="close-peer-stage"' in page and "Закрыть этап взаимоэкспертизы" in page
    assert 'id="trigger-finish_peer_review"' not in page  # only through the close form
    url = f"/peer/documents/{staged.document_id}/close"
    response = curator.post(url, data={"reason": "  "})
    assert response.status_code == 422
    assert CLOSE_REASON_REQUIRED in response.get_data(as_text=True)
    assert db.session.get(Document, staged.document_id).state == "peer_review"
    for email, status in [(COORD_REVIEWED, 403), (REVIEWED_USER, 403), (REVIEWER_USER, 403)]:
        assert client_for(app, email).post(url, data={"reason": "x"}).status_code == status
    assert client_for(app, COORD_OTHER).post(url, data={"reason": "x"}).status_code == 404
    response = curator.post(url, data={"reason": "Школа-эксперт не отвечает"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Document, staged.document_id).state == "peer_reviewed"
    assert fresh(staged.assignment_id).state == "cancelled"
    history = fresh(staged.assignment_id).history[-1]
    assert (history.event, history.comment) == ("cancel", "Школа-эксперт не отвечает")
    page = curator.get(f"/documents/{staged.document_id}").get_data(as_text=True)
    assert 'id="close-peer-stage"' not in page


# -- following the stage ------------------------------------------------------------------------


def _summary_row(page: str, region: str) -> str:
    table = page.split('id="peer-summary"')[1].split("</table>")[0]
    return next(row for row in table.split("<tr") if region in row)


def test_overview_counts_per_reviewer_region_and_lists_the_silent(app, demo):
    staged = stage()
    assignment = fresh(staged.assignment_id)
    assignment.due_at = utcnow() + timedelta(hours=1)  # past half of its time to answer
    db.session.commit()
    page = client_for(app, ADMIN).get("/peer/overview").get_data(as_text=True)
    row = _summary_row(page, "Оренбургская область")
    # the programme's assignment waits for its document (no due date yet): not silent
    assert 'data-count="assigned">2<' in row and 'data-count="silent">1<' in row
    assert 'data-count="overdue">0<' in row and 'data-count="total">2<' in row
    attention = page.split('id="peer-attention"')[1]
    assert f'data-assignment-id="{staged.assignment_id}"' in attention
    assert 'data-flag="silent"' in attention and 'data-flag="overdue"' not in attention

    assignment = fresh(staged.assignment_id)
    assignment.due_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    page = client_for(app, COORD_REVIEWED).get("/peer/overview").get_data(as_text=True)
    assert 'data-count="overdue">1<' in _summary_row(page, "Оренбургская область")
    assert 'data-flag="overdue"' in page
    page = client_for(app, COORD_OTHER).get("/peer/overview").get_data(as_text=True)
    assert "data-assignment-id" not in page and "Оренбург" not in page


def test_fresh_assignments_are_not_flagged(app, demo):
    stage()
    page = client_for(app, COORD_REVIEWER).get("/peer/overview").get_data(as_text=True)
    assert 'data-count="assigned">2<' in _summary_row(page, "Оренбургская область")
    assert "data-assignment-id" not in page.split('id="peer-attention"')[1]


def test_declined_and_replaced_are_listed(app, demo):
    staged = stage()
    act(staged.assignment_id, "decline", REVIEWER_USER, "Нет специалистов")
    page = client_for(app, ADMIN).get("/peer/overview").get_data(as_text=True)
    attention = page.split('id="peer-attention"')[1]
    assert attention.count("data-assignment-id") == 2
    assert 'data-flag="replaced"' in attention and 'data-flag="replacement"' in attention
    assert 'data-count="replaced">1<' in _summary_row(page, "Оренбургская область")
    assert 'data-count="declined">1<' in _summary_row(page, "Оренбургская область")


def test_admin_filters_by_region(app, demo):
    stage()
    admin = client_for(app, ADMIN)
    regions = dict(
        (name, rid)
        for rid, name in re.findall(
            r'<option value="(\d+)" >([^<]+)</option>',
            admin.get("/peer/overview").get_data(as_text=True),
        )
    )
    page = admin.get(f"/peer/overview?region={regions['Иркутская область']}").get_data(as_text=True)
    assert "Оренбургская область</td>" not in page
    page = admin.get(f"/peer/overview?region={regions['Республика Калмыкия']}").get_data(
        as_text=True
    )
    assert "Оренбургская область</td>" in page  # the reviewed school is in Kalmykia


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200 and response.mimetype == XLSX
    assert "attachment" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    book.close()
    return rows


def test_xlsx_export_opens_and_holds_the_rows_in_scope(app, demo):
    staged = stage()
    act(staged.assignment_id, "decline", REVIEWER_USER, "Нет специалистов")
    from webapp.orgs.models import School

    db.session.get(School, school_id("56-D01")).short_name = '=HYPERLINK("x")'
    db.session.commit()
    with client_for(app, ADMIN).get("/peer/overview.xlsx") as response:
        rows = _sheet(response)
    assert rows[0][:4] == ("№ назначения", "Состояние", "Документ", "Тип документа")
    by_id = {row[0]: row for row in rows[1:]}
    # the concept's declined assignment, its replacement, and the programme's assignment
    assert len(by_id) == 3 and staged.assignment_id in by_id
    declined = by_id[staged.assignment_id]
    assert declined[1] == "Отказ" and declined[2] == concept_of(REVIEWED).title
    assert declined[4] == "Уманцевская СОШ" and declined[5] == "Республика Калмыкия"
    assert declined[6] == '\'=HYPERLINK("x")'  # formula-escaped
    assert declined[7] == "Оренбургская область" and declined[14] == "да"
    with client_for(app, COORD_OTHER).get("/peer/overview.xlsx") as response:
        assert len(_sheet(response)) == 1  # the header only


# -- English ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "path", "expected"),
    [
        (REVIEWER_USER, "/peer", ["Peer review", "Awaiting your answer: accept or decline"]),
        (REVIEWER_USER, "/peer/assignments/{a}", ["Accept the assignment", "Assignment history"]),
        (ADMIN, "/peer/overview", ["Peer review progress", "Export to XLSX", "All regions"]),
        (CURATOR, "/documents/{d}", ["Close the peer review stage", "Reviewing school"]),
    ],
)
def test_peer_screens_render_in_english(app, demo, email, path, expected):
    from tests.webapp.test_i18n import _data_strings, _leftover_cyrillic

    staged = stage()
    if email == CURATOR:
        act(staged.assignment_id, "accept", REVIEWER_USER)
    client = client_for(app, email)
    client.get("/peer?lang=en")
    page = client.get(path.format(a=staged.assignment_id, d=staged.document_id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html
    for text in expected:
        assert text in html, text
    assert _leftover_cyrillic(html, _data_strings()) == []
