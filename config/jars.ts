/**
 * Jars every Spark job loads (`--conf spark.jars=s3://<artifacts>/jars/*.jar`),
 * matched to EMR 7.9.0 (Spark 3.5.5, Scala 2.12). Spark's Kafka connector must
 * match the Spark version exactly, and kafka-clients the one that connector was
 * built against; a mismatch fails jobs at run time, not at submit.
 * Change them together with `emr.releaseLabel` (docs/spark-jobs.md, "Spark jars").
 */
export const EMR_7_9_JARS: readonly string[] = [
  'jars/spark-sql-kafka-0-10_2.12-3.5.5.jar',
  'jars/spark-token-provider-kafka-0-10_2.12-3.5.5.jar',
  'jars/kafka-clients-3.4.1.jar',
  'jars/commons-pool2-2.11.1.jar',
  'jars/aws-msk-iam-auth-2.3.2-all.jar',
];
