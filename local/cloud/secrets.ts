import { createHash } from 'node:crypto';
import type { CloudCore } from './core.js';

/** Secrets Manager: each secret a stable key derived from the seed, so links signed before a restart stay valid. */
export class LocalSecrets {
  private readonly secrets = new Map<string, string>();

  constructor(
    private readonly core: CloudCore,
    private readonly seed: string,
  ) {}

  /** A secret whose value has a shape of its own (an Alibaba AccessKey pair), not a link key. */
  preset(secretId: string, value: string): void {
    this.secrets.set(secretId, value);
  }

  getSecretValue(secretId: string) {
    this.core.count('SecretsManager', 'GetSecretValue');
    return { ARN: secretId, Name: secretId.split(':').pop(), SecretString: this.valueOf(secretId), VersionId: 'local' };
  }

  /** The value, as an operator reads it off the console (no API call counted): what a stand-in is configured with. */
  valueOf(secretId: string): string {
    if (!this.secrets.has(secretId)) {
      const key = createHash('sha256').update(`${this.seed}:${secretId}`).digest('base64url');
      this.secrets.set(secretId, JSON.stringify({ currentId: 'k1', current: key }));
    }
    return this.secrets.get(secretId)!;
  }
}
