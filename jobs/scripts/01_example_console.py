"""Batch-read the sales topic and print total sales and order count per country (top 25)."""
import argparse

from pyspark.sql import SparkSession

from sales_common import read_sales_batch, sales_by_country


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--read_topic", default="topicA", required=False, help="Kafka topic to read")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("01-example-console").getOrCreate()
    sales_by_country(read_sales_batch(spark, args.bootstrap_servers, args.read_topic)).show(25, truncate=False)
    spark.stop()


if __name__ == "__main__":
    main()
