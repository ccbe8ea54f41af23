"""Build the default Word template of the regional analytical report (docxtpl tags inside).

    .venv/bin/python scripts/build_report_template.py [OUT]

Writes ``webapp/reports/templates_docx/regional_report.docx`` by default. The sections follow
the Kalmykia year-end report (participants, curators' work, documents, mutual expertise,
monitoring, roadmap). Coordinators may edit the result in Word and an admin uploads it at
``/reports/template``; the variables the template may use are listed in ``docs/reports.md``.
Table rows repeat with docxtpl's ``{%tr for … %}`` / ``{%tr endfor %}`` rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.shared import Pt

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "webapp" / "reports" / "templates_docx" / "regional_report.docx"


def table(doc, headers: list[str], loop: str, cells: list[str]) -> None:
    """A header row, then one row repeated by ``{%tr for loop %}``."""
    t = doc.add_table(rows=4, cols=len(headers))
    t.style = "Table Grid"
    for i, text in enumerate(headers):
        t.rows[0].cells[i].text = text
        for run in t.rows[0].cells[i].paragraphs[0].runs:
            run.bold = True
    t.rows[1].cells[0].text = "{%tr for " + loop + " %}"
    for i, text in enumerate(cells):
        t.rows[2].cells[i].text = text
    t.rows[3].cells[0].text = "{%tr endfor %}"


def build(out: Path) -> Path:
    doc = Document()
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(12)
    doc.add_heading("Аналитическая справка", level=0)
    doc.add_paragraph(
        "по результатам реализации проекта «500+»: {{ region.name }}, {{ campaign.name }}"
    )
    doc.add_paragraph("Сформирована {{ generated_on }} по данным платформы «Экспертиза».")

    doc.add_heading("1. Участники проекта", level=1)
    doc.add_paragraph(
        "В реализации проекта «500+» в регионе «{{ region.name }}» участвуют "
        "{{ participants.schools_500plus }} школ(ы) из {{ participants.municipalities }} "
        "муниципалитет(ов); всего школ с низкими образовательными результатами в регионе: "
        "{{ participants.schools_low }}, обучающихся в школах-участницах: "
        "{{ participants.pupils }}."
    )
    table(
        doc,
        ["Школа", "Муниципалитет", "Местность", "Обучающихся", "Куратор"],
        "s in participants.rows",
        ["{{ s.name }}", "{{ s.municipality }}", "{{ s.settlement }}", "{{ s.pupils }}",
         "{{ s.curators }}"],
    )  # fmt: skip

    doc.add_heading("2. Работа кураторов", level=1)
    doc.add_paragraph(
        "Школы сопровождают {{ curators.count }} куратор(ов). В дневниках кураторов "
        "{{ curators.entries }} запис(ей): выездов в школы — {{ curators.visits }}, "
        "онлайн-встреч — {{ curators.online }}, телефонных разговоров — {{ curators.phone }}."
    )
    table(
        doc,
        ["Куратор", "Школ", "Записей", "Выездов", "Последний контакт"],
        "c in curators.rows",
        ["{{ c.name }}", "{{ c.schools }}", "{{ c.entries }}", "{{ c.visits }}", "{{ c.last }}"],
    )

    doc.add_heading("3. Концептуальные документы", level=1)
    doc.add_paragraph(
        "Всего документов школ-участниц: {{ documents.total }}, из них утверждено "
        "{{ documents.approved }}, возвращено на доработку {{ documents.revision }}."
    )
    table(
        doc,
        ["Состояние", "Документов"],
        "d in documents.by_state",
        ["{{ d.label }}", "{{ d.count }}"],
    )
    doc.add_paragraph("")
    table(
        doc,
        ["Тип документа", "Всего", "Утверждено", "На проверке", "На доработке"],
        "t in documents.by_type",
        ["{{ t.name }}", "{{ t.total }}", "{{ t.approved }}", "{{ t.review }}",
         "{{ t.revision }}"],
    )  # fmt: skip

    doc.add_heading("4. Взаимоэкспертиза", level=1)
    doc.add_paragraph(
        "Документы школ региона рецензировали школы других регионов: назначений "
        "{{ peer.received_total }}, заключений получено {{ peer.received_submitted }}, "
        "отказов {{ peer.received_declined }}, просрочено {{ peer.received_expired }}. "
        "Школы региона сами рецензировали {{ peer.given_total }} документ(ов), "
        "заключений отправлено {{ peer.given_submitted }}."
    )

    doc.add_heading("5. Мониторинг наступления позитивных изменений", level=1)
    doc.add_paragraph(
        "Мероприятий антирисковых программ: {{ monitoring.measures }}; отчётов принято "
        "{{ monitoring.accepted }}, возвращено с замечанием {{ monitoring.returned }}, ждут "
        "проверки {{ monitoring.submitted }}, не выполнено {{ monitoring.not_done }}, не "
        "отчитались {{ monitoring.draft }}. Целевое значение достигнуто в "
        "{{ monitoring.target_met }} принятых отчётах. Файлов-подтверждений: "
        "{{ monitoring.files }}."
    )

    doc.add_heading("6. Дорожные карты", level=1)
    doc.add_paragraph(
        "Дорожных карт: {{ roadmap.roadmaps }}; пунктов {{ roadmap.total }}, выполнено "
        "{{ roadmap.done }}, в работе или запланировано {{ roadmap.open }}, извлечено "
        "{{ roadmap.removed }}."
    )
    doc.add_paragraph("Пункты, извлечённые из дорожных карт, и причины:")
    table(
        doc,
        ["Дорожная карта", "Пункт", "Причина", "Кто", "Когда"],
        "r in roadmap.removed_rows",
        ["{{ r.owner }}", "{{ r.event }}", "{{ r.reason }}", "{{ r.actor }}", "{{ r.on }}"],
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out)
    return out


if __name__ == "__main__":
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT))
