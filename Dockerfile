# The base image, to be pinned by digest. NOT PINNED YET: the digest could not be learned where this
# was written (those machines reach PyPI, npm and Debian only, not Docker Hub), and an invented one
# would only break the build. Where Docker Hub is reachable, read it with
#   docker buildx imagetools inspect python:3.11-slim-bookworm     (the "Digest:" line)
# and set the default below to python:3.11-slim-bookworm@sha256:<that digest>, or build with
#   docker build --build-arg PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<digest> .
# Renew it deliberately (security updates of the image) like any pinned dependency.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=portal.settings.production

WORKDIR /app
RUN useradd --create-home --uid 10001 portal
COPY requirements.txt .
# The image's own pip and setuptools lag behind their security fixes: upgrade them first.
RUN pip install --no-cache-dir --upgrade pip setuptools && pip install --no-cache-dir -r requirements.txt
COPY . .
# The translation catalogues (locale/*.po -> .mo, with Babel); collectstatic needs settings to load,
# not real secrets.
RUN python scripts/compile_messages.py && DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v 0
USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", \
     "--access-logfile", "-", "--no-control-socket"]
