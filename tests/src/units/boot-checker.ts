/**
 * What the appliance boot test adds to the container: a target that boots Keep's own
 * `keep.target` plus a oneshot checker, a drop-in that shortens one unit's watchdog,
 * a test ruleset when the image ships none yet, and the checker's script. The checker
 * probes from the outside, writes what it saw to /keep-test/out and ends the
 * container; appliance-boot.test.ts asserts on the files.
 */
export const TEST_TARGET = 'keep-boot-test.target';
export const CHECKER_UNIT = 'keep-boot-test-check.service';
export const TEST_DIR = '/keep-test';
/** Where keepctl doctor looks for the ruleset by default (DEFAULT_RULESET). */
export const RULESET_PATH = '/etc/nftables/keep.nft';

export interface CheckerPlan {
  /** Installed service names (`keep-registry`), the ones the boot must bring up. */
  services: string[];
  /** The service SIGSTOPped to prove the watchdog restarts it. */
  watchdogService: string;
  /** The service stopped before doctor's second run. */
  stopService: string;
  /** The credential file whose mode is loosened before doctor's second run. */
  loosenCredential: string;
  /** Whether nft exists: the ruleset part runs only then. */
  nft: boolean;
  /** Services that keep the host network (keep-ui, keep-airlock): probed again once the ruleset is loaded. */
  ipServices: string[];
}

export const targetUnit = `[Unit]
Description=Keep appliance boot test: keep.target plus the checker
Wants=keep.target ${CHECKER_UNIT}
`;

export const checkerUnit = `[Unit]
Description=Keep appliance boot test checker
After=keep.target
SuccessAction=exit-force
FailureAction=exit-force

[Service]
Type=oneshot
TimeoutStartSec=150s
ExecStart=/bin/sh ${TEST_DIR}/check.sh
`;

/** A short watchdog for the test, and a quick SIGKILL after the watchdog's SIGABRT (a stopped process cannot act on it). */
export const watchdogDropIn = `[Service]
WatchdogSec=3s
TimeoutAbortSec=2s
`;

/** A TCP listener on a non-loopback address of the container, and a client: the reachability probe. */
export const netProbe = `const net = require('node:net');
const [mode, host, port] = process.argv.slice(2);
if (mode === 'listen') {
  net.createServer((s) => s.end('hello\\n')).listen(Number(port), host, () => console.log('listening'));
} else {
  const s = net.connect({ host, port: Number(port), timeout: 3000 });
  s.on('data', (d) => { console.log('connected ' + String(d).trim()); process.exit(0); });
  s.on('timeout', () => { console.log('error ETIMEDOUT'); process.exit(1); });
  s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
}
`;

/**
 * keep-quarantine's side of one keep-scan@ connection, run as keep-quarantine: a
 * job file placed the way the quarantine does (a job dir in the setgid keep-scan jobs
 * dir, 0710, the file 0640), the job line naming it, every line the worker answers
 * printed. With `hold` it connects and sends nothing, so one worker stays up, waiting
 * for its job line, while the checker looks at it from outside.
 */
export const scanProbe = `const net = require('node:net');
const fs = require('node:fs');
const hold = process.argv[2] === 'hold';
const dir = '/var/lib/keep/quarantine/jobs/probe-' + process.pid;
const bytes = Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(28)]);
let file;
if (!hold) {
  try {
    fs.mkdirSync(dir, { mode: 0o710 });
    fs.writeFileSync(dir + '/probe.gguf', bytes, { mode: 0o640 });
    file = { path: dir + '/probe.gguf', size: bytes.length };
  } catch (e) { console.log('error ' + e.code); process.exit(1); }
}
const job = { file, fileName: 'probe.gguf', formats: ['gguf'], yara: { enabled: false }, maxFileBytes: 1024,
  weights: {}, behaviour: { enabled: false, timeoutMs: 1000, maxTokens: 1 } };
const s = net.connect('/run/keep/scan.sock');
let out = '';
s.setTimeout(hold ? 30000 : 20000, () => { console.log('error ETIMEDOUT'); process.exit(1); });
s.on('connect', () => { if (!hold) s.write(JSON.stringify(job) + '\\n'); else console.log('holding'); });
s.on('data', (d) => { out += d; });
s.on('error', (e) => { console.log('error ' + e.code); process.exit(1); });
s.on('close', () => { process.stdout.write(out); if (file) fs.rmSync(dir, { recursive: true, force: true }); });
`;

/** POSIX sh run as root in the container. It only records; nothing here asserts. */
export function checkerScript(plan: CheckerPlan): string {
  const services = plan.services.join(' ');
  return String.raw`#!/bin/sh
O=${TEST_DIR}/out
KEEPCTL="/usr/bin/node /usr/lib/keep/services/cli/bin/keepctl.js"
SERVICES="${services}"
note() { echo "$(date +%s.%N) $*" >> $O/checker.log; }
show() { systemctl show -p ActiveState,SubState,StatusText,MainPID,NRestarts,User,Result,ExecMainStatus,WatchdogUSec,WatchdogTimestampMonotonic "$1"; }
cd /
note start

# 1. Every installed service comes up: active (running) only after READY=1.
i=0
while [ $i -lt 120 ]; do
  pending=0
  for s in $SERVICES; do
    case "$(systemctl is-active $s)" in active|failed) ;; *) pending=1 ;; esac
  done
  [ $pending -eq 0 ] && break
  sleep 0.5; i=$((i+1))
done
note "services settled after $i waits"
for s in $SERVICES; do show $s > $O/show-$s.txt; done
show keep-scan.socket > $O/show-keep-scan.socket.txt
stat -c '%n %a %U %G' /run/keep/*.sock > $O/sockets.txt 2>&1
systemctl list-units --failed --no-legend --plain > $O/failed-units.txt 2>&1

# 2. The sandbox, probed inside each service's namespaces as its own uid and gid:
# the state dir is writable, the system is not, and only lo is reachable.
ip link add kt0 type veth peer name kt1 >> $O/checker.log 2>&1
ip addr add 10.251.0.1/30 dev kt0 >> $O/checker.log 2>&1
ip link set kt0 up >> $O/checker.log 2>&1; ip link set kt1 up >> $O/checker.log 2>&1
node ${TEST_DIR}/net-probe.cjs listen 10.251.0.1 8443 > $O/listener.txt 2>&1 &
LISTENER=$!
sleep 0.5
node ${TEST_DIR}/net-probe.cjs connect 10.251.0.1 8443 > $O/net-container.txt 2>&1
GID_KEEP=$(getent group keep | cut -d: -f3)
# as_service NAME CMD...: CMD in NAME's namespaces as its uid and group keep.
as_service() { _s=$1; shift; nsenter -t "$(systemctl show -P MainPID $_s)" -a -S "$(id -u $_s)" -G $GID_KEEP "$@"; }
for s in $SERVICES; do
  PID=$(systemctl show -P MainPID $s)
  as() { as_service $s "$@"; }
  {
    as touch /var/lib/keep/.probe-$s && echo "state ok" && rm -f /var/lib/keep/.probe-$s
    as touch /etc/keep-probe 2>&1 || true
    as touch /usr/lib/keep/keep-probe 2>&1 || true
    as touch /root/keep-probe 2>&1 || true
    as cat /etc/keep/credstore/mac.audit 2>&1 >/dev/null || true
  } > $O/fs-$s.txt 2>&1
  as /usr/bin/node ${TEST_DIR}/net-probe.cjs connect 10.251.0.1 8443 > $O/net-$s.txt 2>&1
  grep -E '^(Uid|CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/$PID/status > $O/status-$s.txt 2>&1
done
kill $LISTENER 2>/dev/null

# keep-scan@: keep-quarantine connects and one worker answers under DynamicUser;
# another service user may not connect at all.
${plan.services.includes('keep-quarantine') ? `setpriv --reuid=keep-quarantine --regid=keep --init-groups node ${TEST_DIR}/scan-probe.cjs > $O/scan-probe.txt 2>&1
setpriv --reuid=keep-registry --regid=keep --init-groups node ${TEST_DIR}/scan-probe.cjs hold > $O/scan-probe-other.txt 2>&1
# One worker held waiting for its job line: its identity and its view of the files,
# seen from outside, and what its uid and groups reach inside its mount namespace.
setpriv --reuid=keep-quarantine --regid=keep --init-groups node ${TEST_DIR}/scan-probe.cjs hold > $O/scan-hold.txt 2>&1 &
HOLD=$!
worker_pid() { for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q -- '--connection --jobs-dir=' && { basename $p; return; }; done; echo 0; }
i=0; WPID=0
while [ $i -lt 60 ]; do
  WPID=$(worker_pid)
  [ "$WPID" != 0 ] && break
  sleep 0.25; i=$((i+1))
done
note "held keep-scan@ worker pid $WPID after $i waits"
systemctl list-units --plain --no-legend 'keep-scan@*' > $O/scan-units.txt 2>&1
id -u keep-quarantine > $O/uid-keep-quarantine.txt
getent group keep-scan | cut -d: -f3 > $O/gid-keep-scan.txt
grep -E '^(Uid|Gid|Groups|CapEff|NoNewPrivs|Seccomp):' /proc/$WPID/status > $O/scan-status.txt 2>&1
WUID=$(grep '^Uid:' /proc/$WPID/status | cut -f2)
# PrivateUsers= maps the worker's own uid 1:1; as root we enter only its mount namespace, then drop to its uid and groups.
as_worker() { nsenter -t $WPID -m setpriv --reuid=$WUID --regid=$WUID --groups=$(cat $O/gid-keep-scan.txt) "$@"; }
{
  ls -A /proc/$WPID/root/var/lib/keep /proc/$WPID/root/etc/keep 2>&1
  as_worker cat /var/lib/keep/keep.db 2>&1 >/dev/null
  as_worker cat /etc/keep/credstore/mac.audit 2>&1 >/dev/null
  as_worker ls /run/keep 2>&1
  as_worker ls /var/lib/keep/quarantine/jobs 2>&1
  as_worker touch /var/lib/keep/quarantine/jobs/probe 2>&1
  echo end
} > $O/scan-isolation.txt 2>&1
kill $HOLD 2>/dev/null; wait $HOLD 2>/dev/null
sleep 0.5
journalctl -u 'keep-scan@*' --no-pager -o short-monotonic > $O/journal-scan.txt 2>&1` : ':'}

# An import end to end: keepctl uploads over the quarantine's socket, the scan
# runs in a keep-scan@ worker, the job ends; a hostile file is refused with its code.
${plan.services.includes('keep-quarantine') ? `timeout 120 $KEEPCTL import ${TEST_DIR}/model.gguf --json > $O/import.json 2> $O/import.err; echo $? > $O/import.rc
timeout 60 $KEEPCTL import ${TEST_DIR}/hostile.gguf --json > $O/import-hostile.json 2> $O/import-hostile.err; echo $? > $O/import-hostile.rc
journalctl -u 'keep-scan@*' --no-pager -o short-monotonic > $O/journal-scan-import.txt 2>&1
journalctl -u keep-quarantine --no-pager -o short-monotonic > $O/journal-keep-quarantine-import.txt 2>&1
# Promotion (quarantine → staging → registry) and a chat turn (inference opens the stored model): the shared directories' modes at work.
JOB=$(node -e 'try { console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).job.id) } catch { }' $O/import.json)
curl -sS -m 60 --unix-socket /run/keep/quarantine.sock -H 'Host: localhost' -H "Authorization: Bearer $(cat /etc/keep/credstore/token.quarantine-admin)" \
  -H 'Content-Type: application/json' -d '{"name":"boot-model"}' "http://localhost/v1/jobs/$JOB/promote" > $O/promote.json 2>&1
$KEEPCTL models list --json > $O/models.json 2>&1
echo 'Say hello.' | timeout 120 $KEEPCTL chat boot-model --json > $O/chat.json 2> $O/chat.err; echo $? > $O/chat.rc` : ':'}

# 3. doctor, green: everything that applies in a container (the vault needs
# device-mapper; the ruleset part needs nft).
SKIP=vault
${plan.nft ? `nft -f ${RULESET_PATH} > $O/nft-load.txt 2>&1; echo "rc=$?" >> $O/nft-load.txt
# Traffic the ruleset drops, so doctor compares a table whose counters have moved.
node ${TEST_DIR}/net-probe.cjs connect 10.251.0.2 443 > $O/net-dropped.txt 2>&1
nft list ruleset > $O/nft-live.txt 2>&1
# IPAddressDeny= needs the cgroup v2 BPF firewall, which a container on this host
# lacks; with the ruleset loaded, nftables is what keeps these services in.
for s in ${plan.ipServices.join(' ')}; do
  as_service $s /usr/bin/node ${TEST_DIR}/net-probe.cjs connect 10.251.0.1 8443 > $O/net-ruleset-$s.txt 2>&1
done` : 'SKIP=vault,ruleset'}
$KEEPCTL doctor --json --skip $SKIP > $O/doctor-green.json 2> $O/doctor-green.err; echo $? > $O/doctor-green.rc
$KEEPCTL doctor --skip $SKIP > $O/doctor-green.txt 2>&1
KEEP_HEALTH_WAIT=5 KEEP_DOCTOR_SKIP=$SKIP /usr/lib/greenboot/check/required.d/50-keep.sh > $O/greenboot-green.txt 2>&1; echo $? > $O/greenboot-green.rc
ip link del kt0 >> $O/checker.log 2>&1

# 4. Watchdog: a service that stops pinging is killed and restarted.
W=${plan.watchdogService}
show $W > $O/watchdog-before.txt
WPID=$(systemctl show -P MainPID $W)
kill -STOP $WPID
note "stopped $W pid $WPID"
i=0
while [ $i -lt 60 ]; do
  n=$(systemctl show -P NRestarts $W); p=$(systemctl show -P MainPID $W)
  if [ "$n" -gt 0 ] && [ "$p" != "$WPID" ] && [ "$(systemctl is-active $W)" = active ]; then break; fi
  sleep 0.5; i=$((i+1))
done
note "watchdog restart after $i waits"
show $W > $O/watchdog-after.txt
journalctl -u $W --no-pager -o short-monotonic > $O/journal-watchdog.txt 2>&1

# 5. doctor, red: one unit stopped, one credential loosened${plan.nft ? ', the ruleset flushed' : ''}.
systemctl stop ${plan.stopService} > $O/stop.txt 2>&1; echo "rc=$?" >> $O/stop.txt
show ${plan.stopService} > $O/show-stopped.txt
chmod 0644 /etc/keep/credstore/${plan.loosenCredential}
${plan.nft ? 'nft flush ruleset' : ':'}
$KEEPCTL doctor --json --skip $SKIP > $O/doctor-red.json 2> $O/doctor-red.err; echo $? > $O/doctor-red.rc
$KEEPCTL doctor --skip $SKIP > $O/doctor-red.txt 2>&1
KEEP_HEALTH_WAIT=5 KEEP_DOCTOR_SKIP=$SKIP /usr/lib/greenboot/check/required.d/50-keep.sh > $O/greenboot-red.txt 2>&1; echo $? > $O/greenboot-red.rc
chmod 0600 /etc/keep/credstore/${plan.loosenCredential}

for s in $SERVICES; do journalctl -u $s --no-pager -o short-monotonic > $O/journal-$s.txt 2>&1; done
journalctl -b --no-pager -o short-monotonic > $O/journal-boot.txt 2>&1
note done
touch $O/done
`;
}
