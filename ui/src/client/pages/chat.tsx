import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, csrfToken, errorOf, type User } from '../api';
import { EmptyState, ErrorLine } from '../parts/notice';
import { ToolCallCard, type ToolView } from '../parts/tool-call-card';
import { foldToolEvent } from '../../server/chat/tool-record';

interface Message { role: 'user' | 'assistant'; content: string; stopped?: boolean; tools?: ToolView[] }
interface ChatSummary { id: string; title: string; model: string; updatedAt: number }
interface ModelChoice { name: string; sha256: string }

export function ChatPage(props: { user: User; onAuthLost: (e: unknown) => void }) {
  const [models, setModels] = useState<ModelChoice[] | null>(null);
  const [model, setModel] = useState('');
  const [chats, setChats] = useState<ChatSummary[]>([]);
  const [chatId, setChatId] = useState<string | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState('');
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const abort = useRef<AbortController | null>(null);
  const log = useRef<HTMLOListElement>(null);

  const fail = (e: unknown): void => {
    setError(e);
    props.onAuthLost(e);
  };
  const loadChats = (): Promise<void> => api<{ chats: ChatSummary[] }>('GET', '/api/chats').then((r) => setChats(r.chats), fail);
  useEffect(() => {
    void Promise.all([
      api<{ models: ModelChoice[] }>('GET', '/api/chat/models').then((r) => {
        setModels(r.models);
        setModel((m) => m || r.models[0]?.name || '');
      }, (e: unknown) => {
        setModels([]);
        fail(e);
      }),
      loadChats(),
    ]).then(() => {
      // The moment the page can take a question: the browser test reads it.
      document.body.dataset['chatReady'] = String(Math.round(performance.now()));
    });
  }, []);
  useEffect(() => {
    log.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [messages]);

  const open = async (id: string): Promise<void> => {
    try {
      const { chat } = await api<{ chat: { id: string; model: string; messages: Message[] } }>('GET', `/api/chats/${id}`);
      setChatId(chat.id);
      setMessages(chat.messages);
      if (models?.some((m) => m.name === chat.model)) setModel(chat.model);
    } catch (e) {
      fail(e);
    }
  };
  const remove = async (id: string): Promise<void> => {
    await api('DELETE', `/api/chats/${id}`).catch(fail);
    if (id === chatId) newChat();
    await loadChats();
  };
  const removeAll = async (): Promise<void> => {
    if (!confirm('Delete every conversation you have had? This cannot be undone.')) return;
    await api('DELETE', '/api/chats').catch(fail);
    newChat();
    await loadChats();
  };
  const newChat = (): void => {
    setChatId(null);
    setMessages([]);
    setError(null);
  };

  const answered = (callId: string, answer: 'granted' | 'denied'): void => setMessages((all) => all.map((m) => (m.tools?.some((t) => t.callId === callId)
    ? { ...m, tools: m.tools.map((t) => (t.callId === callId && t.approval ? { ...t, approval: { ...t.approval, answered: answer } } : t)) }
    : m)));

  const send = async (event: Event): Promise<void> => {
    event.preventDefault();
    const content = draft.trim();
    if (!content || !model || streaming) return;
    setError(null);
    setDraft('');
    setStreaming(true);
    setMessages((m) => [...m, { role: 'user', content }, { role: 'assistant', content: '' }]);
    const controller = new AbortController();
    abort.current = controller;
    const appendToAnswer = (update: (last: Message) => Message): void =>
      setMessages((m) => [...m.slice(0, -1), update(m[m.length - 1] as Message)]);
    try {
      const res = await fetch('/api/chat', {
        method: 'POST', signal: controller.signal,
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
        body: JSON.stringify({ model, content, ...(chatId ? { chatId } : {}) }),
      });
      if (!res.ok || !res.body) throw await errorOf(res);
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffer.slice(0, newline)) as { type: string; content?: string; chatId?: string; code?: string; detail?: string };
          buffer = buffer.slice(newline + 1);
          if (line.type === 'chat' && line.chatId) setChatId(line.chatId);
          else if (line.type === 'delta') appendToAnswer((last) => ({ ...last, content: last.content + (line.content ?? '') }));
          else if (line.type === 'error') setError(new ApiError(502, line.code ?? 'http.upstream_error', line.detail ?? 'The answer broke off', null));
          else if (line.type !== 'done') appendToAnswer((last) => ({ ...last, tools: foldToolEvent(last.tools ?? [], line) }));
        }
      }
    } catch (e) {
      if (controller.signal.aborted) appendToAnswer((last) => ({ ...last, stopped: true }));
      else fail(e);
    } finally {
      abort.current = null;
      setStreaming(false);
      void loadChats();
    }
  };

  if (models !== null && models.length === 0) {
    return (
      <section aria-labelledby="chat-title">
        <h1 id="chat-title">Chat</h1>
        <ErrorLine error={error} />
        <EmptyState title="No model is ready to chat yet">
          {props.user.role === 'admin'
            ? <>Import one on the <a href="#/models">Models</a> page: once it passes the quarantine's scan and is promoted, it appears here.</>
            : <>An admin imports models on the Models page; once one passes the quarantine's scan it appears here.</>}
        </EmptyState>
      </section>
    );
  }

  return (
    <section class="chat" aria-labelledby="chat-title">
      <aside class="chat-list" aria-label="Conversations">
        <button type="button" onClick={newChat}>New chat</button>
        {chats.length === 0 ? <p class="hint">Your conversations are kept here, for you only, until you delete them.</p> : (
          <ul>
            {chats.map((c) => (
              <li key={c.id} class={c.id === chatId ? 'current' : ''}>
                <button type="button" class="link" onClick={() => void open(c.id)}>{c.title}</button>
                <button type="button" class="quiet small" aria-label={`Delete conversation ${c.title}`} onClick={() => void remove(c.id)}>✕</button>
              </li>
            ))}
          </ul>
        )}
        {chats.length > 0 && <button type="button" class="quiet small danger" onClick={() => void removeAll()}>Delete all history</button>}
      </aside>
      <div class="chat-main">
        <div class="chat-head">
          <h1 id="chat-title">Chat</h1>
          <label for="model">Model</label>
          <select id="model" value={model} onChange={(e) => setModel((e.currentTarget as HTMLSelectElement).value)} disabled={streaming}>
            {(models ?? []).map((m) => <option key={m.sha256} value={m.name}>{m.name}</option>)}
          </select>
        </div>
        <ol class="messages" ref={log} aria-live="polite" aria-label="Messages">
          {messages.length === 0 && <li class="hint">Ask anything. Answers come from the model on this box; nothing leaves it.</li>}
          {messages.map((m, i) => (
            <li key={i} class={`msg ${m.role}`} data-role={m.role}>
              <span class="sr-only">{m.role === 'user' ? 'You' : 'Model'}: </span>
              {m.tools?.map((t) => <ToolCallCard key={t.callId} view={t} onAnswered={answered} />)}
              {(m.content || !m.tools?.length) && <div class="bubble">{m.content || (streaming && i === messages.length - 1 ? '…' : '')}</div>}
              {m.stopped && <small class="hint">stopped</small>}
            </li>
          ))}
        </ol>
        <ErrorLine error={error} />
        <form class="composer" onSubmit={(e) => void send(e)}>
          <label for="message" class="sr-only">Message</label>
          <textarea id="message" rows={2} value={draft} placeholder="Message" disabled={models === null}
            onInput={(e) => setDraft((e.currentTarget as HTMLTextAreaElement).value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && !e.shiftKey) void send(e);
            }} />
          {streaming
            ? <button type="button" class="danger" onClick={() => abort.current?.abort()}>Stop</button>
            : <button type="submit" disabled={!draft.trim() || !model}>Send</button>}
        </form>
      </div>
    </section>
  );
}
