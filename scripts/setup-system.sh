#!/usr/bin/env bash
# Installs the system packages Pupitre's tests and demo need (Debian/Ubuntu, as root or via sudo):
# PC/SC daemon and the vpcd virtual reader driver, SoftHSM2 and OpenSC (PKCS#11), Chromium for the
# end-to-end tests, libxml2-utils (xmllint) for the XSD conformance tests, Saxon-HE on a headless JRE
# (the engine the ANS runs the CDA Schematrons with; SaxonJS takes minutes where it takes seconds), poppler-utils
# (pdftotext: conformance tests read the DMP rights matrix PDT-INF-526 from its PDF), ImageMagick and ffmpeg (photos
# of codes at an angle and the fake-camera video the scan tests make), and the headers the native addons build against.
set -euo pipefail
PACKAGES=(pcscd vsmartcard-vpcd pcsc-tools softhsm2 opensc chromium libpcsclite-dev libudev-dev libusb-1.0-0-dev libxml2-utils default-jre-headless libsaxonhe-java poppler-utils imagemagick ffmpeg python3 make g++)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "System packages already installed."
fi
