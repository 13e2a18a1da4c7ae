import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, setCsrf, type SessionState } from './api';
import { ChatPage } from './pages/chat';
import { FilesPage } from './pages/files';
import { ModelsPage } from './pages/models';
import { SecurityPage } from './pages/security';
import { SettingsPage } from './pages/settings';
import { SetupPage, SignInPage } from './pages/sign-in';

const PAGES = [
  { id: 'chat', title: 'Chat' },
  { id: 'files', title: 'Files' },
  { id: 'models', title: 'Models' },
  { id: 'security', title: 'Security' },
  { id: 'settings', title: 'Settings' },
] as const;
type PageId = (typeof PAGES)[number]['id'];

const pageFromHash = (): PageId => {
  const id = location.hash.replace(/^#\/?/, '');
  return (PAGES.find((p) => p.id === id)?.id ?? 'chat');
};

export function App() {
  const [session, setSession] = useState<SessionState | null>(null);
  const [failure, setFailure] = useState('');
  const [page, setPage] = useState<PageId>(pageFromHash());

  const refresh = async (): Promise<void> => {
    try {
      const next = await api<SessionState>('GET', '/api/session');
      setCsrf(next.csrf);
      setSession(next);
      setFailure('');
    } catch (error) {
      setFailure(error instanceof ApiError ? error.detail : 'Keep cannot be reached');
    }
  };
  useEffect(() => {
    void refresh();
    const onHash = (): void => setPage(pageFromHash());
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const title = PAGES.find((p) => p.id === page)?.title ?? 'Keep';
    document.title = session?.state === 'signed-in' ? `${title} · Keep` : 'Keep';
  }, [page, session]);

  if (failure) return <main class="centered"><p role="alert" class="error">{failure}</p></main>;
  if (!session) return <main class="centered"><p>Loading Keep…</p></main>;
  if (session.state === 'setup') return <SetupPage onDone={refresh} />;
  if (session.state === 'signed-out' || !session.user) return <SignInPage onDone={refresh} />;

  const user = session.user;
  const signOut = async (): Promise<void> => {
    await api('POST', '/api/signout').catch(() => undefined);
    await refresh();
  };
  /** Any call that finds the session gone sends the person back to sign-in. */
  const onAuthLost = (error: unknown): void => {
    if (error instanceof ApiError && (error.code === 'ui.not_signed_in' || error.code === 'ui.csrf_invalid')) void refresh();
  };
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand" aria-label="Keep">Keep</span>
        <nav aria-label="Main">
          <ul>
            {PAGES.map((p) => (
              <li key={p.id}><a href={`#/${p.id}`} aria-current={p.id === page ? 'page' : undefined}>{p.title}</a></li>
            ))}
          </ul>
        </nav>
        <span class="who">{user.username} <small>({user.role})</small></span>
        <button type="button" class="quiet" onClick={signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        {page === 'chat' && <ChatPage user={user} onAuthLost={onAuthLost} />}
        {page === 'files' && <FilesPage onAuthLost={onAuthLost} />}
        {page === 'models' && <ModelsPage user={user} onAuthLost={onAuthLost} />}
        {page === 'security' && <SecurityPage user={user} onAuthLost={onAuthLost} />}
        {page === 'settings' && <SettingsPage user={user} onAuthLost={onAuthLost} onSignedOut={refresh} />}
      </main>
    </div>
  );
}
