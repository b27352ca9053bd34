# cell: a_controller
# verdict: wrong
# misconception: takes /controller_epoch (the count of controller elections) for the
#   controller's broker id
# loses: test_controller_zookeeper_only, test_controller_none_during_election
# may_lose: test_controller_now
#   (on the live cluster the epoch, 2 after section 2's controller kill, can equal the id of
#   the broker that took over)
def current_controller(zk):
    try:
        data, _ = zk.get("/controller_epoch")
    except NoNodeError:  # noqa: F821 - imported by the notebook's setup cell
        return None
    return int(data.decode())
