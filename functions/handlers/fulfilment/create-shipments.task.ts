import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createShipments } from '../../app/create-shipments';
import { createShipmentsTaskSchema } from '../../contracts/schemas';
import { loadFunctionEnvironment } from '../../shared/env';
import { taskHandler } from '../../shared/task';

const environment = loadFunctionEnvironment('createShipments');
const table = { document: createDocumentClient(), tableName: environment.TABLE_NAME };

/** Answers `{outcome, shipments}`: the ASL's ResultSelector reads both. */
export const handler = taskHandler(createShipmentsTaskSchema, (input) =>
  createShipments(table, { orderId: input.orderId, actor: 'workflow:fulfilment', now: new Date() }),
);
