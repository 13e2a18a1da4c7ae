import { useEffect, useState } from 'preact/hooks';
import { api, formatTime, type User } from '../api';

interface AuditEvent { seq: number; time: string; actor: string; action: string; target: string; decision: string; reason: string; details: unknown }
interface Approval { id: string; tool: string; args: unknown; user: string; status: string; createdAt: number; expiresAt: number; decidedBy: string | null }

/**
 * The firewall on the dashboard: its latest decisions on tool calls (from the audit chain)
 * and, for admins, the approvals it holds. Hidden while keep-firewall does not run.
 */
export function FirewallCard(props: { user: User; running: boolean }) {
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [approvals, setApprovals] = useState<Approval[]>([]);
  useEffect(() => {
    if (!props.running) return;
    void api<{ events: AuditEvent[] }>('GET', '/api/audit/events?service=firewall&limit=25')
      .then((r) => setEvents(r.events.filter((e) => e.action.startsWith('tool.')).reverse()), () => undefined);
    if (props.user.role === 'admin') void api<{ approvals: Approval[] }>('GET', '/api/approvals').then((r) => setApprovals(r.approvals.slice(-15).reverse()), () => undefined);
  }, [props.running]);
  if (!props.running) return null;
  return (
    <div class="card" data-testid="firewall">
      <h2>Tool calls and approvals</h2>
      {events.length === 0 ? <p class="hint">No tool call yet. When a model asks to use a tool in Chat, the firewall's decision shows here and in the chat.</p> : (
        <table>
          <caption class="sr-only">Latest firewall decisions</caption>
          <thead><tr><th scope="col">Time</th><th scope="col">What</th><th scope="col">Tool</th><th scope="col">Decision</th><th scope="col">Code</th></tr></thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.seq}>
                <td>{formatTime(e.time)}</td><td>{e.action}</td><td><code>{e.target}</code></td>
                <td><span class={`pill ${e.decision}`}>{e.decision.replace('_', ' ')}</span></td><td><code>{e.reason}</code></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.user.role === 'admin' && approvals.length > 0 && (
        <>
          <h3>Approvals</h3>
          <ul class="approvals">
            {approvals.map((a) => (
              <li key={a.id}>
                <span class={`pill ${a.status === 'pending' ? 'approval_required' : a.status === 'denied' ? 'deny' : 'allow'}`}>{a.status}</span>{' '}
                <code>{a.tool}</code> for {a.user}, {formatTime(a.createdAt)}{a.decidedBy ? `, answered by ${a.decidedBy}` : ''}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
