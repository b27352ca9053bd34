# cell: ex2_answer
# verdict: correct
# misconception: (none) committed offsets from the admin API, end offsets from a consumer's get_watermark_offsets
from confluent_kafka import Consumer, ConsumerGroupTopicPartitions, TopicPartition


def group_lag(cluster, group):
    listing = cluster.admin().list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])
    offsets = listing[group].result(30).topic_partitions
    lags = {}
    reader = Consumer({**cluster.client_config(), "group.id": f"{group}-lag-reader"})
    try:
        for tp in offsets:
            if tp.offset < 0:
                continue
            _low, high = reader.get_watermark_offsets(TopicPartition(tp.topic, tp.partition),
                                                      timeout=30)
            lags[(tp.topic, tp.partition)] = high - tp.offset
    finally:
        reader.close()
    return lags
