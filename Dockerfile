# syntax=docker/dockerfile:1
# The bot in one image. HTTP mode (no SLACK_APP_TOKEN): several replicas behind a load
# balancer, on PostgreSQL. Socket Mode (SLACK_APP_TOKEN set): one replica. Settings come
# from the environment; every one is listed in .env.example.
#
#   docker build -t mlops-hiring-bot .
#   docker run --env-file .env -p 3000:3000 mlops-hiring-bot

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot/ bot/
COPY handlers/ handlers/
COPY storage/ storage/
COPY prompts/ prompts/
# Wheels of the bot and of every dependency (all published as binary wheels, so no
# compiler is needed), installed below without the sources or a build toolchain.
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=3000
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels mlops-hiring-bot \
    && groupadd --system --gid 10001 bot \
    && useradd --system --uid 10001 --gid bot --home-dir /app --no-create-home bot \
    && mkdir -p /app/data \
    && chown bot:bot /app/data
WORKDIR /app
# SQLite's default file is ./data/hiring.db: mount a volume here to keep it. With
# PostgreSQL (DATABASE_URL) nothing is written to the container.
VOLUME ["/app/data"]
USER 10001:10001
EXPOSE 3000
# 200 while the database answers, 503 otherwise; served in both modes.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]
# Applies pending migrations (one replica at a time on PostgreSQL), then serves.
CMD ["python", "-m", "bot"]
