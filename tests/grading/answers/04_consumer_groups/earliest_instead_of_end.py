# cell: ex2_answer
# verdict: wrong
# misconception: the partition's earliest offset taken as its end (OffsetSpec.earliest instead of latest)
# loses: ex2_test_known, ex2_test_consumed
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import OffsetSpec


def group_lag(cluster, group):
    admin = cluster.admin()
    result = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result(30)
    committed = {(tp.topic, tp.partition): tp.offset for tp in result.topic_partitions if tp.offset >= 0}
    if not committed:
        return {}
    futures = admin.list_offsets({TopicPartition(t, p): OffsetSpec.earliest() for t, p in committed})
    ends = {(tp.topic, tp.partition): f.result(30).offset for tp, f in futures.items()}
    return {tp: abs(ends[tp] - off) for tp, off in committed.items()}
