"""The Jobcenter directory, organisation administration and the all-or-nothing CSV import."""
from __future__ import annotations

from sqlalchemy import func, select

from forum.extensions import db
from forum.audit import AuditEntry
from forum.organisations.models import Organisation, OrganisationDomain
from tests.factories import make_organisation, make_user
from tests.helpers import text_of

HEADER = "name;kind;land;jobcenter_type;email_domains;region\n"


def upload(client, text: str, *, encoding="utf-8", filename="organisationen.csv"):
    from io import BytesIO
    return client.post("/organisations/import", data={"file": (BytesIO(text.encode(encoding)), filename)},
                       content_type="multipart/form-data")


def organisation_named(name):
    db.session.expire_all()
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def test_directory_lists_filters_and_searches_organisations(member_client):
    make_organisation(name="Jobcenter Dortmund", land="NW")
    make_organisation(name="Jobcenter Leipzig", land="SN")
    make_organisation(name="AOK Nordwest", kind="partner", land="NW")
    db.session.commit()
    everything = text_of(member_client.get("/organisations/"))
    assert "Jobcenter Dortmund" in everything and "AOK Nordwest" in everything
    saxony = text_of(member_client.get("/organisations/?land=SN"))
    assert "Jobcenter Leipzig" in saxony and "Jobcenter Dortmund" not in saxony
    partners = text_of(member_client.get("/organisations/?kind=partner"))
    assert "AOK Nordwest" in partners and "Jobcenter Leipzig" not in partners
    search = text_of(member_client.get("/organisations/?q=dort"))
    assert "Jobcenter Dortmund" in search and "Jobcenter Leipzig" not in search


def test_directory_ignores_unknown_filter_values_instead_of_failing(member_client):
    make_organisation(name="Jobcenter Dortmund")
    db.session.commit()
    response = member_client.get("/organisations/?land=XX&kind=evil&page=abc&q=%25_")
    assert response.status_code == 200


def test_directory_shows_member_counts(member_client, member):
    make_user(organisation=member.organisation)
    make_user(organisation=member.organisation, status="pending")
    db.session.commit()
    html = member_client.get(f"/organisations/?q={member.organisation.name}").get_data(as_text=True)
    assert '<td class="kern-table__cell kern-table__cell--numeric">2</td>' in html


def test_admin_creates_an_organisation_with_domains_and_it_is_audited(admin_client, admin):
    response = admin_client.post("/organisations/new", data={
        "name": "Jobcenter Musterstadt", "kind": "jobcenter", "land": "HE", "region": "Rhein-Main",
        "jobcenter_type": "zkt", "domains": "jobcenter-musterstadt.de, @JC-Musterstadt.de"})
    organisation = organisation_named("Jobcenter Musterstadt")
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    assert organisation.domain_names == ["jc-musterstadt.de", "jobcenter-musterstadt.de"]
    assert organisation.jobcenter_type == "zkt" and organisation.land == "HE"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.create"))
    assert entry.actor_id == admin.id and entry.snapshot["after"]["name"] == "Jobcenter Musterstadt"


def test_organisation_form_explains_broken_rules_and_keeps_the_input(admin_client):
    make_organisation(name="Jobcenter Dortmund", domains=("jobcenter-dortmund.example",))
    db.session.commit()
    response = admin_client.post("/organisations/new", data={
        "name": "Jobcenter Neu", "kind": "jobcenter", "land": "", "jobcenter_type": "",
        "domains": "jobcenter-dortmund.example"})
    page = text_of(response)
    assert "Für ein Jobcenter muss das Land angegeben werden." in page
    assert "Die Domain jobcenter-dortmund.example gehört schon zu Jobcenter Dortmund." in page
    assert 'value="Jobcenter Neu"' in response.get_data(as_text=True)
    invalid = text_of(admin_client.post("/organisations/new", data={
        "name": "Partner", "kind": "partner", "domains": "kein domain!"}))
    assert "Keine gültige E-Mail-Domain" in invalid
    assert organisation_named("Jobcenter Neu") is None


def test_admin_edits_an_organisation(admin_client):
    organisation = make_organisation(name="Jobcenter Alt", domains=("alt.example",))
    db.session.commit()
    admin_client.post(f"/organisations/{organisation.id}/edit", data={
        "name": "Jobcenter Neu", "kind": "jobcenter", "land": "BY", "region": "Oberbayern",
        "jobcenter_type": "ge", "domains": "neu.example alt.example"})
    organisation = organisation_named("Jobcenter Neu")
    assert organisation.land == "BY" and sorted(organisation.domain_names) == ["alt.example", "neu.example"]


def test_only_admins_manage_organisations(member_client, moderator_client):
    organisation = make_organisation()
    db.session.commit()
    for client in (member_client, moderator_client):
        assert client.get("/organisations/new").status_code == 403
        assert client.get(f"/organisations/{organisation.id}/edit").status_code == 403
        assert client.post("/organisations/import").status_code == 403


def test_csv_import_creates_and_updates_organisations(admin_client):
    make_organisation(name="Jobcenter Dortmund", land="NW", domains=("alt-dortmund.example",))
    db.session.commit()
    response = upload(admin_client, HEADER +
                      "Jobcenter Dortmund;jobcenter;NW;gE;jobcenter-dortmund.example;Ruhrgebiet\n"
                      "Jobcenter Kreis Offenbach;Jobcenter;Hessen;zkT;kreis-offenbach.example jc-of.example;\n"
                      "Suchthilfe Dortmund e. V.;Kooperationspartner;NW;;suchthilfe.example;\n")
    assert response.headers["Location"] == "/organisations/"
    assert "2 neu angelegt, 1 aktualisiert" in text_of(admin_client.get("/organisations/"))
    dortmund = organisation_named("Jobcenter Dortmund")
    assert dortmund.domain_names == ["jobcenter-dortmund.example"] and dortmund.region == "Ruhrgebiet"
    offenbach = organisation_named("Jobcenter Kreis Offenbach")
    assert (offenbach.land, offenbach.jobcenter_type) == ("HE", "zkt")
    assert sorted(offenbach.domain_names) == ["jc-of.example", "kreis-offenbach.example"]
    assert organisation_named("Suchthilfe Dortmund e. V.").kind == "partner"


def test_csv_import_with_one_bad_line_imports_nothing_and_reports_each_line(admin_client):
    make_organisation(name="Jobcenter Essen", domains=("jobcenter-essen.example",))
    db.session.commit()
    before = db.session.scalar(select(func.count(Organisation.id)))
    response = upload(admin_client, HEADER +
                      "Jobcenter Gut;jobcenter;NW;gE;gut.example;\n"
                      "Jobcenter Ohne Land;jobcenter;;gE;ohne-land.example;\n"
                      "Jobcenter Falsch;behörde;Atlantis;xyz;nicht gültig!;\n"
                      "Jobcenter Doppelt;jobcenter;NW;gE;jobcenter-essen.example;\n"
                      "Jobcenter Gut;jobcenter;NW;gE;gut2.example;\n")
    page = text_of(response)
    assert "Nichts importiert" in page
    assert "3 Für ein Jobcenter muss das Land angegeben werden." in page
    assert "4 Unbekannte Art „behörde“" in page and "Unbekanntes Land „Atlantis“" in page
    assert "Unbekannter Typ „xyz“" in page and "„nicht“ ist keine gültige E-Mail-Domain." in page
    assert "6 Der Name steht schon in Zeile 2." in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Organisation.id))) == before
    assert organisation_named("Jobcenter Gut") is None


def test_csv_import_reports_a_line_with_missing_columns_as_such(admin_client):
    page = text_of(upload(admin_client, HEADER + "Jobcenter Kurz;NW;gE\n"
                                                   "Jobcenter Lang;jobcenter;NW;gE;jobcenter-lang.example\n"))
    assert "2 Die Zeile hat nur 3 Spalten; es fehlen: jobcenter_type, email_domains." in page
    assert "Unbekannte Art" not in page and "Zeile 3" not in page
    assert organisation_named("Jobcenter Lang") is None


def test_csv_import_refuses_a_domain_of_another_organisation(admin_client):
    make_organisation(name="Jobcenter Essen", domains=("jobcenter-essen.example",))
    db.session.commit()
    page = text_of(upload(admin_client, HEADER + "Jobcenter Neu;jobcenter;NW;gE;jobcenter-essen.example;\n"))
    assert "2 Die Domain jobcenter-essen.example gehört schon zu Jobcenter Essen." in page
    assert organisation_named("Jobcenter Neu") is None


def test_csv_import_moves_a_domain_between_two_organisations_of_the_file(admin_client):
    make_organisation(name="Jobcenter A", domains=("gemeinsam.example",))
    make_organisation(name="Jobcenter B", domains=("b.example",))
    db.session.commit()
    upload(admin_client, HEADER + "Jobcenter A;jobcenter;NW;gE;a.example;\n"
                                  "Jobcenter B;jobcenter;NW;gE;b.example gemeinsam.example;\n")
    assert organisation_named("Jobcenter A").domain_names == ["a.example"]
    assert organisation_named("Jobcenter B").domain_names == ["b.example", "gemeinsam.example"]


def test_csv_import_reads_excel_files_in_windows_1252_with_commas(admin_client):
    text = "Name,Art,Bundesland,Typ,Domains\nJobcenter Görlitz,jobcenter,Sachsen,zkT,jobcenter-goerlitz.example\n"
    response = upload(admin_client, text, encoding="cp1252")
    assert response.status_code == 302
    assert organisation_named("Jobcenter Görlitz").land == "SN"


def test_csv_import_explains_a_missing_header_column_and_an_empty_file(admin_client):
    assert "Es fehlen: jobcenter_type, email_domains" in text_of(upload(admin_client, "name;kind;land\nA;partner;\n"))
    assert "Die Datei ist leer." in text_of(upload(admin_client, ""))
    assert "Bitte laden Sie eine CSV-Datei (.csv) hoch." in text_of(upload(admin_client, "x", filename="bild.png"))


def test_csv_import_is_audited(admin_client, admin):
    upload(admin_client, HEADER + "Jobcenter Neu;jobcenter;NW;gE;neu.example;\n")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.import"))
    assert entry.actor_id == admin.id and entry.snapshot["created"] == ["Jobcenter Neu"]


def test_import_organisations_cli_reports_errors_and_imports_nothing(app, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "Jobcenter A;jobcenter;NW;gE;a.example;\nJobcenter B;jobcenter;;gE;b.example;\n")
    result = app.test_cli_runner().invoke(args=["import-organisations", str(bad)])
    assert result.exit_code == 1
    assert "Zeile 3: Für ein Jobcenter muss das Land angegeben werden." in result.output
    assert organisation_named("Jobcenter A") is None

    good = tmp_path / "good.csv"
    good.write_text(HEADER + "Jobcenter A;jobcenter;NW;gE;a.example;\n")
    result = app.test_cli_runner().invoke(args=["import-organisations", str(good)])
    assert result.exit_code == 0 and "1 Organisationen angelegt" in result.output
    assert db.session.scalar(select(OrganisationDomain.domain)) == "a.example"
