import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { entriesOf, type SystemShape, type TableKey } from '../definition';

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * One DynamoDB table per definition entry: on-demand, PITR, deletion protection and RETAIN (data outlives
 * stacks), streams with both images, TTL attribute and GSIs exactly as defined.
 */
export class DataTables extends Construct {
  readonly tables: ReadonlyMap<TableKey, dynamodb.Table>;

  constructor(scope: Construct, id: string, props: { readonly definition: SystemShape }) {
    super(scope, id);
    const tables = new Map<TableKey, dynamodb.Table>();
    for (const [key, table] of entriesOf(props.definition.tables)) {
      const created = new dynamodb.Table(this, key, {
        partitionKey: stringKey(table.partitionKey),
        sortKey: stringKey(table.sortKey),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
        stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
        timeToLiveAttribute: table.timeToLiveAttribute,
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
      });
      for (const index of table.globalIndexes) {
        created.addGlobalSecondaryIndex({
          indexName: index.name,
          partitionKey: stringKey(index.partitionKey),
          sortKey: stringKey(index.sortKey),
          projectionType:
            index.projection === 'KEYS_ONLY'
              ? dynamodb.ProjectionType.KEYS_ONLY
              : dynamodb.ProjectionType.ALL,
        });
      }
      tables.set(key, created);
    }
    this.tables = tables;
  }
}
