#!/bin/sh
# kiosk06 postinstall: system user, state directory, udev, systemd.
set -e

if ! getent group kiosk06 >/dev/null; then
  addgroup --system kiosk06
fi
if ! getent passwd kiosk06 >/dev/null; then
  adduser --system --ingroup kiosk06 --home /var/lib/kiosk06 --no-create-home \
    --shell /usr/sbin/nologin --gecos "kiosk06 firmware" kiosk06
fi
# Serial adapters the udev rules do not name (on-board UARTs) are dialout's.
if getent group dialout >/dev/null; then
  adduser kiosk06 dialout >/dev/null 2>&1 || true
fi

install -d -o kiosk06 -g kiosk06 -m 0750 /var/lib/kiosk06

# The sealing key of personal fields lives in systemd's credential store, not
# beside the data it seals (OPERATIONS.md, "Security model"); the unit passes
# it to kioskd (LoadCredential=seal.key:…). Made once; an upgrade from a
# version that kept it in /var/lib/kiosk06 moves it, leaving a link for
# configs that still name the old path. A TPM-sealed key (credstore.encrypted)
# is the technician's choice and is left alone.
key=/etc/credstore/kiosk06-seal.key
install -d -o root -g root -m 0700 /etc/credstore
if [ ! -e "$key" ] && [ ! -e /etc/credstore.encrypted/kiosk06-seal.key ]; then
  if [ -f /var/lib/kiosk06/seal.key ] && [ ! -L /var/lib/kiosk06/seal.key ]; then
    mv /var/lib/kiosk06/seal.key "$key"
    ln -s "$key" /var/lib/kiosk06/seal.key
  else
    (umask 077 && head -c 32 /dev/urandom > "$key.new")
    mv "$key.new" "$key"
  fi
  chown root:root "$key"
  chmod 0400 "$key"
  sync "$key" 2>/dev/null || sync
fi
# The config may hold the uplink token path; only root writes it, kioskd reads it.
chown root:kiosk06 /etc/kiosk06 /etc/kiosk06/kiosk.toml /etc/kiosk06/trust
chmod 0750 /etc/kiosk06 /etc/kiosk06/trust
chmod 0640 /etc/kiosk06/kiosk.toml

if command -v udevadm >/dev/null 2>&1 && [ -d /run/udev ]; then
  udevadm control --reload || true
  udevadm trigger --action=add --subsystem-match=tty --subsystem-match=gpio \
    --subsystem-match=i2c-dev --subsystem-match=spidev || true
fi

if [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable kioskd.service
  # A first install waits for the technician to edit kiosk.toml; an upgrade
  # restarts the running service.
  if [ "$1" = configure ] && [ -n "$2" ]; then
    systemctl try-restart kioskd.service || true
  fi
fi
exit 0
