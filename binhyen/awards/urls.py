"""Pages of the awards app, mounted at /awards/."""

from django.urls import path

from binhyen.awards import views

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.entry_create, name="entry_create"),
    path("catalogue/<int:pk>/", views.entry_edit, name="entry_edit"),
    path("drives/", views.drives, name="drives"),
    path("drives/new/", views.drive_create, name="drive_create"),
    path("drives/<int:pk>/", views.drive_detail, name="drive"),
    path("drives/<int:pk>/link/", views.drive_link, name="drive_link"),
    path("drives/<int:pk>/register/", views.registration_add, name="registration_add"),
    path("reviews/", views.reviews, name="reviews"),
    path("reviews/new/", views.review_open, name="review_open"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("reviews/<int:pk>/submit/", views.review_submit, name="review_submit"),
    path("reviews/<int:pk>/approve/", views.review_approve, name="review_approve"),
    path("reviews/<int:pk>/return/", views.review_return, name="review_return"),
    path("review-lines/<int:pk>/", views.review_entry, name="review_entry"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/export.xlsx", views.proposals_export, name="proposals_export"),
    path("proposals/new/", views.proposal_create, name="proposal_create"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/nominees/", views.nominee_add, name="nominee_add"),
    path("proposals/<int:pk>/kept/", views.proposal_add_kept, name="proposal_add_kept"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="proposal_submit"),
    path("proposals/<int:pk>/forward/", views.proposal_forward, name="proposal_forward"),
    path("proposals/<int:pk>/return/", views.proposal_return, name="proposal_return"),
    path("proposals/<int:pk>/decide/", views.proposal_decide, name="proposal_decide"),
    path("rewards/", views.rewards, name="rewards"),
    path("rewards/export.xlsx", views.rewards_export, name="rewards_export"),
    path("tips/<int:tip_id>/reward/", views.tip_reward, name="tip_reward"),
    path("counter/", views.collect, name="collect"),
]
