#!/bin/sh
# Install the udev rule that opens HID-POS scanners (usage page 0x8C only) to the desk user, and
# reload the rules (see 70-pupitre-scanners.rules and pupitre-hidpos-match).
RESOURCES=/opt/Pupitre/resources/udev
if [ -f "$RESOURCES/70-pupitre-scanners.rules" ] && [ -x "$RESOURCES/pupitre-hidpos-match" ]; then
  cp "$RESOURCES/70-pupitre-scanners.rules" /etc/udev/rules.d/ && udevadm control --reload-rules && udevadm trigger --subsystem-match=hidraw || true
fi
