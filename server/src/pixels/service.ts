import type { Logger } from '../shared/logger';
import { maskSecret, type SecretBox } from '../shared/crypto';
import type { Pixel, PixelRepository } from './repository';

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
    const pixel = await this.repo.create({
      datasetId: b.datasetId,
      name: `Pixel ${b.datasetId}`,
      testEventCode: b.testEventCode ?? null,
      ...(b.accessToken ? { accessTokenEnc: this.secrets.seal(b.accessToken), accessTokenLast4: b.accessToken.slice(-4) } : {}),
    });
    this.logger.info({ pixel: pixel.datasetId, token: b.accessToken ? maskSecret(b.accessToken) : 'none' }, 'pixel created from META_PIXEL_ID');
    return pixel;
  }

  async setToken(id: number, token: string): Promise<void> {
    await this.repo.setToken(id, this.secrets.seal(token), token.slice(-4));
  }
}
