"""Published devices are found by search, in Japanese and in English; drafts are not."""

from ..conftest import html_of
from .conftest import ja


def test_published_devices_are_searchable_drafts_are_not(client, make_device):
    published = make_device(name=ja("見守りカメラ 駅北口", "Watch camera, station north exit"))
    draft = make_device(published=False, name=ja("人流解析カメラ 試験機", "People-flow camera prototype"))
    html = html_of(client.get("/search", query_string={"q": "駅北口"}))
    assert f'href="/sensors/{published}"' in html
    english = client.get("/search", query_string={"q": "station exit"}, headers={"Accept-Language": "en"})
    assert f'href="/sensors/{published}"' in english.get_data(as_text=True)
    assert f'href="/sensors/{draft}"' not in html_of(client.get("/search", query_string={"q": "試験機"}))
