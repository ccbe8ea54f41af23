FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends curl \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 app
WORKDIR /srv/ekspertiza
COPY pyproject.toml requirements.lock README.md ./
COPY webapp webapp
COPY workflows workflows
COPY tasks tasks
COPY migrations migrations
RUN pip install --require-hashes -r requirements.lock && pip install --no-deps .
RUN mkdir -p /srv/ekspertiza/instance /data/uploads && chown -R app:app /srv/ekspertiza /data
USER app
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "120", "webapp:create_app()"]
