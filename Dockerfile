# MNO Workflow: the web UI, the REST API and the reminder sweeper in one process.
# Build: docker build -t mno-workflow .      Run with PostgreSQL: docker compose up (compose.yaml)
# Only package registries are used: the Debian archive (Graphviz) and PyPI (Python packages).

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY mno_workflow ./mno_workflow
COPY sops ./sops
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgresql]"

FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends graphviz libcairo2 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels "mno-workflow[postgresql]" && rm -rf /wheels
RUN useradd --system --uid 10001 --home-dir /srv/mno --create-home mno
USER mno
WORKDIR /srv/mno
# The data directory (SQLite file if no PostgreSQL, session secret, generated files): a volume.
ENV MNO_DATA_DIR=/srv/mno/data \
    MNO_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
VOLUME ["/srv/mno/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/login', timeout=4)"
# `mno serve` brings the schema up to date (Alembic) before it listens, and runs the sweeper.
CMD ["mno", "serve", "--host", "0.0.0.0", "--port", "8000"]
