"""The remarks thread: a return's remarks, the school's answers, the second round's checklist."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.support import login
from tests.webapp.helpers import CURATOR, SCHOOL, bring_to_review, documents_of, upload, user
from webapp.extensions import db
from webapp.reviews.models import Remark

OTHER_SCHOOL = "school.08-sol@ekspertiza.local"
FIRST_REMARK = "Нет сроков по мероприятиям раздела 2."
GENERAL = "Дополните таблицу мероприятий."
BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def checklist_page(client, doc) -> tuple[list[str], str]:
    html = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    statuses = re.findall(r'name="(status_\d+)"', html)
    lock = re.search(r'name="lock_version" value="(\d+)"', html).group(1)
    return statuses, lock


def return_with_two_remarks(client, doc) -> list[str]:
    """Criterion 1 «есть замечания», criterion 2 «не соответствует» (no comment), returned."""
    login(client, CURATOR)
    statuses, lock = checklist_page(client, doc)
    data = {name: "met" for name in statuses}
    first, second = (s.removeprefix("status_") for s in statuses[:2])
    data |= {
        f"status_{first}": "remark",
        f"comment_{first}": FIRST_REMARK,
        f"status_{second}": "not_met",
        "verdict": "revise",
        "comment": GENERAL,
        "lock_version": lock,
    }
    assert client.post(f"/documents/{doc.id}/review", data=data).status_code == 302
    client.post("/logout")
    return statuses


def remarks_of(doc) -> list[Remark]:
    db.session.expire_all()
    stmt = select(Remark).where(Remark.document_id == doc.id).order_by(Remark.id)
    return list(db.session.scalars(stmt))


def resubmit(client, doc):
    return client.post(f"/documents/{doc.id}/transitions", data={"trigger": "resubmit"})


@BOTH
def test_a_return_becomes_remarks_the_school_answers_before_sending_again(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    statuses = return_with_two_remarks(client, doc)
    remarks = remarks_of(doc)
    # Criterion remarks in checklist order, then the general comment; the unrated second
    # criterion's remark carries the status's words.
    assert [(r.criterion_id, r.text, r.version_number) for r in remarks] == [
        (int(statuses[0].removeprefix("status_")), FIRST_REMARK, 1),
        (int(statuses[1].removeprefix("status_")), "Не соответствует", 1),
        (None, GENERAL, 1),
    ]
    assert all(r.answer == "" and r.addressed_in_version is None for r in remarks)

    login(client, SCHOOL)
    page = client.get(f"/documents/{doc.id}").get_data(as_text=True)
    assert 'id="remarks-form"' in page and FIRST_REMARK in page and GENERAL in page
    upload(doc, SCHOOL, "v2.pdf")
    refused = resubmit(client, doc)
    assert refused.status_code == 422
    assert "Ответьте на каждое замечание" in refused.get_data(as_text=True)

    # Two answers now, the third later: the page says how many are left.
    first, second, general = remarks
    saved = client.post(
        f"/documents/{doc.id}/remarks",
        data={f"answer_{first.id}": "Сроки добавлены", f"answer_{general.id}": "Дополнено"},
        follow_redirects=True,
    )
    assert "Осталось ответить на замечаний: 1" in saved.get_data(as_text=True)
    assert resubmit(client, doc).status_code == 422
    client.post(f"/documents/{doc.id}/remarks", data={f"answer_{second.id}": "Раздел переписан"})
    assert resubmit(client, doc).status_code == 302

    remarks = remarks_of(doc)
    assert [r.answer for r in remarks] == ["Сроки добавлены", "Раздел переписан", "Дополнено"]
    assert {r.addressed_in_version for r in remarks} == {2}
    assert {r.answered_by_id for r in remarks} == {user(SCHOOL).id}


def test_the_second_round_starts_from_the_first_with_remarks_and_answers_beside(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    statuses = return_with_two_remarks(client, doc)
    login(client, SCHOOL)
    upload(doc, SCHOOL, "v2.pdf")
    first, second, general = remarks_of(doc)
    client.post(
        f"/documents/{doc.id}/remarks",
        data={
            f"answer_{first.id}": "Сроки в таблице 2",
            f"answer_{second.id}": "Переписано",
            f"answer_{general.id}": "Таблица дополнена",
        },
    )
    assert resubmit(client, doc).status_code == 302
    client.post("/logout")
    login(client, CURATOR)
    client.post(f"/documents/{doc.id}/transitions", data={"trigger": "start_review"})
    html = client.get(f"/documents/{doc.id}/review").get_data(as_text=True)
    selected = dict(
        re.findall(
            r'name="(status_\d+)"[^>]*>(?:(?!</select>).)*?value="(\w+)" selected', html, re.S
        )
    )
    assert selected[statuses[0]] == "remark" and selected[statuses[1]] == "not_met"
    assert all(selected[name] == "met" for name in statuses[2:])
    thread_one = html[html.index('id="thread_1"') :][:600]
    assert FIRST_REMARK in thread_one and "Сроки в таблице 2" in thread_one
    assert "Переписано" in html[html.index('id="thread_2"') :][:600]
    general_box = html[html.index('id="general-remarks"') :][:800]
    assert GENERAL in general_box and "Таблица дополнена" in general_box
    assert f"/documents/{doc.id}/diff?a=1&amp;b=2" in html


def test_only_the_school_answers_only_its_own_document_and_only_while_returned(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    return_with_two_remarks(client, doc)
    first = remarks_of(doc)[0]
    data = {f"answer_{first.id}": "Чужой ответ"}

    login(client, OTHER_SCHOOL)
    assert client.post(f"/documents/{doc.id}/remarks", data=data).status_code == 404
    client.post("/logout")
    login(client, CURATOR)
    assert client.post(f"/documents/{doc.id}/remarks", data=data).status_code == 403
    client.post("/logout")
    assert remarks_of(doc)[0].answer == ""

    login(client, SCHOOL)
    too_long = {f"answer_{first.id}": "я" * 2001}
    page = client.post(f"/documents/{doc.id}/remarks", data=too_long, follow_redirects=True)
    assert "Ответ длиннее 2000 символов" in page.get_data(as_text=True)
    empty = client.post(f"/documents/{doc.id}/remarks", data={}, follow_redirects=True)
    assert "Напишите ответ хотя бы на одно замечание" in empty.get_data(as_text=True)
    assert remarks_of(doc)[0].answer == ""

    client.post(f"/documents/{doc.id}/remarks", data={f"answer_{first.id}": "Исправлено"})
    blank = {f"answer_{first.id}": "   "}
    client.post(f"/documents/{doc.id}/remarks", data=blank)
    assert remarks_of(doc)[0].answer == "Исправлено"  # an answer once given is not emptied


def test_no_answers_outside_the_return(app, demo, client):
    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    return_with_two_remarks(client, doc)
    first = remarks_of(doc)[0]
    login(client, SCHOOL)
    for remark in remarks_of(doc):
        client.post(f"/documents/{doc.id}/remarks", data={f"answer_{remark.id}": "Да"})
    upload(doc, SCHOOL, "v2.pdf")
    assert resubmit(client, doc).status_code == 302
    late = client.post(
        f"/documents/{doc.id}/remarks",
        data={f"answer_{first.id}": "Поздний ответ"},
        follow_redirects=True,
    )
    assert "пока документ на доработке" in late.get_data(as_text=True)
    assert remarks_of(doc)[0].answer == "Да"


def test_a_return_without_a_checklist_keeps_its_comment_as_the_one_remark(app, demo):
    """A return from the peer stage carries only the comment: it is the thread's one item."""
    from tests.webapp.helpers import complete_checklist, fire

    doc = documents_of("08-UMC")[0]
    bring_to_review(doc)
    complete_checklist(doc, CURATOR)
    fire(doc, "request_revision", CURATOR, "Уточните цели")
    assert [(r.criterion_id, r.text) for r in remarks_of(doc)] == [(None, "Уточните цели")]
    # every criterion was «соответствует»: no criterion remark
