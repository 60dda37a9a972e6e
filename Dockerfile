# syntax=docker/dockerfile:1
# Build stage: wheels for the project and its dependencies.
FROM python:3.11-slim AS build
WORKDIR /src
RUN pip install --no-cache-dir --upgrade pip
COPY pyproject.toml README.md alembic.ini ./
COPY service ./service
COPY collectors ./collectors
COPY classifiers ./classifiers
COPY db ./db
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

# Runtime stage: no compilers, non-root user, data in a volume.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MEDIAMONITOR_DATA_DIR=/data \
    MEDIAMONITOR_API_HOST=0.0.0.0
RUN useradd --create-home --uid 10001 mediamonitor \
    && mkdir /data && chown mediamonitor /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
USER mediamonitor
WORKDIR /home/mediamonitor
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"
# Migrations first, then the service (one process: API plus scheduler).
CMD ["sh", "-c", "mediamonitor db upgrade && exec mediamonitor serve"]
