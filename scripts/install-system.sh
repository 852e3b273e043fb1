#!/usr/bin/env bash
# System packages the project needs beyond Python: make; chromium for the browser tests of the chat
# window (Playwright drives Debian's /usr/bin/chromium; `playwright install` is never needed); g++ for the
# tests' real model, since `make test` builds llama-cpp-python from source (pip fetches CMake itself
# where the system has none).
set -euo pipefail
need=()
command -v make >/dev/null || need+=(make)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v g++ >/dev/null || need+=(g++)
if [ "${#need[@]}" -gt 0 ]; then
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi
