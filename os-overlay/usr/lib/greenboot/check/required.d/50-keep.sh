#!/bin/sh
# greenboot required check: the boot is good only when every installed Keep service
# is active and `keepctl doctor` finds nothing wrong. A failure here makes greenboot
# reboot and, after GREENBOOT_MAX_BOOTS tries, roll back to the previous deployment.
# Installed under /usr/lib/greenboot (the image's own, read-only checks); admins add
# theirs under /etc/greenboot.
#
# KEEP_ROOT (default /usr/lib/keep), KEEP_HEALTH_WAIT (seconds to let starting
# units settle, default 90) and KEEP_DOCTOR_SKIP (doctor checks that cannot apply,
# such as the vault in a container; default none) exist for tests.
set -u
ROOT=${KEEP_ROOT:-/usr/lib/keep}
WAIT=${KEEP_HEALTH_WAIT:-90}
SKIP=${KEEP_DOCTOR_SKIP:-}

# The services whose code the image carries (the same rule keepctl doctor uses).
units=""
for pair in audit:services/audit registry:services/registry quarantine:services/quarantine \
            firewall:services/firewall airlock:services/airlock inference:services/inference ui:ui; do
  name=${pair%%:*}; dir=${pair#*:}
  main=$ROOT/$dir/dist/main.js
  [ "$name" = ui ] && main=$ROOT/ui/dist/server/main.js
  [ -f "$main" ] && units="$units keep-$name.service"
done
if [ -z "$units" ]; then
  echo "keep health: no Keep service is installed under $ROOT" >&2
  exit 1
fi

# Let units that are still starting (activating) settle, within the wait.
i=0
while [ "$i" -lt "$WAIT" ]; do
  # shellcheck disable=SC2086 # one argument per unit
  if ! systemctl is-active $units 2>/dev/null | grep -qx 'activating\|reloading'; then break; fi
  sleep 1; i=$((i + 1))
done

failed=0
for unit in $units; do
  state=$(systemctl is-active "$unit" 2>/dev/null)
  if [ "$state" != active ]; then
    echo "keep health: $unit is $state (journalctl -u $unit)" >&2
    failed=1
  fi
done

if [ -n "$SKIP" ]; then set -- --skip "$SKIP"; else set --; fi
if ! /usr/bin/node "$ROOT/services/cli/bin/keepctl.js" doctor "$@"; then
  echo "keep health: keepctl doctor reported findings" >&2
  failed=1
fi
exit "$failed"
