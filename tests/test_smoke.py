def test_it_serves_the_health_check(client):
    assert client.get("/healthz").content == b"ok"


def test_it_builds_the_small_plan(plan):
    assert plan.items.count() == 2 + 4 + 4 + 8
