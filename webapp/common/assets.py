"""Static files under content-hashed names with a long immutable cache, and compressed responses.

``url_for('static', filename='css/app.css')`` gives ``/static/css/app.<hash>.css``: the hash of
the file's bytes, computed once at start-up. A hashed URL never changes its content, so it is
served with ``Cache-Control: public, max-age=31536000, immutable`` and the browser never asks
again; a new release changes the hash and so the URL. The plain name still answers, with
``no-cache`` (the browser revalidates it). Pages themselves stay ``private, no-store`` for signed-in
users (see ``webapp.common.web``). See docs/reach.md.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, request

ONE_YEAR = 31_536_000
HASH_LENGTH = 12

# Text types worth compressing; downloads (XLSX, DOCX, PDF, ZIP) are compressed already.
COMPRESS_MIMETYPES = [
    "text/html",
    "text/css",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
]


def hashed_name(filename: str, digest: str) -> str:
    """``css/app.css`` + digest -> ``css/app.<digest>.css``."""
    path = Path(filename)
    return str(path.with_name(f"{path.stem}.{digest}{path.suffix}"))


def scan(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Every file under ``folder`` (POSIX relative name) -> (its hashed name, its bytes)."""
    files: dict[str, tuple[str, bytes]] = {}
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = file.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:HASH_LENGTH]
        name = file.relative_to(folder).as_posix()
        files[name] = (hashed_name(name, digest), data)
    return files


def init_assets(app: Flask) -> None:
    """Hash the static files, make ``url_for('static')`` use the hashes and serve them.

    The static folder is small (one stylesheet): it is read once and served from memory, so a
    file edited after start-up needs a restart (as a new release does anyway).
    """
    folder = Path(app.static_folder)
    files = scan(folder) if folder.is_dir() else {}
    names = {name: hashed for name, (hashed, _) in files.items()}
    originals = {hashed: name for name, hashed in names.items()}
    app.extensions["static_hashes"] = names

    @app.url_defaults
    def _hashed_static_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in names:
            values["filename"] = names[values["filename"]]

    def static(filename: str):
        original = originals.get(filename)
        immutable = original is not None
        name = original if immutable else filename
        if name not in files:
            abort(404)  # unknown, or an old hash after a release
        hashed, data = files[name]
        response = Response(
            data, mimetype=mimetypes.guess_type(name)[0] or "application/octet-stream"
        )
        response.set_etag(hashed)
        if immutable:
            response.cache_control.public = True
            response.cache_control.max_age = ONE_YEAR
            response.cache_control.immutable = True
        else:
            response.cache_control.no_cache = True
        return response.make_conditional(request)

    app.view_functions["static"] = static

    @app.after_request
    def _revalidate_pages(response):
        # Anonymous pages (the login form carries a CSRF token) are never reused unchecked;
        # signed-in pages get ``private, no-store`` in webapp.common.web.
        if response.mimetype == "text/html" and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "private, no-cache"
        return response


def init_compression(app: Flask) -> None:
    """Compress text responses (zstd, br, gzip by the browser's Accept-Encoding)."""
    from webapp.extensions import compress

    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESS_MIMETYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_ALGORITHM", ["zstd", "br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "deflate"])
    compress.init_app(app)
