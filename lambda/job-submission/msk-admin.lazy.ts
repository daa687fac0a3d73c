import { Kafka, logLevel } from 'kafkajs';
import { generateMskAuthToken } from '../kafka-topics/msk-token';
import type { OffsetsAdmin } from './group-offsets';

/**
 * kafkajs on this region's MSK Serverless cluster with IAM auth (OAUTHBEARER, the token of
 * ../kafka-topics/msk-token.ts). Bundled apart from the handler (scripts/bundle-lambda.mjs, "lazy
 * parts") and loaded on the first resume only: most submissions never use it, and kafkajs would
 * double the bundle a cold start compiles. Short timeouts and few retries keep a resume within the
 * handler's RESUME_DEADLINE_MS.
 */
export function mskAdmin(bootstrapServers: string, region: string): OffsetsAdmin {
  return new Kafka({
    clientId: 'dra-job-submission',
    brokers: bootstrapServers.split(','),
    ssl: true,
    logLevel: logLevel.WARN,
    connectionTimeout: 3000,
    requestTimeout: 5000,
    retry: { retries: 2, maxRetryTime: 4000 },
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateMskAuthToken(region)).token }),
    },
  }).admin();
}
