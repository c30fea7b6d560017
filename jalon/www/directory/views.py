"""The directory for case workers: search, and "Trouver un service" from a person file."""

from data_inclusion.schema.v1 import Frais, ModeAccueil, Public, Thematique
from django import forms
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.directory import actions, freshness, geo, spreadsheet
from jalon.directory.exporter import export_offer
from jalon.directory.models import ImportRun, Service, ServiceKind, ServiceTheme
from jalon.directory.search import narrowed, search_page
from jalon.exports import XLSX_CONTENT_TYPE as XLSX
from jalon.referrals.models import Need
from jalon.referrals.selectors import latest_intake
from jalon.structures import communes
from jalon.www.fields import CommuneField
from jalon.www.scoping import person_for_edit, require

# The data·inclusion category that answers each life domain of the intake.
NEED_CATEGORIES = {
    Need.EMPLOYMENT: "trouver-un-emploi",
    Need.TRAINING: "se-former",
    Need.DIGITAL: "numerique",
    Need.HOUSING: "logement-hebergement",
    Need.HEALTH: "sante",
    Need.MOBILITY: "mobilite",
    Need.BUDGET: "difficultes-financieres",
    Need.FAMILY: "famille",
    Need.RIGHTS: "difficultes-administratives-ou-juridiques",
    Need.LANGUAGE: "lecture-ecriture-calcul",
    Need.BUSINESS: "creer-une-entreprise",
}


class SearchForm(forms.Form):
    q = forms.CharField(label="Mots-clés", required=False, max_length=200)
    commune = CommuneField(label="Commune de la personne", required=False)
    besoin = forms.MultipleChoiceField(
        label="Besoins", choices=Need.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    nature = forms.ChoiceField(label="Nature", choices=[("", "Tout")] + ServiceKind.choices, required=False)
    public = forms.ChoiceField(
        label="Public", choices=[("", "Tous")] + [(p.value, p.label) for p in Public], required=False
    )
    frais = forms.ChoiceField(
        label="Coût",
        choices=[("", "Gratuit ou payant")] + [(f.value, f.label) for f in Frais],
        required=False,
    )
    niveau = forms.TypedChoiceField(
        label="Niveau de la formation",
        choices=[("", "Tous niveaux")] + [(n, f"Niveau {n}") for n in range(3, 9)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    accueil = forms.ChoiceField(
        label="Accueil",
        choices=[("", "Sur place ou à distance")] + [(m.value, m.label) for m in ModeAccueil],
        required=False,
    )
    rayon = forms.TypedChoiceField(
        label="Distance de la commune",
        choices=[("", "Toute la zone")] + [(km, f"À moins de {km} km") for km in (5, 10, 20, 50)],
        coerce=int,
        empty_value=None,
        required=False,
    )

    def clean(self):
        data = super().clean()
        if data.get("rayon") and not data.get("commune"):
            self.add_error(
                "rayon", "Choisissez d'abord la commune de la personne : la distance se compte depuis elle."
            )
        return data


def _results(request, form):
    data = form.cleaned_data if form.is_valid() else {}
    queryset = Service.objects.select_related("structure", "commune")
    codes = [
        t.value
        for need in data.get("besoin") or []
        for t in Thematique
        if t.value.startswith(NEED_CATEGORIES[need] + "--")
    ]
    if codes:
        queryset = queryset.filter(pk__in=ServiceTheme.objects.filter(code__in=codes).values("service_id"))
    queryset = narrowed(
        queryset,
        kind=data.get("nature") or "",
        public=data.get("public") or "",
        frais=data.get("frais") or "",
        niveau=data.get("niveau"),
        accueil=data.get("accueil") or "",
    )
    try:
        return search_page(
            queryset,
            data.get("q", ""),
            after=request.GET.get("apres", ""),
            size=20,
            commune=data.get("commune"),
            radius_km=data.get("rayon"),
        )
    except geo.NoPosition as problem:
        form.add_error("rayon", str(problem))
        return [], None


@require_GET
def directory_search(request):
    require(request, "people.view")
    form = SearchForm(request.GET or None)
    rows, next_cursor = _results(request, form) if request.GET else ([], None)
    query = request.GET.copy()
    query.pop("apres", None)
    context = {
        "form": form,
        "rows": rows,
        "next_cursor": next_cursor,
        "query": query.urlencode(),
        "person": None,
    }
    return render(request, "directory/search.html", context)


@require_GET
def service_finder(request, pk: int):
    """Pre-filled with the person's commune and the needs of their latest intake."""
    person = person_for_edit(request, pk)
    if "q" in request.GET or "apres" in request.GET:
        form = SearchForm(request.GET)
    else:
        intake = latest_intake(person)
        needs = [n.domain for n in intake.needs.all()] if intake else []
        data = {"besoin": needs, "q": ""}
        if person.commune_id:
            data["commune"] = communes.label(person.commune)
        form = SearchForm(data)
    record(
        action=Action.READ,
        actor=request.user,
        structure=request.membership.structure,
        obj=person,
        detail="annuaire",
    )
    rows, next_cursor = _results(request, form)
    query = request.GET.copy() if request.GET else None
    if query is not None:
        query.pop("apres", None)
    context = {
        "form": form,
        "rows": rows,
        "next_cursor": next_cursor,
        "query": query.urlencode() if query is not None else "",
        "person": person,
    }
    return render(request, "directory/search.html", context)


# --- A structure's own offer -------------------------------------------------------------------

# The file waits in the database for the job: bounded, and far above a real offer's size.
MAX_UPLOAD = 20 * 1024 * 1024


class ImportForm(forms.Form):
    fichier = forms.FileField(
        label="Fichier data·inclusion (modèle de tableur XLSX, JSON ou CSV)",
        help_text="Tout est vérifié avant d'enregistrer : une seule ligne fausse, et rien ne change.",
    )

    def clean_fichier(self):
        upload = self.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("Le fichier dépasse 20 Mo : découpez-le.")
        if not upload.name.lower().endswith((".xlsx", ".json", ".csv")):
            raise forms.ValidationError("Choisissez un fichier .xlsx, .json ou .csv.")
        return upload


def directory_offer(request):
    """The structure's published offer: quality, freshness, import of a new version, export."""
    membership = require(request, "people.view")
    structure = membership.structure
    can_manage = membership.can("structure.manage")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require(request, "structure.manage")
        if form.is_valid():
            upload = form.cleaned_data["fichier"]
            # Checked and written by a job, whatever the size: one way, and no page times out.
            run = actions.start_import(
                structure=structure, user=request.user, filename=upload.name, content=upload.read()
            )
            return redirect("directory_import_status", token=run.token)
    limit = freshness.stale_before()
    services = list(
        freshness.own_services(structure)
        .select_related("structure", "commune")
        .order_by("structure__nom", "nom")[:500]
    )
    context = {
        "services": [(s, s.date_maj < limit, round((s.score_qualite or 0) * 100)) for s in services],
        "stale": sum(1 for s in services if s.date_maj < limit),
        "form": form if can_manage else None,
        "runs": ImportRun.objects.for_structure(structure).select_related("created_by")[:5],
    }
    return render(request, "directory/offer.html", context)


@require_GET
def directory_import_status(request, token):
    """A run of the offer import: progress while it works (polled by htmx), then its report."""
    membership = require(request, "people.view")
    run = get_object_or_404(ImportRun.objects.for_structure(membership.structure), token=token)
    context = {"run": run, "progress": None if run.finished else actions.import_progress(run)}
    if request.htmx:
        return render(request, "directory/_import_status.html", context)
    return render(request, "directory/import_status.html", context)


@require_GET
def directory_offer_export(request):
    membership = require(request, "people.view")
    response = JsonResponse(
        export_offer(membership.structure), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = 'attachment; filename="offre-data-inclusion.json"'
    record(
        action=Action.EXPORT,
        actor=request.user,
        structure=membership.structure,
        detail="offre data·inclusion",
    )
    return response


@require_GET
def directory_offer_export_xlsx(request):
    """The offer in the national spreadsheet template, to correct and send to the valideur."""
    membership = require(request, "people.view")
    response = HttpResponse(spreadsheet.write_workbook(export_offer(membership.structure)), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="offre-data-inclusion.xlsx"'
    record(
        action=Action.EXPORT,
        actor=request.user,
        structure=membership.structure,
        detail="offre data·inclusion (tableur)",
    )
    return response
