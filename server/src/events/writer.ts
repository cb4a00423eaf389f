import type { EventRepository, NewEvent } from './repository';

interface Pending {
  events: NewEvent[];
  resolve: (r: Array<'inserted' | 'duplicate'>) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit for intake: events from concurrent requests are gathered while the previous
 * write is in flight and committed together in one transaction (one multi-row INSERT), so
 * acknowledging after commit stays cheap under load. A request's promise settles only after
 * the transaction holding its events has committed (or failed, in which case nothing of it
 * was written).
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly repo: EventRepository,
    private readonly opts: { maxInFlight: number; maxRows: number } = { maxInFlight: 8, maxRows: 1000 },
  ) {}

  write(events: NewEvent[]): Promise<Array<'inserted' | 'duplicate'>> {
    if (!events.length) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.opts.maxInFlight || !this.queue.length) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.opts.maxInFlight || !this.queue.length) return;
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length && (rows === 0 || rows + this.queue[0]!.events.length <= this.opts.maxRows)) {
      const p = this.queue.shift()!;
      batch.push(p);
      rows += p.events.length;
    }
    this.inFlight++;
    try {
      const results = await this.repo.insertMany(batch.flatMap((p) => p.events));
      let offset = 0;
      for (const p of batch) {
        p.resolve(results.slice(offset, offset + p.events.length));
        offset += p.events.length;
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }
}
