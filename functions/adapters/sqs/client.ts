import { SQSClient } from '@aws-sdk/client-sqs';

/** Default configuration on purpose: the runtime supplies region and (locally) AWS_ENDPOINT_URL_SQS. */
export const createSqsClient = (): SQSClient => new SQSClient({});
