"""Structured Streaming: sales and orders per country over a 10-minute event-time window sliding
every 5 minutes, with a 10-minute watermark, printed to the console."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, from_json, round as spark_round, sum as spark_sum, window
from pyspark.sql.types import FloatType, IntegerType, StringType, StructField, StructType, TimestampType

SALES_SCHEMA = StructType([
    StructField("payment_id", IntegerType(), False),
    StructField("customer_id", IntegerType(), False),
    StructField("amount", FloatType(), False),
    StructField("payment_date", TimestampType(), False),
    StructField("city", StringType(), True),
    StructField("district", StringType(), True),
    StructField("country", StringType(), False),
])


def msk_iam_options(bootstrap_servers: str) -> dict:
    return {
        "kafka.bootstrap.servers": bootstrap_servers,
        "kafka.security.protocol": "SASL_SSL",
        "kafka.sasl.mechanism": "AWS_MSK_IAM",
        "kafka.sasl.jaas.config": "software.amazon.msk.auth.iam.IAMLoginModule required;",
        "kafka.sasl.client.callback.handler.class": "software.amazon.msk.auth.iam.IAMClientCallbackHandler",
    }


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
    sales = stream.select(from_json(col("value").cast("string"), SALES_SCHEMA).alias("s")).select("s.*")
    windowed = (
        sales.withWatermark("payment_date", "10 minutes")
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
