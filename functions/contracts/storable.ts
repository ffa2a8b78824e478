import * as z from 'zod';

/**
 * Building blocks for every number a write route stores, so that the API refuses up front what the store
 * would refuse later: a 2xx is a promise that the write (or, for a queued feed, its ingest) will succeed.
 *
 * What the store refuses:
 * - The DynamoDB document client (`@aws-sdk/lib-dynamodb`) refuses to marshal a JS number above
 *   `Number.MAX_SAFE_INTEGER` (2^53 − 1), integer or not, and to unmarshal one when reading: `unitCost: 1e21`
 *   throws "Number 1e+21 is greater than Number.MAX_SAFE_INTEGER" before any request is sent, so it fails
 *   the same way on every retry (https://github.com/aws/aws-sdk-js-v3/tree/main/lib/lib-dynamodb, "Large
 *   Numbers and NumberValue"; `allowImpreciseNumbers` is off on purpose).
 * - DynamoDB stores numbers of magnitude 1E-130 to 9.99…E+125 with 38 significant digits; a non-zero number
 *   closer to zero (`1e-200`) is a ValidationException, "Number underflow"
 *   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number).
 *   A JS number within those bounds is stored exactly: the client sends its shortest round-trip decimal
 *   (`String(n)`, at most 17 significant digits) and reading it back gives the same number.
 * - zod 4's `.int()` already admits only safe integers, and `z.number()` refuses `Infinity` (what JSON.parse
 *   makes of `1e400`) and NaN.
 */

/**
 * Upper bound of any one quantity or count (units on hand, ordered, received, available at a supplier).
 * Stock figures are sums (of receipts, shards, locations, inbound units), and the document client cannot read
 * or write a sum past 2^53 (≈ 9 × 10^15): a billion units per figure leaves a margin of millions of such
 * additions, and no SKU has a billion units in one place.
 */
export const maxQuantity = 1_000_000_000;

/** An integer from `min` to `maxQuantity`; a value out of range is named once (not also as "not a safe int"). */
const boundedInteger = (min: number) =>
  z.number().min(min, { abort: true }).max(maxQuantity, { abort: true }).int();

/** A count that may be zero (on hand, safety stock, available, a reorder point). */
export const storableCount = boundedInteger(0);

/** A quantity that must be at least one (an order or purchase order line, a reorder quantity). */
export const storableQuantity = boundedInteger(1);

/** A price has at most this many decimals: sub-cent unit costs (0.0125) are common in purchasing. */
export const moneyDecimals = 4;

/**
 * Upper bound of a price. With at most 4 decimals, a price up to a billion has at most 13 significant digits:
 * a double holds any decimal of up to 15 significant digits exactly as written, so what the supplier sent is
 * what DynamoDB stores and what is read back; and it is far below 2^53, where the document client stops
 * marshalling. Costs computed from it (quantity × price ≤ 10^18) stay in memory and are only compared.
 */
export const maxMoney = 1_000_000_000;

/**
 * A non-negative price with at most `moneyDecimals` decimals, up to `maxMoney`. The decimals are checked on the
 * number itself (it must equal its own rounding), not with `multipleOf`, whose float tolerance lets `1e-200`
 * (which DynamoDB cannot store) and `0.30000000000000004` through.
 */
export const money = z
  .number()
  .min(0, { abort: true })
  .max(maxMoney, { abort: true })
  .refine((value) => Number(value.toFixed(moneyDecimals)) === value, {
    message: `must have at most ${moneyDecimals} decimals`,
  })
  .describe(`A price: at most ${moneyDecimals} decimals, up to ${maxMoney}.`);

/**
 * A decimal DynamoDB can store: zero, or at least 1E-130 in magnitude. Narrow it with `.min()`/`.max()`, which
 * keep far below DynamoDB's (and the document client's) upper limit.
 */
export const storableDecimal = z.number().refine((value) => value === 0 || Math.abs(value) >= 1e-130, {
  message: 'must be 0 or at least 1e-130 in magnitude: DynamoDB cannot store a number closer to zero',
});

/**
 * SQS accepts a message body of up to 1 MiB (1,048,576 bytes), then refuses the SendMessage
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html, MessageBody).
 * A queued message's schema must keep its largest instance below this.
 */
export const maxSqsMessageBytes = 1_048_576;

/**
 * DynamoDB key attribute values: a partition key of at most 2048 bytes, a sort key of at most 1024 bytes
 * (UTF-8), for the table and its indexes alike; an item of at most 400 KB
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Constraints.html#limits-partition-sort-keys).
 * Keys are built from ids the API admits only as short ASCII strings (`identifierSchema`, `skuSchema`,
 * `poIdSchema`), and every free-text field is bounded (at most 500 characters), so neither limit can be met;
 * test/contracts/keys.test.ts builds every key from the longest ids the API admits.
 */
export const maxPartitionKeyBytes = 2048;
export const maxSortKeyBytes = 1024;
