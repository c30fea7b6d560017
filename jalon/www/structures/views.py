import copy

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jalon.audit.models import Action, AuditEvent
from jalon.notifications import actions as outbox
from jalon.notifications.models import MessageStatus, OutboxMessage
from jalon.pagination import capped_count
from jalon.structures import actions
from jalon.structures.models import Invitation, Membership
from jalon.www.scoping import require

from .forms import AcceptInvitationForm, InvitationForm, MembershipForm, PartnerForm, StructureForm
from .journal import describe


@require_POST
def switch(request):
    try:
        structure_id = int(request.POST.get("structure", ""))
        membership = actions.switch_structure(user=request.user, structure_id=structure_id)
    except (ValueError, PermissionDenied):
        messages.error(request, "Vous ne faites pas partie de cette structure.")
        return redirect("home")
    messages.success(request, f"Vous travaillez maintenant pour {membership.structure.name}.")
    return redirect("home")


def settings_view(request):
    membership = require(request, "structure.manage")
    structure = membership.structure
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        actions.update_structure(structure=structure, actor=request.user, form=form)
        messages.success(request, "Informations de la structure enregistrées.")
        return redirect("structure_settings")
    partners = structure.partner_structures().select_related("commune")
    return render(
        request,
        "structures/settings.html",
        {"form": form, "partners": partners, "partner_form": PartnerForm(structure=structure)},
    )


@require_POST
def partner_add(request):
    membership = require(request, "structure.manage")
    form = PartnerForm(request.POST, structure=membership.structure)
    if form.is_valid():
        actions.add_partnership(
            structure=membership.structure,
            partner=form.cleaned_data["partner"],
            actor=request.user,
            description=form.cleaned_data["description"],
        )
        messages.success(request, "Partenaire ajouté.")
    else:
        messages.error(request, "Choisissez une structure dans la liste.")
    return redirect("structure_settings")


def members(request):
    membership = require(request, "structure.manage")
    structure = membership.structure
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.invite(structure=structure, actor=request.user, **form.cleaned_data)
        messages.success(request, "Invitation envoyée.")
        return redirect("structure_members")
    rows = (
        Membership.objects.filter(structure=structure)
        .select_related("user")
        .order_by("-is_active", "user__last_name")
    )
    invitations = Invitation.objects.filter(
        structure=structure, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-created_at")
    return render(
        request,
        "structures/members.html",
        {"members": rows, "invitations": [i for i in invitations if i.is_pending], "form": form},
    )


def member_edit(request, pk: int):
    admin = require(request, "structure.manage")
    member = (
        Membership.objects.filter(structure=admin.structure, pk=pk)
        .select_related("user", "structure")
        .first()
    )
    if member is None:
        raise Http404
    form = MembershipForm(request.POST or None, instance=copy.copy(member))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_membership(membership=member, actor=request.user, **form.cleaned_data)
        except ValueError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Membre mis à jour.")
            return redirect("structure_members")
    return render(request, "structures/member_edit.html", {"form": form, "member": member})


@login_not_required
def invitation_accept(request, token: str):
    invitation = Invitation.find_valid(token)
    if invitation is None:
        return render(request, "structures/invitation_invalid.html", status=404)
    from django.contrib.auth import get_user_model

    existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        if not request.user.is_authenticated:
            messages.info(request, "Connectez-vous avec votre compte pour accepter l'invitation.")
            return redirect(f"/comptes/login/?next={request.path}")
        if request.method == "POST":
            try:
                actions.accept_invitation(invitation=invitation, user=request.user)
            except PermissionDenied:
                messages.error(request, "Cette invitation est pour une autre adresse e-mail.")
                return redirect("home")
            messages.success(request, f"Vous avez rejoint {invitation.structure.name}.")
            return redirect("home")
        return render(request, "structures/invitation_accept.html", {"invitation": invitation, "form": None})
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = actions.create_account_from_invitation(
            invitation=invitation,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Bienvenue ! Vous avez rejoint {invitation.structure.name}.")
        return redirect("home")
    return render(request, "structures/invitation_accept.html", {"invitation": invitation, "form": form})


def audit_log(request):
    membership = require(request, "audit.view")
    events = AuditEvent.objects.for_structure(membership.structure).select_related("actor", "person")
    action = request.GET.get("action", "")
    if action in Action.values:
        events = events.filter(action=action)
    page_events = describe(list(events.order_by("-at", "-id")[:200]), membership, request.user)
    return render(
        request,
        "structures/audit.html",
        {"events": page_events, "actions": Action.choices, "current_action": action},
    )


def outbox_view(request):
    membership = require(request, "structure.manage")
    rows = OutboxMessage.objects.for_structure(membership.structure).order_by("-created_at", "-id")
    status = request.GET.get("statut", "")
    if status in MessageStatus.values:
        rows = rows.filter(status=status)
    failed, _ = capped_count(
        OutboxMessage.objects.for_structure(membership.structure).filter(status=MessageStatus.FAILED)
    )
    return render(
        request,
        "structures/outbox.html",
        {
            "messages_rows": list(rows[:200]),
            "statuses": MessageStatus.choices,
            "current": status,
            "failed": failed,
        },
    )


@require_POST
def outbox_retry(request, pk: int):
    membership = require(request, "structure.manage")
    message = OutboxMessage.objects.for_structure(membership.structure).filter(pk=pk).first()
    if message is None:
        raise Http404
    outbox.retry_now(message)
    messages.success(request, "Le message va être renvoyé.")
    return redirect("structure_outbox")
