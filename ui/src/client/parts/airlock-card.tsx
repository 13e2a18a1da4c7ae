import { useState } from 'preact/hooks';
import { api, formatTime, type User } from '../api';
import { useAirlock } from './airlock';
import { ErrorLine } from './notice';

/** The dashboard's airlock card: off by default; admins switch it. Hidden when keep-airlock is not running. */
export function AirlockCard(props: { user: User }) {
  const [state, reload] = useAirlock();
  const [error, setError] = useState<unknown>(null);
  if (!state?.available) return null;
  const flip = async (): Promise<void> => {
    const enable = !state.enabled;
    if (enable && !confirm('Turn the airlock on? Allowed downloads and tool fetches may then leave the box, each one decided and audited.')) return;
    setError(null);
    try {
      await api('POST', '/api/airlock', { enabled: enable });
    } catch (e) {
      setError(e);
    }
    await reload();
  };
  return (
    <div class="card" data-testid="airlock">
      <h2>Airlock</h2>
      <p>
        <span class={`pill ${state.enabled ? 'approval_required' : 'allow'}`}>{state.enabled ? 'on' : 'off'}</span>{' '}
        {state.enabled ? 'Allowlisted requests may leave the box, each one decided and audited.' : 'Nothing leaves the box.'}
        {state.contained && <strong class="error"> Contained: {state.containedReason}</strong>}
      </p>
      {state.updatedAt && <p class="hint">Last changed {formatTime(state.updatedAt)}{state.updatedBy ? ` by ${state.updatedBy}` : ''}.</p>}
      {props.user.role === 'admin' && <button type="button" onClick={() => void flip()}>{state.enabled ? 'Turn the airlock off' : 'Turn the airlock on'}</button>}
      <ErrorLine error={error} />
    </div>
  );
}
