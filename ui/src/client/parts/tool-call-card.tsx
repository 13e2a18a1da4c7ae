import { useState } from 'preact/hooks';
import { api } from '../api';
import { ErrorLine } from './notice';
import type { ToolRecord } from '../../server/chat/tool-record';

/** One tool call of the model, as the chat shows it, with the person's answer to its approval. */
export type ToolView = ToolRecord & { approval?: ToolRecord['approval'] & { answered?: 'granted' | 'denied' } };

const DECISION_WORDS = { allow: 'allowed', deny: 'refused', approval_required: 'waiting for your approval' } as const;

export function ToolCallCard(props: { view: ToolView; onAnswered: (callId: string, answer: 'granted' | 'denied') => void }) {
  const { view } = props;
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const answer = async (verb: 'grant' | 'deny'): Promise<void> => {
    if (!view.approval) return;
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/approvals/${encodeURIComponent(view.approval.id)}/${verb}`);
      props.onAnswered(view.callId, verb === 'grant' ? 'granted' : 'denied');
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const pending = view.decision === 'approval_required' && view.approval && !view.approval.answered;
  return (
    <div class={`tool-call ${view.decision ?? 'pending'}`} data-testid="tool-call" aria-label={`Tool call ${view.tool}`}>
      <div class="row">
        <code class="tool-name">{view.tool}</code>
        <code class="tool-args">{view.arguments}</code>
        {view.decision && <span class={`pill ${view.decision}`} data-testid="tool-decision">{DECISION_WORDS[view.decision]}</span>}
        {view.code && <code class="code">{view.code}</code>}
      </div>
      {view.reason && <small class="hint">Firewall: {view.reason}</small>}
      {pending && view.approval && (
        <div class="approval" role="group" aria-label={`Approve ${view.tool}?`}>
          <p>The model asks to run <strong>{view.tool}</strong> with exactly these arguments. Approving runs this call once, with these arguments only.</p>
          <pre data-testid="approval-args">{JSON.stringify(view.approval.args, null, 2)}</pre>
          <div class="row">
            <button type="button" disabled={busy} onClick={() => void answer('grant')}>Approve</button>
            <button type="button" class="danger" disabled={busy} onClick={() => void answer('deny')}>Deny</button>
            <small class="hint">Expires {new Date(view.approval.expiresAt).toLocaleTimeString()}</small>
          </div>
          <ErrorLine error={error} />
        </div>
      )}
      {view.approval?.answered && <small class="hint">You {view.approval.answered} this call.</small>}
      {view.result !== undefined && (
        <details>
          <summary>{view.denied ? 'What the model was told' : 'Result'}</summary>
          <pre data-testid="tool-result">{view.result}</pre>
        </details>
      )}
    </div>
  );
}
