import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { TableRef } from '../../functions/adapters/dynamodb/client';
import { savePrincipal } from '../../functions/adapters/dynamodb/principals';
import { orderIdOf, splitOrderId } from '../../functions/contracts/order-ids';
import { type LocalCloud, type LocalCloudOptions, startLocalCloud } from '../../local/cloud';
import { demoChannels } from '../../local/demo-data';
import { localCredentials, localRegion } from '../../local/emulators/protocol/identity';
import { dynamodbEndpoint } from './dynamodb';
import { deliveryTo } from './fixtures';
import { eventually } from './local-cloud-process';
import { e2eDelivery } from './sqs-delivery';

/** The demo channel whose key is `keys.channel`; placeOrder posts as it. */
export const webShop = demoChannels[0];

/** The web shop's own name of an order placed by placeOrder (what it uses in its paths). */
export const channelOrderIdOf = (orderId: string): string => splitOrderId(orderId)?.channelOrderId ?? orderId;

/**
 * An in-process local cloud for an end-to-end suite, on the run's DynamoDB Local, with the suite's own
 * principals (staff and supplier keys) added, an SFN client on its endpoint and the table it uses.
 * Prewarmed: a cold start of a task function on a loaded runner must not eat into the steps' time.
 * SQS delivers at least once, like AWS (e2eDelivery: a fixed seed unless LOCAL_SQS_DELIVERY says otherwise).
 * `options` adds to (or overrides) these settings, e.g. the SQS delivery or a function log.
 */
export async function startE2eCloud(
  principals: readonly Parameters<typeof savePrincipal>[2][],
  options: LocalCloudOptions = {},
): Promise<{ cloud: LocalCloud; sfn: SFNClient; table: TableRef }> {
  const cloud = await startLocalCloud({
    dynamodbEndpoint: dynamodbEndpoint(),
    retryIntervalScale: 0,
    prewarm: true,
    // Every suite's cloud shares the table: only a suite about the stream's consumers runs them.
    streamTriggers: false,
    ...options,
    sqsDelivery: options.sqsDelivery ?? e2eDelivery(),
  });
  const aws = { region: localRegion, credentials: localCredentials };
  const sfn = new SFNClient({ endpoint: cloud.endpoints.stepfunctions, ...aws });
  const document = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: dynamodbEndpoint(), ...aws }));
  for (const principal of principals) await savePrincipal(document, cloud.tableName, principal);
  return { cloud, sfn, table: { document, tableName: cloud.tableName } };
}

/**
 * The HTTP side of the end-to-end suites on an in-process local cloud: requests with an API key, and the
 * order, purchase-order, inventory and failed-execution views they read back.
 */

export interface OrderView {
  status: string;
  allocations: { sku: string; qty: number; locationId: string }[];
  timeline: { status?: string; event?: string; actor: string; step: string; reason?: string }[];
}

export interface PurchaseOrderView {
  poId: string;
  supplierId: string;
  status: string;
  lines: { sku: string; qty: number }[];
  createdAt: string;
}

export interface FailedExecution {
  executionId: string;
  workflow: string;
  failedState?: string;
  error?: string;
  cause?: string;
  input?: unknown;
}

export interface InventoryView {
  locations: { locationId: string; onHand: number; reserved: number; available: number }[];
  suppliers: unknown[];
}

/** Every e2e order ships to the same address in East London. */
const delivery = { type: 'delivery', address: deliveryTo };

/**
 * `cloud` is read on each call, so a suite can build these helpers at module level and start its cloud in
 * `beforeAll`. `timeoutMs` bounds every wait: each step crosses several Lambdas and two workflows, which
 * takes a while on a loaded 2-core runner.
 */
export function e2eHttp(currentCloud: () => LocalCloud, timeoutMs = 60_000) {
  const waitFor = <T>(probe: () => Promise<T | undefined>) => eventually(probe, timeoutMs);

  const api = (
    path: string,
    init: { method?: string; key?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) =>
    fetch(`${currentCloud().endpoints.api}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        'content-type': 'application/json',
        ...(init.key ? { 'x-api-key': init.key } : {}),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  /** The parsed body, after checking the status (the failure message shows the body: it says why). */
  async function expectStatus(response: Promise<Response>, status: number): Promise<unknown> {
    const answered = await response;
    const text = await answered.text();
    const body = (text ? JSON.parse(text) : undefined) as unknown;
    expect({ status: answered.status, body }).toMatchObject({ status });
    return body;
  }

  // By its system-wide id, as ops see it (executions and purchase orders are named after that id too).
  const order = async (orderId: string) =>
    (await (await api(`/orders/${orderId}`, { key: currentCloud().keys.ops })).json()) as OrderView;

  const failedExecutions = async () =>
    (
      (await expectStatus(
        api('/ops/executions?status=FAILED&limit=100', { key: currentCloud().keys.ops }),
        200,
      )) as {
        items: FailedExecution[];
      }
    ).items;

  const orderIn = (orderId: string, status: string) =>
    waitFor(async () => {
      const current = await order(orderId);
      return current.status === status ? current : undefined;
    }).catch(async (error: unknown) => {
      // Say why: the failed executions (if any) name the state and error.
      const failed = JSON.stringify(await failedExecutions());
      throw new Error(`${String(error)}; order ${JSON.stringify(await order(orderId))}; failed: ${failed}`);
    });

  /** Places an order as the web shop, or as `channel` (its id and key); answers its system-wide id. */
  const placeOrder = async (
    lines: { sku: string; qty: number; unitPrice?: number }[],
    fulfilment: unknown = delivery,
    channel: { readonly id: string; readonly key: string } = {
      id: webShop,
      key: currentCloud().keys.channel,
    },
    /** More of the body, e.g. the `currency` of priced lines. */
    extra: Record<string, unknown> = {},
  ) => {
    const body = (await expectStatus(
      api('/orders', {
        method: 'POST',
        key: channel.key,
        headers: { 'idempotency-key': randomUUID() },
        body: { customerId: 'cust-e2e', fulfilment, lines, ...extra },
      }),
      202,
    )) as { orderId: string };
    // The channel's own name for it, made system-wide (functions/contracts/order-ids.ts).
    return orderIdOf(channel.id, body.orderId);
  };

  const purchaseOrders = async (supplierId: string, key: string) =>
    (
      (await expectStatus(api(`/suppliers/${supplierId}/purchase-orders`, { key }), 200)) as {
        items: PurchaseOrderView[];
      }
    ).items;

  const inventory = async (sku: string) =>
    (await expectStatus(api(`/inventory/${sku}`, { key: currentCloud().keys.ops }), 200)) as InventoryView;

  return {
    api,
    expectStatus,
    waitFor,
    order,
    orderIn,
    placeOrder,
    purchaseOrders,
    inventory,
    failedExecutions,
  };
}
