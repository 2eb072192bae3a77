from tests.helpers import text_of


def test_anonymous_visitor_sees_german_login_page(client):
    response = client.get("/accounts/login")
    assert response.status_code == 200
    assert "Anmelden" in text_of(response)


def test_member_sees_dashboard_with_name_and_organisation(member_client, member):
    response = member_client.get("/")
    page = text_of(response)
    assert member.display_name in page
    assert member.organisation.name in page
