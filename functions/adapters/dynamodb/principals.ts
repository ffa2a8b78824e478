import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { isSigningSecret, keys } from '../../contracts/keys';
import { type Role, roleSchema } from '../../contracts/schemas';
import { sha256Hex } from '../../shared/hash';
import { callAws } from '../errors';

export interface StoredPrincipal {
  readonly principalId: string;
  readonly role: Role;
  readonly scope: string;
}

/** API keys are stored only as their SHA-256: a table dump reveals no usable key. */
export const apiKeyHash = (apiKey: string): string => sha256Hex(apiKey);

/**
 * Stores a principal with a key of the caller's choosing (the demo world, tests): its key item, which the
 * authorizer reads, and its record, which operations list and revoke (principal-registry.ts issues keys).
 */
export async function savePrincipal(
  document: DynamoDBDocumentClient,
  tableName: string,
  principal: { apiKey: string; principalId: string; role: Role; scope: string; name?: string },
): Promise<void> {
  if (isSigningSecret(principal.apiKey))
    throw new Error(`${principal.principalId}: a webhook signing secret cannot be an API key`);
  const keyHash = apiKeyHash(principal.apiKey);
  const createdAt = new Date().toISOString();
  const { Item: existing } = await callAws('getPrincipalRecord', () =>
    document.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.principalRecord(principal.principalId),
        ConsistentRead: true,
      }),
    ),
  );
  // A revoked principal stays revoked (a restart of a persisted world re-seeds the demo keys).
  if (existing?.status === 'REVOKED') return;
  // Keys saved before stay on the record, so revoking the principal deletes them too.
  const earlier = ((existing?.keys ?? []) as StoredKey[]).filter((key) => key.keyHash !== keyHash);
  await callAws('savePrincipal', () =>
    document.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: tableName, Item: apiKeyItem(principal, keyHash) } },
          {
            Put: {
              TableName: tableName,
              Item: principalRecordItem({
                ...principal,
                name: principal.name ?? principal.principalId,
                createdAt: typeof existing?.createdAt === 'string' ? existing.createdAt : createdAt,
                keys: [{ keyHash, createdAt }, ...earlier],
              }),
            },
          },
        ],
      }),
    ),
  );
}

export interface StoredKey {
  readonly keyHash: string;
  readonly createdAt: string;
  readonly expiresAt?: string;
}

/** The item the authorizer finds a key by; a rotated-out key carries its expiry (and a TTL a day later). */
export function apiKeyItem(
  principal: { principalId: string; role: Role; scope: string },
  keyHash: string,
  expiresAt?: string,
) {
  return {
    ...keys.principal(keyHash),
    entity: 'principal',
    principalId: principal.principalId,
    role: principal.role,
    scope: principal.scope,
    ...(expiresAt ? { expiresAt, expiresAtEpoch: Math.floor(Date.parse(expiresAt) / 1000) + 86_400 } : {}),
  };
}

export function principalRecordItem(record: {
  principalId: string;
  role: Role;
  scope: string;
  name: string;
  createdAt: string;
  keys: readonly StoredKey[];
}) {
  return {
    ...keys.principalRecord(record.principalId),
    ...keys.principalIndex(record.principalId),
    entity: 'principalRecord',
    principalId: record.principalId,
    role: record.role,
    scope: record.scope,
    name: record.name,
    status: 'ACTIVE',
    createdAt: record.createdAt,
    // A revoked principal holds no key: the attribute goes rather than being an empty list.
    ...(record.keys.length > 0 ? { keys: record.keys } : {}),
    version: 1,
  };
}

export async function findPrincipalByApiKey(
  document: DynamoDBDocumentClient,
  tableName: string,
  apiKey: string,
  now = new Date(),
): Promise<StoredPrincipal | undefined> {
  // Even a principal stored under a secret's hash (older data) is not found by it.
  if (isSigningSecret(apiKey)) return undefined;
  const { Item } = await callAws('findPrincipal', () =>
    document.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.principal(apiKeyHash(apiKey)),
        // A revoked key must fail on the very next request, not once replicas catch up.
        ConsistentRead: true,
      }),
    ),
  );
  const role = roleSchema.safeParse(Item?.role);
  if (!Item || !role.success) return undefined;
  // A rotated-out key stops at its expiry to the second; the TTL deletes the item later, whenever it runs.
  if (typeof Item.expiresAt === 'string' && Date.parse(Item.expiresAt) <= now.getTime()) return undefined;
  return { principalId: String(Item.principalId), role: role.data, scope: String(Item.scope) };
}
