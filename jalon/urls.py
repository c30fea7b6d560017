from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from jalon.api.main import api, unknown_path

# The Django admin signs in through the one login page (/comptes/login/): its throttle, its second
# factor and its journal; the admin's own password form is never shown.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("jalon.ops.urls")),
    path("", include("jalon.www.urls")),
    path("comptes/", include("allauth.urls")),
    path("api/", api.urls),
    re_path(r"^api/", unknown_path),
    path("admin/", admin.site.urls),
]
