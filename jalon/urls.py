from django.contrib import admin
from django.urls import include, path

from jalon.api.main import api

urlpatterns = [
    path("", include("jalon.ops.urls")),
    path("", include("jalon.www.urls")),
    path("comptes/", include("allauth.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
