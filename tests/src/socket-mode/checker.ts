/**
 * The units the socket-mode test adds to the container: a target that pulls in
 * Keep's own `keep.target`, and a oneshot checker that probes keep-audit from the
 * outside, writes what it saw to /keep-test/out, then ends the container.
 */
export const TEST_TARGET = 'keep-socket-test.target';
export const CHECKER_UNIT = 'keep-socket-test-check.service';
/** Bound read-write from the test's temp dir; holds the scripts and `out/`. */
export const TEST_DIR = '/keep-test';

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
TimeoutStartSec=75s
ExecStart=/bin/sh ${TEST_DIR}/check.sh
`;

/**
 * Node helper run by the checker as another member of group keep (keep-ui):
 * `create-store` makes keep.db the way every service does (openStore), so
 * keep-audit later opens a store owned by someone else; `count-rows` reads
 * audit_log while keep-audit holds it open (WAL: needs write access to -shm).
 */
export const probeScript = `import { createRequire } from 'node:module';
const require = createRequire('/usr/lib/keep/package.json');
const [command, path] = process.argv.slice(2);
try {
  if (command === 'create-store') {
    const core = await import(require.resolve('@keep/core'));
    core.openStore(path).close();
    console.log('created');
  } else if (command === 'count-rows') {
    const Database = require('better-sqlite3');
    const db = new Database(path);
    console.log(String(db.prepare('SELECT count(*) AS n FROM audit_log').get().n));
    db.close();
  } else {
    throw new Error('unknown command ' + command);
  }
} catch (error) {
  console.log('error: ' + (error && error.message));
  process.exitCode = 1;
}
`;

/**
 * POSIX sh, run as root inside the container. Every probe writes a file; nothing
 * here asserts, so one failing probe never hides the others.
 */
export const checkerScript = String.raw`#!/bin/sh
O=${TEST_DIR}/out
SOCK=/run/keep/audit.sock
note() { echo "$(date +%s.%N) $*" >> $O/checker.log; }

# get NAME PATH [COMMAND PREFIX...]: GET over the socket, as root or as whoever the
# prefix makes us. Only this root shell writes files: NAME.body, NAME.code (000 = no
# connection), NAME.err.
get() {
  name=$1; path=$2; shift 2
  if command -v curl >/dev/null 2>&1; then
    "$@" curl -sS -m 5 --unix-socket $SOCK -H 'Host: localhost' -o - -w '\n%{http_code}' "http://localhost$path" > $O/$name.out 2> $O/$name.err
  else
    "$@" node -e '
      const req = require("http").request({ socketPath: "/run/keep/audit.sock", path: process.argv[1], headers: { Host: "localhost" }, timeout: 5000 }, (res) => {
        let text = ""; res.on("data", (d) => { text += d; });
        res.on("end", () => process.stdout.write(text + "\n" + res.statusCode));
      });
      req.on("error", (e) => { process.stdout.write("\n000"); process.stderr.write(e.message); });
      req.end();' "$path" > $O/$name.out 2> $O/$name.err
  fi
  tail -n 1 $O/$name.out | tr -d '\n' > $O/$name.code
  sed '$d' $O/$name.out > $O/$name.body
}
show() { systemctl show keep-audit -p ActiveState,SubState,MainPID,User,NRestarts,WatchdogTimestamp,WatchdogTimestampMonotonic,Result,ExecMainCode,ExecMainStatus; }
wait_active() {
  i=0
  while [ "$(systemctl is-active keep-audit)" != active ] && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
  note "keep-audit is $(systemctl is-active keep-audit) after $i waits"
}
as_keep_ui() { setpriv --reuid=keep-ui --regid=keep --init-groups "$@"; }

note start
wait_active
show > $O/show-start.txt
PID=$(systemctl show -P MainPID keep-audit)
UID_AUDIT=$(id -u keep-audit)
GID_KEEP=$(getent group keep | cut -d: -f3)
echo "$UID_AUDIT $GID_KEEP" > $O/ids.txt

# The socket: 0660 group keep, so root and group keep get in, nobody else does.
get health /health
get ready /ready
get health-keep-ui /health as_keep_ui
get health-nobody /health setpriv --reuid=nobody --regid=nogroup --clear-groups
setpriv --reuid=nobody --regid=nogroup --clear-groups ls /run/keep > $O/nobody-ls.txt 2>&1
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
cat /proc/$PID/uid_map /proc/$PID/gid_map > $O/idmap.txt 2>&1

# Inside the service's namespaces (mount, user, net, ...) as its uid and gid:
# its own credentials are readable, the credstore and the rest of the system not.
as_service() { nsenter -t $PID -a -S $UID_AUDIT -G $GID_KEEP "$@"; }
as_service cat /etc/keep/credstore/mac.audit > $O/read-credstore.txt 2>&1; echo "rc=$?" >> $O/read-credstore.txt
as_service cat /run/credentials/keep-audit.service/mac.audit > $O/read-own-credential.txt 2>&1; echo "rc=$?" >> $O/read-own-credential.txt
as_service touch /etc/keep-probe > $O/write-etc.txt 2>&1; echo "rc=$?" >> $O/write-etc.txt
as_service touch /usr/lib/keep/keep-probe > $O/write-usr.txt 2>&1; echo "rc=$?" >> $O/write-usr.txt
as_service sh -c 'if [ -e /proc/1 ]; then echo pid1-visible; else echo pid1-hidden; fi' > $O/proc.txt 2>&1

# Another member of group keep reads the live WAL store keep-audit writes.
as_keep_ui node ${TEST_DIR}/probe.mjs count-rows /var/lib/keep/keep.db > $O/shared-read.txt 2>&1

# Watchdog: WatchdogSec=30s, so a WATCHDOG=1 ping comes every 15 s; wait for one.
T0=$(systemctl show -P WatchdogTimestampMonotonic keep-audit)
i=0
while [ "$(systemctl show -P WatchdogTimestampMonotonic keep-audit)" = "$T0" ] && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
note "watchdog waited $i"
show > $O/show-watchdog.txt

# Graceful stop: SIGTERM, STOPPING=1, drain, the service.stop audit row, exit 0.
systemctl stop keep-audit > $O/stop.txt 2>&1; echo "rc=$?" >> $O/stop.txt
show > $O/show-stop.txt
mkdir -p $O/state
cp -a /var/lib/keep/keep.db* /var/lib/keep/audit/head.json $O/state/ 2>> $O/checker.log
stat -c '%a %U %G %n' /var/lib/keep/keep.db /var/lib/keep/audit /var/lib/keep/audit/head.json > $O/state-stat.txt 2>&1
journalctl -u keep-audit --no-pager -o short-monotonic > $O/journal-keep-audit.txt 2>&1

# Shared store the other way round: keep.db created by another keep service user,
# then keep-audit (PrivateUsers=yes: that owner is unmapped inside its namespace)
# must still open it through group keep.
rm -f /var/lib/keep/keep.db /var/lib/keep/keep.db-wal /var/lib/keep/keep.db-shm /var/lib/keep/audit/head.json
as_keep_ui sh -c "umask 0007; node ${TEST_DIR}/probe.mjs create-store /var/lib/keep/keep.db" > $O/shared-create.txt 2>&1
stat -c '%a %U %G' /var/lib/keep/keep.db >> $O/shared-create.txt 2>&1
systemctl start keep-audit > $O/shared-start.txt 2>&1; echo "rc=$?" >> $O/shared-start.txt
wait_active
get health-shared /health
show > $O/show-shared.txt
systemctl stop keep-audit
show > $O/show-shared-stop.txt

journalctl -u keep-audit --no-pager -o short-monotonic > $O/journal-keep-audit.txt 2>&1
journalctl -b --no-pager -o short-monotonic > $O/journal-boot.txt 2>&1
note done
touch $O/done
`;
