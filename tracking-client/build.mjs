/**
 * Builds tracking-client/dist:
 *   esm/index.js, esm/react.js (+ shared chunk)  ES modules; react and react-facebook-pixel stay external
 *   meta-tracking.min.js                          script-tag build (IIFE, no React, Meta's base code inline)
 *   types/                                        declarations (tsc)
 * and prints each file's minified and gzipped size.
 *
 *   node tracking-client/build.mjs [--outdir DIR] [--no-types]
 */
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outIndex = args.indexOf('--outdir');
const outdir = path.resolve(outIndex >= 0 ? args[outIndex + 1] : path.join(here, 'dist'));
const target = ['es2019', 'chrome80', 'firefox78', 'safari14.1'];

rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: { index: path.join(here, 'src/index.ts'), react: path.join(here, 'src/react/index.ts') },
  outdir: path.join(outdir, 'esm'),
  format: 'esm',
  bundle: true,
  splitting: true,
  minify: true,
  sourcemap: true,
  target,
  external: ['react', 'react-facebook-pixel'],
  chunkNames: 'chunks/[name]-[hash]',
  legalComments: 'none',
  logLevel: 'warning',
});

await build({
  entryPoints: [path.join(here, 'src/script.ts')],
  outfile: path.join(outdir, 'meta-tracking.min.js'),
  format: 'iife',
  bundle: true,
  minify: true,
  sourcemap: true,
  target,
  legalComments: 'none',
  logLevel: 'warning',
});

if (!args.includes('--no-types')) {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(here, 'tsconfig.json'), '--noEmit', 'false', '--declaration', '--emitDeclarationOnly', '--outDir', path.join(outdir, 'types')], { stdio: 'inherit' });
}

const files = (dir) => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));
for (const file of files(outdir).filter((f) => f.endsWith('.js'))) {
  const code = readFileSync(file);
  console.log(`${path.relative(outdir, file).padEnd(36)} ${(code.length / 1024).toFixed(1).padStart(6)} kB  ${(gzipSync(code, { level: 9 }).length / 1024).toFixed(1).padStart(5)} kB gzip`);
}
