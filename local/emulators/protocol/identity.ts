/** The local cloud's fixed identity: ARNs look like AWS's so the same ASL, handlers and SDK calls work unchanged. */
export const localRegion = 'us-east-1';
export const localAccountId = '000000000000';
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export const functionArn = (name: string): string =>
  `arn:aws:lambda:${localRegion}:${localAccountId}:function:${name}`;
export const stateMachineArn = (name: string): string =>
  `arn:aws:states:${localRegion}:${localAccountId}:stateMachine:${name}`;
export const queueArn = (name: string): string => `arn:aws:sqs:${localRegion}:${localAccountId}:${name}`;
/** Local table names equal their key in the system definition. */
export const tableName = (key: string): string => key;
