import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../env.js';
import type { ReportArchive } from '../ports/report-archive.js';
import { sdkClientConfig } from './sdk-config.js';

const s3 = new S3Client({ ...sdkClientConfig(), forcePathStyle: process.env.S3_FORCE_PATH_STYLE === 'true' });

export const s3ReportArchive: ReportArchive = {
  async put(key, body, contentType) {
    await s3.send(
      new PutObjectCommand({
        Bucket: requireEnv('REPORT_BUCKET'),
        Key: key,
        Body: body,
        ContentType: contentType,
        ServerSideEncryption: 'AES256',
      }),
    );
  },
};
