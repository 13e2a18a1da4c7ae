import { Router } from 'express';
import { z } from 'zod';
import { isKeepError, parseInput } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { accountOf, actorOf, requireSignedIn } from '../auth/session-middleware.js';
import { SseLines, deltaText } from '../chat/sse-lines.js';
import { readJsonReply } from '../upstream/upstream.js';

const sendBody = z.strictObject({
  chatId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  model: z.string().min(1).max(200),
  content: z.string().trim().min(1).max(32_000),
});

/**
 * Chat: the promoted models to pick from, each person's history, and one turn streamed
 * from keep-inference as NDJSON lines (`chat`, `delta`…, `done` or `error`). Closing the
 * request (the stop button) aborts the engine's answer and keeps what had arrived.
 */
export function chatRoutes(deps: UiAppDeps): Router {
  const router = Router();
  const user = (res: Parameters<typeof accountOf>[0]): string => accountOf(res)!.username;

  router.get('/chat/models', requireSignedIn, async (_req, res) => {
    const reply = await deps.upstream.call<{ data: { id: string; sha256: string; size: number }[] }>('keep-inference', 'inference:chat', { path: '/v1/models' });
    res.json({ models: reply.data.map((m) => ({ name: m.id, sha256: m.sha256, size: m.size })) });
  });

  router.get('/chats', requireSignedIn, (_req, res) => {
    res.json({ chats: deps.chats.list(user(res)) });
  });

  router.get('/chats/:id', requireSignedIn, (req, res) => {
    res.json({ chat: deps.chats.read(user(res), String(req.params['id'])) });
  });

  router.delete('/chats/:id', requireSignedIn, async (req, res) => {
    deps.chats.delete(user(res), String(req.params['id']));
    await deps.audit.append({ actor: actorOf(res), action: 'ui.chat_delete', target: `chat:${String(req.params['id'])}`, decision: 'info', reason: 'ok' });
    res.json({ deleted: req.params['id'] });
  });

  router.delete('/chats', requireSignedIn, async (_req, res) => {
    const deleted = deps.chats.deleteAll(user(res));
    await deps.audit.append({ actor: actorOf(res), action: 'ui.chat_delete_all', decision: 'info', reason: 'ok', details: { deleted } });
    res.json({ deleted });
  });

  router.post('/chat', requireSignedIn, async (req, res) => {
    const body = parseInput(sendBody, req.body);
    const username = user(res);
    const now = deps.clock();
    const chat = body.chatId ? deps.chats.read(username, body.chatId) : deps.chats.create(body.model, body.content, now);
    chat.model = body.model;
    chat.messages.push({ role: 'user', content: body.content, at: now });
    chat.updatedAt = now;
    deps.chats.save(username, chat);

    const abort = new AbortController();
    let finished = false;
    res.on('close', () => {
      if (!finished) abort.abort();
    });
    const upstream = await deps.upstream.open('keep-inference', 'inference:chat', {
      method: 'POST', path: '/v1/chat/completions', signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ model: body.model, stream: true, max_tokens: 512, messages: chat.messages.map((m) => ({ role: m.role, content: m.content })) }),
    });
    if (upstream.statusCode !== 200) {
      await readJsonReply(upstream, 'keep-inference');
      return;
    }
    res.status(200).set({ 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const line = (value: unknown): void => void res.write(`${JSON.stringify(value)}\n`);
    line({ type: 'chat', chatId: chat.id, title: chat.title });
    const lines = new SseLines();
    let answer = '';
    let stopped = false;
    try {
      for await (const chunk of upstream as AsyncIterable<Buffer>) {
        for (const payload of lines.push(chunk.toString('utf8'))) {
          const text = deltaText(payload);
          if (text) {
            answer += text;
            line({ type: 'delta', content: text });
          }
        }
      }
    } catch (error) {
      if (abort.signal.aborted) stopped = true;
      else line({ type: 'error', code: isKeepError(error) ? error.code : 'http.upstream_error', detail: 'The answer stream broke off' });
    }
    if (abort.signal.aborted) stopped = true;
    chat.messages.push({ role: 'assistant', content: answer, at: deps.clock(), ...(stopped ? { stopped: true } : {}) });
    chat.updatedAt = deps.clock();
    deps.chats.save(username, chat);
    finished = true;
    line({ type: 'done', stopped });
    res.end();
  });
  return router;
}
