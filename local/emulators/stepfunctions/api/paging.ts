import { type JsonObject, optionalNumber, optionalString, SfnError } from '../protocol';

const pageToken = {
  encode: (offset: number): string => Buffer.from(JSON.stringify({ offset })).toString('base64'),
  decode: (token: string | undefined): number => {
    if (!token) return 0;
    try {
      const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: unknown };
      if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
    } catch {
      // fall through
    }
    // AWS: "Using an expired pagination token will return an HTTP 400 InvalidToken error."
    throw new SfnError('InvalidToken', "Invalid Token: 'Invalid token'");
  },
};

/** One page of `items` per the request's `maxResults` (default 100) and `nextToken`. */
export function page<T>(items: T[], input: JsonObject): { items: T[]; nextToken?: string } {
  const maxResults = optionalNumber(input, 'maxResults') || 100;
  if (maxResults < 0 || maxResults > 1000)
    throw new SfnError('ValidationException', 'maxResults must be between 0 and 1000');
  const offset = pageToken.decode(optionalString(input, 'nextToken'));
  const slice = items.slice(offset, offset + maxResults);
  return offset + maxResults < items.length
    ? { items: slice, nextToken: pageToken.encode(offset + maxResults) }
    : { items: slice };
}
