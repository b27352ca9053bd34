# cell: ex1_answer
# verdict: wrong
# misconception: a producer needs IDEMPOTENT_WRITE on the cluster resource besides WRITE on its topic (older docs; since
#   Kafka 3.0 WRITE on a topic implies it, and the billing producer is not idempotent anyway): a cluster-wide ACL
#   the service does not need
# loses: test_ex1_acls
def grant_billing(admin: AdminClient, principal: str) -> None:
    grant(admin, [acl(principal, "TOPIC", "orders", "WRITE"),
                  acl(principal, "CLUSTER", "kafka-cluster", "IDEMPOTENT_WRITE"),
                  acl(principal, "TOPIC", "payments", "READ"),
                  acl(principal, "GROUP", "billing", "READ")])


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
