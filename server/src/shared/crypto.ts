import crypto from 'node:crypto';

/**
 * Access tokens are encrypted at rest with AES-256-GCM under a key derived from APP_SECRET.
 * Stored form: `v1:<iv b64>:<tag b64>:<ciphertext b64>`.
 */
export class SecretBox {
  private readonly key: Buffer;
  constructor(appSecret: string) {
    this.key = crypto.scryptSync(appSecret, 'metaconversions-bus/token-at-rest', 32);
  }
  seal(plain: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }
  open(sealed: string): string {
    const [v, iv, tag, data] = sealed.split(':');
    if (v !== 'v1' || !iv || !tag || !data) throw new Error('Unrecognised sealed secret format');
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}

/** `…last4` form in which a secret may be shown. */
export function maskSecret(secret: string): string {
  return `…${secret.slice(-4)}`;
}

/** SHA-256 of a UTF-8 string as lowercase hex (the one-shot `crypto.hash`: about 3× cheaper than createHash for short inputs). */
export function sha256(s: string): string {
  return crypto.hash('sha256', s, 'hex');
}
