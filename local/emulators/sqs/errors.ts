import { ServiceError } from '../protocol/members';

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

const shape = (queryCode: string, status = 400): ErrorShape => ({ queryCode, status });

/** Modeled shapes whose query code is the shape's own name under the legacy `AWS.SimpleQueueService.` prefix. */
const prefixedShapes = [
  'MessageNotInflight',
  'BatchEntryIdsNotDistinct',
  'BatchRequestTooLong',
  'EmptyBatchRequest',
  'InvalidBatchEntryId',
  'TooManyEntriesInBatchRequest',
  'UnsupportedOperation',
];

/**
 * Shapes whose query code is their own name. The last two are not in the model: the SDK surfaces them as a
 * generic SQSServiceException whose `name` is the code.
 */
const plainShapes = [
  'InvalidAttributeName',
  'InvalidAttributeValue',
  'InvalidMessageContents',
  'InvalidParameterValue',
  'MissingParameter',
];

/** Shapes from the SQS model (with their awsQueryError codes and HTTP statuses), plus the unmodeled validation codes. */
const shapes: Record<string, ErrorShape> = {
  ...Object.fromEntries(prefixedShapes.map((name) => [name, shape(`AWS.SimpleQueueService.${name}`)])),
  ...Object.fromEntries(plainShapes.map((name) => [name, shape(name)])),
  QueueDoesNotExist: shape('AWS.SimpleQueueService.NonExistentQueue'),
  QueueNameExists: shape('QueueAlreadyExists'),
  ReceiptHandleIsInvalid: shape('ReceiptHandleIsInvalid', 404),
  ResourceNotFoundException: shape('ResourceNotFoundException', 404),
  InvalidAddress: shape('InvalidAddress', 404),
  // Protocol-level failures, reported with the query protocol's codes for them.
  UnknownOperationException: shape('InvalidAction'),
  SerializationException: shape('MalformedQueryString'),
};

export type SqsErrorShape = keyof typeof shapes & string;

export class SqsError extends ServiceError {
  override readonly name = 'SqsError';
  declare readonly shape: SqsErrorShape;
  readonly queryCode: string;
  constructor(shape: SqsErrorShape, message: string) {
    super(shape, message, shapes[shape]?.status ?? 400);
    this.queryCode = shapes[shape]?.queryCode ?? shape;
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
