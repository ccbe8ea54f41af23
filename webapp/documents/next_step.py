"""What the school does next with each document, and the deadline it works to (the cabinet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext

from webapp.campaigns.models import Campaign
from webapp.common.time import utcnow
from workflows.document import DocumentState as S

SUBMISSION_STAGE = "documents"

# The school's next step in each state (its own action first, else what it waits for).
NEXT_STEP = {
    S.DRAFT: lazy_gettext("Загрузите файл и отправьте документ на проверку."),
    S.WITHDRAWN: lazy_gettext("Загрузите новую версию и отправьте документ на проверку."),
    S.SUBMITTED: lazy_gettext("Ждёт куратора: ничего делать не нужно."),
    S.CURATOR_REVIEW: lazy_gettext("Проверяется куратором: ничего делать не нужно."),
    S.REVISION_REQUESTED: lazy_gettext(
        "Ответьте на замечания, загрузите исправленную версию и отправьте повторно."
    ),
    S.CURATOR_ACCEPTED: lazy_gettext("Принят куратором: ждёт утверждения."),
    S.PEER_REVIEW: lazy_gettext("На взаимоэкспертизе: ждёт заключений других школ."),
    S.PEER_REVIEWED: lazy_gettext("Взаимоэкспертиза завершена: ждёт решения куратора."),
    S.APPROVED: lazy_gettext("Утверждён: ничего делать не нужно."),
}
SCHOOL_TURN = frozenset({S.DRAFT, S.WITHDRAWN, S.REVISION_REQUESTED})


@dataclass(frozen=True)
class Deadline:
    ends_on: date
    days_left: int

    @property
    def passed(self) -> bool:
        return self.days_left < 0


def submission_deadline(campaign: Campaign | None, region_id: int) -> Deadline | None:
    """The last day of the documents stage in the school's region (None without a stage)."""
    if campaign is None:
        return None
    stage = next((s for s in campaign.stages if s.code == SUBMISSION_STAGE), None)
    if stage is None:
        return None
    ends_on = stage.ends_on_for(region_id)
    return Deadline(ends_on, (ends_on - utcnow().date()).days)
