/**
 * SQS errors as the JSON protocol reports them. Current SDKs are "query compatible": they take the error
 * code from the `x-amzn-query-error` header (`<code>;Sender`) first and map it back to the modeled exception
 * class through the model's `awsQueryError` trait, then fall back to `__type`. We send both so every SDK
 * (JS v3, botocore, older ones that only read `__type`) ends up with the same exception.
 */
interface ErrorShape {
  /** The legacy query-protocol code AWS puts in `x-amzn-query-error` (the model's awsQueryError trait). */
  readonly queryCode: string;
  readonly status: number;
}

/** Shapes from the SQS model (with their awsQueryError codes and HTTP statuses), plus the unmodeled validation codes. */
const shapes: Record<string, ErrorShape> = {
  QueueDoesNotExist: { queryCode: 'AWS.SimpleQueueService.NonExistentQueue', status: 400 },
  QueueNameExists: { queryCode: 'QueueAlreadyExists', status: 400 },
  ReceiptHandleIsInvalid: { queryCode: 'ReceiptHandleIsInvalid', status: 404 },
  MessageNotInflight: { queryCode: 'AWS.SimpleQueueService.MessageNotInflight', status: 400 },
  BatchEntryIdsNotDistinct: { queryCode: 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct', status: 400 },
  BatchRequestTooLong: { queryCode: 'AWS.SimpleQueueService.BatchRequestTooLong', status: 400 },
  EmptyBatchRequest: { queryCode: 'AWS.SimpleQueueService.EmptyBatchRequest', status: 400 },
  InvalidBatchEntryId: { queryCode: 'AWS.SimpleQueueService.InvalidBatchEntryId', status: 400 },
  TooManyEntriesInBatchRequest: {
    queryCode: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    status: 400,
  },
  UnsupportedOperation: { queryCode: 'AWS.SimpleQueueService.UnsupportedOperation', status: 400 },
  InvalidAttributeName: { queryCode: 'InvalidAttributeName', status: 400 },
  InvalidAttributeValue: { queryCode: 'InvalidAttributeValue', status: 400 },
  InvalidMessageContents: { queryCode: 'InvalidMessageContents', status: 400 },
  ResourceNotFoundException: { queryCode: 'ResourceNotFoundException', status: 404 },
  InvalidAddress: { queryCode: 'InvalidAddress', status: 404 },
  // Not in the model: the SDK surfaces these as a generic SQSServiceException whose `name` is the code.
  InvalidParameterValue: { queryCode: 'InvalidParameterValue', status: 400 },
  MissingParameter: { queryCode: 'MissingParameter', status: 400 },
  UnknownOperationException: { queryCode: 'InvalidAction', status: 400 },
  SerializationException: { queryCode: 'MalformedQueryString', status: 400 },
};

export type SqsErrorShape = keyof typeof shapes & string;

export class SqsError extends Error {
  override readonly name = 'SqsError';
  readonly status: number;
  readonly queryCode: string;
  constructor(
    readonly shape: SqsErrorShape,
    message: string,
  ) {
    super(message);
    const known = shapes[shape];
    this.status = known?.status ?? 400;
    this.queryCode = known?.queryCode ?? shape;
  }

  /** The code a batch result entry carries in `Failed[].Code` (AWS uses the query code there too). */
  get batchCode(): string {
    return this.queryCode;
  }
}

export const queueDoesNotExist = (): SqsError =>
  new SqsError('QueueDoesNotExist', 'The specified queue does not exist for this wsdl version.');
export const missingParameter = (name: string): SqsError =>
  new SqsError('MissingParameter', `The request must contain the parameter ${name}.`);
export const invalidParameter = (message: string): SqsError => new SqsError('InvalidParameterValue', message);
