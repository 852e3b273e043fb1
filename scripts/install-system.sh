#!/usr/bin/env bash
# System packages the project needs beyond Python: none yet for ingest and ask.
set -euo pipefail
need=()
command -v make >/dev/null || need+=(make)
if [ "${#need[@]}" -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi
