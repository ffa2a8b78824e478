import { idempotencyKeySchema } from '../contracts/api-model';
import { problemCodes } from '../contracts/errors';
import { HttpProblem } from './problem';

/** The request's Idempotency-Key, or the 400 a request without a usable one gets (nothing is written). */
export function requireIdempotencyKey(headers: Readonly<Record<string, string | undefined>>): string {
  const key = idempotencyKeySchema.safeParse(headers['idempotency-key']);
  if (key.success) return key.data;
  throw new HttpProblem(
    400,
    problemCodes.missingIdempotencyKey,
    'An Idempotency-Key header (1-255 printable ASCII characters, no comma: one key) is required.',
    [
      {
        pointer: '/headers/idempotency-key',
        field: 'Idempotency-Key',
        message: 'required, 1-255 printable ASCII characters without a comma',
      },
    ],
  );
}
