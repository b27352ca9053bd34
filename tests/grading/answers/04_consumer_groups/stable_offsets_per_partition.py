# cell: ex2_answer
# verdict: correct
# misconception: (none) require_stable committed offsets, one list_offsets request per partition with an explicit READ_UNCOMMITTED isolation level (the log end offset, as the tool uses)
from confluent_kafka import ConsumerGroupTopicPartitions, IsolationLevel, TopicPartition
from confluent_kafka.admin import OffsetSpec


def group_lag(cluster, group):
    admin = cluster.admin()
    request = [ConsumerGroupTopicPartitions(group)]
    answer = admin.list_consumer_group_offsets(request, require_stable=True, request_timeout=30)
    lags = {}
    for tp in answer[group].result().topic_partitions:
        if tp.error is not None or tp.offset < 0:
            continue
        part = TopicPartition(tp.topic, tp.partition)
        futures = admin.list_offsets({part: OffsetSpec.latest()},
                                     isolation_level=IsolationLevel.READ_UNCOMMITTED,
                                     request_timeout=30)
        end = futures[part].result().offset
        lags[(tp.topic, tp.partition)] = end - tp.offset
    return lags
