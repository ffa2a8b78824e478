import { carrierContracts } from './api-carriers';
import { channelContracts } from './api-channels';
import { dispatchContracts } from './api-dispatch';
import { inventoryContracts } from './api-inventory';
import { kpiContracts } from './api-kpis';
import type { RouteContract, RouteKey } from './api-model';
import { orderContracts } from './api-orders';
import { platformContracts } from './api-platform';
import { principalContracts } from './api-principals';
import { returnContracts } from './api-returns';
import { supplierContracts } from './api-suppliers';

export type { RouteAccess, RouteContract, RouteKey } from './api-model';
export { idempotencyKeySchema } from './api-model';

/**
 * Every route's contract, by `"METHOD /path"`: the OpenAPI document, the authorization matrix and the fuzz
 * suite read this. Each area keeps its contracts in its own module, and a handler imports only its area's,
 * so a Lambda does not load every other route's schemas at cold start (test/infra/bundle-size.test.ts).
 */
export const apiContracts = {
  ...platformContracts,
  ...inventoryContracts,
  ...dispatchContracts,
  ...carrierContracts,
  ...orderContracts,
  ...supplierContracts,
  ...channelContracts,
  ...returnContracts,
  ...principalContracts,
  ...kpiContracts,
} as const satisfies Record<RouteKey, RouteContract>;
