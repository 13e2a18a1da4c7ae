import { useEffect, useState } from 'preact/hooks';
import { api, formatTime, type User } from '../api';
import { DecisionChart } from '../parts/decision-chart';
import { DECISIONS } from '../parts/decision-buckets';
import { ErrorLine } from '../parts/notice';
import { AirlockCard } from '../parts/airlock-card';
import { FirewallCard } from '../parts/firewall-card';

interface AuditEvent { seq: number; time: string; service: string; actor: string; action: string; target: string; decision: string; reason: string }
interface Head { last: { seq: number; hash: string; time: number } | null; head: { seq?: number; signedAt?: number } | null }
interface VerifyResult { valid: boolean; entries: number; code?: string | null; firstBadSeq?: number | null }
const SERVICE_NAMES = ['audit', 'registry', 'quarantine', 'firewall', 'airlock', 'inference', 'ui', 'cli'];

export function SecurityPage(props: { user: User; onAuthLost: (e: unknown) => void }) {
  const [health, setHealth] = useState<{ name: string; status: string }[]>([]);
  const [head, setHead] = useState<Head | null>(null);
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [chartEvents, setChartEvents] = useState<AuditEvent[]>([]);
  const [filter, setFilter] = useState({ service: '', decision: '', q: '' });
  const [verify, setVerify] = useState<VerifyResult | 'running' | null>(null);
  const [error, setError] = useState<unknown>(null);
  const fail = (e: unknown): void => {
    setError(e);
    props.onAuthLost(e);
  };

  useEffect(() => {
    void api<{ services: { name: string; status: string }[] }>('GET', '/api/health').then((r) => setHealth(r.services), fail);
    void api<Head>('GET', '/api/audit/head').then(setHead, fail);
    void api<{ events: AuditEvent[] }>('GET', '/api/audit/events?limit=1000').then((r) => setChartEvents(r.events), fail);
  }, []);
  useEffect(() => {
    const query = new URLSearchParams({ limit: '100' });
    if (filter.service) query.set('service', filter.service);
    if (filter.decision) query.set('decision', filter.decision);
    if (filter.q.trim()) query.set('q', filter.q.trim());
    void api<{ events: AuditEvent[] }>('GET', `/api/audit/events?${query}`).then((r) => setEvents(r.events.reverse()), fail);
  }, [filter]);

  const runVerify = async (): Promise<void> => {
    setVerify('running');
    try {
      setVerify(await api<VerifyResult>('POST', '/api/audit/verify'));
    } catch (e) {
      setVerify(null);
      fail(e);
    }
  };

  return (
    <section aria-labelledby="security-title">
      <h1 id="security-title">Security</h1>
      <ErrorLine error={error} />
      <div class="grid">
        <div class="card">
          <h2>Services</h2>
          <ul class="health">
            {health.map((s) => <li key={s.name}><span class={`dot ${s.status}`} aria-hidden="true" />{s.name}: <strong>{s.status === 'down' ? 'not running' : s.status.replace('_', ' ')}</strong></li>)}
          </ul>
        </div>
        <div class="card">
          <h2>Audit chain</h2>
          {head?.last ? <p>{head.last.seq} events, the newest at {formatTime(head.last.time)}. Every event is hash-linked to the one before and signed by the service that wrote it.</p> : <p class="hint">The chain is empty.</p>}
          {props.user.role === 'admin' && <button type="button" onClick={() => void runVerify()} disabled={verify === 'running'}>{verify === 'running' ? 'Verifying…' : 'Verify the chain'}</button>}
          {verify && verify !== 'running' && (
            <p role="status" data-testid="verify-result" class={verify.valid ? 'ok' : 'error'}>
              {verify.valid ? `Intact: all ${verify.entries} events check out.` : `Broken at event ${verify.firstBadSeq ?? '?'}: ${verify.code ?? 'unknown'}`}
            </p>
          )}
        </div>
      </div>
      <AirlockCard user={props.user} />
      <FirewallCard user={props.user} running={health.some((s) => s.name === 'keep-firewall' && s.status === 'ready')} />
      <div class="card">
        <h2>Decisions over time</h2>
        <DecisionChart events={chartEvents} />
      </div>
      <div class="card">
        <h2>Timeline</h2>
        <form class="row filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter events">
          <label for="f-service">Service</label>
          <select id="f-service" value={filter.service} onChange={(e) => setFilter({ ...filter, service: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">all</option>
            {SERVICE_NAMES.map((s) => <option key={s} value={s}>{s}</option>)}
          </select>
          <label for="f-decision">Decision</label>
          <select id="f-decision" value={filter.decision} onChange={(e) => setFilter({ ...filter, decision: (e.currentTarget as HTMLSelectElement).value })}>
            <option value="">all</option>
            {DECISIONS.map((d) => <option key={d} value={d}>{d.replace('_', ' ')}</option>)}
          </select>
          <label for="f-q">Search</label>
          <input id="f-q" type="search" value={filter.q} onInput={(e) => setFilter({ ...filter, q: (e.currentTarget as HTMLInputElement).value })} />
        </form>
        {events.length === 0 ? <p class="hint">No events match.</p> : (
          <table class="timeline">
            <caption class="sr-only">Recent audit events, newest first</caption>
            <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Service</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Decision</th><th scope="col">Reason</th></tr></thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td><td>{formatTime(e.time)}</td><td>{e.service}</td><td>{e.actor}</td>
                  <td>{e.action}{e.target && <small class="hint"> {e.target}</small>}</td>
                  <td><span class={`pill ${e.decision}`}>{e.decision.replace('_', ' ')}</span></td><td><code>{e.reason}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}
