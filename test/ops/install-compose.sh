#!/usr/bin/env bash
# Makes a `docker-compose` (or `docker compose`) available for test/ops/docker-compose.e2e-spec.ts,
# which then validates docker-compose.yml with `config` (no Docker engine is needed for that).
# Debian bookworm ships docker-compose 1.29.2 (Python); `--no-install-recommends` keeps docker.io out.
# Needs root (or sudo) and the Debian mirrors; does nothing when a compose is already there.
set -euo pipefail
if docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends docker-compose
docker-compose version
