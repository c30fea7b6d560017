"""Referrers: the list with active/dormant status and counts, a referrer's file, its links and poster."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from jalon.pagination import capped_count
from jalon.referrals import actions, links
from jalon.referrals.models import Referrer
from jalon.www import confirm
from jalon.www.scoping import require

from .forms import ProspectionForm, ReferrerFilterForm, ReferrerForm

PAGE_SIZE = 50


def _referrer(request, pk: int, permission: str = "people.view") -> Referrer:
    membership = require(request, permission)
    referrer = (
        Referrer.objects.for_structure(membership.structure)
        .select_related("structure", "facilitator", "commune", "partner_structure")
        .filter(pk=pk)
        .first()
    )
    if referrer is None:
        raise Http404
    return referrer


@require_GET
def referrer_list(request):
    membership = require(request, "people.view")
    form = ReferrerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    queryset = Referrer.objects.for_structure(membership.structure)
    if data.get("q"):
        queryset = queryset.filter(name__icontains=data["q"])
    if data.get("kind"):
        queryset = queryset.filter(kind=data["kind"])
    if data.get("mine"):
        queryset = queryset.filter(facilitator=request.user)
    dormant = Referrer.objects.dormant().values("pk")
    if data.get("etat") == "sommeil":
        queryset = queryset.filter(pk__in=dormant)
    elif data.get("etat") == "actif":
        queryset = queryset.exclude(pk__in=dormant)
    total, more = capped_count(queryset, cap=999)
    offset = (
        max(int(request.GET.get("page", "1") or 1) - 1, 0) * PAGE_SIZE
        if request.GET.get("page", "1").isdigit()
        else 0
    )
    rows = list(
        queryset.select_related("facilitator", "commune").order_by("name", "pk")[
            offset : offset + PAGE_SIZE + 1
        ]
    )
    now = timezone.now()
    context = {
        "form": form,
        "rows": [(r, r.is_dormant(now)) for r in rows[:PAGE_SIZE]],
        "total": total,
        "more": more,
        "next_page": offset // PAGE_SIZE + 2 if len(rows) > PAGE_SIZE else None,
        "can_edit": membership.can("people.edit"),
        "dormant_days": settings.JALON_DORMANT_DAYS,
    }
    return render(request, "referrers/list.html", context)


def referrer_create(request):
    membership = require(request, "people.edit")
    form = ReferrerForm(
        request.POST or None, structure=membership.structure, initial={"facilitator": request.user}
    )
    if request.method == "POST" and form.is_valid():
        referrer = actions.create_referrer(
            structure=membership.structure, actor=request.user, data=form.cleaned_data
        )
        messages.success(request, "Le relais est enregistré. Donnez-lui son lien ou son affiche.")
        return redirect("referrer_detail", pk=referrer.pk)
    return render(request, "referrers/form.html", {"form": form, "creating": True})


def referrer_edit(request, pk: int):
    referrer = _referrer(request, pk, "people.edit")
    form = ReferrerForm(
        request.POST or None,
        instance=Referrer.objects.for_structure(request.membership.structure).get(pk=referrer.pk),
        structure=request.membership.structure,
    )
    if request.method == "POST" and form.is_valid():
        actions.update_referrer(
            referrer=referrer,
            structure=request.membership.structure,
            actor=request.user,
            data=form.cleaned_data,
        )
        messages.success(request, "C'est enregistré.")
        return redirect("referrer_detail", pk=pk)
    return render(request, "referrers/form.html", {"form": form, "referrer": referrer, "creating": False})


def _detail(request, referrer, form):
    membership = request.membership
    can_edit = membership.can("people.edit")
    referrals = list(referrer.referrals.select_related("assigned_to").order_by("-created_at", "-pk")[:30])
    context = {
        "referrer": referrer,
        "dormant": referrer.is_dormant(),
        "can_edit": can_edit,
        "form": form,
        "log": referrer.prospection.select_related("author")[:30],
        "referrals": [(r, reverse("referral_detail", args=[r.pk])) for r in referrals],
        "link": links.referral_url(referrer),
        "self_link": links.referral_url(referrer, self_referral=True),
        "follow_up_link": links.follow_up_url(referrer),
    }
    return render(request, "referrers/detail.html", context)


@require_GET
def referrer_detail(request, pk: int):
    referrer = _referrer(request, pk)
    return _detail(request, referrer, ProspectionForm(initial={"happened_on": timezone.localdate()}))


@require_POST
def referrer_prospection(request, pk: int):
    referrer = _referrer(request, pk, "people.edit")
    form = ProspectionForm(request.POST)
    if not form.is_valid():
        return _detail(request, referrer, form)
    actions.log_prospection(
        referrer=referrer, structure=request.membership.structure, actor=request.user, data=form.cleaned_data
    )
    messages.success(request, "C'est noté dans le journal de prospection.")
    return redirect("referrer_detail", pk=pk)


def _link_confirmation(request, referrer: Referrer, deactivate: bool):
    back = reverse("referrer_detail", args=[referrer.pk])
    lost = "Les affiches déjà imprimées ne fonctionneront plus, ni le lien déjà donné au relais."
    if deactivate:
        return confirm.page(
            request,
            title=f"Désactiver le lien de « {referrer.name} » ?",
            consequences=[lost, "Le relais ne pourra plus vous envoyer de personnes par ce lien."],
            button="Oui, désactiver le lien",
            back_url=back,
            fields={"action": "desactiver"},
        )
    if not referrer.link_is_live:
        return confirm.page(
            request,
            title=f"Créer un nouveau lien pour « {referrer.name} » ?",
            consequences=["Vous pourrez ensuite imprimer la nouvelle affiche et la donner au relais."],
            button="Oui, créer le lien",
            back_url=back,
            fields={"action": "remplacer"},
        )
    return confirm.page(
        request,
        title=f"Remplacer le lien de « {referrer.name} » ?",
        consequences=[lost, "Il faudra imprimer la nouvelle affiche et la donner au relais."],
        button="Oui, remplacer le lien",
        back_url=back,
        fields={"action": "remplacer"},
    )


@confirm.get_or_post
def referrer_link(request, pk: int):
    referrer = _referrer(request, pk, "people.edit")
    structure = request.membership.structure
    deactivate = (request.POST if request.method == "POST" else request.GET).get("action") == "desactiver"
    # A live link is on posters already: replacing or deactivating it asks first. A new link for
    # a deactivated one breaks nothing and needs no question.
    if request.method == "GET" or ((deactivate or referrer.link_is_live) and not confirm.confirmed(request)):
        return _link_confirmation(request, referrer, deactivate)
    if deactivate:
        actions.revoke_link(referrer=referrer, structure=structure, actor=request.user)
        messages.success(request, "Le lien est désactivé : les affiches et liens donnés ne marchent plus.")
    else:
        actions.regenerate_link(referrer=referrer, structure=structure, actor=request.user)
        messages.success(
            request, "Nouveau lien créé. Imprimez la nouvelle affiche : l'ancienne ne marche plus."
        )
    return redirect("referrer_detail", pk=pk)


def _qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


POSTER_TITLE = "Besoin d'un coup de main pour l'emploi, une formation ou le numérique ?"
POSTER_LEAD = "Scannez ce code avec votre téléphone : laissez votre prénom et votre numéro, on vous rappelle."


def _poster_referrer(request, pk: int):
    """The referrer whose poster is asked for; a deactivated link gets no new poster."""
    referrer = _referrer(request, pk)
    if not referrer.link_is_live:
        messages.error(
            request, "Le lien de ce relais est désactivé : créez un nouveau lien avant d'imprimer."
        )
        return referrer, redirect("referrer_detail", pk=pk)
    return referrer, None


@require_GET
def referrer_poster(request, pk: int):
    """An A4 poster: a big QR code to the self-referral form, the structure's phone, the address."""
    from weasyprint import HTML

    referrer, refused = _poster_referrer(request, pk)
    if refused:
        return refused
    url = links.referral_url(referrer, self_referral=True)
    html = render_to_string(
        "referrers/poster.html",
        {
            "referrer": referrer,
            "structure": referrer.structure,
            "phone": referrer.structure.phone_display,
            "url": url,
            "qr": _qr_svg(url),
            "title": POSTER_TITLE,
            "lead": POSTER_LEAD,
        },
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="affiche-{referrer.pk}.pdf"'
    return response


@require_GET
def referrer_poster_png(request, pk: int):
    """The same poster as an A4 image at 150 dpi, for a phone, a screen or a social network."""
    from . import poster

    referrer, refused = _poster_referrer(request, pk)
    if refused:
        return refused
    url = links.referral_url(referrer, self_referral=True)
    image = poster.render_png(
        title=POSTER_TITLE,
        lead=POSTER_LEAD,
        structure_name=referrer.structure.name,
        phone=referrer.structure.phone_display,
        url=url,
        footer=f"Affiche déposée chez {referrer.name}",
    )
    response = HttpResponse(image, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="affiche-{referrer.pk}.png"'
    return response
