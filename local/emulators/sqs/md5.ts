import { createHash } from 'node:crypto';

export interface StoredAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, exactly as the JSON protocol carries blobs. */
  BinaryValue?: string;
}

export const md5Hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/**
 * MD5OfMessageAttributes as AWS computes it (documented in the SQS developer guide): attributes sorted by
 * name, each encoded as length-prefixed name, length-prefixed data type, a transport byte (1 = string,
 * 2 = binary) and the length-prefixed value. SDKs that verify it (Java, .NET) would reject anything else.
 */
export function md5OfMessageAttributes(attributes: Record<string, StoredAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const value = attributes[name];
    if (!value) continue;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(value.DataType, 'utf8')));
    if (value.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(value.BinaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(value.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
