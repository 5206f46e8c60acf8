"""The demo policies load twice without change, and their pages read well in both languages."""

from participation.core.links import Link
from participation.extensions import db
from participation.policies.models import Policy, Provision

from ..conftest import html_of


def test_demo_policies(make_app):
    app = make_app(DEMO=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    with app.app_context():
        policies = db.session.scalars(db.select(Policy).order_by(Policy.id)).all()
        assert len(policies) == 3 and all(p.is_published for p in policies)
        ids = [p.id for p in policies]
        covers = db.select(Link).where(Link.source_type == "policy", Link.relation == "covers")
        assert len(db.session.scalars(covers).all()) == 2
        assert db.session.scalar(db.select(db.func.count(Provision.id))) == 1
        device_id = db.session.scalar(covers.where(Link.target_type == "sensor").with_only_columns(Link.target_id))
    client = app.test_client()
    platform = html_of(client.get(f"/policies/{ids[0]}"))
    assert "プライバシーポリシー" in platform and "パスワード" in platform
    lab_diff = html_of(client.get(f"/policies/{ids[2]}/diff?a=1&b=2"))
    assert "<ins>" in lab_diff
    assert client.get(f"/policies/{ids[2]}/diff?a=1&b=2&lang=en").status_code == 200
    assert f'href="/policies/{ids[2]}"' in html_of(client.get(f"/sensors/{device_id}"))
    assert "みどり川大学" in html_of(client.get("/policies/provisions"))
