from django.urls import path
from kiteapp import views

urlpatterns = [
    path("holdings/", views.holdings),
    path("quote/<str:instrument>/", views.quote),
]
