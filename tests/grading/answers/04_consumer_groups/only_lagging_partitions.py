# cell: ex2_answer
# verdict: wrong
# misconception: lag reported only for partitions that are behind (a caught-up partition, lag 0, is left out: kafka-consumer-groups lists it with LAG 0)
# loses: ex2_test_known, ex2_test_consumed
# ex2_test_known expects (lag_topic, 1): 0; ex2_test_consumed's group3 committed the end of
# (lag_topic, 1): lag 0, which this answer leaves out.
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import OffsetSpec


def group_lag(cluster, group):
    admin = cluster.admin()
    listing = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])
    committed = [tp for tp in listing[group].result(30).topic_partitions if tp.offset >= 0]
    if not committed:
        return {}
    ends = admin.list_offsets({TopicPartition(tp.topic, tp.partition): OffsetSpec.latest()
                               for tp in committed})
    end = {(tp.topic, tp.partition): f.result(30).offset for tp, f in ends.items()}
    lag = {}
    for tp in committed:
        behind = end[(tp.topic, tp.partition)] - tp.offset
        if behind > 0:  # a partition that has caught up has no lag to report
            lag[(tp.topic, tp.partition)] = behind
    return lag
