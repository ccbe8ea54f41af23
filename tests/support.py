"""Test helpers: PostgreSQL database management, signing in, small valid files."""

from __future__ import annotations

import re


def login(client, email: str, password: str = "demo-pass"):
    """Sign in through the real form (CSRF disabled in TESTING apps)."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no csrf token in page"
    return match.group(1)


PDF = b"%PDF-1.4\n1 0 obj<< /Type /Catalog >>endobj\ntrailer<< /Root 1 0 R >>\n%%EOF\n"
