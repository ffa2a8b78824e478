import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';

/** Default configuration on purpose: the runtime supplies region and (locally) AWS_ENDPOINT_URL_SFN / _SQS. */
export const createStepFunctionsClient = (): SFNClient => new SFNClient({});
export const createSqsClient = (): SQSClient => new SQSClient({});
