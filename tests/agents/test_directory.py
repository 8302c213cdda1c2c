"""Anyone can find the active agents of their town, and whether their training is current."""

from tests.agents.conftest import ENGLISH


def test_directory_shows_only_active_agents_with_their_contacts(client, make_agent):
    make_agent("王芳", town="澄江街道", village="城中社区", phone="13800000001")
    make_agent("赵强", town="澄江街道", active=False)
    page = client.get("/agents").get_data(as_text=True)
    assert "王芳" in page
    assert "城中社区" in page
    assert "13800000001" in page
    assert "赵强" not in page


def test_directory_groups_agents_by_town_in_the_regions_order(client, make_agent):
    make_agent("陈静", town="华士镇")
    make_agent("王芳", town="澄江街道")
    page = client.get("/agents").get_data(as_text=True)
    assert page.index("澄江街道</h2>") < page.index("王芳") < page.index("华士镇</h2>")
    assert page.index("华士镇</h2>") < page.index("陈静")


def test_directory_filters_by_town(client, make_agent):
    make_agent("王芳", town="澄江街道")
    make_agent("陈静", town="华士镇")
    page = client.get("/agents?town=华士镇").get_data(as_text=True)
    assert "陈静" in page
    assert "王芳" not in page


def test_directory_refuses_a_town_outside_the_region(client):
    assert client.get("/agents?town=上海市").status_code == 400


def test_directory_marks_training_current_or_not(client, make_agent):
    make_agent("王芳", town="澄江街道", trained=3)
    make_agent("陈静", town="华士镇", trained=30)
    page = client.get("/agents", headers=ENGLISH).get_data(as_text=True)
    recent = page[page.index("王芳") : page.index("华士镇</h2>")]
    expired = page[page.index("陈静") :]
    assert "Training current" in recent
    assert "Training not current" in expired


def test_directory_is_paginated(app, client, make_agent):
    app.config["PAGE_SIZE"] = 2
    for number in range(3):
        make_agent(f"代办员{number}")
    page = client.get("/agents?page=2").get_data(as_text=True)
    assert "代办员2" in page
    assert "代办员0" not in page
