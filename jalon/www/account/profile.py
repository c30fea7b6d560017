"""Mon compte: one page with sections — name, e-mail, password, API tokens.

The token section is the existing token page (views.api_tokens); the password change is
allauth's view, in our layout and written in the journal.
"""

from allauth.account.views import PasswordChangeView
from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse

from jalon.audit.actions import record
from jalon.audit.models import Action
from jalon.users.models import User

from .views import TokenForm, api_tokens, page_context


class NameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name"]
        labels = {"first_name": "Prénom", "last_name": "Nom"}

    def clean(self):
        data = super().clean()
        for field in ("first_name", "last_name"):
            data[field] = " ".join((data.get(field) or "").split())
        if not data["first_name"] and not data["last_name"]:
            raise forms.ValidationError(
                "Indiquez au moins votre prénom ou votre nom : vos collègues vous reconnaissent ainsi."
            )
        return data


def account(request):
    if request.method == "POST" and "name" in request.POST:
        return api_tokens(request)  # the token form of the same page
    form = NameForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if form.is_valid():
            changed = [f for f in form.changed_data if f in ("first_name", "last_name")]
            if changed:
                form.save()
                record(
                    action=Action.UPDATE,
                    actor=request.user,
                    structure=request.structure,
                    obj=request.user,
                    fields=changed,
                    detail="nom du compte modifié",
                )
            messages.success(request, "Vos informations sont enregistrées.")
            return redirect("account")
        request.user.refresh_from_db(fields=["first_name", "last_name"])
    return render(
        request,
        "account/tokens.html",
        page_context(request, name_form=form, form=TokenForm(), new_secret=None),
    )


class PasswordChange(PasswordChangeView):
    """allauth's password change in Jalon's layout; each change is written in the journal."""

    template_name = "account/password_change.html"

    def get_default_success_url(self):
        return reverse("account") + "#mot-de-passe"

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            action=Action.UPDATE,
            actor=self.request.user,
            structure=getattr(self.request, "structure", None),
            obj=self.request.user,
            fields=["password"],
            detail="mot de passe changé",
        )
        return response


password_change = PasswordChange.as_view()
