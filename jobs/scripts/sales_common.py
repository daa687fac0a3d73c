"""What every sales job shares: the sales message schema, the MSK IAM client
settings, and the batch read and per-country aggregation. Shipped to Spark with
--py-files by the job submission Lambda."""
from pyspark.sql import DataFrame, SparkSession
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


def parse_sales(raw: DataFrame) -> DataFrame:
    """Kafka records (JSON values) to typed sales rows."""
    return raw.select(from_json(col("value").cast("string"), SALES_SCHEMA).alias("s")).select("s.*")


def read_sales_batch(spark: SparkSession, bootstrap_servers: str, topic: str) -> DataFrame:
    """Everything currently in the topic, as typed sales rows."""
    raw = (
        spark.read.format("kafka")
        .options(**msk_iam_options(bootstrap_servers))
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("endingOffsets", "latest")
        .load()
    )
    return parse_sales(raw)


def sales_by_country(sales: DataFrame) -> DataFrame:
    """Order count and total sales per country, biggest first."""
    return (
        sales.groupBy("country")
        .agg(count("payment_id").alias("orders"), spark_round(spark_sum("amount"), 2).alias("sales"))
        .orderBy(desc("sales"))
    )
