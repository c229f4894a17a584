// Package deploy holds plaza's packaging: the build script the Dockerfile
// and CI share, the nginx balancer and nginx-rtmp configs of compose.yaml,
// and the systemd unit. It has no code; its tests check the files, and
// check.sh checks what needs nginx, systemd or the Go toolchain.
package deploy
