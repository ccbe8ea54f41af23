"""Import every model so that Alembic and the app see the whole metadata."""

from webapp.auth.models import Membership, User
from webapp.campaigns.models import (
    Campaign,
    CampaignDocumentType,
    ChecklistTemplate,
    Criterion,
    DocumentType,
    RegionStageDeadline,
    RiskFactor,
    SchoolRisk,
    Stage,
)
from webapp.crosscheck.expert_models import ExpertInvitation
from webapp.crosscheck.models import (
    CrossCheckCampaign,
    CrossCheckCampaignLog,
    CrossCheckExpert,
    CrossCheckSubjectRule,
    CrossCheckTask,
    CrossCheckWork,
    ScoreSheet,
    ScoreSheetLog,
)
from webapp.diary.models import DiaryEntry
from webapp.documents.models import Document, DocumentVersion, TransitionLog
from webapp.expertise.models import (
    Pairing,
    PeerAnswer,
    PeerAssignment,
    PeerAssignmentLog,
    PeerStage,
)
from webapp.jobs.models import Job
from webapp.monitoring.models import EvidenceCheck, EvidenceCheckLog, EvidenceFile, Measure
from webapp.notifications.models import Notification, NotificationPreference
from webapp.orgs.models import CuratorSchool, Municipality, Region, School
from webapp.reviews.models import Review, ReviewAnswer
from webapp.roadmaps.models import Roadmap, RoadmapItem, RoadmapItemLog

__all__ = [
    "Campaign",
    "CampaignDocumentType",
    "ChecklistTemplate",
    "Criterion",
    "CrossCheckCampaign",
    "CrossCheckCampaignLog",
    "CrossCheckExpert",
    "CrossCheckSubjectRule",
    "CrossCheckTask",
    "CrossCheckWork",
    "CuratorSchool",
    "DiaryEntry",
    "Document",
    "DocumentType",
    "DocumentVersion",
    "EvidenceCheck",
    "EvidenceCheckLog",
    "EvidenceFile",
    "ExpertInvitation",
    "Job",
    "Measure",
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
    "RegionStageDeadline",
    "Review",
    "ReviewAnswer",
    "RiskFactor",
    "Roadmap",
    "RoadmapItem",
    "RoadmapItemLog",
    "School",
    "SchoolRisk",
    "ScoreSheet",
    "ScoreSheetLog",
    "Stage",
    "TransitionLog",
    "User",
]
