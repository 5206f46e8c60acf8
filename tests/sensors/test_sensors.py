from datetime import date

import pytest

from participation.core.models import ActionLog, District, Role
from participation.core.types import LocalizedText
from participation.extensions import db
from participation.sensors import services
from participation.sensors.models import Device, DeviceVersion

from ..conftest import html_of
from .conftest import complete_fields, get_device, ja

EN = {"Accept-Language": "en"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(model.id)))


def _form(**overrides) -> dict:
    """The staff form for a complete device, as the browser sends it."""
    data = {}
    for name, value in complete_fields().items():
        if isinstance(value, LocalizedText):
            for locale, text in value.items():
                data[f"{name}-{locale}"] = text
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, date):
            data[name] = value.isoformat()
        elif name == "dtpr":
            for category, keys in value.items():
                data[f"dtpr_{category}"] = keys
        else:
            data[name] = str(value)
    data["district_id"] = "0"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- publication rules -----------------------------------------------------------------------


def test_publication_lists_every_missing_field(app):
    with app.app_context():
        device = services.create_device(None, name=ja("下書きカメラ"), kind="camera")
        with pytest.raises(services.SensorError) as refused:
            services.publish(None, device)
        missing = {name for name, _message in refused.value.problems}
        assert {
            "latitude",
            "address",
            "organisation",
            "contact",
            "purposes",
            "legal_basis",
            "captured",
            "identifiability",
            "kept",
            "retention_days",
            "access",
            "privacy_measures",
            "storage_location",
            "active_since",
        } <= missing
        assert db.session.get(Device, device.id).published_at is None


@pytest.mark.parametrize(
    "purpose", ["防犯", "防犯のため", "安全・安心のため", "Security", "for safety and security", "監視目的"]
)
def test_vague_purposes_cannot_be_published(app, purpose):
    with app.app_context():
        device = services.create_device(None, **complete_fields(purposes=ja(purpose)))
        with pytest.raises(services.SensorError) as refused:
            services.publish(None, device)
        assert [name for name, _m in refused.value.problems] == ["purposes"]


def test_short_purpose_in_one_language_is_refused(app):
    with app.app_context():
        device = services.create_device(None, **complete_fields(purposes=ja("通学路での子どもの見守り", "Kids")))
        with pytest.raises(services.SensorError):
            services.publish(None, device)


def test_mobile_device_needs_an_area_instead_of_a_point(app):
    with app.app_context():
        fields = complete_fields(mobile=True, latitude=None, longitude=None, address=None, place=None)
        device = services.create_device(None, **fields)
        with pytest.raises(services.SensorError) as refused:
            services.publish(None, device)
        assert [name for name, _m in refused.value.problems] == ["area"]
        services.update_device(None, device, **{**fields, "area": ja("市内全域の巡回経路")})
        assert services.publish(None, device)


def test_third_party_provision_needs_grounds(app):
    with app.app_context():
        device = services.create_device(None, **complete_fields(third_party_grounds=None))
        with pytest.raises(services.SensorError) as refused:
            services.publish(None, device)
        assert [name for name, _m in refused.value.problems] == ["third_party_grounds"]


def test_retention_is_days_or_deleted_at_once(app):
    with app.app_context():
        device = services.create_device(None, **complete_fields(retention_days=None, deleted_at_once=True))
        assert services.publish(None, device)
        with pytest.raises(services.SensorError):
            services.create_device(None, **complete_fields(deleted_at_once=True))
        with pytest.raises(services.SensorError):
            services.create_device(None, **complete_fields(retention_days=0))


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": 91.0},
        {"latitude": -90.5},
        {"longitude": 180.1},
        {"longitude": -200.0},
        {"longitude": None},
        {"active_since": date(2026, 5, 1), "active_until": date(2026, 4, 30)},
        {"kind": "drone"},
        {"identifiability": "maybe"},
        {"name": LocalizedText()},
        {"district_id": 999},
    ],
)
def test_bad_values_are_refused_and_nothing_is_saved(app, overrides):
    with app.app_context(), pytest.raises(services.SensorError):
        services.create_device(None, **complete_fields(**overrides))
    assert _count(app, Device) == 0
    assert _count(app, ActionLog) == 0


def test_publication_makes_version_one_and_logs_publicly(app, make_device):
    device_id = make_device()
    device = get_device(app, device_id)
    assert device.is_published
    assert [(v.number, v.reason) for v in device.versions] == [(1, None)]
    assert device.versions[0].snapshot["retention_days"] == 14
    with app.app_context():
        actions = db.session.scalars(db.select(ActionLog.action).order_by(ActionLog.id)).all()
        assert actions == ["sensor.created", "sensor.published"]
        assert not services.publish(None, db.session.get(Device, device_id))


def test_change_after_publication_is_a_version_with_reason(app, make_device):
    device_id = make_device()
    with app.app_context():
        device = db.session.get(Device, device_id)
        fields = complete_fields(retention_days=30)
        with pytest.raises(services.SensorError) as refused:
            services.update_device(None, device, **fields)
        assert refused.value.message == services.REASON_MISSING
        assert db.session.get(Device, device_id).retention_days == 14
        with pytest.raises(services.SensorError) as refused:
            services.update_device(None, device, reason=ja("変更なし"), **complete_fields())
        assert refused.value.message == services.NOTHING_CHANGED
        with pytest.raises(services.SensorError):
            services.update_device(None, device, reason=ja("目的の変更"), **complete_fields(purposes=ja("防犯")))
        services.update_device(None, device, reason=ja("保存期間を延長", "Longer retention"), **fields)
    device = get_device(app, device_id)
    assert device.retention_days == 30
    assert [v.number for v in device.versions] == [1, 2]
    assert device.versions[1].changed == ["retention_days"]
    assert device.versions[1].reason["ja"] == "保存期間を延長"
    assert device.versions[0].snapshot["retention_days"] == 14
    assert _count(app, DeviceVersion) == 2


def test_drafts_are_edited_without_versions(app, make_device):
    device_id = make_device(published=False)
    with app.app_context():
        device = db.session.get(Device, device_id)
        services.update_device(None, device, **complete_fields(retention_days=7))
    assert _count(app, DeviceVersion) == 0
    assert get_device(app, device_id).retention_days == 7


# --- public pages ----------------------------------------------------------------------------


def test_device_page_shows_every_field_in_the_readers_language(app, client, make_device):
    device_id = make_device()
    with app.app_context():
        services.update_device(
            None,
            db.session.get(Device, device_id),
            reason=ja("マスキング範囲を拡大", "Masking extended"),
            **complete_fields(privacy_measures=ja("住宅の窓と玄関をマスキング", "Windows and entrances are masked")),
        )
    html = html_of(client.get(f"/sensors/{device_id}"))
    for text in (
        "設置目的",
        "保存期間",
        "14日",
        "第三者提供",
        "顔認識",
        "マスキング範囲を拡大",
        "住宅の窓と玄関をマスキング",
    ):
        assert text in html, text
    english = html_of(client.get(f"/sensors/{device_id}", headers=EN))
    for text in ("Purposes", "14 days", "Masking extended", "Version 2", "Police investigation requests only"):
        assert text in english, text


def test_drafts_and_bad_ids_are_404_for_the_public(client, make_device, make_user, login):
    device_id = make_device(published=False)
    assert client.get(f"/sensors/{device_id}").status_code == 404
    assert client.get("/sensors/9999").status_code == 404
    assert client.get("/sensors/abc").status_code == 404
    assert "見守りカメラ" not in html_of(client.get("/sensors"))
    login(make_user(Role.RESIDENT))
    assert client.get(f"/sensors/{device_id}").status_code == 404


def test_expired_device_is_marked_for_public_and_staff(app, client, make_device, make_user, login):
    device_id = make_device(active_since=date(2020, 4, 1), active_until=date(2025, 3, 31))
    html = html_of(client.get(f"/sensors/{device_id}"))
    assert "期限切れ" in html
    assert "期限切れ" in html_of(client.get("/sensors"))
    login(make_user(Role.STAFF))
    manage = html_of(client.get("/admin/sensors"))
    assert "更新が必要" in manage and f"/admin/sensors/{device_id}" in manage


def test_list_filters(app, client, make_device):
    with app.app_context():
        district = District(code="kawabe", name=LocalizedText({"ja": "川辺地区", "en": "Kawabe"}))
        db.session.add(district)
        db.session.commit()
        district_id = district.id
    make_device(name=ja("見守りカメラ 駅北口"))
    make_device(
        name=ja("赤外線カウンター 遊歩道"),
        kind="infrared_counter",
        district_id=district_id,
        organisation=ja("公園緑地課"),
    )

    def names(query):
        html = html_of(client.get(f"/sensors?{query}"))
        return ("駅北口" in html, "遊歩道" in html)

    assert names("") == (True, True)
    assert names("kind=infrared_counter") == (False, True)
    assert names(f"district={district_id}") == (False, True)
    assert names("organisation=公園緑地課") == (False, True)
    assert names("q=駅北口") == (True, False)
    assert names("q=%25") == (False, False)
    assert names("kind=bogus&district=x") == (True, True)
    fragment = html_of(client.get("/sensors?kind=camera", headers={"HX-Request": "true"}))
    assert fragment.lstrip().startswith('<div id="sensor-list"')


@pytest.mark.parametrize("n", [3, 30])
def test_the_list_runs_a_constant_number_of_queries(app, client, make_device, count_queries, n):
    with app.app_context():
        for code in ("a", "b"):
            db.session.add(District(code=code, name=LocalizedText({"ja": code})))
        db.session.commit()
        district_ids = db.session.scalars(db.select(District.id)).all()
    for i in range(n):
        make_device(name=ja(f"カメラ{i}"), district_id=district_ids[i % 2])
    client.get("/sensors")
    with count_queries() as counted:
        response = client.get("/sensors")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('class="sensor-row"') == min(n, 20)
    assert counted.n == 5, counted.statements  # + the site footer's organisation


# --- staff pages -----------------------------------------------------------------------------


def test_residents_and_anonymous_cannot_manage(app, client, make_device, make_user, login):
    device_id = make_device(published=False)
    for url in ("/admin/sensors", "/admin/sensors/new", f"/admin/sensors/{device_id}"):
        assert client.get(url).status_code == 302
    assert client.post(f"/admin/sensors/{device_id}/publish").status_code == 302
    login(make_user(Role.RESIDENT))
    for url in ("/admin/sensors", "/admin/sensors/new", f"/admin/sensors/{device_id}"):
        assert client.get(url).status_code == 403
    assert client.post("/admin/sensors/new", data=_form()).status_code == 403
    assert client.post(f"/admin/sensors/{device_id}/publish").status_code == 403
    assert not get_device(app, device_id).is_published
    assert _count(app, Device) == 1


def test_staff_register_publish_and_revise_through_the_forms(app, client, make_user, login):
    login(make_user(Role.STAFF))
    assert "カメラ・センサー" in html_of(client.get("/admin/sensors"))
    response = client.post("/admin/sensors/new", data=_form())
    assert response.status_code == 302
    device_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/sensors/{device_id}").status_code == 200  # staff see drafts
    assert client.post(f"/admin/sensors/{device_id}/publish").status_code == 302
    assert get_device(app, device_id).is_published
    refused = client.post(f"/admin/sensors/{device_id}", data=_form(retention_days="30"))
    assert refused.status_code == 422 and "変更の理由" in refused.get_data(as_text=True)
    ok = client.post(f"/admin/sensors/{device_id}", data=_form(retention_days="30", **{"reason-ja": "延長"}))
    assert ok.status_code == 302
    assert [v.number for v in get_device(app, device_id).versions] == [1, 2]
    assert "延長" in html_of(client.get(f"/sensors/{device_id}"))


def test_publishing_an_incomplete_draft_lists_each_field(app, client, make_user, login):
    login(make_user(Role.STAFF))
    response = client.post("/admin/sensors/new", data={"name-ja": "未完成", "kind": "camera", "district_id": "0"})
    assert response.status_code == 302
    device_id = int(response.headers["Location"].rsplit("/", 1)[1])
    refused = client.post(f"/admin/sensors/{device_id}/publish")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "設置目的" in html and "保存期間" in html and "管理責任者" in html
    english = client.post(f"/admin/sensors/{device_id}/publish", headers=EN).get_data(as_text=True)
    assert "Enter the retention period in days" in english
    assert not get_device(app, device_id).is_published


@pytest.mark.parametrize(
    "overrides",
    [
        {"latitude": "200"},
        {"longitude": "-181"},
        {"latitude": "north"},
        {"active_until": "2020-01-01"},
        {"kind": "drone"},
        {"district_id": "999"},
        {"retention_days": "0"},
        {"deleted_at_once": "y"},
        {"signage_on": "tomorrow"},
    ],
)
def test_form_refusals_save_nothing(app, client, make_user, login, overrides):
    login(make_user(Role.STAFF))
    response = client.post("/admin/sensors/new", data=_form(**overrides))
    assert response.status_code == 422
    assert 'class="error-summary"' in response.get_data(as_text=True)
    assert _count(app, Device) == 0


def test_edit_of_unknown_device_is_404(client, make_user, login):
    login(make_user(Role.STAFF))
    assert client.get("/admin/sensors/9999").status_code == 404
    assert client.post("/admin/sensors/9999/publish").status_code == 404


def test_resource_type_and_action_labels(app, make_device):
    from participation.core.action_log import describe
    from participation.core.resources import resource_type

    device_id = make_device()
    with app.test_request_context():
        rtype = resource_type("sensor")
        device = db.session.get(Device, device_id)
        assert rtype.url(device) == f"/sensors/{device_id}"
        assert rtype.title(device) == "見守りカメラ 駅北口"
        assert rtype.is_public(device)
        services.update_device(None, device, reason=ja("理由"), **complete_fields(retention_days=20))
        for entry in db.session.scalars(db.select(ActionLog)):
            assert describe(entry) != entry.action


def test_demo_seed_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    first = _count(app, Device), _count(app, DeviceVersion)
    assert runner.invoke(args=["seed", "demo"]).exit_code == 0
    assert (_count(app, Device), _count(app, DeviceVersion)) == first
    with app.app_context():
        devices = db.session.scalars(db.select(Device)).all()
        assert len(devices) >= 12
        assert sum(1 for d in devices if not d.is_published) == 1
        assert any(d.is_published and d.is_expired(date(2026, 11, 22)) for d in devices)
        for device in devices:
            if device.is_published:
                assert services.publication_problems(device) == [], device.name
