import { ENV_VARS, loadConfig } from '../../server/src/config/config';

describe('configuration from the environment', () => {
  it('defaults to the embedded mode: SQLite under ./data, Meta’s Graph API, no Mongo', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, workerPort: 3001, databaseUrl: 'sqlite:./data/bus.sqlite', mongoUrl: undefined, graph: { url: 'https://graph.facebook.com' }, trustProxy: false });
  });

  it('reads production settings', () => {
    const c = loadConfig({ PORT: '8080', WORKER_PORT: '9101', DATABASE_URL: 'mysql://bus:pw@db:3306/bus', MONGO_URL: 'mongodb://mongo:27017/bus', GRAPH_API_URL: 'http://127.0.0.1:4010/', META_PIXEL_ID: '123456789', META_ACCESS_TOKEN: 'EAAxxxxxxxxxxxx', APP_SECRET: 'x'.repeat(32), TRUST_PROXY: '1' });
    expect(c).toMatchObject({ port: 8080, workerPort: 9101, graph: { url: 'http://127.0.0.1:4010' }, bootstrapPixel: { datasetId: '123456789' }, trustProxy: 1 });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ WORKER_PORT: '70000' }, /^Invalid configuration: WORKER_PORT must be a TCP port number from 0 to 65535$/],
    [{ WORKER_PORT: '3001x' }, /^Invalid configuration: WORKER_PORT must be a TCP port number/],
    [{ DATABASE_URL: 'postgres://x/y' }, /DATABASE_URL must be mysql/],
    [{ MONGO_URL: 'redis://x' }, /MONGO_URL must start with mongodb/],
    [{ GRAPH_API_URL: 'not a url' }, /GRAPH_API_URL must be an http\(s\) URL/],
    [{ META_PIXEL_ID: 'abc' }, /META_PIXEL_ID must be the numeric dataset/],
    [{ APP_SECRET: 'short' }, /APP_SECRET must be at least 16 characters/],
    [{ META_ACCESS_TOKEN: 'EAAxxxxxxxxxxxx' }, /META_PIXEL_ID is required/],
    [{ NODE_ENV: 'production' }, /APP_SECRET is required/],
  ])('stops with one line naming the bad setting: %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
    expect(() => loadConfig(env)).toThrow(/^[^\n]+$/);
  });

  it('lists every variable it reads, so docs and docker-compose can be checked against it', () => {
    expect(ENV_VARS).toEqual(expect.arrayContaining(['PORT', 'WORKER_PORT', 'DATABASE_URL', 'MONGO_URL', 'APP_SECRET', 'METRICS_TOKEN', 'TRUST_PROXY']));
    expect(new Set(ENV_VARS).size).toBe(ENV_VARS.length);
  });
});
