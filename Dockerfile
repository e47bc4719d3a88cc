# kameng-quote: the Telegram bot, its quote page, /metrics and /healthz in one image.
#   docker build -t kameng-quote .
#   docker run --env-file .env -v kameng-data:/data kameng-quote
# docs/deploy.md explains every choice; tests/test_deploy.py checks this file's rules.

# --- build: install the project and its dependencies into a venv ---------------------
FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY dialogs ./dialogs
COPY locales ./locales
COPY pricing ./pricing
RUN python -m venv /opt/kameng \
    && /opt/kameng/bin/pip install --no-cache-dir . \
    && /opt/kameng/bin/python -m compileall -q /opt/kameng

# --- run: the venv only, as an unprivileged user, data on a volume --------------------
FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="kameng-quote" \
      org.opencontainers.image.description="Telegram bot that quotes outsourced customer service for 卡盟 merchants"
ENV PATH=/opt/kameng/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    KAMENG_DB=/data/kameng.db \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080 \
    WEBHOOK_HOST=0.0.0.0 \
    WEBHOOK_PORT=8443 \
    METRICS_HOST=0.0.0.0 \
    METRICS_PORT=9090
# The quote card's CJK font (bot/card.py): without it the bot refuses to start; DejaVu
# Sans and Symbola draw what it lacks (Arabic, Hebrew, emoji in names).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei fonts-dejavu-core \
       fonts-symbola \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 kameng \
    && useradd --system --uid 10001 --gid kameng --home-dir /data --shell /usr/sbin/nologin kameng \
    && mkdir /data \
    && chown kameng:kameng /data
COPY --from=build /opt/kameng /opt/kameng
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
# 8080: the quote page (PUBLIC_URL); 8443: the webhook (plain HTTP behind your TLS proxy);
# 9090: /metrics and /healthz.
EXPOSE 8080 8443 9090
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + (os.environ.get('METRICS_PORT') or '9090') + '/healthz', timeout=4)"]
# SIGTERM: updates being handled finish and their state is saved (docs/telegram.md).
STOPSIGNAL SIGTERM
ENTRYPOINT ["kameng"]
CMD ["bot"]
