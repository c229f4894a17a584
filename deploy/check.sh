#!/usr/bin/env bash
# CI's check of the packaging (no Docker daemon runs here; .ci/run calls
# this before the tests). Checks what it can, fast:
#  - the image's build: deploy/build.sh, the very script the Dockerfile
#    runs, builds plaza here, and the binary is static (CGO_ENABLED=0);
#  - the nginx balancer and nginx-rtmp configs pass nginx -t (when nginx,
#    and for the rtmp one its module, are present), with the compose
#    service names, which only resolve inside compose, replaced;
#  - the systemd unit passes systemd-analyze verify (where present).
# compose.yaml's parse and services, and the Dockerfile's lines, are
# checked by the Go test of this folder (go test ./deploy/).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -qx 'RUN sh deploy/build.sh /out/plaza' Dockerfile ||
  { echo "deploy: the Dockerfile does not build with deploy/build.sh" >&2; exit 1; }
sh deploy/build.sh "$work/plaza"
go version -m "$work/plaza" | grep -q 'CGO_ENABLED=0' ||
  { echo "deploy: the binary was not built with CGO_ENABLED=0" >&2; exit 1; }
"$work/plaza" help >/dev/null
echo "deploy: the image's build (deploy/build.sh) builds a static plaza"

nginx_bin=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -n "$nginx_bin" ]; then
  sed -E 's/server plaza[12]:8080/server 127.0.0.1:8080/' deploy/nginx/balancer.conf >"$work/balancer.conf"
  printf 'pid %s/nginx.pid;\nerror_log stderr;\nevents {}\nhttp {\n    include %s/balancer.conf;\n}\n' "$work" "$work" >"$work/nginx.conf"
  "$nginx_bin" -t -q -e stderr -p "$work" -c "$work/nginx.conf"
  echo "deploy: nginx -t passes deploy/nginx/balancer.conf"
  if [ -e /usr/lib/nginx/modules/ngx_rtmp_module.so ]; then
    mkdir -p "$work/hls"
    # envsubst's one substitution, by sed (gettext may be absent).
    sed -e 's|\${PLAZA_LIVE_CALLBACK_SECRET}|ci-secret-0123456789abcdef|g' \
        -e 's|http://balancer/|http://127.0.0.1:8080/|' \
        -e "s|/var/lib/nginx-rtmp/hls|$work/hls|" deploy/rtmp/nginx.conf >"$work/rtmp.conf"
    "$nginx_bin" -t -q -e stderr -p "$work" -c "$work/rtmp.conf"
    echo "deploy: nginx -t passes deploy/rtmp/nginx.conf"
  else
    echo "deploy: no nginx rtmp module; deploy/rtmp/nginx.conf not checked"
  fi
else
  echo "deploy: no nginx; the nginx configs are not checked"
fi

if command -v systemd-analyze >/dev/null 2>&1; then
  # verify wants ExecStart's binary to exist: the one just built.
  sed "s|/usr/local/bin/plaza|$work/plaza|" deploy/plaza.service >"$work/plaza.service"
  # It only warns (exit 0) about an unknown key or a bad value: any word fails.
  out=$(systemd-analyze verify "$work/plaza.service" 2>&1) || { echo "$out" >&2; exit 1; }
  [ -z "$out" ] || { echo "deploy: systemd-analyze verify: $out" >&2; exit 1; }
  echo "deploy: systemd-analyze verify passes deploy/plaza.service"
else
  echo "deploy: no systemd-analyze; deploy/plaza.service not checked"
fi
