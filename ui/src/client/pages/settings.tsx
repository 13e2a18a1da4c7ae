import { useEffect, useState } from 'preact/hooks';
import { api, formatTime, type User } from '../api';
import { ErrorLine } from '../parts/notice';

interface SessionRow { ref: string; createdAt: number; lastSeen: number; userAgent: string; current: boolean }
interface PolicyFile { path: string; sha256: string; size: number; text?: string }
interface Account { username: string; role: string; createdAt: number; createdBy: string }

export function SettingsPage(props: { user: User; onAuthLost: (e: unknown) => void; onSignedOut: () => Promise<void> }) {
  const [sessions, setSessions] = useState<SessionRow[]>([]);
  const [policy, setPolicy] = useState<{ configDir: string; files: PolicyFile[] } | null>(null);
  const [users, setUsers] = useState<Account[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState('');
  const admin = props.user.role === 'admin';
  const fail = (e: unknown): void => {
    setError(e);
    props.onAuthLost(e);
  };
  const load = (): void => {
    void api<{ sessions: SessionRow[] }>('GET', '/api/sessions').then((r) => setSessions(r.sessions), fail);
    void api<{ configDir: string; files: PolicyFile[] }>('GET', '/api/policy').then(setPolicy, fail);
    if (admin) void api<{ users: Account[] }>('GET', '/api/users').then((r) => setUsers(r.users), fail);
  };
  useEffect(load, []);

  const changePassphrase = async (event: Event): Promise<void> => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    if (form.get('next') !== form.get('again')) {
      setError(new Error('The two new passphrases differ'));
      return;
    }
    try {
      await api('POST', '/api/passphrase', { current: String(form.get('current')), next: String(form.get('next')) });
      await props.onSignedOut();
    } catch (e) {
      fail(e);
    }
  };
  const endSession = async (ref: string): Promise<void> => {
    await api('DELETE', `/api/sessions/${ref}`).catch(fail);
    load();
  };
  const addUser = async (event: Event): Promise<void> => {
    event.preventDefault();
    const formElement = event.currentTarget as HTMLFormElement;
    const form = new FormData(formElement);
    setError(null);
    try {
      await api('POST', '/api/users', { username: String(form.get('new-username')), role: String(form.get('new-role')), passphrase: String(form.get('new-passphrase')) });
      setNotice(`Added ${String(form.get('new-username'))}. Give them their passphrase in person.`);
      formElement.reset();
      load();
    } catch (e) {
      fail(e);
    }
  };

  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <ErrorLine error={error} />
      {notice && <p role="status" class="ok">{notice}</p>}
      <div class="grid">
        <form class="card" onSubmit={(e) => void changePassphrase(e)} aria-labelledby="pass-title">
          <h2 id="pass-title">Passphrase</h2>
          <p class="hint">Changing it signs you out everywhere.</p>
          <label for="current">Current passphrase</label>
          <input id="current" name="current" type="password" autoComplete="current-password" required />
          <label for="next">New passphrase (15 to 256 characters)</label>
          <input id="next" name="next" type="password" autoComplete="new-password" minLength={15} maxLength={256} required />
          <label for="again">New passphrase again</label>
          <input id="again" name="again" type="password" autoComplete="new-password" minLength={15} maxLength={256} required />
          <button type="submit">Change passphrase</button>
        </form>
        <div class="card">
          <h2>Your sessions</h2>
          <ul class="sessions">
            {sessions.map((s) => (
              <li key={s.ref}>
                <span>{s.userAgent.slice(0, 60) || 'unknown browser'} · since {formatTime(s.createdAt)}{s.current && <strong> (this one)</strong>}</span>
                {!s.current && <button type="button" class="small" onClick={() => void endSession(s.ref)}>End</button>}
              </li>
            ))}
          </ul>
        </div>
      </div>
      {admin && (
        <div class="card">
          <h2 id="users-title">People</h2>
          <table aria-labelledby="users-title">
            <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col">By</th></tr></thead>
            <tbody>{users.map((u) => <tr key={u.username}><td>{u.username}</td><td>{u.role}</td><td>{formatTime(u.createdAt)}</td><td>{u.createdBy}</td></tr>)}</tbody>
          </table>
          <form class="row" onSubmit={(e) => void addUser(e)} aria-label="Add a person">
            <label for="new-username">Name</label>
            <input id="new-username" name="new-username" pattern="[a-z][a-z0-9_\-]{1,31}" required autoComplete="off" />
            <label for="new-role">Role</label>
            <select id="new-role" name="new-role"><option value="user">user</option><option value="admin">admin</option></select>
            <label for="new-passphrase">Passphrase</label>
            <input id="new-passphrase" name="new-passphrase" type="password" minLength={15} maxLength={256} required autoComplete="new-password" />
            <button type="submit">Add person</button>
          </form>
        </div>
      )}
      <div class="card">
        <h2>Policy</h2>
        <p class="hint">Policy is edited as files in {policy?.configDir ?? '/etc/keep'} and applied with <code>keepctl policy reload</code>; here it is read-only, with each file's SHA-256.</p>
        {policy && policy.files.length === 0 && <p class="hint">No policy files: every service runs on its built-in defaults, which are the strict ones.</p>}
        {policy?.files.map((f) => (
          <details key={f.path}>
            <summary><code>{f.path}</code> <small class="hint">sha256 {f.sha256}</small></summary>
            {f.text !== undefined && <pre>{f.text}</pre>}
          </details>
        ))}
      </div>
    </section>
  );
}
