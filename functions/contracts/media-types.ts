/**
 * Whether a Content-Type names JSON: `application/json` or a structured `+json` type (RFC 6839), with
 * parameters. `application/jsonp` or `application/json-seq` are other formats.
 */
export const isJsonMediaType = (contentType: string): boolean =>
  /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.test(contentType);
