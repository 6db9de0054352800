# syntax=docker/dockerfile:1
# Build: a static Swift standard library, so the runtime image needs only glibc,
# libsqlite3 and CA certificates. scripts/build-release.sh runs the same build.
FROM swift:6.2-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-dev=3.40.* \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# Sources/CronMetricsServer/OpenAPI/openapi.yaml links here; it is compiled in.
COPY docs/openapi.yaml ./docs/openapi.yaml
COPY Benchmarks ./Benchmarks
RUN swift build -c release --product cronmetrics --static-swift-stdlib \
 && install -D "$(swift build -c release --show-bin-path)/cronmetrics" /out/cronmetrics \
 && strip /out/cronmetrics

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libsqlite3-0=3.40.* ca-certificates=20230311* curl=7.88.* \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/cronmetrics --create-home cronmetrics \
 && mkdir -p /etc/cronmetrics/jobs.d \
 && chown cronmetrics /etc/cronmetrics/jobs.d
COPY --from=build /out/cronmetrics /usr/local/bin/cronmetrics
COPY jobs.d /etc/cronmetrics/jobs.d
USER 10001
WORKDIR /var/lib/cronmetrics
ENV CRONMETRICS_SERVER_LISTEN=0.0.0.0:8080 \
    CRONMETRICS_JOBS_DIR=/etc/cronmetrics/jobs.d \
    CRONMETRICS_STORAGE_DATABASE=/var/lib/cronmetrics/cronmetrics.db
VOLUME ["/etc/cronmetrics/jobs.d", "/var/lib/cronmetrics"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD ["curl", "-fsS", "http://127.0.0.1:8080/health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/cronmetrics"]
CMD ["serve"]
