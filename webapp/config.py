"""Configuration from environment variables (a ``.env`` file is read if present)."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = ROOT / "instance"


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config() -> dict:
    """Build the Flask config mapping from the environment."""
    load_dotenv(ROOT / ".env", override=False)
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'ekspertiza.db'}"
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    upload_dir = Path(os.environ.get("UPLOAD_DIR") or INSTANCE_DIR / "uploads").resolve()
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    optional = {}
    if "NOTIFICATIONS_DISPATCH" in os.environ:  # unset: on, except in TESTING apps
        optional["NOTIFICATIONS_DISPATCH"] = _bool("NOTIFICATIONS_DISPATCH", True)
    return optional | {
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me"),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", redis_url),
        "UPLOAD_DIR": str(upload_dir),
        "MAX_UPLOAD_MB": int(os.environ.get("MAX_UPLOAD_MB", "25")),
        "MAX_CONTENT_LENGTH": (int(os.environ.get("MAX_UPLOAD_MB", "25")) + 1) * 1024 * 1024,
        "TUS_EXPIRY_HOURS": float(os.environ.get("TUS_EXPIRY_HOURS", "24")),
        "TUS_MAX_OPEN_PER_USER": int(os.environ.get("TUS_MAX_OPEN_PER_USER", "3")),
        "TUS_CHUNK_BYTES": int(os.environ.get("TUS_CHUNK_KB", "1024")) * 1024,
        "TUS_RETRY_DELAYS_MS": os.environ.get("TUS_RETRY_DELAYS_MS", "0,1000,3000,10000,20000"),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        # Method and parameters of new password hashes; None = webapp.auth.models' default.
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD") or None,
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "WTF_CSRF_TIME_LIMIT": None,
        "BOOTSTRAP_SERVE_LOCAL": True,
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "ru"),
        "LANGUAGES": ["ru", "en"],
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "8025")),
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "ekspertiza@localhost"),
        "MAIL_SUPPRESS_SEND": _bool("MAIL_SUPPRESS_SEND", False),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "15")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", ""),
        "DIGEST_HOUR": int(os.environ.get("DIGEST_HOUR", "8")),
        "CELERY_TASK_DEFAULT_QUEUE": os.environ.get("CELERY_TASK_DEFAULT_QUEUE", "celery"),
        "CAMPAIGN_CACHE_SECONDS": float(os.environ.get("CAMPAIGN_CACHE_SECONDS", "10")),
        "OVERVIEW_CACHE_SECONDS": float(os.environ.get("OVERVIEW_CACHE_SECONDS", "10")),
        "DASHBOARD_CACHE_SECONDS": float(os.environ.get("DASHBOARD_CACHE_SECONDS", "30")),
        "ZONE_CACHE_SECONDS": float(os.environ.get("ZONE_CACHE_SECONDS", "10")),
        "QUEUE_PAGE_SIZE": int(os.environ.get("QUEUE_PAGE_SIZE", "30")),
        "CROSSCHECK_REPORT_INLINE_WORKS": int(
            os.environ.get("CROSSCHECK_REPORT_INLINE_WORKS", "20000")
        ),
        "CROSSCHECK_REPORT_VERSION_SECONDS": float(
            os.environ.get("CROSSCHECK_REPORT_VERSION_SECONDS", "10")
        ),
        "API_TOKEN_MAX_AGE": int(os.environ.get("API_TOKEN_MAX_AGE", str(12 * 3600))),
    }
