import {
  BatchRequestTooLong,
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { useTestSqs } from './helpers';

/**
 * SQS's message size limit is 1 MiB (1,048,576 bytes): the default and the maximum of a queue's
 * MaximumMessageSize, and the limit of a whole batch. AWS refuses a larger message with InvalidParameterValue
 * "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes." (as reported
 * from AWS in https://github.com/artilleryio/artillery/issues/3683).
 */
const local = useTestSqs({ queues: [{ name: 'defined' }] });
const mebibyte = 1_048_576;

async function maximumMessageSize(QueueUrl: string): Promise<string | undefined> {
  const { Attributes } = await local.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['MaximumMessageSize'] }),
  );
  return Attributes?.MaximumMessageSize;
}

describe('message size', () => {
  it('defaults MaximumMessageSize to 1 MiB, for created and for defined queues', async () => {
    const { QueueUrl } = await local.sqs.send(new CreateQueueCommand({ QueueName: 'size-default' }));
    expect(await maximumMessageSize(QueueUrl ?? '')).toBe(String(mebibyte));
    expect(await maximumMessageSize(local.service.queueUrl('defined'))).toBe(String(mebibyte));
  });

  it('accepts a 1 MiB message and refuses 1 MiB + 1 byte with AWS error', async () => {
    const QueueUrl = local.service.queueUrl('defined');
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(mebibyte) }));
    const { Messages } = await local.sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages?.[0]?.Body).toHaveLength(mebibyte);
    await expect(
      local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(mebibyte + 1) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.',
    });
    // Message attributes (name, type and value) count towards the size.
    await expect(
      local.sqs.send(
        new SendMessageCommand({
          QueueUrl,
          MessageBody: 'x'.repeat(mebibyte - 4),
          MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });

  it('honours a smaller MaximumMessageSize', async () => {
    const { QueueUrl } = await local.sqs.send(
      new CreateQueueCommand({ QueueName: 'size-small', Attributes: { MaximumMessageSize: '1024' } }),
    );
    await local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1024) }));
    await expect(
      local.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1025) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValue',
      message: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
    });
  });

  it('validates MaximumMessageSize from 1,024 to 1,048,576 bytes', async () => {
    for (const value of ['1023', '1048577', '0', '1.5', '']) {
      await expect(
        local.sqs.send(
          new CreateQueueCommand({ QueueName: 'size-bad', Attributes: { MaximumMessageSize: value } }),
        ),
      ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
    }
    const { QueueUrl } = await local.sqs.send(
      new CreateQueueCommand({ QueueName: 'size-max', Attributes: { MaximumMessageSize: '1048576' } }),
    );
    expect(await maximumMessageSize(QueueUrl ?? '')).toBe('1048576');
    await local.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl, Attributes: { MaximumMessageSize: '1024' } }),
    );
    expect(await maximumMessageSize(QueueUrl ?? '')).toBe('1024');
    await expect(
      local.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { MaximumMessageSize: '1023' } })),
    ).rejects.toMatchObject({ name: 'InvalidAttributeValue' });
  });

  it('refuses a batch whose messages together exceed 1 MiB', async () => {
    const QueueUrl = local.service.queueUrl('defined');
    const half = 'x'.repeat(mebibyte / 2);
    await expect(
      local.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [
            { Id: 'a', MessageBody: half },
            { Id: 'b', MessageBody: `${half}x` },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(BatchRequestTooLong);
    const { Successful } = await local.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: half },
          { Id: 'b', MessageBody: half },
        ],
      }),
    );
    expect(Successful).toHaveLength(2);
  });
});
