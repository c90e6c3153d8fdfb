# vnetlab: the web app and REST API, SQLite in the /data volume by default.
# Set VNETLAB_DATABASE_URL to a PostgreSQL URL when several instances must share labs, VNETLAB_PORT to serve
# on another port (`vnetlab serve` and the HEALTHCHECK both read it). A bind-mounted /data must be writable
# by uid 10001 (the README says how).

# The pinned front-end files (package-lock.json), fetched at build time: nothing third-party is committed.
FROM node:20-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
COPY scripts/vendor-assets.sh ./scripts/
RUN bash scripts/vendor-assets.sh

# The locked dependencies, every file checked against its hash: only a new lock rebuilds this layer.
FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore
COPY requirements.runtime.lock /tmp/
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.runtime.lock \
    && rm /tmp/requirements.runtime.lock

# The package as a wheel that carries its templates, static files (the vendored ones too), migrations and
# examples (setup.py bundles them); the build backend comes from the lock, so nothing is downloaded here.
FROM runtime AS wheel
WORKDIR /src
COPY pyproject.toml setup.py MANIFEST.in README.md alembic.ini ./
COPY templates ./templates
COPY static ./static
COPY migrations ./migrations
COPY examples ./examples
COPY --from=assets /assets/static/vendor ./static/vendor
COPY app ./app
RUN pip wheel --no-cache-dir --no-deps --no-build-isolation --wheel-dir /wheels .

FROM runtime
ENV VNETLAB_DATABASE_URL=sqlite:////data/vnetlab.db \
    VNETLAB_HOST=0.0.0.0 \
    VNETLAB_PORT=8000
RUN groupadd --gid 10001 vnetlab \
    && useradd --uid 10001 --gid 10001 --home-dir /data --no-create-home --shell /usr/sbin/nologin vnetlab \
    && mkdir -p /data \
    && chown 10001:10001 /data
COPY --from=wheel /wheels /tmp/wheels
RUN pip install --no-cache-dir --no-deps /tmp/wheels/*.whl \
    && rm -rf /tmp/wheels

USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["vnetlab", "healthcheck"]
CMD ["vnetlab", "serve"]
