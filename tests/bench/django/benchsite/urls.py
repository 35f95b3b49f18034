from django.urls import path

from api.views import ResumeList

urlpatterns = [path("api/resumes", ResumeList.as_view())]
