"""Cross-check campaigns: create and edit, load lists, schools' own experts, stage moves.

Every change goes through the campaign workflow (``CAMPAIGNS`` binding): the settings are edited
by the ``edit`` trigger, lists by ``import_list``, so the state decides what is allowed. The
caller commits; a refused file raises ``TabularRejected`` and the caller rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask_babel import gettext
from sqlalchemy import select

from webapp.auth.models import User
from webapp.crosscheck import lists
from webapp.crosscheck.models import (
    DEFAULT_THRESHOLD,
    CrossCheckCampaign,
    CrossCheckExpert,
    CrossCheckSubjectRule,
)
from webapp.crosscheck.permissions import may_create, member_school_ids
from webapp.crosscheck.workflow import CAMPAIGNS, build_campaign_context
from webapp.extensions import db
from webapp.tabular import Sheet, TabularRejected
from webapp.workflow.service import apply_transition
from workflows.crosscheck_campaign import CampaignState, CampaignTrigger, Scope
from workflows.machine import GuardRefused, NotPermitted

T = CampaignTrigger
TITLE_LENGTH = 200


@dataclass(frozen=True)
class Settings:
    """What the coordinator chooses (the form and the API)."""

    title: str
    scope: str = Scope.ANY.value
    no_reciprocal: bool = False
    second_share: float = 0.0
    subjects: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    experts_deadline: datetime | None = None
    checking_deadline: datetime | None = None
    third_check_deadline: datetime | None = None
    thresholds: tuple[tuple[str, int], ...] = ()  # (subject, threshold) overrides


def check_settings(s: Settings) -> None:
    """Refuse settings a form could not have sent (the API), in the current language."""
    title = s.title.strip()
    if not title:
        raise GuardRefused(gettext("Укажите название кампании."), trigger=T.EDIT)
    if len(title) > TITLE_LENGTH:
        raise GuardRefused(
            gettext("Название — не длиннее %(limit)s знаков.", limit=TITLE_LENGTH), trigger=T.EDIT
        )
    if s.scope not in {x.value for x in Scope}:
        raise GuardRefused(gettext("Неизвестная политика выбора экспертов."), trigger=T.EDIT)
    if not 0 <= s.second_share <= 1:
        raise GuardRefused(gettext("Доля второй проверки — от 0 до 1."), trigger=T.EDIT)
    if not s.subjects or not s.grades:
        raise GuardRefused(gettext("Укажите предметы и классы кампании."), trigger=T.EDIT)
    for subject in s.subjects:
        if not lists.SUBJECT.fullmatch(subject):
            raise GuardRefused(
                gettext(
                    "«%(subject)s» — не код предмета (латинские буквы, цифры и «_»).",
                    subject=subject,
                ),
                trigger=T.EDIT,
            )
    for grade in s.grades:
        if grade not in lists.VPR_GRADES:
            raise GuardRefused(
                gettext("Класс %(grade)s: ВПР пишут в 4–8, 10 и 11 классах.", grade=grade),
                trigger=T.EDIT,
            )
    for _, threshold in s.thresholds:
        if not 0 <= threshold <= 100:
            raise GuardRefused(gettext("Порог расхождения — от 0 до 100 баллов."), trigger=T.EDIT)
    dates = (s.checking_deadline, s.third_check_deadline)
    if all(dates) and dates[1] < dates[0]:
        raise GuardRefused(
            gettext("Срок третьей проверки не может быть раньше срока проверки."), trigger=T.EDIT
        )


def create_campaign(
    actor: User, region_id: int, municipality_id: int | None, settings: Settings
) -> CrossCheckCampaign:
    """A draft campaign for the actor's territory with its subject rules; flush."""
    if not may_create(actor, region_id, municipality_id):
        raise NotPermitted(
            gettext("Кампанию создаёт координатор своего региона или муниципалитета."),
            trigger=T.EDIT,
        )
    check_settings(settings)
    campaign = CrossCheckCampaign(
        region_id=region_id, municipality_id=municipality_id, created_by_id=actor.id
    )
    _apply(campaign, settings)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def update_campaign(campaign_id: int, actor: User, settings: Settings, *, expected_version=None):
    """Edit the settings (only in draft: the ``edit`` trigger); flush."""
    check_settings(settings)
    campaign = apply_transition(
        CAMPAIGNS, campaign_id, T.EDIT, actor=actor, expected_version=expected_version
    )
    _apply(campaign, settings)
    db.session.flush()
    return campaign


def _apply(campaign: CrossCheckCampaign, s: Settings) -> None:
    campaign.title = s.title.strip()
    campaign.scope = s.scope
    campaign.no_reciprocal = bool(s.no_reciprocal)
    campaign.second_share = float(s.second_share)
    campaign.experts_deadline = s.experts_deadline
    campaign.checking_deadline = s.checking_deadline
    campaign.third_check_deadline = s.third_check_deadline
    thresholds = dict(s.thresholds)
    wanted = {(subject, grade) for subject in s.subjects for grade in s.grades}
    kept = []
    for rule in list(campaign.rules):
        if (rule.subject, rule.grade) in wanted:
            if rule.subject in thresholds:
                rule.threshold = thresholds[rule.subject]
            kept.append((rule.subject, rule.grade))
        else:
            campaign.rules.remove(rule)
    for subject, grade in sorted(wanted - set(kept)):
        campaign.rules.append(
            CrossCheckSubjectRule(
                subject=subject,
                grade=grade,
                threshold=thresholds.get(subject, DEFAULT_THRESHOLD),
            )
        )


def settings_of(campaign: CrossCheckCampaign) -> Settings:
    return Settings(
        title=campaign.title,
        scope=campaign.scope,
        no_reciprocal=campaign.no_reciprocal,
        second_share=campaign.second_share,
        subjects=tuple(sorted({r.subject for r in campaign.rules})),
        grades=tuple(sorted({r.grade for r in campaign.rules})),
        experts_deadline=campaign.experts_deadline,
        checking_deadline=campaign.checking_deadline,
        third_check_deadline=campaign.third_check_deadline,
        thresholds=tuple(sorted({(r.subject, r.threshold) for r in campaign.rules})),
    )


def update_rule(
    campaign_id: int, rule_id: int, actor: User, threshold: int, scale: list[int] | None
) -> CrossCheckSubjectRule:
    """Edit one subject and grade's threshold and mark scale (in draft: ``edit``)."""
    campaign = apply_transition(CAMPAIGNS, campaign_id, T.EDIT, actor=actor)
    rule = next((r for r in campaign.rules if r.id == rule_id), None)
    if rule is None:
        raise LookupError(rule_id)
    if not 0 <= threshold <= 100:
        raise GuardRefused(gettext("Порог расхождения — от 0 до 100 баллов."), trigger=T.EDIT)
    if scale is not None and (
        len(scale) != 3 or any(x < 0 for x in scale) or sorted(scale) != list(scale)
    ):
        raise GuardRefused(
            gettext("Шкала — три неубывающих числа: минимальные баллы для отметок 3, 4 и 5."),
            trigger=T.EDIT,
        )
    rule.threshold = threshold
    rule.mark_scale = scale
    db.session.flush()
    return rule


def import_list(campaign_id: int, kind: str, path: Path, actor: User) -> lists.Loaded:
    """Load one list from a file (all or nothing), then mark the lists loaded when complete."""
    if kind not in lists.KINDS:
        raise LookupError(kind)
    campaign = apply_transition(CAMPAIGNS, campaign_id, T.IMPORT_LIST, actor=actor)
    rows = lists.read_list(campaign, kind, path)
    if not rows:
        raise TabularRejected(
            [
                lists.TabularError(
                    None, None, gettext("в файле нет ни одной строки данных"), path.name
                )
            ]
        )
    loaded = lists.store_list(campaign, kind, rows)
    complete_lists_if_ready(campaign, actor)
    return loaded


def complete_lists_if_ready(campaign: CrossCheckCampaign, actor: User) -> None:
    if campaign.state != CampaignState.DRAFT:
        return
    ctx = build_campaign_context(campaign, actor)
    if campaign.can_fire(T.COMPLETE_LISTS, ctx=ctx):
        apply_transition(CAMPAIGNS, campaign.id, T.COMPLETE_LISTS, actor=actor)


def add_school_expert(campaign_id: int, actor: User, cells: dict[str, str]) -> CrossCheckExpert:
    """A school adds one of its teachers (``add_expert``: before the experts' deadline)."""
    campaign = apply_transition(CAMPAIGNS, campaign_id, T.ADD_EXPERT, actor=actor)
    own = member_school_ids(actor, campaign)
    from webapp.orgs.models import School

    schools = {
        code.lower(): sid
        for code, sid in db.session.execute(
            select(School.code, School.id).where(School.id.in_(own))
        )
    }
    sheet = Sheet(Path("form"), lists.EXPERT_COLUMNS)
    sheet.name = ""
    parsed = lists.parse_expert(sheet, 2, cells, schools)
    sheet.check()
    assert parsed is not None
    duplicate = db.session.scalars(
        select(CrossCheckExpert.id).where(
            CrossCheckExpert.campaign_id == campaign.id,
            CrossCheckExpert.email == parsed["email"],
        )
    ).first()
    if duplicate is not None:
        raise GuardRefused(
            gettext("Эксперт с адресом %(email)s уже есть в кампании.", email=parsed["email"]),
            trigger=T.ADD_EXPERT,
        )
    expert = CrossCheckExpert(campaign_id=campaign.id, source="school", **parsed)
    db.session.add(expert)
    db.session.flush()
    return expert
