#!/bin/sh
# kiosk06 preremove: stop the service before its binary goes away.
set -e
if [ -d /run/systemd/system ] && [ "$1" = remove ]; then
  systemctl disable --now kioskd.service || true
fi
exit 0
