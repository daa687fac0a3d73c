"""Structured Streaming: sales and orders per country over a 10-minute event-time window sliding
every 5 minutes, with a 10-minute watermark, printed to the console."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, round as spark_round, sum as spark_sum, window

from sales_common import msk_iam_options, parse_sales


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--read_topic", default="topicC", required=False, help="Kafka topic to read")
    return parser.parse_args()


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("05-streaming-kafka").getOrCreate()
    stream = (
        spark.readStream.format("kafka")
        .options(**msk_iam_options(args.bootstrap_servers))
        .option("subscribe", args.read_topic)
        .option("startingOffsets", "earliest")
        .load()
    )
    windowed = (
        parse_sales(stream)
        .withWatermark("payment_date", "10 minutes")
        .groupBy(window("payment_date", "10 minutes", "5 minutes"), "country")
        .agg(count("payment_id").alias("orders"), spark_round(spark_sum("amount"), 2).alias("sales"))
        .orderBy(col("window").desc(), col("sales").desc())
    )
    query = (
        windowed.writeStream.outputMode("complete")
        .format("console")
        .option("numRows", 25)
        .option("truncate", False)
        .trigger(processingTime="1 minute")
        .start()
    )
    query.awaitTermination()


if __name__ == "__main__":
    main()
