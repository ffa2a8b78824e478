import { SFNClient } from '@aws-sdk/client-sfn';

/**
 * Default configuration on purpose: the runtime supplies region and (locally) AWS_ENDPOINT_URL_SFN.
 * One module per client, no shared barrel: a bundle shares whole modules between functions, so a module
 * holding several clients would load every one of them in each function (infra/defaults/bundle.ts).
 */
export const createStepFunctionsClient = (): SFNClient => new SFNClient({});
