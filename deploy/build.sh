#!/bin/sh
# The one build of the plaza binary, run by the Dockerfile and by CI
# (deploy/check.sh), so that the image is built the way CI builds and checks.
# A static binary: the SQLite driver (modernc.org/sqlite) is pure Go, so no
# cgo and no C library; time zones are compiled in (time/tzdata).
#   sh deploy/build.sh [OUTPUT]     (default ./plaza)
set -eu
cd "$(dirname "$0")/.."
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "${1:-plaza}" ./cmd/plaza
