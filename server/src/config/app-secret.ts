import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Config } from './config';

/**
 * APP_SECRET encrypts access tokens at rest. Production must set it; the embedded default keeps a
 * generated one beside its SQLite file (./data/app-secret, created on first use) so `npm start`
 * and the ops scripts work on a bare machine and agree with each other.
 */
export function resolveAppSecret(config: Pick<Config, 'appSecret'>): string {
  if (config.appSecret) return config.appSecret;
  const file = path.resolve('data', 'app-secret');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}
