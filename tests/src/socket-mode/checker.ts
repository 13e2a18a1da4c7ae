/**
 * The units the socket-mode test adds to the container: a target that pulls in
 * Keep's own `keep.target` and a oneshot checker that probes keep-audit from the
 * outside and writes what it saw to /keep-test/out, then ends the container.
 */
export const TEST_TARGET = 'keep-socket-test.target';
export const CHECKER_UNIT = 'keep-socket-test-check.service';
export const OUT = '/keep-test/out';
export const SCRIPT = '/keep-test/check.sh';

export const targetUnit = `[Unit]
Description=Keep socket-mode test: keep.target plus the checker
Wants=keep.target ${CHECKER_UNIT}
`;

export const checkerUnit = `[Unit]
Description=Keep socket-mode test checker
After=keep-audit.service keep.target
# Either way the container ends when the checker does; the test reads the files.
SuccessAction=exit-force
FailureAction=exit-force

[Service]
Type=oneshot
TimeoutStartSec=70s
ExecStart=/bin/sh ${SCRIPT}
`;

/**
 * POSIX sh, run as root inside the container. Every probe writes a file; nothing
 * here asserts, so one failing probe never hides the others.
 */
export const checkerScript = String.raw`#!/bin/sh
O=${OUT}
SOCK=/run/keep/audit.sock
note() { echo "$(date +%s.%N) $*" >> $O/checker.log; }

# GET <path> <name>: body to <name>.body, status code to <name>.code.
get() {
  if command -v curl >/dev/null 2>&1; then
    curl -sS -m 5 --unix-socket $SOCK -H 'Host: localhost' -o $O/$2.body -w '%{http_code}' "http://localhost$1" > $O/$2.code 2> $O/$2.err
  else
    node -e '
      const [path, body, code] = process.argv.slice(1);
      const fs = require("fs");
      const req = require("http").request({ socketPath: "/run/keep/audit.sock", path, headers: { Host: "localhost" }, timeout: 5000 }, (res) => {
        let text = ""; res.on("data", (d) => { text += d; });
        res.on("end", () => { fs.writeFileSync(body, text); fs.writeFileSync(code, String(res.statusCode)); });
      });
      req.on("error", (e) => fs.writeFileSync(code, "000 " + e.message));
      req.end();' "$1" $O/$2.body $O/$2.code
  fi
}
show() { systemctl show keep-audit -p ActiveState,SubState,MainPID,User,NRestarts,WatchdogTimestamp,WatchdogTimestampMonotonic,Result,ExecMainCode,ExecMainStatus; }

note start
i=0
while [ "$(systemctl is-active keep-audit)" != active ] && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
note "keep-audit is $(systemctl is-active keep-audit) after $i waits"
show > $O/show-start.txt
PID=$(systemctl show -P MainPID keep-audit)
UID_AUDIT=$(id -u keep-audit)
GID_KEEP=$(getent group keep | cut -d: -f3)
echo "$UID_AUDIT $GID_KEEP" > $O/ids.txt

get /health health
get /ready ready
stat -c '%a %U %G' $SOCK > $O/socket.txt 2>&1

# Network: a veth pair in the container's namespace must not be visible to the
# service, whose namespace holds lo alone.
ip link add kt0 type veth peer name kt1 > $O/veth.txt 2>&1
cat /proc/self/net/dev > $O/netdev-container.txt
cat /proc/$PID/net/dev > $O/netdev-service.txt 2>&1
readlink /proc/self/ns/net /proc/$PID/ns/net > $O/netns.txt 2>&1
if command -v ip >/dev/null 2>&1; then nsenter -t $PID -n ip -o link > $O/links-service.txt 2>&1; fi

# Identity and confinement of the main process.
grep -E '^(Uid|Gid|Groups|NoNewPrivs|Seccomp|CapEff|CapBnd|CapAmb):' /proc/$PID/status > $O/status.txt

# Inside the service's namespaces (mount, user, net, ...) as its uid and gid:
# its own credentials are readable, the credstore and the rest of the system not.
as_service() { nsenter -t $PID -a -S $UID_AUDIT -G $GID_KEEP "$@"; }
as_service cat /etc/keep/credstore/mac.audit > $O/read-credstore.txt 2>&1; echo "rc=$?" >> $O/read-credstore.txt
as_service cat /run/credentials/keep-audit.service/mac.audit > $O/read-own-credential.txt 2>&1; echo "rc=$?" >> $O/read-own-credential.txt
as_service touch /etc/keep-probe > $O/write-etc.txt 2>&1; echo "rc=$?" >> $O/write-etc.txt
as_service touch /usr/lib/keep/keep-probe > $O/write-usr.txt 2>&1; echo "rc=$?" >> $O/write-usr.txt
as_service sh -c 'if [ -e /proc/1 ]; then echo pid1-visible; else echo pid1-hidden; fi' > $O/proc.txt 2>&1

# Watchdog: WatchdogSec=30s, so a WATCHDOG=1 ping comes every 15 s; wait for one.
T0=$(systemctl show -P WatchdogTimestampMonotonic keep-audit)
i=0
while [ "$(systemctl show -P WatchdogTimestampMonotonic keep-audit)" = "$T0" ] && [ $i -lt 50 ]; do sleep 0.5; i=$((i+1)); done
note "watchdog waited $i"
show > $O/show-watchdog.txt

# Graceful stop: SIGTERM, STOPPING=1, drain, the service.stop audit row, exit 0.
systemctl stop keep-audit > $O/stop.txt 2>&1; echo "rc=$?" >> $O/stop.txt
show > $O/show-stop.txt
mkdir -p $O/state
cp -a /var/lib/keep/keep.db* $O/state/ 2>> $O/checker.log
cp -a /var/lib/keep/audit/head.json $O/state/ 2>> $O/checker.log
stat -c '%a %U %G %n' /var/lib/keep/keep.db /var/lib/keep/audit /var/lib/keep/audit/head.json > $O/state-stat.txt 2>&1

journalctl -u keep-audit --no-pager -o short-monotonic > $O/journal-keep-audit.txt 2>&1
journalctl -b --no-pager -o short-monotonic > $O/journal-boot.txt 2>&1
note done
touch $O/done
`;
