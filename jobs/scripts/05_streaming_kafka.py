"""Structured Streaming: sales and orders per country over a 10-minute event-time window sliding
every 5 minutes, with a 10-minute watermark, printed to the console. Each finished batch's offsets
are committed to a consumer group, which MSK Replicator translates to the other region's cluster."""
import argparse

from pyspark.sql import SparkSession
from pyspark.sql.functions import col, count, round as spark_round, sum as spark_sum, window
from pyspark.sql.streaming import StreamingQueryListener

from sales_common import GroupCommitter, kafka_group_alter, msk_iam_options, parse_sales


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bootstrap_servers", required=True, help="MSK Serverless bootstrap servers")
    parser.add_argument("--read_topic", default="topicC", required=False, help="Kafka topic to read")
    parser.add_argument("--checkpoint_location", required=True, help="Spark checkpoint (this region, this run)")
    parser.add_argument("--starting_offsets", default="earliest", required=False, help="earliest, latest or JSON")
    parser.add_argument("--commit_group", required=True, help="Consumer group the processed offsets go to")
    return parser.parse_args()


class CommitProgress(StreamingQueryListener):
    """After each batch (its sink written), commits the batch's end offsets to the group."""

    def __init__(self, committer):
        self.committer = committer

    def onQueryStarted(self, event):
        pass

    def onQueryProgress(self, event):
        for source in event.progress.sources:
            self.committer.on_progress(source.endOffset)

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        pass


def main():
    args = parse_args()
    spark = SparkSession.builder.appName("05-streaming-kafka").getOrCreate()
    spark.streams.addListener(
        CommitProgress(GroupCommitter(kafka_group_alter(spark, args.bootstrap_servers, args.commit_group)))
    )
    stream = (
        spark.readStream.format("kafka")
        .options(**msk_iam_options(args.bootstrap_servers))
        .option("subscribe", args.read_topic)
        # Only for a new checkpoint: a retried run resumes from its checkpoint instead.
        .option("startingOffsets", args.starting_offsets)
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
        .option("checkpointLocation", args.checkpoint_location)
        .trigger(processingTime="1 minute")
        .start()
    )
    query.awaitTermination()


if __name__ == "__main__":
    main()
