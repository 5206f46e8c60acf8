"""Links between records of different capabilities (core/links.py): one table, both directions,
the other ends loaded in a bounded number of queries, and nothing shown that the reader may not see."""

from __future__ import annotations

import pytest

from participation.config import DEFAULTS
from participation.core import links
from participation.core.models import Role, User
from participation.extensions import db
from participation.policies.models import Policy
from participation.processes.models import Process
from participation.sensors import services as sensors
from participation.sensors.models import Device

from ..sensors.conftest import complete_fields, ja

JA = {"Accept-Language": "ja"}
EN = {"Accept-Language": "en"}


def _device(app, name: str = "見守りカメラ 駅北口", published: bool = True) -> int:
    with app.app_context():
        device = sensors.create_device(None, **complete_fields(name=ja(name, "Camera")))
        if published:
            sensors.publish(None, device)
        return device.id


def _count_links(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(links.Link.id)))


def test_linking_is_idempotent_and_reads_both_ways(app, make_policy, make_process):
    policy_id, device_id, process_id = make_policy(), _device(app), make_process()
    with app.test_request_context():
        policy, device = db.session.get(Policy, policy_id), db.session.get(Device, device_id)
        process = db.session.get(Process, process_id)
        assert links.link(policy, device, "covers") is True
        assert links.link(policy, device, "covers") is False  # already there
        assert links.link(policy, device, "mentions") is True  # another relation is another link
        assert links.link(policy, process, "covers") is True
        db.session.commit()
        assert [(i.type_name, i.record.id) for i in links.links_from(policy, relation="covers")] == [
            ("sensor", device_id),
            ("process", process_id),
        ]
        assert [i.record.id for i in links.links_from(policy, type="process")] == [process_id]
        assert [(i.type_name, i.outgoing) for i in links.links_to(device, relation="covers")] == [("policy", False)]
        assert links.unlink(policy, device, "mentions") == 1
        assert links.set_links(policy, "covers", [process]) == (0, 1)
        db.session.commit()
        assert links.links_to(device) == []
        assert links.unlink_all(process) == 1
        db.session.commit()
    assert _count_links(app) == 0


def test_what_cannot_be_linked_is_refused(app, make_policy, make_user):
    policy_id, person = make_policy(), make_user()
    with app.test_request_context():
        policy = db.session.get(Policy, policy_id)
        with pytest.raises(ValueError, match="itself"):
            links.link(policy, policy, "covers")
        with pytest.raises(ValueError, match="'user'"):  # people are not linked: their data stays erasable
            links.link(policy, db.session.get(User, person.id), "covers")
        with pytest.raises(ValueError, match="relation"):
            links.link(policy, db.session.get(Policy, make_policy()), "x" * 41)
        with pytest.raises(LookupError):
            links.link(policy, object(), "covers")
    assert _count_links(app) == 0


def test_the_other_ends_load_in_one_query_per_type(app, make_policy, make_process, count_queries):
    policy_id = make_policy()
    targets = [("sensor", _device(app, f"カメラ{i}")) for i in range(4)] + [
        ("process", make_process()) for _ in range(3)
    ]
    with app.test_request_context():
        policy = db.session.get(Policy, policy_id)
        found = {(name, ident): obj for (name, ident), obj in links.load_many(targets).items()}
        links.set_links(policy, "covers", found.values())
        db.session.commit()
        db.session.expunge_all()
        policy = db.session.get(Policy, policy_id)
        with count_queries() as counted:
            items = links.links_from(policy)
            titles = [item.title for item in items]
        assert len(titles) == 7
        assert counted.n == 3  # the links, then the devices and the consultations, one query each


def test_readers_see_only_what_is_public_to_them(app, client, login, make_user, make_policy):
    policy_id = make_policy()
    public_id, draft_id = _device(app, "公開中のカメラ"), _device(app, "準備中のカメラ", published=False)
    with app.test_request_context():
        policy = db.session.get(Policy, policy_id)
        links.set_links(policy, "covers", [db.session.get(Device, public_id), db.session.get(Device, draft_id)])
        db.session.commit()
    page = client.get(f"/policies/{policy_id}", headers=JA).get_data(as_text=True)
    assert "関連する情報" in page and "カメラ・センサー" in page
    assert "公開中のカメラ" in page and "準備中のカメラ" not in page and f"/sensors/{draft_id}" not in page
    login(make_user(Role.STAFF))  # staff see the draft they prepare, marked
    page = client.get(f"/policies/{policy_id}", headers=JA).get_data(as_text=True)
    assert "準備中のカメラ" in page and "非公開" in page
    english = client.get(f"/policies/{policy_id}", headers=EN).get_data(as_text=True)
    assert "Related records" in english and "Cameras and sensors" in english and "Not public" in english


def test_a_record_hidden_by_moderation_is_not_revealed(app, client, login, make_user, make_policy):
    from participation.core.moderation import services as moderation
    from participation.proposals.models import Proposal

    policy_id = make_policy()
    process_id = _open_process(app)
    author = make_user()
    with app.test_request_context():
        proposal = Proposal(process_id=process_id, author_id=author.id, title="隠される提案", body="本文", locale="ja")
        db.session.add(proposal)
        db.session.flush()
        links.link(db.session.get(Policy, policy_id), proposal, "responds_to")
        db.session.commit()
        moderator = db.session.get(User, make_user(Role.MODERATOR).id)
        moderation.hide(moderator, proposal, reason="個人情報が含まれるため")
    page = client.get(f"/policies/{policy_id}").get_data(as_text=True)
    assert "隠される提案" not in page and "関連する情報" not in page
    login(make_user())
    assert "隠される提案" not in client.get(f"/policies/{policy_id}").get_data(as_text=True)


def _open_process(app) -> int:
    from datetime import timedelta

    from participation.core.types import LocalizedText, local_today
    from participation.processes import services

    with app.app_context():
        process = services.create_process(
            None, title=LocalizedText({"ja": "駅前"}), summary=LocalizedText({"ja": "概要"})
        )
        services.add_phase(
            None,
            process,
            title=LocalizedText({"ja": "受付"}),
            starts_on=local_today() - timedelta(days=1),
            ends_on=local_today() + timedelta(days=1),
        )
        services.publish(None, process)
        return process.id


def test_pages_show_related_records_in_both_directions(app, client, make_policy, make_process):
    policy_id, device_id, process_id = make_policy(), _device(app), make_process("駅前広場の再整備")
    with app.test_request_context():
        policy = db.session.get(Policy, policy_id)
        links.set_links(policy, "covers", [db.session.get(Device, device_id), db.session.get(Process, process_id)])
        db.session.commit()
    policy_page = client.get(f"/policies/{policy_id}").get_data(as_text=True)
    assert f'href="/sensors/{device_id}"' in policy_page and f'href="/processes/{process_id}"' in policy_page
    assert policy_page.index("カメラ・センサー") < policy_page.index("意見募集</h3>")  # grouped by type
    for url in (f"/sensors/{device_id}", f"/processes/{process_id}"):
        page = client.get(url).get_data(as_text=True)
        assert f'href="/policies/{policy_id}"' in page and "データ利用方針</h3>" in page


def test_long_lists_are_cut_per_type(app, client, make_policy, monkeypatch):
    monkeypatch.setattr(links, "PER_TYPE", 2)
    policy_id = make_policy()
    devices = [_device(app, f"カメラ{i}") for i in range(3)]
    with app.test_request_context():
        links.set_links(db.session.get(Policy, policy_id), "covers", [db.session.get(Device, d) for d in devices])
        db.session.commit()
    page = client.get(f"/policies/{policy_id}").get_data(as_text=True)
    assert page.count('href="/sensors/') == 2 and "最初の2件のみを表示しています。" in page


def test_links_to_a_capability_the_app_lacks_are_left_out(app, make_app, make_policy):
    policy_id, device_id = make_policy(), _device(app)
    with app.test_request_context():
        links.link(db.session.get(Policy, policy_id), db.session.get(Device, device_id), "covers")
        db.session.commit()
    without = make_app(CAPABILITIES=[c for c in DEFAULTS["CAPABILITIES"] if "sensors" not in c])
    page = without.test_client().get(f"/policies/{policy_id}")
    assert page.status_code == 200 and "/sensors/" not in page.get_data(as_text=True)
