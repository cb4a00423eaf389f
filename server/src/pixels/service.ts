import type { Logger } from '../shared/logger';
import { isDuplicateKeyError } from '../shared/db';
import { maskSecret, type SecretBox } from '../shared/crypto';
import type { Pixel, PixelPatch, PixelRepository } from './repository';

/** Pixels (Meta datasets) and their access tokens: write-only, encrypted at rest, never logged. */
export class PixelService {
  constructor(
    private readonly repo: PixelRepository,
    private readonly secrets: SecretBox,
    private readonly logger: Logger,
  ) {}

  /**
   * First start: creates the pixel named by META_PIXEL_ID (+ META_ACCESS_TOKEN) when none exists,
   * as the old Lambda integration was configured. An existing pixel is left as the dashboard set it.
   */
  async bootstrap(b: { datasetId: string; accessToken?: string; testEventCode?: string } | undefined): Promise<Pixel | undefined> {
    if (!b) return undefined;
    const existing = await this.repo.findByDatasetId(b.datasetId);
    if (existing) {
      if (b.accessToken && !existing.hasAccessToken) await this.setToken(existing.id, b.accessToken);
      return existing;
    }
    let pixel: Pixel;
    try {
      pixel = await this.repo.create({
        datasetId: b.datasetId,
        name: `Pixel ${b.datasetId}`,
        testEventCode: b.testEventCode ?? null,
        ...(b.accessToken ? { accessTokenEnc: this.secrets.seal(b.accessToken), accessTokenLast4: b.accessToken.slice(-4) } : {}),
      });
    } catch (err) {
      // Several replicas starting at once: another one created it first (unique dataset_id).
      const created = isDuplicateKeyError(err) ? await this.repo.findByDatasetId(b.datasetId) : undefined;
      if (created) return created;
      throw err;
    }
    this.logger.info({ pixel: pixel.datasetId, token: b.accessToken ? maskSecret(b.accessToken) : 'none' }, 'pixel created from META_PIXEL_ID');
    return pixel;
  }

  async setToken(id: number, token: string): Promise<void> {
    await this.repo.setToken(id, this.secrets.seal(token), token.slice(-4));
  }

  // ---- Dashboard (admin REST) ----

  /** Creates a pixel; the token (if given) is sealed at once and only its last 4 characters are kept in clear. */
  async create(input: { datasetId: string; name: string; accessToken?: string; allowedOrigins?: string[]; enabled?: boolean; testEventCode?: string | null; testEventCodeExpiresAt?: number | null }): Promise<Pixel> {
    const pixel = await this.repo.create({
      datasetId: input.datasetId,
      name: input.name,
      allowedOrigins: input.allowedOrigins,
      enabled: input.enabled,
      testEventCode: input.testEventCode ?? null,
      ...(input.accessToken ? { accessTokenEnc: this.secrets.seal(input.accessToken), accessTokenLast4: input.accessToken.slice(-4) } : {}),
    });
    const withExpiry = input.testEventCodeExpiresAt !== undefined ? await this.repo.update(pixel.id, { testEventCodeExpiresAt: input.testEventCodeExpiresAt }) : pixel;
    this.logger.info({ pixel: pixel.datasetId, token: input.accessToken ? maskSecret(input.accessToken) : 'none' }, 'pixel created');
    return withExpiry ?? pixel;
  }

  /**
   * Updates a pixel. A new access token replaces the old one (and lifts a pause); `paused: false`
   * lifts a pause without a new token, `paused: true` pauses delivery for this pixel.
   */
  async update(id: number, patch: PixelPatch & { accessToken?: string; paused?: boolean }, actor?: string): Promise<Pixel | undefined> {
    const { accessToken, paused, ...fields } = patch;
    if (accessToken) await this.setToken(id, accessToken);
    if (paused === false) await this.repo.resume(id);
    if (paused === true) await this.repo.pause(id, `Paused from the dashboard${actor ? ` by ${actor}` : ''}`);
    const pixel = await this.repo.update(id, fields);
    if (pixel) this.logger.info({ pixel: pixel.datasetId, changed: Object.keys(patch), token: accessToken ? maskSecret(accessToken) : undefined }, 'pixel updated');
    return pixel;
  }
}
