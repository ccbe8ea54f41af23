"""Import every model so that Alembic and the app see the whole metadata."""

from webapp.auth.models import Membership, User
from webapp.campaigns.models import (
    Campaign,
    CampaignDocumentType,
    ChecklistTemplate,
    Criterion,
    DocumentType,
    RiskFactor,
    SchoolRisk,
    Stage,
)
from webapp.documents.models import Document, DocumentVersion, TransitionLog
from webapp.expertise.models import (
    Pairing,
    PeerAnswer,
    PeerAssignment,
    PeerAssignmentLog,
    PeerStage,
)
from webapp.jobs.models import Job
from webapp.notifications.models import Notification, NotificationPreference
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.reviews.models import Review, ReviewAnswer

__all__ = [
    "Campaign",
    "CampaignDocumentType",
    "ChecklistTemplate",
    "Criterion",
    "CuratorSchool",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "Job",
    "Membership",
    "Municipality",
    "Notification",
    "NotificationPreference",
    "Pairing",
    "PeerAnswer",
    "PeerAssignment",
    "PeerAssignmentLog",
    "PeerStage",
    "Region",
    "Review",
    "ReviewAnswer",
    "RiskFactor",
    "School",
    "SchoolRisk",
    "Stage",
    "TransitionLog",
    "User",
]
