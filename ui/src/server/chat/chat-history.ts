import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { KeepError, writeFileAtomic } from '@keep/core';
import type { ToolRecord } from './tool-record.js';

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
  at: number;
  /** The person pressed stop: the answer is what had arrived by then. */
  stopped?: boolean;
  tools?: ToolRecord[];
}

export interface Chat {
  id: string;
  title: string;
  model: string;
  createdAt: number;
  updatedAt: number;
  messages: ChatMessage[];
}

const CHAT_ID = /^[0-9a-f]{16}$/;

/** Each person's conversations, one JSON file each under `<vault>/chats/<user>/`, theirs to delete. */
export class ChatHistory {
  constructor(private readonly vaultDir: string) {}

  private dir(username: string): string {
    const dir = join(this.vaultDir, 'chats', username);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  list(username: string): Omit<Chat, 'messages'>[] {
    const dir = this.dir(username);
    return readdirSync(dir).filter((f) => CHAT_ID.test(f.replace(/\.json$/, '')) && f.endsWith('.json'))
      .map((f) => this.read(username, f.slice(0, -5)))
      .map(({ messages: _messages, ...rest }) => rest)
      .sort((a, b) => b.updatedAt - a.updatedAt);
  }

  read(username: string, id: string): Chat {
    if (!CHAT_ID.test(id)) throw new KeepError('ui.chat_not_found', 'No such conversation', { status: 404 });
    try {
      return JSON.parse(readFileSync(join(this.dir(username), `${id}.json`), 'utf8')) as Chat;
    } catch {
      throw new KeepError('ui.chat_not_found', `No conversation ${id}`, { status: 404 });
    }
  }

  create(model: string, firstMessage: string, now: number): Chat {
    const title = firstMessage.replace(/\s+/g, ' ').trim().slice(0, 60) || 'New chat';
    return { id: randomBytes(8).toString('hex'), title, model, createdAt: now, updatedAt: now, messages: [] };
  }

  save(username: string, chat: Chat): void {
    writeFileAtomic(join(this.dir(username), `${chat.id}.json`), JSON.stringify(chat), 0o600);
  }

  delete(username: string, id: string): void {
    this.read(username, id);
    rmSync(join(this.dir(username), `${id}.json`), { force: true });
  }

  deleteAll(username: string): number {
    const chats = this.list(username);
    for (const chat of chats) rmSync(join(this.dir(username), `${chat.id}.json`), { force: true });
    return chats.length;
  }
}
