/**
 * Runs the Graph API emulator: `npm run graph:emulator`.
 * PORT (default 4010), HOST (default 127.0.0.1), EMULATOR_LATENCY_MS (default 0),
 * EMULATOR_ACCESS_TOKENS (comma-separated valid tokens; default: any non-empty token),
 * EMULATOR_KEEP_EVENTS (accepted events kept for inspection, the newest; default 100000).
 */
import { createGraphEmulator } from './emulator';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return n;
}

const USAGE = `
Usage: npm run graph:emulator

A local stand-in for Meta's Graph API: answers POST /v<N>/<pixel>/events as Meta does, validates
what it receives and records it. Point the bus at it with GRAPH_API_URL=http://127.0.0.1:4010.

Environment:
  PORT                     port to listen on (default 4010)
  HOST                     address to bind (default 127.0.0.1)
  EMULATOR_LATENCY_MS      added latency per request (default 0)
  EMULATOR_ACCESS_TOKENS   comma-separated valid tokens (default: any non-empty token)
  EMULATOR_KEEP_EVENTS     accepted events kept for GET /__emulator/events, the newest (default 100000;
                           GET /__emulator/stats counts all of them)

Controls: GET /__emulator/events, GET /__emulator/requests, GET /__emulator/stats,
POST /__emulator/configure (failures, latency), POST /__emulator/reset.
`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${USAGE.trim()}\n`);
    return;
  }
  if (args.length) throw new Error(`Unexpected argument "${args[0]}" (the emulator is configured by environment variables; see --help)`);
  const port = intEnv('PORT', 4010);
  const host = process.env.HOST || '127.0.0.1';
  const latencyMs = intEnv('EMULATOR_LATENCY_MS', 0);
  const tokens = process.env.EMULATOR_ACCESS_TOKENS?.split(',').map((t) => t.trim()).filter(Boolean);
  const keepEvents = intEnv('EMULATOR_KEEP_EVENTS', 100_000);
  const emulator = createGraphEmulator({ latencyMs, validAccessTokens: tokens && tokens.length > 0 ? tokens : 'any', keepEvents });
  const { url } = await emulator.listen(port, host);
  console.log(`Graph API emulator listening on ${url} (latency ${latencyMs} ms)`);

  const stop = () => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
