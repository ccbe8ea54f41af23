"""Expert accounts from the experts list: a new account gets an invitation to set a password,
an existing one gets the ``expert`` role. Mail goes through the notification outbox."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from webapp.auth.models import Membership, RoleCode, User
from webapp.common.time import utcnow
from webapp.crosscheck.expert_models import ExpertInvitation
from webapp.crosscheck.models import CrossCheckCampaign, CrossCheckExpert
from webapp.extensions import db
from webapp.notifications.models import Notification

INVITATION_DAYS = 7
MIN_PASSWORD = 10


@dataclass
class InviteResult:
    invited: int = 0  # new accounts, invitation sent
    role_added: int = 0  # existing accounts that got the expert role
    linked: int = 0  # experts already linked before


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite_experts(campaign: CrossCheckCampaign) -> InviteResult:
    """Link every expert of the campaign to an account (flush; the caller commits)."""
    result = InviteResult()
    experts = db.session.scalars(
        select(CrossCheckExpert)
        .where(CrossCheckExpert.campaign_id == campaign.id)
        .order_by(CrossCheckExpert.id)
    )
    for expert in experts:
        if expert.user_id is not None:
            result.linked += 1
            continue
        user = _user_by_email(expert.email)
        if user is None:
            user = _new_user(expert)
            _invite(user, campaign)
            result.invited += 1
        else:
            result.role_added += _grant_expert_role(user, expert.school_id)
            _tell_existing(user, campaign)
        expert.user_id = user.id
    db.session.flush()
    return result


def _user_by_email(email: str) -> User | None:
    stmt = select(User).where(func.lower(User.email) == email.strip().lower())
    return db.session.scalars(stmt).first()


def _new_user(expert: CrossCheckExpert) -> User:
    user = User(email=expert.email.strip().lower(), full_name=expert.full_name[:200])
    user.set_password(secrets.token_urlsafe(32))  # nobody knows it: the invitation sets one
    db.session.add(user)
    db.session.flush()
    _grant_expert_role(user, expert.school_id)
    return user


def _grant_expert_role(user: User, school_id: int) -> int:
    if any(m.role == RoleCode.EXPERT for m in user.memberships):
        return 0
    db.session.add(Membership(user=user, role=RoleCode.EXPERT, school_id=school_id))
    return 1


def _invite(user: User, campaign: CrossCheckCampaign) -> str:
    """A new single-use token valid for INVITATION_DAYS, sent as an outbox e-mail."""
    token = secrets.token_urlsafe(32)
    invitation = ExpertInvitation(
        user_id=user.id,
        token_hash=token_hash(token),
        expires_at=utcnow() + timedelta(days=INVITATION_DAYS),
    )
    db.session.add(invitation)
    db.session.flush()
    link = f"{_base_url()}/invite/{token}"
    with force_locale(user.locale or "ru"):  # the recipient's language
        subject = gettext("Приглашение эксперта: %(title)s", title=campaign.title)
        body = _included(campaign) + "\n"
        body += gettext(
            "Чтобы войти, задайте пароль по ссылке (действует %(days)s дней, один раз): %(link)s",
            days=INVITATION_DAYS,
            link=link,
        )
    db.session.add(
        Notification(
            user_id=user.id,
            dedupe_key=f"xc-invite:{invitation.id}",
            subject=subject[:300],
            body=body,
        )
    )
    return token


def _tell_existing(user: User, campaign: CrossCheckCampaign) -> None:
    key = f"xc-expert:{campaign.id}:{user.id}"
    if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == key)):
        return
    with force_locale(user.locale or "ru"):  # the recipient's language
        subject = gettext("Вы эксперт перекрёстной проверки: %(title)s", title=campaign.title)
        body = (
            _included(campaign)
            + " "
            + gettext("Назначенные вам работы появятся в разделе «Проверка работ ВПР».")
        )
    db.session.add(
        Notification(
            user_id=user.id,
            dedupe_key=key,
            link="/expert",
            subject=subject[:300],
            body=body,
        )
    )


def _included(campaign: CrossCheckCampaign) -> str:
    return gettext(
        "Вы включены в список экспертов перекрёстной проверки ВПР «%(title)s».",
        title=campaign.title,
    )


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")


def reinvite(user: User, campaign: CrossCheckCampaign) -> str:
    """A fresh invitation (the old ones stay valid until they expire or one is used)."""
    return _invite(user, campaign)


def invitation_for(token: str) -> ExpertInvitation | None:
    """The unused, unexpired invitation of this token, locked; None otherwise."""
    if not token or len(token) > 100:
        return None
    stmt = (
        select(ExpertInvitation)
        .where(ExpertInvitation.token_hash == token_hash(token))
        .with_for_update()
    )
    invitation = db.session.scalars(stmt).first()
    if invitation is None or invitation.used_at is not None or invitation.expires_at < utcnow():
        return None
    return invitation


def accept_invitation(invitation: ExpertInvitation, password: str) -> User:
    """Set the password, spend every open invitation of the user, end old sessions; flush."""
    user = db.session.get(User, invitation.user_id)
    user.set_password(password)
    user.session_version += 1
    now = utcnow()
    for other in db.session.scalars(
        select(ExpertInvitation).where(
            ExpertInvitation.user_id == user.id, ExpertInvitation.used_at.is_(None)
        )
    ):
        other.used_at = now
    db.session.flush()
    return user
