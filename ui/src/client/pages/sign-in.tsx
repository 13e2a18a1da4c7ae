import { useState } from 'preact/hooks';
import { ApiError, api, setCsrf, type SessionState } from '../api';
import { ErrorLine } from '../parts/notice';

function useSubmit(onDone: () => Promise<void>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (path: string, body: unknown): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const session = await api<SessionState>('POST', path, body);
      setCsrf(session.csrf);
      await onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { error, busy, submit };
}

export function SignInPage(props: { onDone: () => Promise<void> }) {
  const { error, busy, submit } = useSubmit(props.onDone);
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    void submit('/api/signin', { username: String(form.get('username')), passphrase: String(form.get('passphrase')) });
  };
  const wait = error instanceof ApiError && error.retryAfter ? error.retryAfter : null;
  return (
    <main class="centered">
      <form class="card narrow" onSubmit={onSubmit} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Keep</h1>
        <label for="username">Name</label>
        <input id="username" name="username" autoComplete="username" required autoFocus />
        <label for="passphrase">Passphrase</label>
        <input id="passphrase" name="passphrase" type="password" autoComplete="current-password" required />
        <ErrorLine error={error} />
        {wait !== null && <p class="hint" data-testid="retry-after">Wait {wait} s before the next try: each wrong passphrase doubles the wait, up to half a minute.</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        <p class="hint">Forgot it? An admin can add you a fresh account; the appliance never locks you out for good.</p>
      </form>
    </main>
  );
}

export function SetupPage(props: { onDone: () => Promise<void> }) {
  const { error, busy, submit } = useSubmit(props.onDone);
  const onSubmit = (event: Event): void => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    void submit('/api/setup', { code: String(form.get('code')), username: String(form.get('username')), passphrase: String(form.get('passphrase')) });
  };
  return (
    <main class="centered">
      <form class="card narrow" onSubmit={onSubmit} aria-labelledby="setup-title">
        <h1 id="setup-title">Welcome to Keep</h1>
        <p>Create the first admin. The one-time setup code is on the appliance's console (in dev: the launcher's output).</p>
        <label for="code">Setup code</label>
        <input id="code" name="code" autoComplete="off" spellcheck={false} placeholder="XXXXX-XXXXX-XXXXX-XXXXX" required autoFocus />
        <label for="username">Admin name</label>
        <input id="username" name="username" autoComplete="username" pattern="[a-z][a-z0-9_\-]{1,31}" required aria-describedby="username-hint" />
        <p id="username-hint" class="hint">Lowercase letters, digits, _ and -, starting with a letter.</p>
        <label for="passphrase">Passphrase</label>
        <input id="passphrase" name="passphrase" type="password" autoComplete="new-password" minLength={15} maxLength={256} required aria-describedby="pass-hint" />
        <p id="pass-hint" class="hint">15 to 256 characters. A few unrelated words make a good one.</p>
        <ErrorLine error={error} />
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create admin'}</button>
      </form>
    </main>
  );
}
