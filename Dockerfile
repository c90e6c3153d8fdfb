# vnetlab: the web app and REST API, SQLite in the /data volume by default.
# Set VNETLAB_DATABASE_URL to a PostgreSQL URL when several instances must share labs.

# The pinned front-end files (package-lock.json), fetched at build time: nothing third-party is committed.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VNETLAB_DATABASE_URL=sqlite:////data/vnetlab.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY examples ./examples
COPY templates ./templates
COPY static ./static
COPY --from=assets /assets/node_modules/htmx.org/dist/htmx.min.js ./static/vendor/htmx.min.js
# Editable, so that `vnetlab serve` finds migrations/ beside the package, as in a checkout.
RUN pip install --no-cache-dir -e . \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home vnetlab \
    && mkdir -p /data \
    && chown vnetlab:vnetlab /data

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["vnetlab", "serve", "--host", "0.0.0.0", "--port", "8000"]
