import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import type { Db } from '../shared/db';
import { KnexAgendaBackend } from './knex-agenda-backend';
import { defineJobs, scheduleJobs, type JobDeps } from './jobs';

/**
 * Agenda on MongoDB (the official backend) when MONGO_URL is set, else on the SQL database the
 * bus already uses, so the embedded default and MySQL-only deployments need nothing else.
 */
export async function startAgenda(opts: { mongoUrl?: string; db: Db; deps: JobDeps; processEvery?: string | number }): Promise<Agenda> {
  const backend = opts.mongoUrl ? new MongoBackend({ address: opts.mongoUrl, collection: 'agendaJobs' }) : new KnexAgendaBackend({ db: opts.db });
  const agenda = new Agenda({ backend, name: `mcb-${process.pid}`, processEvery: opts.processEvery ?? '5 seconds', defaultLockLifetime: 10 * 60_000 });
  agenda.on('error', (err: Error) => opts.deps.logger.error({ err, component: 'worker' }, 'agenda error'));
  defineJobs(agenda, opts.deps);
  await agenda.start();
  await scheduleJobs(agenda);
  return agenda;
}
