/**
 * The DynamoDB capacity proxy in a process of its own, so the load bench's node CPU figure is the local
 * cloud's (and the driver's), not the proxy's. Prints its URL; answers its totals over IPC.
 */
import { capacityProxy } from '../workflow-cost/capacity-proxy';

const target = process.argv[2];
if (!target) throw new Error('usage: proxy-process.ts <dynamodb endpoint>');
const proxy = await capacityProxy(target);
process.on('message', () => process.send?.(proxy.totals));
process.on('disconnect', () => process.exit(0));
console.log(proxy.url);
