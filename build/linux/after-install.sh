#!/bin/sh
# Makes HID-POS scanners (usage page 0x8C only) readable by the desk user: installs the udev rule
# and the helper that reads the device's report descriptor (build/udev/70-pupitre-hidpos.rules).
udev_dir=/opt/Pupitre/resources/udev
if [ -f "$udev_dir/70-pupitre-hidpos.rules" ] && [ -f "$udev_dir/pupitre-hidpos-check" ]; then
  install -m 0755 "$udev_dir/pupitre-hidpos-check" /usr/lib/udev/pupitre-hidpos-check &&
    install -m 0644 "$udev_dir/70-pupitre-hidpos.rules" /etc/udev/rules.d/70-pupitre-hidpos.rules &&
    udevadm control --reload-rules && udevadm trigger --subsystem-match=hidraw || true
fi
