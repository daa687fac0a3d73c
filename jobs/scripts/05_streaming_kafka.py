"""Structured Streaming: sales and orders per country over a 10-minute event-time window sliding
every 5 minutes, with a 10-minute watermark; each batch prints the windows it changed. Each
finished batch's offsets are committed to a consumer group, which MSK Replicator translates to the
other region's cluster."""
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


def show_window_updates(batch, batch_id):
    """foreachBatch sink of the Update-mode query: the (window, country) rows this batch changed,
    each with its totals so far, newest window and biggest sales first (a batch is a static
    DataFrame, so it can be sorted; the stream cannot be outside Complete mode). A row replaces
    any earlier row of its window and country: a sink that keeps them upserts (MERGE) on window
    and country, which also absorbs a batch written again after a retry or a resume."""
    print(f"batch {batch_id}: windows updated")
    batch.orderBy(col("window").desc(), col("sales").desc()).show(25, truncate=False)


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
    )
    # Update mode: each batch writes only the windows it changed, and Spark drops a window's state
    # once the watermark passes its end. Complete mode kept every window forever (state and
    # output growing until the driver fails: this job runs with no timeout). Spark guide,
    # "Conditions for watermarking to clean aggregation state".
    query = (
        windowed.writeStream.outputMode("update")
        .foreachBatch(show_window_updates)
        .option("checkpointLocation", args.checkpoint_location)
        .trigger(processingTime="1 minute")
        .start()
    )
    query.awaitTermination()


if __name__ == "__main__":
    main()
