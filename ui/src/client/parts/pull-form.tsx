import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { useAirlock } from './airlock';
import { ErrorLine } from './notice';

interface Pull { id: string; url: string; name: string; state: 'running' | 'done' | 'failed'; bytes: number; total: number | null; jobId: string | null; code: string | null; detail: string | null }

/**
 * Download a model through the airlock into the quarantine (admins, airlock on). Shown
 * only when keep-airlock runs and is switched on; the scan then follows as for an upload.
 */
export function PullForm(props: { onJob: (jobId: string) => void }) {
  const [airlock] = useAirlock();
  const [pull, setPull] = useState<Pull | null>(null);
  const [error, setError] = useState<unknown>(null);
  const source = useRef<EventSource | null>(null);
  if (!airlock?.available || !airlock.enabled) return null;

  const start = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const name = String(form.get('pull-name') ?? '').trim();
    setError(null);
    try {
      const { pull: started } = await api<{ pull: Pull }>('POST', '/api/pulls', { url: String(form.get('pull-url')), ...(name ? { name } : {}) });
      setPull(started);
      source.current?.close();
      const events = new EventSource(`/api/pulls/${started.id}/events`);
      source.current = events;
      events.addEventListener('progress', (m: MessageEvent<string>) => {
        const p = JSON.parse(m.data) as { bytes: number; total: number | null };
        setPull((current) => current && { ...current, bytes: p.bytes, total: p.total });
      });
      events.addEventListener('state', (m: MessageEvent<string>) => {
        const next = (JSON.parse(m.data) as { pull: Pull }).pull;
        setPull(next);
        if (next.state !== 'running') {
          events.close();
          if (next.jobId) props.onJob(next.jobId);
        }
      });
      events.onerror = () => events.close();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <form class="row card" onSubmit={(e) => void start(e)} aria-label="Pull a model through the airlock">
      <label for="pull-url">Pull through the airlock (https URL)</label>
      <input id="pull-url" name="pull-url" type="url" required placeholder="https://…" />
      <label for="pull-name">File name (optional)</label>
      <input id="pull-name" name="pull-name" />
      <button type="submit" disabled={pull?.state === 'running'}>Pull</button>
      {pull?.state === 'running' && <progress max={pull.total ?? 1} value={pull.total ? pull.bytes : undefined} aria-label="Download progress" />}
      {pull?.state === 'failed' && <p role="alert" class="error">The pull failed: {pull.detail} <code class="code">{pull.code}</code></p>}
      <ErrorLine error={error} />
    </form>
  );
}
