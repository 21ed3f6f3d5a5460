import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../env.js';
import { sdkClientConfig } from './sdk-config.js';

/** Reports archived for at least two years (the bucket's lifecycle rule enforces it). */
export interface ReportArchive {
  put(key: string, body: string, contentType: string): Promise<void>;
}

const s3 = new S3Client({ ...sdkClientConfig(), forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });

export const s3ReportArchive: ReportArchive = {
  async put(key, body, contentType) {
    await s3.send(new PutObjectCommand({ Bucket: requireEnv('REPORT_BUCKET'), Key: key, Body: body, ContentType: contentType, ServerSideEncryption: 'AES256' }));
  },
};
