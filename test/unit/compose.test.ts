import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ENV_VARS, MODES, loadConfig } from '../../server/src/config/config';
import { MIGRATIONS_DIR } from '../../server/src/shared/db';
import { DEFAULT_ADMIN_UI_DIST } from '../../server/src/http/spa';
import { DEFAULT_TRACKING_DIST } from '../../server/src/http/ops';

/**
 * docker-compose.yml, the Dockerfile, .dockerignore, .env.example and the README's production
 * section checked against the code they run: nothing here starts Docker, but a compose file that
 * names a missing script, a variable the bus never reads, a wrong port or a missing dependency fails.
 */
const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const rel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');

interface Healthcheck {
  test?: string | string[];
  disable?: boolean;
}
interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  env_file?: string | string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  restart?: string;
  healthcheck?: Healthcheck;
  ports?: Array<string | { published?: string | number; target: number }>;
  expose?: Array<string | number>;
  volumes?: Array<string | { type?: string; source?: string; target: string }>;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as Compose;
const services = Object.entries(compose.services);
const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
const dockerfile = read('Dockerfile');
const envExample = read('.env.example');
const defaults = loadConfig({});

const argv = (cmd: string | string[] | undefined): string[] => (Array.isArray(cmd) ? cmd.map(String) : cmd ? cmd.split(/\s+/).filter(Boolean) : []);
/** The one-off migration (every other service is meant to keep running). */
const isOneOff = (s: Service) => argv(s.command).some((a) => /(^|\/)migrate\.ts$/.test(a) || a === 'migrate');
/** Services running this project's image (the others are mysql, mongo, the proxy). */
const busServices = services.filter(([, s]) => s.build !== undefined || s.image?.startsWith('metaconversions-bus'));
const longRunning = services.filter(([, s]) => !isOneOff(s));
/** A healthcheck's command line as words (CMD form, or the CMD-SHELL string split on spaces). */
const healthArgv = (h: Healthcheck | undefined): string[] => {
  const t = h?.test;
  if (!t) return [];
  if (typeof t === 'string') return argv(t);
  const [kind, ...rest] = t;
  return kind === 'CMD-SHELL' ? argv(rest.join(' ')) : rest;
};
const environment = (s: Service): Record<string, string> =>
  Array.isArray(s.environment)
    ? Object.fromEntries(s.environment.map((kv) => [kv.split('=')[0]!, kv.split('=').slice(1).join('=')]))
    : Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
const byName = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};
const serverMode = (s: Service): string | undefined => {
  const a = argv(s.command);
  const i = a.findIndex((x) => x.endsWith('server/src/main.ts'));
  return i >= 0 ? (a[i + 1] ?? 'all') : undefined;
};
const modeService = (mode: string) => {
  const found = busServices.find(([, s]) => serverMode(s) === mode);
  if (!found) throw new Error(`no docker-compose service runs server/src/main.ts ${mode}`);
  return found;
};

/** `npm run X` anywhere in a text. */
const npmRuns = (text: string) => [...text.matchAll(/npm run(?:\s+-s)?\s+([\w:.-]+)/g)].map((m) => m[1]!);

/** A README section, from its heading to the next heading of the same or a higher level. */
const readmeSection = (heading: string) => {
  const readme = read('README.md');
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const level = heading.split(' ')[0]!;
  const next = [...readme.slice(start + heading.length + 2).matchAll(/^(#+) /gm)].find((m) => m[1]!.length <= level.length);
  return readme.slice(start, next ? start + heading.length + 2 + next.index : undefined);
};
/** The README's production section (it documents the compose commands). */
const production = readmeSection('## Running it for real');

/** Docker build stages: name → instructions (continuation lines joined). */
const stages = (() => {
  const out: Array<{ name: string; lines: string[] }> = [];
  const joined = dockerfile.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n').map((l) => l.trim())) {
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ name: from[1] ?? `stage${out.length}`, lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
})();
const finalStage = stages.at(-1)!;
const buildStage = stages.find((s) => s.lines.some((l) => /^RUN\b.*npm run build/.test(l)));
/** Destinations (relative to the final WORKDIR) of the final stage's COPY instructions, with their source stage. */
const finalCopies = finalStage.lines
  .filter((l) => /^COPY\s/i.test(l))
  .map((l) => {
    const words = l.split(/\s+/).slice(1);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    return { from, sources: paths.slice(0, -1).map(clean), dest: clean(paths.at(-1)!) };
  });
/** `./server/` → `server`, `./` → `.` */
function clean(p: string): string {
  return p.replace(/^\.\/+/, '').replace(/\/+$/, '') || '.';
}
/** The Dockerfile's default command (exec form). */
const dockerCmd = JSON.parse(/^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1] ?? '[]') as string[];
/** Whether the final image contains this repository path (copied itself or inside a copied folder). */
const inImage = (repoPath: string, opts: { built?: boolean } = {}) =>
  finalCopies.some((c) => {
    const dests = c.dest === '.' ? c.sources : [c.dest];
    const covered = dests.some((d) => repoPath === d || repoPath.startsWith(`${d}/`));
    return covered && (opts.built ? c.from !== undefined : true);
  });

/** .dockerignore patterns → does the build context leave this path out? (Docker's rules, simplified: last match wins.) */
const dockerignored = (() => {
  const patterns = read('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const glob = (negate ? l.slice(1) : l).replace(/^\/+|\/+$/g, '');
      const re = glob
        .split('/')
        .map((part) => (part === '**' ? '.*' : part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${re}$`) };
    });
  return (p: string) => {
    const prefixes = p.split('/').map((_, i, parts) => parts.slice(0, i + 1).join('/'));
    let excluded = false;
    for (const { negate, re } of patterns) if (prefixes.some((x) => re.test(x))) excluded = !negate;
    return excluded;
  };
})();

/** .env.example: NAME → { commented out?, line index }, and the raw lines. */
const envLines = envExample.split('\n');
const ASSIGN = /^(#\s*)?([A-Z][A-Z0-9_]*)=/;
const envExampleVars = new Map(envLines.flatMap((l, i) => (ASSIGN.test(l) ? [[ASSIGN.exec(l)![2]!, i] as const] : [])));
/** Variables docker-compose.yml interpolates from .env (`${NAME}`, `${NAME:-default}`, `${NAME:?message}`). */
const composeVars = new Set([...read('docker-compose.yml').matchAll(/(?<!\$)\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!));

describe('docker-compose.yml runs what the project has', () => {
  it('has the production services, the bus ones built from this repository', () => {
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['mysql', 'mongo', 'migrate', 'api', 'worker']));
    expect(busServices.map(([n]) => n).sort()).toEqual(expect.arrayContaining(['api', 'migrate', 'worker']));
  });

  it('every `node … <file>` in a command or healthcheck names a file that exists', () => {
    const checked: string[] = [];
    for (const [name, s] of services) {
      for (const words of [argv(s.command), healthArgv(s.healthcheck)]) {
        if (words[0] !== 'node') continue;
        for (const w of words.filter((x) => /\.(c|m)?[jt]s$/.test(x))) {
          checked.push(`${name}: ${w}`);
          expect([name, w, fs.existsSync(path.join(ROOT, w))]).toEqual([name, w, true]);
        }
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(3); // migrate, api, worker
  });

  it('every `npm run X` (compose, Dockerfile, README production sections) is a package.json script', () => {
    const named = [
      ...services.flatMap(([, s]) => [...npmRuns(argv(s.command).join(' ')), ...npmRuns(healthArgv(s.healthcheck).join(' '))]),
      ...npmRuns(dockerfile),
      ...npmRuns(production),
      ...npmRuns(readmeSection('## Configuration')),
      ...npmRuns(readmeSection('### Health and metrics')),
    ];
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((x) => !(x in pkg.scripts))).toEqual([]);
  });

  it('runs server/src/main.ts only in a mode main.ts accepts, one service for api and one for worker', () => {
    const modes = busServices.map(([, s]) => serverMode(s)).filter((m): m is string => m !== undefined);
    expect(modes.filter((m) => !(MODES as readonly string[]).includes(m))).toEqual([]);
    expect(modes.sort()).toEqual(['api', 'worker']);
  });

  it('api, worker and the image start node as `npm run start:api` / `start:worker` do (same V8 flags, e.g. the young-generation size)', () => {
    const npmArgv = (script: string) => (pkg.scripts[script] ?? '').split(/\s+/);
    expect(argv(modeService('api')[1].command)).toEqual(npmArgv('start:api'));
    expect(argv(modeService('worker')[1].command)).toEqual(npmArgv('start:worker'));
    expect(dockerCmd).toEqual(npmArgv('start:api'));
  });

  it('migrate runs the migrations, and api and worker start only after it succeeded (and after mysql and mongo are healthy)', () => {
    const [migrateName, migrate] = busServices.find(([, s]) => isOneOff(s)) ?? [];
    expect(migrateName).toBeDefined();
    expect(argv(migrate!.command).join(' ')).toMatch(/scripts\/migrate\.ts latest$|npm run migrate -- latest$/);
    for (const [name, s] of busServices.filter(([, x]) => serverMode(x))) {
      const deps = s.depends_on as Record<string, { condition: string }> | undefined;
      expect([name, deps?.[migrateName!]?.condition]).toEqual([name, 'service_completed_successfully']);
      expect([name, deps?.mysql?.condition]).toEqual([name, 'service_healthy']);
      if (/[/@]mongo:/.test(environment(s).MONGO_URL ?? '')) expect([name, deps?.mongo?.condition]).toEqual([name, 'service_healthy']);
    }
    const migrateDeps = migrate!.depends_on as Record<string, { condition: string }>;
    expect(migrateDeps.mysql?.condition).toBe('service_healthy');
  });

  it('every dependency waited on as healthy has a healthcheck', () => {
    for (const [name, s] of services) {
      const deps = Array.isArray(s.depends_on) ? {} : (s.depends_on ?? {});
      for (const [dep, { condition }] of Object.entries(deps)) {
        expect([name, dep, dep in compose.services]).toEqual([name, dep, true]);
        if (condition === 'service_healthy') expect([dep, healthArgv(byName(dep).healthcheck).length > 0]).toEqual([dep, true]);
      }
    }
  });

  it('api and worker healthchecks call /readyz on the ports the bus listens on (PORT, WORKER_PORT), which are the defaults', () => {
    const [, api] = modeService('api');
    const [, worker] = modeService('worker');
    const url = (s: Service) => /http:\/\/(?:127\.0\.0\.1|localhost):(\d+)(\/\w+)/.exec(healthArgv(s.healthcheck).join(' '));
    const port = (s: Service, variable: 'PORT' | 'WORKER_PORT', fallback: number) => Number(environment(s)[variable] ?? fallback);
    expect(port(api, 'PORT', defaults.port)).toBe(defaults.port);
    expect(port(worker, 'WORKER_PORT', defaults.workerPort)).toBe(defaults.workerPort);
    expect(url(api)?.slice(1)).toEqual([String(defaults.port), '/readyz']);
    expect(url(worker)?.slice(1)).toEqual([String(defaults.workerPort), '/readyz']);
    for (const s of [api, worker]) expect(healthArgv(s.healthcheck).join(' ')).not.toMatch(/kill -0/);
    expect((api.expose ?? []).map(String)).toContain(String(defaults.port));
    expect((worker.expose ?? []).map(String)).toContain(String(defaults.workerPort));
  });

  it('publishes no fixed host port on the services meant to be scaled; a proxy reaches api on its container port', () => {
    for (const [name, s] of busServices) expect([name, s.ports ?? []]).toEqual([name, []]);
    const [apiName] = modeService('api');
    const upstreams = services.flatMap(([, s]) => argv(s.command)).filter((w) => w.startsWith(`${apiName}:`));
    expect(upstreams.length).toBeGreaterThan(0);
    for (const u of upstreams) expect(u).toBe(`${apiName}:${defaults.port}`);
  });

  it('keeps MySQL and MongoDB data in declared named volumes', () => {
    const mounts = (s: Service) => (s.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0]!, target: v.split(':')[1]! } : { source: v.source ?? '', target: v.target }));
    expect(mounts(byName('mysql')).find((m) => m.target === '/var/lib/mysql')).toBeDefined();
    expect(mounts(byName('mongo')).find((m) => m.target === '/data/db')).toBeDefined();
    for (const [name, s] of services) {
      for (const m of mounts(s).filter((x) => !/^[./~]/.test(x.source))) {
        expect([name, m.source, Object.keys(compose.volumes ?? {}).includes(m.source)]).toEqual([name, m.source, true]);
      }
    }
  });

  it('restarts every long-running service, never the one-off migration', () => {
    for (const [name, s] of longRunning) expect([name, s.restart]).toEqual([name, expect.stringMatching(/^(always|unless-stopped|on-failure(:\d+)?)$/)]);
    for (const [name, s] of services.filter(([, x]) => isOneOff(x))) expect([name, s.restart]).toEqual([name, expect.stringMatching(/^(no|on-failure(:\d+)?)$/)]);
  });

  it('gives the bus services their environment from .env, as variables the bus actually reads', () => {
    for (const [name, s] of busServices) {
      expect([name, [s.env_file].flat()]).toEqual([name, expect.arrayContaining(['.env'])]);
      const unknown = Object.keys(environment(s)).filter((k) => !(ENV_VARS as readonly string[]).includes(k));
      expect([name, unknown]).toEqual([name, []]);
      expect([name, environment(s).NODE_ENV]).toEqual([name, 'production']);
    }
  });
});

describe('.env.example documents the configuration', () => {
  it('lists only variables the bus reads or docker-compose.yml interpolates', () => {
    const stray = [...envExampleVars.keys()].filter((v) => !(ENV_VARS as readonly string[]).includes(v) && !composeVars.has(v));
    expect(stray).toEqual([]);
  });

  it('lists every variable the bus reads and every variable docker-compose.yml interpolates, each with a comment above it', () => {
    for (const v of [...ENV_VARS, ...composeVars]) {
      const i = envExampleVars.get(v);
      expect([v, i !== undefined]).toEqual([v, true]);
      const above = envLines[i! - 1] ?? '';
      expect([v, above.startsWith('#') && !ASSIGN.test(above) && above.replace(/^#\s*/, '').length > 10]).toEqual([v, true]);
    }
  });

  it('parses as a valid configuration once docker-compose.yml has set its part', () => {
    const values = Object.fromEntries(envLines.filter((l) => ASSIGN.test(l) && !l.startsWith('#')).map((l) => [l.split('=')[0]!, l.split('=').slice(1).join('=')]));
    const [, api] = modeService('api');
    const env = { ...values, ...environment(api), DATABASE_URL: 'mysql://bus:pw@mysql:3306/bus' };
    expect(() => loadConfig(env)).not.toThrow();
  });
});

describe('the Dockerfile builds what the services run', () => {
  it('is multi-stage: a build stage runs the build scripts that exist (tracking client, dashboard)', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(buildStage).toBeDefined();
    const runs = buildStage!.lines.filter((l) => l.startsWith('RUN')).join(' ');
    const built = npmRuns(runs).flatMap((s) => [s, ...npmRuns(pkg.scripts[s] ?? '')]);
    expect(built).toEqual(expect.arrayContaining(['build:admin', 'build:tracking']));
    for (const s of built) expect([s, s in pkg.scripts]).toEqual([s, true]);
  });

  it('the final stage installs production dependencies and copies every folder the compose commands and the server need', () => {
    expect(finalStage.lines.join('\n')).toMatch(/npm ci --omit=dev/);
    const needed = new Set(['package.json', 'package-lock.json', rel(MIGRATIONS_DIR)]);
    for (const w of [...busServices.flatMap(([, s]) => [...argv(s.command), ...healthArgv(s.healthcheck)]), ...dockerCmd]) if (/\.(c|m)?[jt]s$/.test(w)) needed.add(w);
    expect([...needed].filter((p) => !inImage(p))).toEqual([]);
    // The front-ends are built in the builder, so they come from it.
    for (const dist of [rel(DEFAULT_ADMIN_UI_DIST), rel(DEFAULT_TRACKING_DIST)]) expect([dist, inImage(dist, { built: true })]).toEqual([dist, true]);
  });

  it('its default command is a mode main.ts accepts; it exposes the API and worker ports', () => {
    expect(dockerCmd).toContain('server/src/main.ts');
    expect(MODES).toContain(dockerCmd[dockerCmd.indexOf('server/src/main.ts') + 1]);
    const exposed = (/^EXPOSE\s+(.+)$/m.exec(dockerfile)?.[1] ?? '').split(/\s+/);
    expect(exposed).toEqual(expect.arrayContaining([String(defaults.port), String(defaults.workerPort)]));
  });

  it('.dockerignore keeps every file the build and the image need', () => {
    const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'server/src/main.ts', `${rel(MIGRATIONS_DIR)}/${fs.readdirSync(MIGRATIONS_DIR)[0]}`, 'scripts/migrate.ts', 'admin-ui/index.html', 'admin-ui/vite.config.mts', 'tracking-client/build.mjs', 'tracking-client/src/index.ts'];
    expect(needed.filter(dockerignored)).toEqual([]);
    // …and leaves out what must not be baked into an image.
    expect(['.env', 'node_modules/knex/package.json', 'data/bus.sqlite', 'admin-ui/dist/index.html'].filter((p) => !dockerignored(p))).toEqual([]);
  });
});

describe('the README matches the compose file and the configuration', () => {
  it('names only services that exist in `docker compose run/exec/--scale`', () => {
    const named = [...production.matchAll(/docker compose (?:run(?: --rm)?(?: -T)?|exec(?: -T)?) ([\w-]+)|--scale ([\w-]+)=/g)].map((m) => m[1] ?? m[2]!);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !(n in compose.services))).toEqual([]);
  });

  it('documents every variable the bus reads in the Configuration section', () => {
    const section = readmeSection('## Configuration');
    expect(ENV_VARS.filter((v) => !section.includes(`\`${v}\``))).toEqual([]);
  });
});
