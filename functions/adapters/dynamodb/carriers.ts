import { randomBytes } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { type Carrier, type CarrierBody, carrierSchema } from '../../contracts/carriers';
import { keys } from '../../contracts/keys';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { compact, isConditionalCheckFailed, isTransactionRace } from './items';
import { queryAll } from './query';

/** A new Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newSigningSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

const secretRecordSchema = z.object({
  secret: z.string(),
  issuedAt: z.string(),
  /** Set when a newer secret replaced it: it verifies until then (the rotation's grace period). */
  validUntil: z.string().optional(),
});

export type PutCarrierResult =
  | { readonly kind: 'created'; readonly carrier: Carrier; readonly signingSecret: string }
  | { readonly kind: 'updated'; readonly carrier: Carrier };

/**
 * Creates a carrier with its first signing secret (returned this once), or updates its settings. The
 * carrier and its secret are written in one transaction conditioned on the carrier not existing, so two
 * creations at once make one carrier and one secret; the loser updates instead.
 */
export async function putCarrier(
  table: TableRef,
  carrierId: string,
  body: CarrierBody,
  now: Date,
  /** The demo's seeding passes the secret it announces; every other caller lets the system generate it. */
  secret: string = newSigningSecret(),
): Promise<PutCarrierResult> {
  const at = now.toISOString();
  const carrier: Carrier = { ...body, carrierId, createdAt: at, updatedAt: at };
  try {
    await callAws('createCarrier', () =>
      table.document.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: table.tableName,
                Item: compact({
                  ...keys.carrier(carrierId),
                  ...keys.carrierIndex(carrierId),
                  entity: 'carrier',
                  ...carrier,
                }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            {
              Put: {
                TableName: table.tableName,
                Item: { ...keys.carrierSecret(carrierId, at), entity: 'carrierSecret', secret, issuedAt: at },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ],
        }),
      ),
    );
    return { kind: 'created', carrier, signingSecret: secret };
  } catch (error) {
    if (!isTransactionRace(error)) throw error;
  }
  const names = Object.keys(body) as (keyof CarrierBody)[];
  const { Attributes } = await callAws('updateCarrier', () =>
    table.document.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.carrier(carrierId),
        UpdateExpression: `SET ${names.map((name) => `#${name} = :${name}`).join(', ')}, updatedAt = :now${
          body.maxDistanceKm === undefined ? ' REMOVE maxDistanceKm' : ''
        }`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
        ExpressionAttributeValues: {
          ...Object.fromEntries(names.map((name) => [`:${name}`, body[name]])),
          ':now': at,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ),
  );
  return { kind: 'updated', carrier: carrierSchema.parse(Attributes) };
}

export async function getCarrier(table: TableRef, carrierId: string): Promise<Carrier | undefined> {
  const { Item } = await callAws('getCarrier', () =>
    table.document.send(
      new GetCommand({ TableName: table.tableName, Key: keys.carrier(carrierId), ConsistentRead: true }),
    ),
  );
  return Item ? carrierSchema.parse(Item) : undefined;
}

/** Every carrier, by id (a few dozen at most: one index partition). Secrets are never listed. */
export async function listCarriers(table: TableRef): Promise<Carrier[]> {
  const items = await queryAll(table, 'listCarriers', {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.carriersPartition },
  });
  return items.map((item) => carrierSchema.parse(item));
}

/**
 * A carrier's secrets that verify a webhook now: the current one, and older ones still in their grace
 * period. Newest first.
 */
export async function validSigningSecrets(table: TableRef, carrierId: string, now: Date): Promise<string[]> {
  return (await carrierSecrets(table, carrierId))
    .filter((record) => !record.validUntil || Date.parse(record.validUntil) > now.getTime())
    .map((record) => record.secret);
}

/** Every secret the carrier was issued, newest first. */
async function carrierSecrets(table: TableRef, carrierId: string) {
  const { Items } = await callAws('getCarrierSecrets', () =>
    table.document.send(
      new QueryCommand({
        TableName: table.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.carrier(carrierId).pk, ':prefix': keys.carrierSecretPrefix },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    ),
  );
  return (Items ?? []).map((item) => secretRecordSchema.parse(item));
}

export type RotateResult =
  | { readonly kind: 'rotated'; readonly signingSecret: string; readonly previousValidUntil: string }
  | { readonly kind: 'not-found' };

/**
 * Issues a new signing secret (returned this once) and gives every older one that still verifies a
 * deadline `graceHours` from now, so the carrier can switch without a webhook refused in between.
 */
export async function rotateSigningSecret(
  table: TableRef,
  carrierId: string,
  input: { readonly graceHours: number; readonly now: Date },
): Promise<RotateResult> {
  if (!(await getCarrier(table, carrierId))) return { kind: 'not-found' };
  const at = input.now.toISOString();
  const previousValidUntil = new Date(input.now.getTime() + input.graceHours * 3_600_000).toISOString();
  const current = (await carrierSecrets(table, carrierId)).filter(
    (record) => !record.validUntil || record.validUntil > previousValidUntil,
  );
  const signingSecret = newSigningSecret();
  for (const record of current) {
    try {
      await callAws('limitCarrierSecret', () =>
        table.document.send(
          new UpdateCommand({
            TableName: table.tableName,
            Key: keys.carrierSecret(carrierId, record.issuedAt),
            UpdateExpression: 'SET validUntil = :until',
            ConditionExpression: 'attribute_not_exists(validUntil) OR validUntil > :until',
            ExpressionAttributeValues: { ':until': previousValidUntil },
          }),
        ),
      );
    } catch (error) {
      // A concurrent rotation gave it an earlier deadline already: that one stands.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
  await callAws('createCarrierSecret', () =>
    table.document.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: keys.carrierSecret(carrierId, at),
        UpdateExpression: 'SET entity = :entity, secret = :secret, issuedAt = :at',
        ConditionExpression: 'attribute_not_exists(pk)',
        ExpressionAttributeValues: { ':entity': 'carrierSecret', ':secret': signingSecret, ':at': at },
      }),
    ),
  );
  return { kind: 'rotated', signingSecret, previousValidUntil };
}
