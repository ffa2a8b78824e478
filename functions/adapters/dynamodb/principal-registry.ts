import { randomBytes } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../contracts/keys';
import type { PrincipalView } from '../../contracts/principals';
import { type Role, roleSchema } from '../../contracts/schemas';
import { type KeyOnRecord, planRotation } from '../../core/key-rotation';
import { callAws } from '../errors';
import type { TableRef } from './client';
import { cancellationCodes, compact, type TransactItem, transactWrite } from './items';
import { apiKeyHash, apiKeyItem, principalRecordItem, type StoredKey } from './principals';
import { queryAll } from './query';

/**
 * Principals as operations manage them: issue one with a fresh key, list them, revoke one, rotate its key.
 * Each change writes the principal's record and its key items in one transaction, conditioned on the
 * record's version, so two operators racing cannot leave a key the record does not know about.
 */

interface PrincipalRecord {
  readonly principalId: string;
  readonly role: Role;
  readonly scope: string;
  readonly name: string;
  readonly status: 'ACTIVE' | 'REVOKED';
  readonly createdAt: string;
  readonly revokedAt?: string;
  readonly keys: StoredKey[];
  readonly version: number;
}

/** 256 random bits; the `o2o_` prefix lets secret scanners recognise a leaked key (and is never `whsec_`). */
const newApiKey = () => `o2o_${randomBytes(32).toString('base64url')}`;
const keyIdOf = (keyHash: string) => keyHash.slice(0, 8);

export interface IssuedKey {
  readonly principalId: string;
  readonly role: Role;
  readonly scope: string;
  readonly name: string;
  readonly apiKey: string;
  readonly keyId: string;
}

export async function issuePrincipal(
  table: TableRef,
  request: { role: Role; scope: string; name: string },
  now: Date,
): Promise<IssuedKey> {
  const principalId = `${request.role}:${randomBytes(6).toString('hex')}`;
  const apiKey = newApiKey();
  const keyHash = apiKeyHash(apiKey);
  const principal = { ...request, principalId };
  await transactWrite(table, 'issuePrincipal', [
    { Put: { TableName: table.tableName, Item: apiKeyItem(principal, keyHash), ...absent } },
    {
      Put: {
        TableName: table.tableName,
        Item: principalRecordItem({
          ...principal,
          createdAt: now.toISOString(),
          keys: [{ keyHash, createdAt: now.toISOString() }],
        }),
        ...absent,
      },
    },
  ]);
  return { ...principal, apiKey, keyId: keyIdOf(keyHash) };
}

const absent = { ConditionExpression: 'attribute_not_exists(pk)' };

export async function listPrincipals(table: TableRef): Promise<PrincipalView[]> {
  const items = await queryAll(table, 'listPrincipals', {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.principalIndex('').gsi1pk },
  });
  return items.map((item) => viewOf(recordOf(item)));
}

export async function getPrincipal(
  table: TableRef,
  principalId: string,
): Promise<PrincipalRecord | undefined> {
  const { Item } = await callAws('getPrincipal', () =>
    table.document.send(
      new GetCommand({
        TableName: table.tableName,
        Key: keys.principalRecord(principalId),
        ConsistentRead: true,
      }),
    ),
  );
  return Item ? recordOf(Item) : undefined;
}

export type RevokeResult = { kind: 'not-found' } | { kind: 'revoked'; revokedAt: string };

/** Deletes every key item of the principal and marks it REVOKED; revoking it again answers the same. */
export async function revokePrincipal(
  table: TableRef,
  principalId: string,
  now: Date,
): Promise<RevokeResult> {
  const record = await getPrincipal(table, principalId);
  if (!record) return { kind: 'not-found' };
  if (record.status === 'REVOKED')
    return { kind: 'revoked', revokedAt: record.revokedAt ?? record.createdAt };
  const revokedAt = now.toISOString();
  await changeRecord(table, 'revokePrincipal', record, { status: 'REVOKED', revokedAt, keys: [] }, [
    ...record.keys.map(deleteKey(table)),
  ]);
  return { kind: 'revoked', revokedAt };
}

export type RotateResult =
  | { kind: 'not-found' }
  | { kind: 'revoked' }
  | { kind: 'rotated'; issued: IssuedKey; previousKeyExpiresAt?: string };

export async function rotatePrincipalKey(
  table: TableRef,
  principalId: string,
  options: { overlapMinutes: number; now: Date },
): Promise<RotateResult> {
  const record = await getPrincipal(table, principalId);
  if (!record) return { kind: 'not-found' };
  if (record.status === 'REVOKED') return { kind: 'revoked' };
  const apiKey = newApiKey();
  const fresh: KeyOnRecord = { keyHash: apiKeyHash(apiKey), createdAt: options.now.toISOString() };
  const plan = planRotation(record.keys, fresh, options.now, options.overlapMinutes);
  await changeRecord(table, 'rotatePrincipalKey', record, { keys: plan.keys }, [
    { Put: { TableName: table.tableName, Item: apiKeyItem(record, fresh.keyHash), ...absent } },
    ...plan.expiring.map((key) => ({
      Put: {
        TableName: table.tableName,
        Item: apiKeyItem(record, key.keyHash, key.expiresAt),
        ConditionExpression: 'attribute_exists(pk)',
      },
    })),
    ...plan.removed.map(deleteKey(table)),
  ]);
  const issued = { ...pick(record), apiKey, keyId: keyIdOf(fresh.keyHash) };
  const previousKeyExpiresAt = plan.expiring[0]?.expiresAt;
  return { kind: 'rotated', issued, ...(previousKeyExpiresAt ? { previousKeyExpiresAt } : {}) };
}

/** Raised when another operator changed the principal meanwhile: the caller's answer is a 409. */
export class PrincipalChangedError extends Error {
  override readonly name = 'PrincipalChanged';
}

async function changeRecord(
  table: TableRef,
  operation: string,
  record: PrincipalRecord,
  fields: Partial<PrincipalRecord>,
  keyWrites: TransactItem[],
): Promise<void> {
  const changed = { ...record, ...fields, version: record.version + 1 };
  try {
    await transactWrite(table, operation, [
      {
        Put: {
          TableName: table.tableName,
          Item: compact({
            ...principalRecordItem(changed),
            ...changed,
            keys: changed.keys.length > 0 ? changed.keys : undefined,
          }),
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':version': record.version },
        },
      },
      ...keyWrites,
    ]);
  } catch (error) {
    if (cancellationCodes(error).some((code) => code === 'ConditionalCheckFailed'))
      throw new PrincipalChangedError(`principal ${record.principalId} changed meanwhile; try again`);
    throw error;
  }
}

const deleteKey =
  (table: TableRef) =>
  (key: StoredKey): TransactItem => ({
    Delete: { TableName: table.tableName, Key: keys.principal(key.keyHash) },
  });

const pick = (record: PrincipalRecord) => ({
  principalId: record.principalId,
  role: record.role,
  scope: record.scope,
  name: record.name,
});

function recordOf(item: Record<string, unknown>): PrincipalRecord {
  return {
    principalId: String(item.principalId),
    role: roleSchema.parse(item.role),
    scope: String(item.scope),
    name: String(item.name ?? item.principalId),
    status: item.status === 'REVOKED' ? 'REVOKED' : 'ACTIVE',
    createdAt: String(item.createdAt),
    ...(typeof item.revokedAt === 'string' ? { revokedAt: item.revokedAt } : {}),
    keys: Array.isArray(item.keys) ? (item.keys as StoredKey[]) : [],
    version: typeof item.version === 'number' ? item.version : 1,
  };
}

function viewOf(record: PrincipalRecord): PrincipalView {
  return {
    ...pick(record),
    status: record.status,
    createdAt: record.createdAt,
    ...(record.revokedAt ? { revokedAt: record.revokedAt } : {}),
    keys: record.keys.map((key) => ({
      keyId: keyIdOf(key.keyHash),
      createdAt: key.createdAt,
      ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    })),
  };
}
