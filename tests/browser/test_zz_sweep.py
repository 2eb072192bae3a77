import pytest
from tests.browser.conftest import check_accessibility
from tests.browser.test_journeys import log_in
from tests.factories import PASSWORD, make_user, make_organisation

@pytest.mark.parametrize("width", [1280, 360])
def test_sweep(live_server, new_page, width):
    def seed():
        admin = make_user(role="admin")
        pend = make_user(status="pending", display_name="Xaver Wartend")
        return admin.email, admin.organisation_id, pend.id
    email, org, pend = live_server.seed(seed)
    page = new_page()
    page.set_viewport_size({"width": width, "height": 800})
    failures = []
    for path in ["/accounts/login", "/accounts/register", "/accounts/password/forgot", "/accounts/confirm/bad", "/accounts/password/reset/bad", "/nope", "/pages/impressum"]:
        page.goto(path)
        try: check_accessibility(page)
        except BaseException as e: failures.append(f"{path}: {e}")
    page.goto("/accounts/register")
    page.get_by_role("button", name="Registrieren", exact=True).click()
    try: check_accessibility(page)
    except BaseException as e: failures.append(f"register-errors: {e}")
    page.goto("/accounts/login")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    try: check_accessibility(page)
    except BaseException as e: failures.append(f"login-errors: {e}")
    log_in(page, email, PASSWORD)
    for path in ["/", "/organisations/", f"/organisations/{org}", f"/organisations/{org}/edit", "/organisations/new", "/organisations/import",
                 "/moderation/registrations", f"/moderation/registrations/{pend}/reject", "/moderation/log", "/admin/users", f"/admin/users/{pend}",
                 "/accounts/profile", "/accounts/password", "/pages/impressum", "/pages/impressum/edit"]:
        page.goto(path)
        try: check_accessibility(page)
        except BaseException as e: failures.append(f"{path}: {e}")
    for name in ["Ablehnen und Person informieren"]:
        pass
    page.goto("/accounts/password")
    page.get_by_role("button").last.click()
    try: check_accessibility(page)
    except BaseException as e: failures.append(f"pw-errors: {e}")
    page.goto("/organisations/new")
    page.locator("main form button[type=submit]").last.click()
    try: check_accessibility(page)
    except BaseException as e: failures.append(f"org-errors: {e}")
    print("\n\n".join(failures) or "NO FAILURES")
