import { Agenda, type AgendaBackend } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from '../shared/db';
import { KnexAgendaBackend } from '../worker/knex-agenda-backend';

/** Hands on-demand work to the worker's Agenda. The API process may run without a worker. */
export interface JobQueue {
  enqueue(name: string, data: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Enqueues through an Agenda instance that is never started in this process: it only writes the
 * job to the same store the worker polls (MongoDB when MONGO_URL is set, else the SQL database).
 * When the process also runs the worker, `use()` hands over the started instance instead.
 */
export class AgendaJobQueue implements JobQueue {
  private agenda: Agenda | undefined;
  private backend: AgendaBackend | undefined;

  constructor(private readonly opts: { mongoUrl?: string; db: Db }) {}

  use(agenda: Agenda): void {
    this.agenda = agenda;
    this.backend = undefined;
  }

  private connectError: unknown;

  private client(): Agenda {
    if (!this.agenda) {
      const inner: AgendaBackend = this.opts.mongoUrl ? new MongoBackend({ address: this.opts.mongoUrl, collection: 'agendaJobs' }) : new KnexAgendaBackend({ db: this.opts.db });
      // Agenda's constructor connects without handling a failure (an unhandled rejection would end
      // the API process): the failure is kept here and reported by enqueue() instead.
      this.connectError = undefined;
      const backend = Object.create(inner) as AgendaBackend;
      backend.connect = async () => {
        try {
          await inner.connect();
        } catch (err) {
          this.connectError = err;
        }
      };
      this.backend = inner;
      this.agenda = new Agenda({ backend, name: `mcb-api-${process.pid}` });
    }
    return this.agenda;
  }

  async enqueue(name: string, data: Record<string, unknown>): Promise<void> {
    const agenda = this.client();
    await agenda.ready;
    if (this.connectError) {
      const err = this.connectError;
      this.agenda = undefined; // try a fresh connection next time
      this.backend = undefined;
      throw err;
    }
    await agenda.now(name, data);
  }

  async close(): Promise<void> {
    // Our own instance was never started, so Agenda's stop() would not disconnect it. The SQL
    // backend shares the app's pool (its owner closes it); a started instance is its owner's.
    if (this.backend && this.opts.mongoUrl) await this.backend.disconnect();
    this.agenda = undefined;
    this.backend = undefined;
  }
}
