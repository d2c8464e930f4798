#!/bin/sh
# kiosk06 postremove: purge removes the state (transactions not yet uploaded
# are lost — docs/OPERATIONS.md says to drain the outbox first) and the user.
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload || true
fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/kiosk06
  # The sealing key goes with the data it sealed.
  rm -f /etc/credstore/kiosk06-seal.key /etc/credstore.encrypted/kiosk06-seal.key
  if getent passwd kiosk06 >/dev/null; then deluser --system kiosk06 >/dev/null 2>&1 || true; fi
  if getent group kiosk06 >/dev/null; then delgroup --system kiosk06 >/dev/null 2>&1 || true; fi
fi
exit 0
