"""Seed 001's models (section 2.2) on zhimai's tables (migrations/0003_resumes.sql),
which Django 3.2 would create from them; zhimai's migrations own the tables."""
import uuid

from django.db import models


class Resume(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    user_id = models.CharField(max_length=36)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        managed = False
        db_table = "api_resume"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user_id"])]


class ResumeVersion(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    resume = models.ForeignKey(Resume, related_name="versions", on_delete=models.CASCADE)
    file_path = models.CharField(max_length=512)
    file_name = models.CharField(max_length=255)
    file_size = models.IntegerField()
    file_type = models.CharField(max_length=100)
    comment = models.TextField(blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        managed = False
        db_table = "api_resumeversion"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resume"])]
