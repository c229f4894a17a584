# plaza in a container: a static binary on a small base, run as a user of
# its own, the SQLite store (and local media, outboxes) in the /data volume.
#   docker build -t plaza .
#   docker run -p 8080:8080 -v plaza-data:/data plaza
# Settings are PLAZA_* variables (docs/deploy.md). compose.yaml runs two
# nodes on PostgreSQL and Redis behind nginx.

# The Go of go.mod (deploy/check.sh checks that they agree).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# The build CI runs too (deploy/check.sh): CGO_ENABLED=0, a static binary.
RUN sh deploy/build.sh /out/plaza

FROM alpine:3.22
# CA certificates for the vendors plaza calls over TLS (SMS, push,
# payments, S3); busybox's wget for the health check.
RUN apk add --no-cache ca-certificates \
 && addgroup -S -g 10001 plaza \
 && adduser -S -D -H -u 10001 -G plaza -h /data plaza \
 && mkdir -p /data/media && chown -R plaza:plaza /data && chmod 0700 /data
COPY --from=build /out/plaza /usr/local/bin/plaza
USER plaza:plaza
ENV PLAZA_DATA=/data \
    PLAZA_ADDR=0.0.0.0:8080
VOLUME ["/data"]
EXPOSE 8080
# Ready: the store answers (GET /readyz; on port 8080, PLAZA_ADDR of this
# image: change both together). plaza stops on SIGTERM, letting
# in-flight requests finish (PLAZA_SHUTDOWN_TIMEOUT, 15s).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD wget -q -O /dev/null http://127.0.0.1:8080/readyz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/plaza"]
CMD ["serve"]
