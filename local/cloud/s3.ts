import { createHash } from 'node:crypto';
import type { CloudCore } from './core.js';
import { checkPutObject, refuse } from './limits.js';

/** S3: objects the reports archive, kept in memory by "bucket/key". */

export interface StoredObject {
  body: string;
  contentType: string;
  at: string;
}

type ObjectListener = (bucket: string, key: string, body: string) => void;

export class LocalS3 {
  /** Objects put into S3 buckets, by "bucket/key". */
  readonly objects = new Map<string, StoredObject>();
  private readonly listeners: ObjectListener[] = [];

  constructor(private readonly core: CloudCore) {}

  putObject(bucket: string, key: string, body: string, contentType: string) {
    this.core.count('S3', 'PutObject');
    refuse(checkPutObject(key));
    this.objects.set(`${bucket}/${key}`, { body, contentType, at: this.core.nowIso() });
    for (const listener of this.listeners) listener(bucket, key, body);
    return { ETag: `"${createHash('md5').update(body).digest('hex')}"` };
  }

  onObject(listener: ObjectListener): void {
    this.listeners.push(listener);
  }
}
