"""Batch-read the sales topic; write sales and orders per country as pipe-delimited CSV to S3."""
import argparse

from pyspark.sql import SparkSession

from sales_common import read_sales_batch, sales_by_country


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--s3_bucket", required=True, help="Bucket receiving output/")
    parser.add_argument("--read_topic", default="topicA", required=False, help="Kafka topic to read")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("02-example-csv-s3").getOrCreate()
    summary = sales_by_country(read_sales_batch(spark, args.bootstrap_servers, args.read_topic))
    (
        summary.coalesce(1)
        .write.mode("overwrite")
        .option("header", "true")
        .option("delimiter", "|")
        .csv(f"s3a://{args.s3_bucket}/output/")
    )
    spark.stop()


if __name__ == "__main__":
    main()
