import { SendMessageBatchCommand, SendMessageCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startSqsService } from '../../../local/sqs/service';
import { startEventSourceMapping } from '../../../local/sqs/event-source-mapping';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = await startSqsService({ queues: [{ name: 'q', visibilityTimeoutSeconds: 5 }] });
const sqs = new SQSClient({ endpoint: s.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const sizes: number[] = [];
const m = startEventSourceMapping({ sqsEndpoint: s.url, queueUrl: s.queueUrl('q'), queueArn: 'x', batchSize: 25, maximumBatchingWindowSeconds: 1, reportBatchItemFailures: true, invoke: async (e) => { console.log(Date.now() % 100000, 'invoke', e.Records.length); sizes.push(e.Records.length); return {}; }, onError: (e) => console.log('err', e) });
for (let round = 0; round < 3; round++) {
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: s.queueUrl('q'), Entries: [...Array(10).keys()].map((i) => ({ Id: `r${round}-${i}`, MessageBody: `r${round}-${i}` })) }));
  await sleep(100);
}
while (sizes.reduce((a, b) => a + b, 0) < 30) await sleep(50);
console.log(Date.now() % 100000, 'stopping');
await m.stop();
console.log(Date.now() % 100000, 'stopped');
await sqs.send(new SendMessageCommand({ QueueUrl: s.queueUrl('q'), MessageBody: 'slow' }));
await sleep(100);
const a = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: s.queueUrl('q'), AttributeNames: ['All'] }));
console.log(a.Attributes?.ApproximateNumberOfMessages, a.Attributes?.ApproximateNumberOfMessagesNotVisible);
sqs.destroy();
await s.close();
