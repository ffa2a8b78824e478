import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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

export async function savePrincipal(
  document: DynamoDBDocumentClient,
  tableName: string,
  principal: { apiKey: string; principalId: string; role: Role; scope: string },
): Promise<void> {
  if (isSigningSecret(principal.apiKey))
    throw new Error(`${principal.principalId}: a webhook signing secret cannot be an API key`);
  await callAws('savePrincipal', () =>
    document.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          ...keys.principal(apiKeyHash(principal.apiKey)),
          entity: 'principal',
          principalId: principal.principalId,
          role: principal.role,
          scope: principal.scope,
        },
      }),
    ),
  );
}

export async function findPrincipalByApiKey(
  document: DynamoDBDocumentClient,
  tableName: string,
  apiKey: string,
): Promise<StoredPrincipal | undefined> {
  // Even a principal stored under a secret's hash (older data) is not found by it.
  if (isSigningSecret(apiKey)) return undefined;
  const { Item } = await callAws('findPrincipal', () =>
    document.send(new GetCommand({ TableName: tableName, Key: keys.principal(apiKeyHash(apiKey)) })),
  );
  const role = roleSchema.safeParse(Item?.role);
  if (!Item || !role.success) return undefined;
  return { principalId: String(Item.principalId), role: role.data, scope: String(Item.scope) };
}
