"""A case worker downloads a person's data export (PDF) from the file, on a phone (360 px)."""

import pytest

from jalon.audit.models import Action, AuditEvent

from .conftest import check_page, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_download_the_pdf_export_from_the_file_on_a_phone(live_server, phone_page, personas, person_a):
    page = phone_page
    login(page, live_server, personas.case_worker_a.user.email)
    page.goto(f"{live_server.url}/personnes/{person_a.pk}/")
    check_page(page)
    link = page.get_by_role("link", name="Exporter ses données (PDF)")
    link.scroll_into_view_if_needed()
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"donnees-personne-{person_a.pk}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert AuditEvent.objects.filter(person=person_a, action=Action.EXPORT).count() == 1
    # The file page is still there, unchanged, and still accessible.
    check_page(page)
