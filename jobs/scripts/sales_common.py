"""What every sales job shares: the sales message schema, the MSK IAM client
settings, the batch read and per-country aggregation, and what the streaming jobs
need to carry on after a restart or a failover (docs/spark-jobs.md). Shipped to
Spark with --py-files by the job submission Lambda."""
import json

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql.functions import col, count, desc, from_json, max as spark_max, round as spark_round, sum as spark_sum
from pyspark.sql.types import (
    FloatType,
    IntegerType,
    LongType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

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


# --- Streaming continuity ---------------------------------------------------------

# Job 04 writes, with each message, the sample file and the row it came from.
REPLAY_SCHEMA = StructType([
    StructField("replay_file", StringType(), True),
    StructField("replay_row", LongType(), True),
])


def replay_message(value: str, data_file: str, row: int) -> str:
    """A sales JSON message with the file and row it was replayed from."""
    message = json.loads(value)
    message.update(replay_file=data_file, replay_row=row)
    return json.dumps(message)


def resume_row(row_maxima: dict, partitions) -> int:
    """The row a restarted replay resumes after, -1 for the top of the file: the lowest of the
    partitions' highest rows, -1 if a partition holds no row of the file (or the topic has none).

    row_maxima maps a partition to the highest row of the file it holds; partitions lists the
    topic's partitions. Why no row before it is missing: job 04 writes one row at a time in file
    order and waits for each write, so within a partition rows are in write order; Kafka orders
    records only within a partition, and the Replicator copies each partition on its own, so after
    a failover a partition holds a prefix of what its source partition held
    (docs/spark-jobs.md, docs/unverified.md). A partition's highest row R came from a run that had
    written, before R, every row after its own resume point, and found every row up to that point
    already in the topic; so every row of that partition up to R is there, and every row up to
    the lowest R is on its partition. The rows between the lowest and the highest R are produced
    again: at least once, never lost."""
    holds = [row_maxima.get(partition, -1) for partition in set(partitions) | set(row_maxima)]
    return min(holds, default=-1)


def topic_partitions(spark: SparkSession, bootstrap_servers: str, topic: str) -> list:
    """The topic's partition numbers, from the Kafka admin client on the driver (kafka-cluster:
    DescribeTopic, which the execution role has): a partition without records is not in a read."""
    jvm = spark.sparkContext._jvm
    admin = _kafka_admin(jvm, bootstrap_servers)
    try:
        described = (
            admin.describeTopics(jvm.java.util.Collections.singletonList(topic))
            .allTopicNames()
            .get(30, jvm.java.util.concurrent.TimeUnit.SECONDS)
        )
        return [info.partition() for info in described.get(topic).partitions()]
    finally:
        admin.close()


def replayed_through(spark: SparkSession, bootstrap_servers: str, topic: str, data_file: str) -> int:
    """The row of data_file up to which every row is in the topic, -1 if not even the first is
    sure to be (resume_row): a restarted replay (an EMR Serverless retry, or a resubmission after
    a failover, reading the replicated topic) resumes after it instead of from the top."""
    raw = (
        spark.read.format("kafka")
        .options(**msk_iam_options(bootstrap_servers))
        .option("subscribe", topic)
        .option("startingOffsets", "earliest")
        .option("endingOffsets", "latest")
        .load()
    )
    replayed = raw.select(col("partition"), from_json(col("value").cast("string"), REPLAY_SCHEMA).alias("r"))
    maxima = (
        replayed.where(col("r.replay_file") == data_file)
        .groupBy("partition")
        .agg(spark_max("r.replay_row").alias("last"))
        .collect()
    )
    return resume_row(
        {row["partition"]: int(row["last"]) for row in maxima if row["last"] is not None},
        topic_partitions(spark, bootstrap_servers, topic),
    )


class GroupCommitter:
    """Commits a streaming query's processed offsets to a Kafka consumer group.

    Spark keeps its Kafka progress in its checkpoint, which MSK Replicator does not read; offsets
    committed to a group it replicates are translated to the other region's cluster, where a
    resumed job starts from them (job submission's resumeFromGroup). `alter` commits
    {(topic, partition): offset}; a commit that fails is logged and made again with the next batch.
    """

    def __init__(self, alter, log=print):
        self.alter = alter
        self.log = log
        self.last = None

    def on_progress(self, end_offset: str) -> bool:
        """Commits a batch's end offsets (Spark's JSON, {"topic": {"partition": next offset}})."""
        if not end_offset or end_offset == self.last:
            return False
        offsets = {
            (topic, int(partition)): int(offset)
            for topic, partitions in json.loads(end_offset).items()
            for partition, offset in partitions.items()
        }
        try:
            self.alter(offsets)
        except Exception as error:  # the query goes on; the next batch commits again
            self.log(f"committing offsets failed, retried with the next batch: {error}")
            return False
        self.last = end_offset
        return True


def _kafka_admin(jvm, bootstrap_servers: str):
    """A Kafka admin client on the driver with the MSK IAM settings (kafka-clients and MSK IAM jars
    are in spark.jars)."""
    properties = jvm.java.util.Properties()
    for key, value in msk_iam_options(bootstrap_servers).items():
        properties.setProperty(key[len("kafka."):], value)
    return jvm.org.apache.kafka.clients.admin.Admin.create(properties)


def kafka_group_alter(spark: SparkSession, bootstrap_servers: str, group: str):
    """alterConsumerGroupOffsets for `group` through the Kafka admin client on the driver (the
    kafka-clients and MSK IAM jars are in spark.jars). MSK IAM: kafka-cluster:AlterGroup on the
    group and kafka-cluster:ReadData on the topic, which the execution role has."""
    jvm = spark.sparkContext._jvm
    admin = _kafka_admin(jvm, bootstrap_servers)

    def alter(offsets):
        java_offsets = jvm.java.util.HashMap()
        for (topic, partition), offset in offsets.items():
            java_offsets.put(
                jvm.org.apache.kafka.common.TopicPartition(topic, partition),
                jvm.org.apache.kafka.clients.consumer.OffsetAndMetadata(offset),
            )
        admin.alterConsumerGroupOffsets(group, java_offsets).all().get(30, jvm.java.util.concurrent.TimeUnit.SECONDS)

    return alter
