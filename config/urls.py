"""URL map: pages per app, the REST API under /api/v1, Django admin under /django-admin/."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from binhyen.orgunits.views import home
from config.api import api

urlpatterns = [
    path("", home, name="home"),
    path("", include("binhyen.core.urls")),
    path("accounts/", include("binhyen.accounts.urls")),
    path("units/", include("binhyen.orgunits.urls")),
    path("indicators/", include("binhyen.indicators.urls")),
    path("tips/", include("binhyen.tips.urls")),
    path("activities/", include("binhyen.activities.urls")),
    path("hotspots/", include("binhyen.hotspots.urls")),
    path("community/", include("binhyen.community.urls")),
    path("programs/", include("binhyen.programs.urls")),
    path("cases/", include("binhyen.cases.urls")),
    path("documents/", include("binhyen.documents.urls")),
    path("targets/", include("binhyen.targets.urls")),
    path("awards/", include("binhyen.awards.urls")),
    path("", include("binhyen.field.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
