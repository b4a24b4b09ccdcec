"""Pages of the tips app, mounted at /tips/: public intake and follow-up, webhook, inbox.

Each officer action on a tip has its own URL and name (``tips:claim``, ``tips:reply``, ...),
answered by its own view in ``views.actions``.
"""

from django.urls import path

from binhyen.tips.views import actions, officers, public, zalo

app_name = "tips"
urlpatterns = [
    path("", officers.tip_home, name="home"),
    path("new/", public.tip_new, name="new"),
    path("follow/", public.tip_follow, name="follow"),
    path("receipt/", public.tip_receipt, name="receipt"),
    path("units/", public.unit_options, name="unit_options"),
    path("zalo/webhook/", zalo.zalo_webhook, name="zalo_webhook"),
    path("zalo/pushes/", zalo.zalo_pushes, name="zalo_pushes"),
    path(
        "zalo/pushes/<int:pk>/<slug:action>/",
        zalo.zalo_push_action,
        name="zalo_push_action",
    ),
    path("inbox/", officers.inbox, name="inbox"),
    path("<int:pk>/", officers.tip_detail, name="detail"),
    path("<int:pk>/contact/", officers.tip_contact, name="contact"),
    path("<int:pk>/media/<int:media_pk>/", officers.tip_media_file, name="media"),
    path("<int:pk>/claim/", actions.tip_claim, name="claim"),
    path("<int:pk>/release/", actions.tip_release, name="release"),
    path("<int:pk>/verify/", actions.tip_verify, name="verify"),
    path("<int:pk>/valuable/", actions.tip_valuable, name="valuable"),
    path("<int:pk>/reply/", actions.tip_reply, name="reply"),
    path("<int:pk>/note/", actions.tip_note, name="note"),
    path("<int:pk>/conclude/", actions.tip_conclude, name="conclude"),
    path("<int:pk>/reopen/", actions.tip_reopen, name="reopen"),
    path("<int:pk>/priority/", actions.tip_priority, name="priority"),
    path("<int:pk>/classify/", actions.tip_classify, name="classify"),
    path("<int:pk>/assign/", actions.tip_assign, name="assign"),
    path("<int:pk>/transfer/", actions.tip_transfer, name="transfer"),
    path("<int:pk>/merge/", actions.tip_merge, name="merge"),
]
