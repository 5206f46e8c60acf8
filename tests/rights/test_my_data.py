from __future__ import annotations

import csv
import io
import json
import zipfile

from participation.core.models import Role
from participation.rights.models import Kind

from ..conftest import html_of
from .test_erasure import LAB_ITEM, _give_the_person_data_everywhere


def test_my_data_shows_everything_and_who_looked(
    app, client, make_user, login, open_process, make_proposal, file_request
):
    person = make_user(name="データ花子", email="hanako-data@example.jp")
    admin = make_user(Role.ADMIN, name="管理職員")
    process_id = open_process()
    make_proposal(process_id, person.id, title="図書館の開館時間", body="延長してほしい")
    file_request(person, details="開示してください")
    login(admin)
    client.get(f"/admin/users/{person.id}")  # staff view the person's personal data
    client.post("/logout")
    login(person)
    page = html_of(client.get("/account/data"))
    for expected in ("hanako-data@example.jp", "データ花子", "図書館の開館時間", "開示してください", "管理職員"):
        assert expected in page, expected
    assert "職員があなたの個人データを閲覧した記録" in page
    assert client.get("/account/data").headers["Cache-Control"] == "no-store"


def test_downloads_as_json_and_zip_of_csv(app, client, make_user, login, open_process, make_proposal):
    person = make_user(name='=HYPERLINK("x")', email="dl@example.jp")
    process_id = open_process()
    make_proposal(process_id, person.id, title="ベンチ")
    login(person)
    response = client.get("/account/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    assert document["sections"]["プロフィール"][0]["メールアドレス"] == "dl@example.jp"
    assert document["sections"]["あなたの提案"][0]["タイトル"] == "ベンチ"
    response = client.get("/account/data.zip")
    assert response.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert all(name.endswith(".csv") and "/" not in name for name in names)
    profile = archive.read(names[0])
    assert profile.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(profile.decode("utf-8-sig"))))
    assert "dl@example.jp" in rows[1]
    assert '\'=HYPERLINK("x")' in rows[1]  # formulas stay text in spreadsheets


def test_my_data_needs_an_account(client):
    for url in ("/account/data", "/account/data.json", "/account/data.zip"):
        assert client.get(url).status_code == 302


def test_my_data_runs_a_fixed_number_of_queries(
    app, client, make_user, login, open_process, make_proposal, count_queries, file_request, make_policy
):
    person, other = make_user(), make_user()
    process_id = open_process(comments_open=True)
    policy_id = make_policy(items=(LAB_ITEM,))
    login(person)
    client.get("/account/data")
    with count_queries() as few:
        client.get("/account/data")
    for n in range(4):
        make_proposal(process_id, person.id, title=f"提案{n}")
        file_request(person)
    # Something in every other section too: comments, votes, a report, a follow, a notification, a
    # consent and its history, a discussion.
    _give_the_person_data_everywhere(
        app, person.id, other.id, process_id, make_proposal(process_id, other.id, title="他の提案"), policy_id
    )
    with count_queries() as many:
        client.get("/account/data")
    # The account and its roles, banner, bell (4), then one query per section: profile, activity, staff
    # views (2: profile and roles come with the account), proposals (2), rights (1), comments and votes
    # (2), discussions (1), reports and decisions on own content (2), follows and notifications (2:
    # the digest setting is on the account), consents and their history (2).
    assert few.n == many.n == 19, "\n\n".join(s[:150] for s in many.statements)


def test_every_page_works_in_english(app, client, make_user, login, file_request, make_device):
    staff = make_user(Role.STAFF)
    device_id = make_device()
    request_id = file_request(staff, kind=Kind.COMPLAINT, topic="devices", about=f"device:{device_id}")
    client.post("/locale", data={"locale": "en", "next": "/"})
    login(staff)
    expectations = {
        "/rights/": "Your data rights",
        f"/rights/new?about=device:{device_id}": "Watch camera, station north exit",
        f"/rights/{request_id}": "Cameras and sensors in public space",
        "/rights/statistics": "Complaints by topic",
        "/account/data": "Times staff viewed your personal data",
        "/admin/rights": "Rights requests",
        f"/admin/rights/{request_id}": "Work on the request",
    }
    for url, text in expectations.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.get_data(as_text=True), url
