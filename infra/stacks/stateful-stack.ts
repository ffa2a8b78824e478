import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { deadLetterQueueName } from '../../functions/contracts/system';
import { DataTables } from '../constructs/data-tables';
import { Queues } from '../constructs/queues';
import type { SystemShape } from '../definition';

/** Everything holding data (tables, queues): deployed separately so service changes never replace it. */
export class StatefulStack extends Stack {
  readonly data: DataTables;
  readonly messaging: Queues;

  constructor(scope: Construct, id: string, props: StackProps & { readonly definition: SystemShape }) {
    super(scope, id, props);
    this.data = new DataTables(this, 'Tables', { definition: props.definition });
    this.messaging = new Queues(this, 'Queues', { definition: props.definition });

    for (const [key, table] of this.data.tables) {
      new CfnOutput(this, `${key}TableName`, {
        value: table.tableName,
        description: `DynamoDB table '${key}'`,
      });
    }
    for (const [key, { queue, deadLetterQueue }] of this.messaging.queues) {
      new CfnOutput(this, `${key}QueueUrl`, { value: queue.queueUrl, description: `SQS queue '${key}'` });
      new CfnOutput(this, `${key}DeadLetterQueueUrl`, {
        value: deadLetterQueue.queueUrl,
        description: `SQS dead-letter queue '${deadLetterQueueName(key)}'`,
      });
    }
  }
}
