import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { APP_SECRET, type Bus } from './harness';

const ROOT = path.resolve(__dirname, '../..');
// node --import tsx runs the worker in this one process, so a signal reaches it directly.
const NODE_ARGS = ['--import', 'tsx', path.join(ROOT, 'server/src/main.ts'), 'worker'];

export type WorkerProcess = ChildProcess & { output: () => string };

/**
 * A real worker process (`npm run start:worker`'s entry point) against the bus's test database
 * and emulator, on a free WORKER_PORT unless `env` names one. `output()` is all it has printed.
 */
export function spawnWorker(bus: Bus, name: string, env: Record<string, string> = {}): WorkerProcess {
  let out = '';
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: bus.testDb.url,
      GRAPH_API_URL: bus.emulatorUrl,
      APP_SECRET,
      DELIVERY_POLL_MS: '50',
      LOG_LEVEL: 'info',
      WORKER_PORT: '0', // several workers on this host: each on a free port
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  child.on('exit', (code, signal) => (out += `\n[${name} exited code=${code} signal=${signal}]\n`));
  return Object.assign(child, { output: () => out });
}

export const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

/** SIGKILLs what a failed test left running and waits for each to exit. */
export async function killAll(children: ChildProcess[]): Promise<void> {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await exited(c);
  }
}

export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
