"""Pages of the tips app, mounted at /tips/: public intake and follow-up, webhook, inbox."""

from django.urls import path

from binhyen.tips import views, views_zalo

app_name = "tips"
urlpatterns = [
    path("", views.tip_home, name="home"),
    path("new/", views.tip_new, name="new"),
    path("follow/", views.tip_follow, name="follow"),
    path("receipt/", views.tip_receipt, name="receipt"),
    path("units/", views.unit_options, name="unit_options"),
    path("zalo/webhook/", views.zalo_webhook, name="zalo_webhook"),
    path("zalo/pushes/", views_zalo.zalo_pushes, name="zalo_pushes"),
    path(
        "zalo/pushes/<int:pk>/<slug:action>/",
        views_zalo.zalo_push_action,
        name="zalo_push_action",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("<int:pk>/", views.tip_detail, name="detail"),
    path("<int:pk>/contact/", views.tip_contact, name="contact"),
    path("<int:pk>/media/<int:media_pk>/", views.tip_media_file, name="media"),
    path("<int:pk>/<slug:action>/", views.tip_action, name="action"),
]
