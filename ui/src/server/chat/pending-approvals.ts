export type ApprovalOutcome = 'granted' | 'denied' | 'expired';

interface Waiting {
  username: string;
  chatId: string;
  resolve: (outcome: ApprovalOutcome) => void;
  timer: NodeJS.Timeout;
}

/**
 * The approvals a chat turn is waiting on, by firewall approval id. Only the person
 * whose chat it is can answer one (through the grant/deny routes, CSRF-protected);
 * an approval past its expiry resolves as expired, and a stopped turn withdraws its own.
 */
export class PendingApprovals {
  readonly #waiting = new Map<string, Waiting>();

  wait(approvalId: string, owner: { username: string; chatId: string }, expiresAt: number, now: number): Promise<ApprovalOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(approvalId, 'expired'), Math.max(0, expiresAt - now));
      this.#waiting.set(approvalId, { ...owner, resolve, timer });
    });
  }

  /** The owner of a pending approval, if this server is waiting on it. */
  ownerOf(approvalId: string): string | undefined {
    return this.#waiting.get(approvalId)?.username;
  }

  settle(approvalId: string, outcome: ApprovalOutcome): boolean {
    const waiting = this.#waiting.get(approvalId);
    if (!waiting) return false;
    clearTimeout(waiting.timer);
    this.#waiting.delete(approvalId);
    waiting.resolve(outcome);
    return true;
  }

  /** The ids a chat turn still waits on (to withdraw them when the person presses stop). */
  idsOfChat(chatId: string): string[] {
    return [...this.#waiting].filter(([, w]) => w.chatId === chatId).map(([id]) => id);
  }
}
