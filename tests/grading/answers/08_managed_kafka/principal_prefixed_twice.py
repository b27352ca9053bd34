# cell: ex1_answer
# verdict: wrong
# misconception: an ACL's principal is "User:" + the principal given (the notebook built one with f"User:{key.key}"),
#   but the argument already is "User:<key>": the ACLs name the principal "User:User:<key>", nobody the service is
#   (the wrong principal: the broker accepts it without complaint)
# loses: test_ex1_acls, test_ex1_works, test_ex1_least
def grant_billing(admin: AdminClient, principal: str) -> None:
    user = f"User:{principal}"
    grant(admin, [acl(user, "TOPIC", "orders", "WRITE"),
                  acl(user, "TOPIC", "payments", "READ"),
                  acl(user, "GROUP", "billing", "READ")])


ops_admin = AdminClient({**read_client_properties(ops_props), "log_level": 0})
grant_billing(ops_admin, ex1_principal)
