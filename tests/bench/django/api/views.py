from django.db.models import Count
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from .models import Resume
from .serializers import ResumeSerializer


class EnvelopePagination(PageNumberPagination):
    """Pages in zhimai's envelope, so both stacks answer the same document."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        return Response(
            {
                "success": True,
                "data": {
                    "items": data,
                    "total": self.page.paginator.count,
                    "page": self.page.number,
                    "page_size": self.get_page_size(self.request),
                },
            }
        )


class ResumeList(generics.ListAPIView):
    """GET /api/resumes: the user's resumes, newest first, each with its number of versions."""

    serializer_class = ResumeSerializer
    pagination_class = EnvelopePagination

    def get_queryset(self):
        return (
            Resume.objects.filter(user_id=str(self.request.user.id))
            .annotate(version_count=Count("versions"))
            .order_by("-created_at", "-id")
        )
