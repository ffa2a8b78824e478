import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';

type Image = Record<string, AttributeValue> | undefined;
const itemOf = (image: Image) => (image ? unmarshall(image) : undefined);

/** A DynamoDB stream batch as the changes it carries: each item's image before and after, plain objects. */
export const streamChanges = (event: DynamoDBStreamEvent) =>
  event.Records.map((record) => ({
    before: itemOf(record.dynamodb?.OldImage as Image),
    after: itemOf(record.dynamodb?.NewImage as Image),
  }));
