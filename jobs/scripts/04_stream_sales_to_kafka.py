"""Replay a sample sales CSV from S3 into a topic, one JSON message per delay (simulates a live feed).
Each message carries the file and row it came from; a restart (an EMR Serverless retry, or a
resubmission after a failover reading the replicated topic) resumes after the last row up to which
every row is in the topic: the lowest of the partitions' highest rows (sales_common.resume_row)."""
import argparse
import time

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, struct, to_json

from sales_common import SALES_SCHEMA, msk_iam_options, replay_message, replayed_through


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--s3_bucket", required=True, help="Bucket holding sample_data/")
    parser.add_argument("--write_topic", default="topicC", required=False, help="Kafka topic to write")
    parser.add_argument("--sample_data_file", default="sales_incremental_large.csv", required=False, help="data file")
    parser.add_argument("--message_delay", default=0.5, type=float, required=False, help="seconds between messages")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("04-stream-sales-to-kafka").getOrCreate()
    sales = (
        spark.read.option("header", "true")
        .option("delimiter", "|")
        .schema(SALES_SCHEMA)
        .csv(f"s3a://{args.s3_bucket}/sample_data/{args.sample_data_file}")
    )
    messages = sales.select(
        col("payment_id").cast("string").alias("key"),
        to_json(struct(*[col(f.name) for f in SALES_SCHEMA.fields])).alias("value"),
    )
    options = msk_iam_options(args.bootstrap_servers)
    resume_after = replayed_through(spark, args.bootstrap_servers, args.write_topic, args.sample_data_file)
    # One message at a time on purpose: downstream job 05 watches windows fill up. A single file's
    # rows come back in file order, so a row number names the same row on every run.
    for row_number, row in enumerate(messages.collect()):
        if row_number <= resume_after:
            continue
        value = replay_message(row.value, args.sample_data_file, row_number)
        spark.createDataFrame([(row.key, value)], "key string, value string").write.format("kafka").options(
            **options
        ).option("topic", args.write_topic).save()
        time.sleep(args.message_delay)
    spark.stop()


if __name__ == "__main__":
    main()
