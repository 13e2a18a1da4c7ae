import { Router } from 'express';
import { z } from 'zod';
import { parseInput, runChatLoop, type ChatLoopEvent, type ChatMessage as LoopMessage } from '@keep/core';
import type { UiAppDeps } from '../app.js';
import { accountOf, actorOf, requireSignedIn, sessionOf } from '../auth/session-middleware.js';
import { foldToolEvent, type ToolRecord } from '../chat/tool-record.js';

const sendBody = z.strictObject({
  chatId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  model: z.string().min(1).max(200),
  content: z.string().trim().min(1).max(32_000),
});

/**
 * Chat: the promoted models to pick from, each person's history, and one turn run by
 * core's chat loop (keep-inference for the answer, keep-firewall for every tool call),
 * streamed to the page as NDJSON lines: `chat`, then `delta`, `tool_call`, `decision`,
 * `approval_required`, `tool_result`, and `done` or `error`. A call waiting for approval
 * waits for the person whose chat it is. Closing the request (the stop button) stops
 * the stream, withdraws the turn's pending approvals, and keeps what had arrived.
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
    const sessionRef = sessionOf(res)!.idSha256.slice(0, 16);
    const now = deps.clock();
    const chat = body.chatId ? deps.chats.read(username, body.chatId) : deps.chats.create(body.model, body.content, now);
    chat.model = body.model;
    chat.messages.push({ role: 'user', content: body.content, at: now });
    chat.updatedAt = now;
    deps.chats.save(username, chat);
    const history: LoopMessage[] = chat.messages.map((m) => (m.role === 'user' ? { role: 'user', content: m.content } : { role: 'assistant', content: m.content }));

    let stopped = false;
    let finished = false;
    res.on('close', () => {
      if (finished) return;
      stopped = true;
      // Withdraw what this turn still waits on, here and at the firewall, so nothing is left to grant.
      for (const id of deps.approvals.idsOfChat(chat.id)) {
        deps.approvals.settle(id, 'denied');
        deps.upstream.call('keep-firewall', 'firewall:grantor', { method: 'POST', path: `/v1/approvals/${id}/deny`, body: { principal: actorOf(res) } })
          .catch((error: unknown) => deps.log.warn('Cannot withdraw an approval', { id, error }));
      }
    });
    res.status(200).set({ 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
    const line = (value: unknown): void => {
      if (!stopped) res.write(`${JSON.stringify(value)}\n`);
    };
    line({ type: 'chat', chatId: chat.id, title: chat.title });
    let answer = '';
    let tools: ToolRecord[] = [];
    const onEvent = (event: ChatLoopEvent): void => {
      if (stopped) return;
      if (event.type === 'token') {
        answer += event.text;
        line({ type: 'delta', content: event.text });
      } else if (event.type === 'done') {
        if (event.error) line({ type: 'error', code: event.error.code, detail: event.error.message });
      } else {
        tools = foldToolEvent(tools, event);
        line(event);
      }
    };
    await runChatLoop({
      inference: deps.upstream.target('keep-inference', 'inference:chat'),
      firewall: deps.upstream.target('keep-firewall', 'firewall:caller'),
      model: body.model, messages: history,
      ...(deps.config.chatMaxTokens === undefined ? {} : { maxTokens: deps.config.chatMaxTokens }),
      caller: `chat:${sessionRef}`, session: sessionRef, user: username,
      onEvent,
      awaitApproval: (request) => (stopped ? Promise.resolve('denied') : deps.approvals.wait(request.approvalId, { username, chatId: chat.id }, request.expiresAt, deps.clock())),
    });
    chat.messages.push({ role: 'assistant', content: answer, at: deps.clock(), ...(tools.length > 0 ? { tools } : {}), ...(stopped ? { stopped: true } : {}) });
    chat.updatedAt = deps.clock();
    deps.chats.save(username, chat);
    finished = true;
    line({ type: 'done', stopped });
    res.end();
  });
  return router;
}
