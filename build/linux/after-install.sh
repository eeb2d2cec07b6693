#!/bin/sh
# Reload udev rules so that HID-POS scanners are readable by the desk user (see 70-pupitre-scanners.rules).
if [ -f /opt/Pupitre/resources/70-pupitre-scanners.rules ]; then
  cp /opt/Pupitre/resources/70-pupitre-scanners.rules /etc/udev/rules.d/ && udevadm control --reload-rules || true
fi
