"""Sentences of lesson 03 that depend on a measurement: each branch follows the numbers, so the
notebook never states what its run did not show (unit-tested with synthetic measurements)."""

from __future__ import annotations

from collections.abc import Mapping


def acks1_loss(lost: int, rate: float, freeze: float) -> str:
    """What acks=1 lost when the leader died, against the follower freeze before the kill."""
    if lost == 0:
        return ("acks=1 lost nothing in this run: the followers had copied everything the leader "
                "acknowledged before it died. That is luck of timing, not safety: a run where "
                "the leader dies while its followers lag loses what they had not copied.")
    seconds = lost / rate
    head = (f"acks=1 lost {lost} acknowledged records, {seconds:.2f} s of the stream at "
            f"{rate:g} records/s; the followers were frozen for {freeze:g} s before the crash: ")
    if seconds <= freeze * 1.1:
        return head + ("no more than the leader acknowledged alone while they were frozen "
                       "(what they had not copied when it died).")
    return head + ("more than the freeze alone explains: the leader also acknowledged records "
                   "the followers had not fetched yet when it died, and on a busy machine the "
                   "stream and the kill do not keep to the planned schedule.")


def acks0_offsets(acked: int, no_offset: int, wrong_offset: int, in_log: int) -> str:
    """What acks=0's delivery reports said about offsets, against where the records really are."""
    made_up = acked - no_offset
    text = (f"acks=0: {acked} delivery reports; {no_offset} carried no offset, {made_up} carried "
            f"one. Of the {in_log} acknowledged records that reached the log, {wrong_offset} "
            "were reported with no offset or with one where they are not. ")
    if made_up == 0:
        return text + ("Here the client reported no offset at all: the broker never answered, "
                       "so it had none to give.")
    if wrong_offset <= no_offset:  # every report that carried an offset was right
        return text + ("The offsets it did report happen to match the log this time, but they "
                       "were not the broker's: it never answered. Do not store them.")
    return text + ("The broker never answered, so every offset in these reports was made up by "
                   "the client (counted up from an invalid base in a batch): never use them as "
                   "a position in the log.")


def latency_order(p50_ms: Mapping[str, float]) -> str:
    """Whether each step of durability added waiting to a lone record in this run."""
    a0, a1, aall = p50_ms["acks=0"], p50_ms["acks=1"], p50_ms["acks=all"]
    if a0 < a1 < aall:
        return ("As expected, each step of durability added waiting: acks=1 waits for the "
                "leader's write, acks=all also for the followers' fetch.")
    return ("Not in the expected order this time (acks=0 < acks=1 < acks=all): on a machine "
            "shared with other programs, scheduling delays can outweigh a local round trip of a "
            "fraction of a millisecond. Re-run with a larger BENCH_REPEATS and LATENCY_PROBES.")


def idempotence_cost(plain_rps: float, idempotent_rps: float, tolerance: float = 0.15) -> str:
    """Throughput of acks=all with and without idempotence (both producers warmed up)."""
    ratio = plain_rps / idempotent_rps
    head = (f"acks=all: {plain_rps:,.0f} records/s without idempotence, {idempotent_rps:,.0f} "
            f"with it (both producers warmed up, so the producer-id request is outside the "
            f"timer). ")
    if abs(ratio - 1) <= tolerance:
        return head + (f"Within {tolerance:.0%} of each other: no cost this run can tell apart "
                       "from noise. The broker checks a sequence number per batch; that is cheap.")
    if ratio > 1:
        return head + (f"Idempotence was {ratio:.1f}x slower here. Part of it is real (at most "
                       "5 requests in flight per connection instead of 1,000,000), part may be "
                       "noise on this shared machine: re-run with a larger BENCH_REPEATS.")
    return head + (f"Idempotence was {1 / ratio:.1f}x faster here, which it has no reason to "
                   "be: the difference is noise on this shared machine.")


def batch_compression(ratio_small: float, ratio_large: float, small: str, large: str,
                      tolerance: float = 0.05) -> str:
    """Bytes on the wire / payload bytes with compression, for small and for large batches."""
    head = (f"zstd sent {ratio_small:.0%} of the payload's size with {small} and "
            f"{ratio_large:.0%} with {large}: ")
    if ratio_large < ratio_small - tolerance:
        return head + "bigger batches compressed better, as each batch is compressed as a whole."
    if ratio_large > ratio_small + tolerance:
        return head + ("bigger batches compressed worse in this run, unexpectedly: look at how "
                       "full the batches really were (the producer's statistics).")
    return head + ("about the same: records sent as fast as this loop can already fill batches "
                   "without lingering, so waiting longer did not make them bigger.")


def unclean_offline(leader: int, answer: str, seconds: float) -> str:
    """What the partition did while its only in-sync replica was dead and unclean election off."""
    if leader < 0 and answer != "acknowledged":
        return (f"With unclean.leader.election.enable=false the partition had no leader "
                f"(leader {leader}) for the {seconds:.1f} s we watched, although a replica was "
                f"running: a write with acks=all got {answer}, not an acknowledgement.")
    return (f"Unexpected in this run: the partition's leader was {leader} and a write got "
            f"{answer}. The controller may only elect an in-sync replica here; look at the "
            "brokers' logs.")


def unclean_loss(acked_synced: int, acked_alone: int, found_synced: int, found_alone: int,
                 found_after_return: int) -> str:
    """What the unclean election cost, counted against what acks=all had acknowledged."""
    head = (f"After the unclean election the topic holds {found_synced} of the {acked_synced} "
            f"records written while both replicas were in sync, and {found_alone} of the "
            f"{acked_alone} acknowledged while the old leader was alone in the ISR; once the old "
            f"leader is back, {found_after_return} of those. ")
    lost = acked_synced + acked_alone - found_synced - found_after_return
    if lost == 0:
        return head + ("Nothing acknowledged was lost this time: the new leader had every "
                       "record, which an unclean election does not promise.")
    if found_synced == acked_synced:
        return head + (f"{lost} records that acks=all had acknowledged are gone for good: "
                       "the new leader never had them, and the old leader, back as a follower, "
                       "truncated its log to the new leader's.")
    return head + (f"{lost} acknowledged records are gone, including some written while both "
                   "replicas were in sync: the new leader had not copied them all yet.")
