from rest_framework import serializers

from .models import Resume


class ResumeSerializer(serializers.ModelSerializer):
    version_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Resume
        fields = ["id", "name", "user_id", "created_at", "updated_at", "version_count"]
