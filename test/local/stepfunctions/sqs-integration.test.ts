import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localCredentials, localRegion } from '../../../local/emulators/protocol/identity';
import { type SqsService, startSqsService } from '../../../local/emulators/sqs/service';
import type { StepFunctionsService } from '../../../local/emulators/stepfunctions/service';
import { arnOf, settled, startTestSfn, testInvoker } from './harness';

describe('local Step Functions service: sqs:sendMessage', () => {
  let sqs: SqsService;
  let service: StepFunctionsService;
  let sfn: SFNClient;

  beforeAll(async () => {
    sqs = await startSqsService({ queues: [{ name: 'outbox' }] });
    const send = (queueUrl: string) =>
      JSON.stringify({
        StartAt: 'Send',
        States: {
          Send: {
            Type: 'Task',
            Resource: 'arn:aws:states:::sqs:sendMessage',
            Parameters: {
              QueueUrl: queueUrl,
              MessageBody: { 'orderId.$': '$.orderId', kind: 'ORDER_READY' },
            },
            ResultSelector: { 'messageId.$': '$.MessageId' },
            End: true,
          },
        },
      });
    ({ service, sfn } = await startTestSfn({
      stateMachines: [
        { name: 'notify', definition: send(sqs.queueUrl('outbox')) },
        { name: 'notifyMissing', definition: send(sqs.queueUrl('missing')) },
        {
          name: 'notifyNoBody',
          definition: JSON.stringify({
            StartAt: 'Send',
            States: {
              Send: {
                Type: 'Task',
                Resource: 'arn:aws:states:::sqs:sendMessage',
                Parameters: { QueueUrl: sqs.queueUrl('outbox') },
                End: true,
              },
            },
          }),
        },
      ],
      invoker: testInvoker({}),
      sqsEndpoint: sqs.url,
    }));
  });
  afterAll(async () => {
    await service?.close();
    await sqs?.close();
  });

  it('sends a JSON-serialized MessageBody and returns the SendMessage result', async () => {
    const arn = (
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arnOf('notify'), input: '{"orderId":"o-9"}' }),
      )
    ).executionArn as string;
    const described = await settled(sfn, arn);
    expect(described.status).toBe('SUCCEEDED');
    const { messageId } = JSON.parse(described.output as string) as { messageId: string };
    const client = new SQSClient({ endpoint: sqs.url, region: localRegion, credentials: localCredentials });
    const received = await client.send(
      new ReceiveMessageCommand({ QueueUrl: sqs.queueUrl('outbox'), WaitTimeSeconds: 1 }),
    );
    expect(received.Messages?.[0]?.MessageId).toBe(messageId);
    expect(JSON.parse(received.Messages?.[0]?.Body as string)).toEqual({
      orderId: 'o-9',
      kind: 'ORDER_READY',
    });
  });

  it('names SQS errors SQS.<Exception>', async () => {
    const arn = (
      await sfn.send(
        new StartExecutionCommand({ stateMachineArn: arnOf('notifyMissing'), input: '{"orderId":"o-1"}' }),
      )
    ).executionArn as string;
    const described = await settled(sfn, arn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'SQS.QueueDoesNotExistException' });
  });

  // LocalStack's AWS-validated test_task_service_sqs (test_send_message_empty_body): an error the SQS model
  // does not name is SQS.AmazonSQSException, with the Java SDK v1 cause details.
  it('names an unmodeled SQS error SQS.AmazonSQSException', async () => {
    const arn = (
      await sfn.send(new StartExecutionCommand({ stateMachineArn: arnOf('notifyNoBody'), input: '{}' }))
    ).executionArn as string;
    const described = await settled(sfn, arn);
    expect(described).toMatchObject({ status: 'FAILED', error: 'SQS.AmazonSQSException' });
    expect(described.cause).toMatch(
      /\(Service: AmazonSQS; Status Code: 400; Error Code: \w+; Request ID: .+; Proxy: null\)$/,
    );
  });
});
