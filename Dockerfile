# Symbio application image: one image for web (gunicorn), worker and beat (Celery).
# Build:  docker build -t symbio:latest .      Run: see docker-compose.yml and docs/deployment.md
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    SYMBIO_VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles

# WeasyPrint needs Pango/HarfBuzz; fonts-noto-cjk renders Chinese in PDFs (the font cache
# is built once here, not in every process); gettext compiles the message catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fontconfig fonts-noto-cjk gettext \
    && fc-cache -f \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .

# Static files and compiled translations are part of the image. Production settings refuse
# to start without their secrets, so the build gives throwaway values that stay in this
# one RUN step (they are not ENV, so they are not in the image's environment).
RUN export SECRET_KEY=build-only-throwaway-key-never-used-to-serve-0123456789abcdef \
        ALLOWED_HOSTS=localhost \
        DATABASE_URL=sqlite:////tmp/build.sqlite3 \
        REDIS_URL=redis://localhost:6379/0 \
        STRIPE_SECRET_KEY=sk_test_build \
        STRIPE_WEBHOOK_SECRET=whsec_build \
        EMAIL_URL=consolemail:// \
    && if find . -name '*.po' | grep -q .; then python manage.py compilemessages -v0; fi \
    && python manage.py collectstatic --noinput -v0 \
    && rm -f /tmp/build.sqlite3

# Run as an unprivileged user (uid/gid 10001) with a writable home for caches. The media
# directory exists in the image with this owner, so a fresh named volume mounted on it
# starts out writable.
RUN groupadd --system --gid 10001 symbio \
    && useradd --system --uid 10001 --gid symbio --create-home --home-dir /home/symbio symbio \
    && mkdir -p /app/var/media /app/var/private \
    && chown -R symbio:symbio /app/var
USER symbio

EXPOSE 8000

# /healthz answers 200 when the database, Redis and search answer, 503 otherwise. The Host
# header is taken from ALLOWED_HOSTS so Django does not reject the probe.
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request as u; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() not in ('', '*')] or ['localhost']; r = u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'Host': hosts[0], 'X-Forwarded-Proto': 'https'}), timeout=8); sys.exit(0 if r.status == 200 else 1)"]

# Workers: WEB_CONCURRENCY (gunicorn reads it). Extra flags: GUNICORN_CMD_ARGS.
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--timeout", "60", "--forwarded-allow-ips", "*"]
