import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueueName } from '../../functions/contracts/system';
import { entriesOf, type QueueKey, type SystemShape } from '../definition';

export interface QueuePair {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
}

/** DLQs keep failed messages for the SQS maximum (14 days) so operations have time to redrive them. */
const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * One SQS queue per definition entry, each with its dead-letter queue (`deadLetterQueueName()`),
 * SQS-managed SSE, TLS-only access and the definition's maxReceiveCount, visibility and retention.
 */
export class Queues extends Construct {
  readonly queues: ReadonlyMap<QueueKey, QueuePair>;

  constructor(scope: Construct, id: string, props: { readonly definition: SystemShape }) {
    super(scope, id);
    const queues = new Map<QueueKey, QueuePair>();
    for (const [key, queue] of entriesOf(props.definition.queues)) {
      const deadLetterQueue = new sqs.Queue(this, deadLetterQueueName(key), {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: DEAD_LETTER_RETENTION,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const created = new sqs.Queue(this, key, {
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        visibilityTimeout: Duration.seconds(queue.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(queue.retentionDays),
        deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: queue.maxReceiveCount },
        removalPolicy: RemovalPolicy.RETAIN,
      });
      queues.set(key, { queue: created, deadLetterQueue });
    }
    this.queues = queues;
  }
}
