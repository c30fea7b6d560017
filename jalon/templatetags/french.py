"""French wording filters, built into every template (settings.TEMPLATES "builtins").

{{ person|agree:"inscrit" }}                       inscrit / inscrite / inscrit·e
{{ person|agree:"parti,partie" }}                  parti / partie / parti·e
{% agree person "demandeur" "demandeuse" "demandeur·se" %}
{{ session.starts_on|date_fr:"l j F Y" }}          lundi 1er février 2027
{{ referral.created_at|ago }}                      il y a 3 semaines, à l'instant
{{ label|gendered:e.person }}                      présent·e → présent / présente
{{ person.full_name|de }}                          de Karim DURAND / d'Antoinette BARON
"""

from django import template

from jalon import text

register = template.Library()


@register.filter(name="agree")
def agree_filter(who, forms: str) -> str:
    """forms: "masculine", "masculine,feminine" or "masculine,feminine,inclusive"."""
    words = [word.strip() for word in str(forms).split(",")]
    return text.agree(who, *words[:3])


@register.simple_tag(name="agree")
def agree_tag(who, masculine: str, feminine: str | None = None, inclusive: str | None = None) -> str:
    return text.agree(who, masculine, feminine, inclusive)


@register.filter
def gendered(phrase, who) -> str:
    """{{ label|gendered:e.person }}: "présent·e" becomes "présent" or "présente" when recorded."""
    return text.gendered(phrase, who)


@register.filter(expects_localtime=True, is_safe=False)
def date_fr(value, format_string: str = "j F Y") -> str:
    return text.long_date(value, format_string)


@register.filter(expects_localtime=True, is_safe=False)
def ago(value) -> str:
    return text.ago(value)


@register.filter(name="de")
def of_filter(name) -> str:
    """ "de Karim" or "d'Antoinette": the preposition, elided before a vowel."""
    return text.of(name)
