#!/usr/bin/env bash
# Installs the Debian 12 packages PoWER-BERT Studio builds against (see README "Dependencies").
set -euo pipefail
packages=(cmake ninja-build g++ pkg-config
          qt6-base-dev qt6-svg-dev libqcustomplot-dev
          libeigen3-dev nlohmann-json3-dev libicu-dev libcli11-dev
          libsentencepiece-dev sentencepiece
          xvfb xauth)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "Installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
