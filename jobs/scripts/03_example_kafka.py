"""Batch-read the sales topic; write sales and orders per country as JSON records to a second topic."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, struct, to_json

from sales_common import msk_iam_options, read_sales_batch, sales_by_country


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--read_topic", default="topicA", required=False, help="Kafka topic to read")
    parser.add_argument("--write_topic", default="topicB", required=False, help="Kafka topic to write")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("03-example-kafka").getOrCreate()
    summary = sales_by_country(read_sales_batch(spark, args.bootstrap_servers, args.read_topic))
    (
        summary.select(col("country").alias("key"), to_json(struct("country", "orders", "sales")).alias("value"))
        .write.format("kafka")
        .options(**msk_iam_options(args.bootstrap_servers))
        .option("topic", args.write_topic)
        .save()
    )
    spark.stop()


if __name__ == "__main__":
    main()
