import { watch, readdirSync, type FSWatcher } from 'node:fs';

export interface InboxWatcherOptions {
  inbox: string;
  /** Full sweep period: fs.watch can drop events (overflow, a restart), the sweep cannot. */
  sweepEveryMs: number;
  /** Called for each entry name seen; must cope with entries that vanish meanwhile. */
  onEntry: (name: string) => void;
  onError: (error: unknown) => void;
}

/**
 * Watches the inbox with inotify (fs.watch) and sweeps it on a timer and at start.
 * Names are handed over one at a time; `.partial` (the writers' staging folder) is
 * skipped, everything else — including odd names — is the claimer's to judge.
 */
export class InboxWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private scheduled = false;

  constructor(private readonly options: InboxWatcherOptions) {}

  start(): void {
    this.watcher = watch(this.options.inbox, { persistent: false }, () => this.schedule());
    this.watcher.on('error', (error) => this.options.onError(error));
    this.timer = setInterval(() => this.schedule(), this.options.sweepEveryMs);
    this.timer.unref();
    this.schedule();
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Coalesces a burst of events into one directory read on the next tick. */
  private schedule(): void {
    if (this.scheduled || this.watcher === null) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.sweep();
    });
  }

  private sweep(): void {
    let names: string[];
    try {
      names = readdirSync(this.options.inbox);
    } catch (error) {
      this.options.onError(error);
      return;
    }
    for (const name of names.sort()) {
      if (name === '.partial') continue;
      try {
        this.options.onEntry(name);
      } catch (error) {
        this.options.onError(error);
      }
    }
  }
}
