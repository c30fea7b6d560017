"""How every form is drawn: the django-bootstrap5 renderers named in settings.BOOTSTRAP5.

- After a failed submit, one error summary at the top of the form (the GOV.UK pattern): the
  heading "Il y a un problème", then each error as a link to its field. It takes the focus, so
  a keyboard or screen-reader user learns at once what went wrong and reaches each field in one
  step. Templates get it from `{% bootstrap_form %}` or `{% bootstrap_form_errors form %}`.
- Radio buttons and groups of checkboxes are a <fieldset> whose <legend> is the question: the
  default <label> points at nothing (a group has no single id) and says nothing when read.
- A screen reader announces each field error: the invalid input has aria-invalid="true" and
  aria-describedby naming its error message (and its help text). Django does it for single
  inputs; radio buttons and checkbox groups, which Django leaves to a fieldset, get it here on
  each of their inputs, since the focus lands on an input, not on the group.
- Only errors are marked. The default green "is-valid" on every other field, empty optional
  fields included, told people that a field they had not touched was "right".
"""

from django.forms import CheckboxSelectMultiple, RadioSelect
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_bootstrap5.renderers import FieldRenderer, FormRenderer


def field_anchor(field) -> str:
    """The id to link to: the input itself, or the first choice of a radio or checkbox group."""
    if field.id_for_label:
        return field.id_for_label
    for subwidget in field.subwidgets:
        return subwidget.id_for_label or ""
    return ""


def error_items(form) -> list[tuple[str, str]]:
    """(anchor, message) for each error in the order of the form; no anchor for form-wide ones."""
    items = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            if field.is_hidden:
                items.append(("", str(error)))
            else:
                items.append((field_anchor(field), f"{field.label} : {error}"))
    return items


def render_error_summary(form) -> str:
    items = error_items(form)
    if not items:
        return mark_safe("")
    summary_id = f"erreurs-{form.prefix}" if form.prefix else "erreurs"
    return render_to_string("components/error_summary.html", {"items": items, "summary_id": summary_id})


class JalonFormRenderer(FormRenderer):
    def render_errors(self, type="all"):
        # Whatever part the template asked for, the summary lists every error: a field error
        # shown only beside its field is missed by whoever does not scroll to it.
        if type == "none":
            return mark_safe("")
        return render_error_summary(self.form)


class JalonFieldRenderer(FieldRenderer):
    def get_server_side_validation_classes(self):
        return "is-invalid" if self.field_errors else ""

    def is_group(self) -> bool:
        return isinstance(self.widget, RadioSelect | CheckboxSelectMultiple)

    def add_widget_attrs(self):
        super().add_widget_attrs()
        # The ids are those of django-bootstrap5's error and help templates ("<id>_error",
        # "<id>_helptext"), the same Django names for a single input.
        auto_id = self.field.auto_id
        if self.is_group() and auto_id and "aria-describedby" not in self.initial_attrs:
            described_by = [f"{auto_id}_error"] if self.field_errors else []
            if self.help_text:
                described_by.append(f"{auto_id}_helptext")
            if described_by:
                self.widget.attrs["aria-describedby"] = " ".join(described_by)

    def render(self):
        if not self.is_group() or self.show_label is not True or self.field.is_hidden:
            return super().render()
        wrapper_classes = self.get_wrapper_classes()
        legend = self.label
        # The fieldset takes the wrapper's place and the legend the label's.
        self.show_label, self.wrapper_class = "skip", ""
        inner = super().render()
        return format_html(
            '<fieldset class="{}"><legend class="form-label fs-6">{}</legend>{}</fieldset>',
            wrapper_classes,
            legend,
            inner,
        )
