"""Verdicts of lesson 05: what the failover measurements allow us to say (pure functions,
unit-tested with synthetic measurements)."""

from __future__ import annotations

from statistics import mean


def failover_verdict(zk_seconds: list[float], kraft_seconds: list[float],
                     zk_timeout_ms: int | None, kraft_timeout_ms: int | None) -> str:
    """Compare the seconds from SIGKILL of the controller to new partition leaders (the same
    signal in both modes), only when both modes waited out the same timeout."""
    if not zk_seconds or not kraft_seconds:
        return "No comparison: one of the modes has no measured failover."
    if zk_timeout_ms is None or kraft_timeout_ms is None or zk_timeout_ms != kraft_timeout_ms:
        return (f"No comparison: the failure-detection timeouts differ ({zk_timeout_ms} ms in "
                f"ZooKeeper mode, {kraft_timeout_ms} ms in KRaft), so a difference in failover "
                "time would measure the settings, not the designs.")
    zk_m, kr_m = mean(zk_seconds), mean(kraft_seconds)
    base = (f"Same {zk_timeout_ms} ms timeout in both modes; new leaders after a controller "
            f"kill: ZooKeeper mode {zk_m:.1f} s, KRaft {kr_m:.1f} s on average "
            f"({len(zk_seconds)} and {len(kraft_seconds)} kill(s)). ")
    slow, fast = (zk_seconds, kraft_seconds) if zk_m > kr_m else (kraft_seconds, zk_seconds)
    if min(slow) <= max(fast) or abs(zk_m - kr_m) < 0.5:
        return base + ("The rounds overlap (or differ by under 0.5 s): no clear difference in "
                       "this run; both are dominated by the timeout.")
    winner = "KRaft" if kr_m < zk_m else "ZooKeeper mode"
    verdict = base + (f"Every {winner} round was faster, by {abs(zk_m - kr_m):.1f} s on "
                      f"average, in this run.")
    if winner == "ZooKeeper mode" and kr_m >= 1.7 * kraft_timeout_ms / 1000:
        verdict += (" KRaft took about two timeouts: the other controllers first noticed the "
                    "silent controller (controller.quorum.fetch.timeout.ms) and elected a new "
                    "one, which then waited out the dead node's broker session "
                    "(broker.session.timeout.ms) before moving its partitions; in ZooKeeper "
                    "mode one session expiry ends both roles at once.")
    return verdict
