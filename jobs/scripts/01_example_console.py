"""Batch-read the sales topic and print total sales and order count per country (top 25)."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, desc, from_json, round as spark_round, sum as spark_sum
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
    """Kafka client settings for MSK Serverless with IAM authentication (port 9098)."""
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
    parser.add_argument("--read_topic", default="topicA", required=False, help="Kafka topic to read")
    return parser.parse_args()


def sales_by_country(spark: SparkSession, args):
    raw = (
        spark.read.format("kafka")
        .options(**msk_iam_options(args.bootstrap_servers))
        .option("subscribe", args.read_topic)
        .option("startingOffsets", "earliest")
        .option("endingOffsets", "latest")
        .load()
    )
    sales = raw.select(from_json(col("value").cast("string"), SALES_SCHEMA).alias("s")).select("s.*")
    return (
        sales.groupBy("country")
        .agg(count("payment_id").alias("orders"), spark_round(spark_sum("amount"), 2).alias("sales"))
        .orderBy(desc("sales"))
    )


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("01-example-console").getOrCreate()
    sales_by_country(spark, args).show(25, truncate=False)
    spark.stop()


if __name__ == "__main__":
    main()
