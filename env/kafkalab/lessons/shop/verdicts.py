"""Notebook 07's sentences that depend on a measurement: each takes the run's figures and
returns the sentence the notebook prints (unit-tested for every branch)."""

from __future__ import annotations


def charges_verdict(orders: int, paid_twice: int, charged_twice: int, redelivered: int) -> str:
    """Section 5: Kafka records (``paid`` per order) against the card processor's charges."""
    records = ("every order has exactly one `paid` record: the Kafka outputs are idempotent"
               if paid_twice == 0 else
               f"{paid_twice} of {orders} orders have more than one `paid` record: "
               "deduplication by order id failed")
    if charged_twice:
        charges = (f"but the card processor was asked to charge {charged_twice} order(s) more than "
                   "once: they were charged before the crash, their `paid` record was not yet "
                   "acknowledged, so the restarted replica did not know and charged again. "
                   "Deduplication by a Kafka topic covers Kafka's records, not the charge")
    elif redelivered:
        charges = ("and no order was charged twice in this run: the crash landed after the "
                   "charged orders' `paid` records were acknowledged, so every redelivered order "
                   "was skipped. A crash between a charge and its acknowledgement would charge "
                   "again: nothing in Kafka prevents that")
    else:
        charges = ("and no order was redelivered in this run (the kill landed between batches), "
                   "so this run tested neither deduplication nor double charges")
    return f"{records}; {charges}."


def warmup_verdict(first_ms: float, warm_ms: list[float]) -> str:
    """Section 1: the first order's accepted -> notified time against later ones'."""
    if not warm_ms:
        return f"accepted -> notified: {first_ms:.0f} ms for the first order (no later order)."
    warm = sorted(warm_ms)[len(warm_ms) // 2]
    if first_ms > 2 * warm:
        why = ("the first order paid for one-off start-up work (consumer group joins, "
               "connections, metadata); the later ones show the steady path")
    else:
        why = "the first order was about as fast as the later ones: the services were warm"
    return (f"accepted -> notified: {first_ms:.0f} ms for the first order, median {warm:.0f} ms "
            f"for the {len(warm_ms)} after it: {why}.")


def replica_verdict(gateway_404_first: bool, caught_up_s: float | None) -> str:
    """Section 1: what a second gateway answered for an order the first had just accepted."""
    if caught_up_s is None:
        return ("the second gateway never showed the order: its cache did not catch up")
    if gateway_404_first:
        return (f"the second gateway answered 404 at first and showed the order after "
                f"{caught_up_s:.2f} s: its in-memory cache of the order-status topic lags the "
                "first gateway's write")
    return (f"the second gateway showed the order at once ({caught_up_s:.2f} s): its cache had "
            "already read the order-status record; nothing guarantees that")


def compare_verdict(chain_failed: int, chain_sent: int, kafka_failed: int, kafka_accepted: int,
                    kafka_completed: int) -> str:
    """Section 2: the synchronous chain against the Kafka shop, same load, same outage."""
    head = (f"the chain failed {chain_failed} of {chain_sent} orders; the Kafka shop failed "
            f"{kafka_failed} and completed {kafka_completed} of {kafka_accepted} accepted")
    if kafka_completed < kafka_accepted:
        return head + ": an accepted order was lost or is still waiting (see the services' logs)"
    if kafka_failed:
        return (head + ". The Kafka shop's failures are answers that took longer than the "
                "customers' patience: the gateway waited for the brokers' acknowledgement on a "
                "busy machine")
    if chain_failed:
        return head + ": the outage cost the chain orders and cost the Kafka shop only time"
    return head + ": the outage cost neither shop an order in this run (was it too short?)"
