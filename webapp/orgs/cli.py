"""Command line for organisations and users (import from CSV/XLSX)."""

from flask.cli import AppGroup

orgs_cli = AppGroup("orgs", help="Организации и пользователи")
