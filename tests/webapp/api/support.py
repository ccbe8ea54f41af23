"""Helpers of the API tests: tokens and a document brought to the curator."""

from __future__ import annotations

import io

from tests.webapp.helpers import pdf_named


def auth(client, email: str) -> dict:
    """Headers with a real bearer token of a demo user."""
    response = client.post("/api/v1/auth/token", json={"email": email, "password": "demo-pass"})
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def upload(client, headers: dict, document_id: int, name: str = "план.pdf"):
    return client.post(
        f"/api/v1/documents/{document_id}/versions",
        headers=headers,
        data={"file": (io.BytesIO(pdf_named(name)), name)},
    )


def fire(client, headers: dict, document_id: int, trigger: str, comment: str = ""):
    return client.post(
        f"/api/v1/documents/{document_id}/transitions",
        headers=headers,
        json={"trigger": trigger, "comment": comment},
    )
