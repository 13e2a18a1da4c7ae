import { useEffect, useRef, useState } from 'preact/hooks';
import { api, formatBytes, formatTime, upload, type User } from '../api';
import { EmptyState, ErrorLine } from '../parts/notice';
import { PullForm } from '../parts/pull-form';

interface Reason { code: string; stage: string; detail: string }
interface Job {
  id: string; state: string; fileName: string; name: string | null; size: number; bytesScanned: number; stage: string | null;
  createdAt: number; reasons: Reason[]; stages: { stage: string; status: string; ms: number }[];
}
interface Model { name: string; sha256: string; size: number; state?: string; status?: string; promotedAt?: number; format?: string }
type JobEvent = { type: 'state'; job: Job } | { type: 'progress'; jobId: string; stage: string; bytes: number; total: number };

const FINAL = new Set(['passed', 'rejected', 'promoted', 'discarded', 'failed']);

export function ModelsPage(props: { user: User; onAuthLost: (e: unknown) => void }) {
  const admin = props.user.role === 'admin';
  const [models, setModels] = useState<Model[] | null>(null);
  const [jobs, setJobs] = useState<Job[]>([]);
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [uploadProgress, setUploadProgress] = useState<number | null>(null);
  const [live, setLive] = useState<{ job: Job; stage: string | null; fraction: number } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const source = useRef<EventSource | null>(null);
  const fail = (e: unknown): void => {
    setError(e);
    props.onAuthLost(e);
  };
  const load = async (): Promise<void> => {
    await Promise.all([
      api<{ models: Model[] }>('GET', '/api/models').then((r) => setModels(r.models), fail),
      api<{ jobs: Job[] }>('GET', '/api/jobs').then((r) => setJobs(r.jobs), fail),
    ]);
  };
  useEffect(() => {
    void load();
    void api<{ reasons: Record<string, string> }>('GET', '/api/reasons').then((r) => setReasons(r.reasons), fail);
    return () => source.current?.close();
  }, []);

  const follow = (job: Job): void => {
    source.current?.close();
    setLive({ job, stage: job.stage, fraction: 0 });
    const events = new EventSource(`/api/jobs/${job.id}/events`);
    source.current = events;
    const onEvent = (message: MessageEvent<string>): void => {
      const event = JSON.parse(message.data) as JobEvent;
      if (event.type === 'progress') {
        setLive((l) => l && { ...l, stage: event.stage, fraction: event.total > 0 ? event.bytes / event.total : 0 });
      } else {
        setLive((l) => ({ job: event.job, stage: event.job.stage, fraction: l?.fraction ?? 0 }));
        if (FINAL.has(event.job.state)) {
          events.close();
          if (event.job.state === 'passed') void awaitPromotion(event.job.id);
          else void load();
        }
      }
    };
    events.addEventListener('state', onEvent);
    events.addEventListener('progress', onEvent);
    events.onerror = () => events.close();
  };

  /** A passed job may be promoted by policy a moment later: the stream ends at `passed`, so ask a few times. */
  const awaitPromotion = async (id: string): Promise<void> => {
    for (let i = 0; i < 40; i++) {
      const { jobs: latest } = await api<{ jobs: Job[] }>('GET', '/api/jobs').catch(() => ({ jobs: [] as Job[] }));
      const job = latest.find((j) => j.id === id);
      if (job && job.state !== 'passed') {
        setLive((l) => (l && l.job.id === id ? { ...l, job } : l));
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await load();
  };

  const followById = async (id: string): Promise<void> => {
    const { jobs: latest } = await api<{ jobs: Job[] }>('GET', '/api/jobs').catch(() => ({ jobs: [] as Job[] }));
    const job = latest.find((j) => j.id === id);
    if (job) follow(job);
  };

  const onUpload = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem('model') as HTMLInputElement).files?.[0];
    if (!file) return;
    setError(null);
    setUploadProgress(0);
    try {
      const { job } = await upload<{ job: Job }>(`/api/uploads?name=${encodeURIComponent(file.name)}`, file, setUploadProgress);
      form.reset();
      follow(job);
    } catch (e) {
      fail(e);
    } finally {
      setUploadProgress(null);
    }
  };
  const act = async (model: Model, action: 'verify' | 'contain' | 'release' | 'delete'): Promise<void> => {
    setError(null);
    try {
      if (action === 'delete') {
        if (!confirm(`Delete ${model.name} from the registry?`)) return;
        await api('DELETE', `/api/models/${encodeURIComponent(model.name)}`);
      } else if (action === 'contain') {
        const reason = prompt(`Why contain ${model.name}? (no one can chat with it until released)`);
        if (!reason) return;
        await api('POST', `/api/models/${encodeURIComponent(model.name)}/contain`, { reason });
      } else {
        await api('POST', `/api/models/${encodeURIComponent(model.name)}/${action}`);
      }
    } catch (e) {
      fail(e);
    }
    await load();
  };

  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <p class="lead">Every model enters through the quarantine: it is parsed and scanned in an isolated worker, and only what passes reaches the registry.</p>
      {admin && (
        <form class="row card" onSubmit={(e) => void onUpload(e)} aria-label="Import a model">
          <label for="model">Import a model file (GGUF or safetensors)</label>
          <input id="model" name="model" type="file" required />
          <button type="submit" disabled={uploadProgress !== null}>Import</button>
          {uploadProgress !== null && <progress max={1} value={uploadProgress} aria-label="Upload progress" />}
        </form>
      )}
      {admin && <PullForm onJob={(id) => void followById(id)} />}
      <ErrorLine error={error} />
      {live && <JobCard job={live.job} stage={live.stage} fraction={live.fraction} reasons={reasons} live />}

      <h2>Promoted models</h2>
      {models && models.length === 0 && (
        <EmptyState title="No model has been promoted yet">
          {admin ? 'Import a model file above: you will see each scan stage as it runs, and why a file is refused if it is.' : 'An admin imports models; they appear here once they pass the scan.'}
        </EmptyState>
      )}
      {models && models.length > 0 && (
        <table data-testid="models">
          <caption class="sr-only">Promoted models</caption>
          <thead><tr><th scope="col">Name</th><th scope="col">State</th><th scope="col">Size</th><th scope="col">SHA-256</th>{admin && <th scope="col">Actions</th>}</tr></thead>
          <tbody>
            {models.map((m) => (
              <tr key={m.sha256}>
                <td>{m.name}</td>
                <td><span class={`pill ${m.state ?? m.status ?? ''}`}>{m.state ?? m.status ?? 'active'}</span></td>
                <td>{formatBytes(m.size)}</td>
                <td><code title={m.sha256}>{m.sha256.slice(0, 12)}…</code></td>
                {admin && (
                  <td class="actions">
                    <button type="button" class="small" onClick={() => void act(m, 'verify')}>Verify</button>
                    {(m.state ?? m.status) === 'contained'
                      ? <button type="button" class="small" onClick={() => void act(m, 'release')}>Release</button>
                      : <button type="button" class="small" onClick={() => void act(m, 'contain')}>Contain</button>}
                    <button type="button" class="small danger" onClick={() => void act(m, 'delete')}>Delete</button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Recent imports</h2>
      {jobs.length === 0 ? <p class="hint">No imports yet.</p> : jobs.filter((j) => j.id !== live?.job.id).map((j) => <JobCard key={j.id} job={j} stage={j.stage} fraction={0} reasons={reasons} />)}
    </section>
  );
}

function JobCard(props: { job: Job; stage: string | null; fraction: number; reasons: Record<string, string>; live?: boolean }) {
  const { job } = props;
  const running = !FINAL.has(job.state);
  return (
    <article class={`card job ${job.state}`} data-testid={props.live ? 'live-job' : 'job'} aria-label={`Import of ${job.fileName}`}>
      <header class="row">
        <strong>{job.fileName}</strong>
        <span class={`pill ${job.state}`} data-testid="job-state">{job.state}</span>
        <small class="hint">{formatBytes(job.size)} · {formatTime(job.createdAt)}</small>
      </header>
      {running && props.live && (
        <p>
          <label for={`scan-${job.id}`}>Scanning{props.stage ? `: ${props.stage}` : ''}</label>
          <progress id={`scan-${job.id}`} max={1} value={props.fraction} />
        </p>
      )}
      {job.stages.length > 0 && (
        <ol class="stages" aria-label="Scan stages">
          {job.stages.map((s) => <li key={s.stage} class={s.status}>{s.stage}: {s.status} <small>({Math.round(s.ms)} ms)</small></li>)}
        </ol>
      )}
      {job.reasons.length > 0 && (
        <ul class="reasons" aria-label="Reasons" data-testid="reasons">
          {job.reasons.map((r, i) => (
            <li key={i}><strong>{props.reasons[r.code] ?? r.detail}</strong> <code class="code">{r.code}</code> <small class="hint">({r.stage}: {r.detail})</small></li>
          ))}
        </ul>
      )}
    </article>
  );
}
