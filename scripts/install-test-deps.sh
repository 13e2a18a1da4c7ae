#!/usr/bin/env bash
# Installs the system packages Keep's tests use (Debian/Ubuntu with apt, or Fedora with dnf).
# Idempotent: packages already present are skipped. Run as root (or with sudo).
set -euo pipefail

DEBIAN_PACKAGES=(systemd-container nftables cryptsetup-bin)
# the airlock's network tests and bench: namespaces, a test CA, squid as the CONNECT baseline
DEBIAN_PACKAGES+=(iproute2 openssl squid)
FEDORA_PACKAGES=(systemd-container nftables cryptsetup)
FEDORA_PACKAGES+=(iproute openssl squid)
# firstboot's test: a file-backed LUKS2 vault bound with clevis to a software TPM2.
DEBIAN_PACKAGES+=(swtpm swtpm-tools tpm2-tools clevis clevis-luks clevis-tpm2 e2fsprogs)
FEDORA_PACKAGES+=(swtpm swtpm-tools tpm2-tools clevis clevis-luks e2fsprogs)
# The web UI's browser tests drive the distribution's Chromium (playwright-core never downloads one).
DEBIAN_PACKAGES+=(chromium)
FEDORA_PACKAGES+=(chromium)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# The appliance boot test (tests/src/units): ip for its veth reachability probe.
DEBIAN_PACKAGES+=(iproute2)
FEDORA_PACKAGES+=(iproute)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-test-deps: installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
elif command -v dnf >/dev/null 2>&1; then
  as_root dnf install -y "${FEDORA_PACKAGES[@]}"
else
  echo "install-test-deps: neither apt-get nor dnf found; install: ${DEBIAN_PACKAGES[*]}" >&2
  exit 2
fi
