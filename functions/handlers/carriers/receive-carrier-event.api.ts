import { Webhook } from 'standardwebhooks';
import { validSigningSecrets } from '../../adapters/dynamodb/carriers';
import { createDocumentClient } from '../../adapters/dynamodb/client';
import { createStepFunctionsClient } from '../../adapters/sfn/client';
import { recordCarrierEvent } from '../../app/carrier-events';
import { recordReturnPickupEvent } from '../../app/return-pickup-events';
import { carrierContracts } from '../../contracts/api-carriers';
import { carrierIdParamsSchema, returnReferenceSchema } from '../../contracts/carriers';
import { problemCodes } from '../../contracts/errors';
import { loadFunctionEnvironment } from '../../shared/env';
import { httpHandler, type RequestVerifier } from '../../shared/http';
import { countMetric } from '../../shared/observability';
import { HttpProblem } from '../../shared/problem';

const environment = loadFunctionEnvironment('receiveCarrierEvent');
const deps = {
  table: { document: createDocumentClient(), tableName: environment.TABLE_NAME },
  sfn: createStepFunctionsClient(),
};

const unsigned = () =>
  new HttpProblem(401, problemCodes.badSignature, 'The webhook signature does not verify.');

/**
 * Standard Webhooks verification with the `standardwebhooks` library, before anything reads the body: the
 * signature must verify under one of the carrier's current secrets (a rotation keeps the old one for a grace
 * period), and the timestamp must be within 5 minutes (the library's tolerance). Anything else is a 401
 * that says no more, and nothing is written.
 */
const verifySignature: RequestVerifier = async ({ rawBody, headers, pathParameters }) => {
  const carrier = carrierIdParamsSchema.safeParse(pathParameters);
  if (!carrier.success) throw unsigned();
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  for (const secret of await validSigningSecrets(deps.table, carrier.data.carrierId, new Date())) {
    try {
      // Parsing is the route's own business (a 400 or 422 once the signature holds).
      new Webhook(secret).verify(rawBody, signed, { jsonParse: false });
      return;
    } catch {
      // Not this secret (or stale, or tampered): try the next one still valid.
    }
  }
  countMetric('CarrierWebhooksRefused', { reason: 'signature' });
  throw unsigned();
};

export const handler = httpHandler(
  carrierContracts['POST /couriers/{carrierId}/events'],
  async ({ params, body, headers }) => {
    if (body.type === 'delivered' && !body.proof)
      throw new HttpProblem(422, problemCodes.proofRequired, 'A delivery needs its proof.', [
        { pointer: '/proof', field: 'proof', message: 'required for delivered' },
      ]);
    const input = {
      carrierId: params.carrierId,
      webhookId: headers['webhook-id'] ?? '',
      event: body,
      now: new Date(),
    };
    // A return's courier pickup is booked under the return's id; a shipment under its own.
    const result = returnReferenceSchema.safeParse(body.shipmentId).success
      ? await recordReturnPickupEvent(deps, input)
      : await recordCarrierEvent(deps, input);
    countMetric('CarrierWebhooks', { outcome: result.kind });
    if (result.kind === 'not-booked')
      throw new HttpProblem(
        403,
        problemCodes.notBooked,
        `${body.shipmentId} is not booked with carrier ${params.carrierId}.`,
      );
    if (result.kind === 'conflict') throw new HttpProblem(409, problemCodes.shipmentState, result.reason);
    return {
      body: { shipmentId: result.shipmentId, status: result.status, replay: result.kind === 'replay' },
    };
  },
  { verify: verifySignature },
);
