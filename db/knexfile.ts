import { knexConfig } from '../server/src/shared/db';

/** For the Knex CLI (`npx knex --knexfile db/knexfile.ts migrate:status`); the npm scripts use the same config. */
export default knexConfig(process.env.DATABASE_URL ?? 'sqlite:./data/bus.sqlite');
